"""The commented scenario template written by ``cvp cost init``."""
