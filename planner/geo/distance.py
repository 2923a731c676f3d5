"""Ground distance between two WGS-84 points, in metres (geodesic, geopy)."""

from __future__ import annotations

from geopy.distance import geodesic


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance on the WGS-84 ellipsoid; points are (lat, lon)."""
    if a == b:
        return 0.0
    return geodesic(a, b).meters
