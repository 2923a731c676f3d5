"""Where things are: inside the PRC, inside a district's area.

Why this exists:

* GCJ-02 (see :mod:`planner.geo.coords`) is only applied by Chinese map
  providers inside China; outside, their coordinates are plain WGS-84.  The
  conversions therefore need to know whether a point is in China, and intake
  uses the same test to catch swapped or garbage coordinates (a ticket "in
  Xi'an" at lat 108, lon 34 is a data error, not a visit).
* The usual ``72–137 °E, 0.8–55.8 °N`` bounding box that most GCJ-02 code
  copies accepts Seoul, Tokyo, Ulaanbaatar and Hanoi.  We ship a coarse but
  honest outline instead (``china_outline.json``: one ring of about ninety
  vertices around the mainland and Hainan, pushed a few kilometres outward at
  land borders so that border towns stay inside).  Its resolution is tens of
  kilometres: the file says what that means at the borders.
* District areas in the configuration are either a polygon drawn by the
  dispatcher or a centre plus radius; :func:`district_area_contains` answers
  both, so triage does not need to know which.

Polygons here are lists of ``(lat, lon)`` pairs in WGS-84 degrees, the same
order as everywhere in the planner.  They are treated as planar in degrees,
which is exact enough at district and country scale and never crosses the
antimeridian in China.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources

from planner.geo.distance import check_points, geodesic_m
from planner.geo.points import check_lat_lon

__all__ = ["in_china", "point_in_polygon", "district_area_contains", "china_outline"]

# Boundary tolerance in degrees (~0.1 mm): a point on an edge counts as inside.
_ON_EDGE_DEG = 1e-9


def _as_polygon(polygon: object, what: str = "polygon") -> list[tuple[float, float]]:
    """Validate a ``[(lat, lon), ...]`` polygon (configuration: anything may come) and return it as float tuples."""
    points = list(check_points(polygon, what, f"{what} vertex"))
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()  # a closed ring (GeoJSON style) is welcome; the edge is implied
    if len(set(points)) < 3:
        raise ValueError(f"{what} needs at least 3 distinct vertices, got {len(set(points))}")
    return points


def _ring_contains(lat: float, lon: float, ring: Sequence[tuple[float, float]]) -> bool:
    """Even-odd ray casting; points on an edge or vertex count as inside."""
    inside = False
    n = len(ring)
    for k in range(n):
        lat1, lon1 = ring[k - 1]
        lat2, lon2 = ring[k]
        # On the segment? (collinear within tolerance and inside its box)
        if (
            min(lat1, lat2) - _ON_EDGE_DEG <= lat <= max(lat1, lat2) + _ON_EDGE_DEG
            and min(lon1, lon2) - _ON_EDGE_DEG <= lon <= max(lon1, lon2) + _ON_EDGE_DEG
        ):
            cross = (lon2 - lon1) * (lat - lat1) - (lat2 - lat1) * (lon - lon1)
            length = math.hypot(lon2 - lon1, lat2 - lat1)
            if length == 0.0 or abs(cross) / length <= _ON_EDGE_DEG:
                return True
        if (lat1 > lat) != (lat2 > lat):
            lon_at = lon1 + (lat - lat1) * (lon2 - lon1) / (lat2 - lat1)
            if lon < lon_at:
                inside = not inside
    return inside


def point_in_polygon(lat: float, lon: float, polygon: Sequence[Sequence[float]]) -> bool:
    """True when (lat, lon) lies inside ``polygon`` (a list of (lat, lon) vertices) or on its edge.

    The ring may be given open or closed (first vertex repeated at the end).
    Self-intersecting rings follow the even-odd rule.
    """
    lat, lon = check_lat_lon(lat, lon)
    return _ring_contains(lat, lon, _as_polygon(polygon))


@lru_cache(maxsize=1)
def china_outline() -> tuple[tuple[tuple[float, float], ...], ...]:
    """The rings of the shipped PRC outline, each a tuple of (lat, lon) vertices."""
    text = resources.files(__package__).joinpath("china_outline.json").read_text(encoding="utf-8")
    rings = json.loads(text)["rings"]
    return tuple(tuple(_as_polygon(ring, "china_outline ring")) for ring in rings)


@lru_cache(maxsize=1)
def _china_bbox() -> tuple[float, float, float, float]:
    vertices = [v for ring in china_outline() for v in ring]
    lats = [v[0] for v in vertices]
    lons = [v[1] for v in vertices]
    return min(lats), max(lats), min(lons), max(lons)


def in_china(lat: float, lon: float) -> bool:
    """True when the WGS-84 (or GCJ-02: the offset is under a kilometre) point is in the PRC.

    Mainland and Hainan, at a resolution of tens of kilometres; see the
    module docstring and ``china_outline.json`` for what that means at the
    borders.  Costs a bounding-box test, plus ~20 µs for points inside the box.
    """
    lat, lon = check_lat_lon(lat, lon)
    south, north, west, east = _china_bbox()
    if not (south <= lat <= north and west <= lon <= east):
        return False
    return any(_ring_contains(lat, lon, ring) for ring in china_outline())


def district_area_contains(area: Mapping[str, object], lat: float, lon: float) -> bool:
    """True when (lat, lon) lies in a district's configured area.

    ``area`` is either ``{"polygon": [[lat, lon], ...]}`` or
    ``{"center": [lat, lon], "radius_km": R}`` (a geodesic circle; points on
    the boundary count as inside).  Anything else raises ``ValueError`` with
    a message meant for whoever wrote the configuration.
    """
    lat, lon = check_lat_lon(lat, lon)
    if not isinstance(area, Mapping):
        raise ValueError(f"a district area must be a mapping, got {type(area).__name__}")
    keys = set(area)
    if keys == {"polygon"}:
        return _ring_contains(lat, lon, _as_polygon(area["polygon"], "district area polygon"))
    if keys == {"center", "radius_km"}:
        center = area["center"]
        if isinstance(center, (str, bytes)) or not isinstance(center, Sequence) or len(center) != 2:
            raise ValueError(f"district area center must be a [lat, lon] pair, got {center!r}")
        try:
            clat, clon = check_lat_lon(center[0], center[1])
        except ValueError as exc:
            raise ValueError(f"district area center: {exc}") from None
        radius = area["radius_km"]
        if (
            isinstance(radius, bool)
            or not isinstance(radius, numbers.Real)
            or not math.isfinite(radius)
            or radius <= 0
        ):
            raise ValueError(f"district area radius_km must be a positive number, got {radius!r}")
        return geodesic_m((clat, clon), (lat, lon)) / 1000.0 <= float(radius)
    raise ValueError(
        "a district area must be either {'polygon': [[lat, lon], ...]} or "
        f"{{'center': [lat, lon], 'radius_km': R}}; got keys {sorted(map(str, keys))}"
    )
