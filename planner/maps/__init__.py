"""The dispatcher's map of a plan (folium/Leaflet, self-contained and offline).  See docs/outputs.md."""

from planner.maps.build import AMAP, Tiles, build_map, tiles_from_env, tiles_spec

__all__ = ["AMAP", "Tiles", "build_map", "tiles_from_env", "tiles_spec"]
