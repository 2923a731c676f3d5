"""WGS-84, GCJ-02 and BD-09: the coordinate systems a Chinese complaint ticket may use.

Why this exists: the planner stores and measures everything in WGS-84 (GPS,
geodesic distances), but the coordinates on tickets and rosters come from
operator systems and map pickers that use the systems Chinese map providers
must publish in:

* **GCJ-02** ("Mars coordinates", 国测局坐标): WGS-84 plus a deliberate,
  smoothly varying offset, typically a few hundred metres (40–680 m over
  China).  AMap/GaoDe, Tencent and Google's
  China maps use it.  The forward formula below is the widely reproduced one
  (Krasovsky semi-major axis ``A`` and eccentricity² ``EE``); it is only
  applied inside China (:func:`planner.geo.china.in_china`), outside the
  providers publish plain WGS-84.
* **BD-09**: Baidu's further offset of GCJ-02, applied everywhere.

Only the forward directions have closed forms.  The usual one-step
"inverse" (subtract the offset computed at the wrong point) is off by up to
about 4 m in China (measured on a half-degree grid), which eats most of the
product's 5 m promise on its own.  The inverses here refine by fixed-point
iteration until the forward map reproduces the input to ~1e-11° (about a
micrometre), so a round trip is exact for all practical purposes (the tests
hold it to a centimetre).

Argument order is always ``(lat, lon)`` and so is the result.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from planner.geo.china import in_china
from planner.geo.points import LatLon, check_lat_lon
from planner.records import COORD_SYSTEMS

__all__ = [
    "SYSTEMS",
    "A",
    "EE",
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "gcj02_to_bd09",
    "bd09_to_gcj02",
    "wgs84_to_bd09",
    "bd09_to_wgs84",
    "to_wgs84",
    "from_wgs84",
    "normalize_system",
]

SYSTEMS: tuple[str, ...] = COORD_SYSTEMS
"""Names accepted by :func:`to_wgs84` / :func:`from_wgs84` (one definition, in planner.records)."""

A = 6378245.0
"""Semi-major axis (Krasovsky 1940) used by the GCJ-02 formula."""
EE = 0.00669342162296594323
"""First eccentricity squared used by the GCJ-02 formula."""

_X_PI = math.pi * 3000.0 / 180.0  # Baidu's constant

# Fixed-point iteration: the offsets' derivatives are ~1e-4 per degree, so each
# step gains about four digits; 1e-11 degrees is about a micrometre.
_INVERSE_TOLERANCE_DEG = 1e-11
_INVERSE_MAX_STEPS = 50


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj02_forward(lat: float, lon: float) -> LatLon:
    """The GCJ-02 offset applied unconditionally (no in-China test)."""
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = math.sin(radlat)
    magic = 1.0 - EE * magic * magic
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (A / sqrtmagic * math.cos(radlat) * math.pi)
    return lat + dlat, lon + dlon


def _bd09_forward(lat: float, lon: float) -> LatLon:
    """GCJ-02 → BD-09 (Baidu's published formula)."""
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def _bd09_one_step_inverse(lat: float, lon: float) -> LatLon:
    """Baidu's approximate BD-09 → GCJ-02 formula: the starting guess for refinement."""
    x = lon - 0.0065
    y = lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.sin(theta), z * math.cos(theta)


def _invert(forward: Callable[[float, float], LatLon], lat: float, lon: float, guess: LatLon) -> LatLon:
    """Solve ``forward(p) == (lat, lon)`` for p by fixed-point iteration from ``guess``.

    Converges because both offsets are near-translations (their Jacobians
    differ from the identity by ~1e-4).
    """
    plat, plon = guess
    for _ in range(_INVERSE_MAX_STEPS):
        flat, flon = forward(plat, plon)
        dlat, dlon = flat - lat, flon - lon
        plat -= dlat
        plon -= dlon
        if abs(dlat) < _INVERSE_TOLERANCE_DEG and abs(dlon) < _INVERSE_TOLERANCE_DEG:
            break
    return plat, plon


def wgs84_to_gcj02(lat: float, lon: float) -> LatLon:
    """WGS-84 → GCJ-02; points outside China are returned unchanged."""
    lat, lon = check_lat_lon(lat, lon)
    if not in_china(lat, lon):
        return lat, lon
    return _gcj02_forward(lat, lon)


def gcj02_to_wgs84(lat: float, lon: float) -> LatLon:
    """GCJ-02 → WGS-84, the exact inverse of :func:`wgs84_to_gcj02`.

    A GCJ-02 point outside China whose inverse also lands outside was never
    offset (the provider published it as WGS-84) and is returned unchanged.
    Along the border, within the offset's few hundred metres, the forward
    map leaves a seam: points in China whose inverse lands just outside
    (no exact preimage) and points outside whose inverse lands just inside
    (two preimages).  Both get the inverted point: a point a provider placed
    in China was offset.
    """
    lat, lon = check_lat_lon(lat, lon)
    one_step = _gcj02_forward(lat, lon)
    guess = (2.0 * lat - one_step[0], 2.0 * lon - one_step[1])
    wlat, wlon = _invert(_gcj02_forward, lat, lon, guess)
    if in_china(wlat, wlon) or in_china(lat, lon):
        return wlat, wlon
    return lat, lon


def gcj02_to_bd09(lat: float, lon: float) -> LatLon:
    """GCJ-02 → BD-09 (applied everywhere, as Baidu does)."""
    lat, lon = check_lat_lon(lat, lon)
    return _bd09_forward(lat, lon)


def bd09_to_gcj02(lat: float, lon: float) -> LatLon:
    """BD-09 → GCJ-02, the exact inverse of :func:`gcj02_to_bd09`.

    Baidu's own published inverse is a one-step approximation (off by up to
    about 20 cm); this refines it until the forward map reproduces the
    input.
    """
    lat, lon = check_lat_lon(lat, lon)
    return _invert(_bd09_forward, lat, lon, _bd09_one_step_inverse(lat, lon))


def wgs84_to_bd09(lat: float, lon: float) -> LatLon:
    """WGS-84 → BD-09 (through GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lat, lon))


def bd09_to_wgs84(lat: float, lon: float) -> LatLon:
    """BD-09 → WGS-84 (through GCJ-02), exact inverse of :func:`wgs84_to_bd09`."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lat, lon))


def normalize_system(system: str) -> str:
    """Return the canonical name ("wgs84", "gcj02", "bd09") for a coordinate-system label.

    Case, hyphens, underscores and spaces are ignored, so "WGS-84", "GCJ_02"
    and "BD09" are all understood; anything else raises ``ValueError``.
    """
    if not isinstance(system, str):
        raise ValueError(f"coordinate system must be text, got {system!r}")
    key = system.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    if key not in SYSTEMS:
        raise ValueError(
            f"unknown coordinate system {system!r}: expected one of {', '.join(SYSTEMS)}"
        )
    return key


_TO_WGS84: dict[str, Callable[[float, float], LatLon]] = {
    "wgs84": check_lat_lon,
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}
_FROM_WGS84: dict[str, Callable[[float, float], LatLon]] = {
    "wgs84": check_lat_lon,
    "gcj02": wgs84_to_gcj02,
    "bd09": wgs84_to_bd09,
}


def to_wgs84(lat: float, lon: float, system: str) -> LatLon:
    """Convert a point given in ``system`` to WGS-84 (what the planner stores)."""
    return _TO_WGS84[normalize_system(system)](lat, lon)


def from_wgs84(lat: float, lon: float, system: str) -> LatLon:
    """Convert a stored WGS-84 point to ``system``, e.g. to draw it on GaoDe (GCJ-02) tiles."""
    return _FROM_WGS84[normalize_system(system)](lat, lon)
