"""Vendored Leaflet, inlined into maps (package data; see README.txt)."""
