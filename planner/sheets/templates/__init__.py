"""Route sheet template and print stylesheet (package data)."""
