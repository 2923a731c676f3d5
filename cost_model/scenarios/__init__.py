"""Built-in scenario files (``cvp cost run <name>`` resolves a name to ``<name>.yaml`` here)."""
