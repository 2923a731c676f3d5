"""Straight-line distances between WGS-84 points, and a small cache for matrices of them.

Why: routing asks for an n×n matrix per district and per worker transport,
and the plan checker asks for the same numbers one leg at a time.  Distances
do not depend on the transport, so a matrix is computed once per point set
and kept (:class:`MatrixCache`); every entry comes from the same pair
function with the pair in a canonical order, so the matrix is exactly
symmetric and a single leg computed later is bit-identical to its entry.

``geodesic_m`` is geopy's geodesic (Karney's algorithm on the WGS-84
ellipsoid, via one shared ``geopy.distance.geodesic`` instance, which avoids
rebuilding the ellipsoid on every call: ~85 µs a pair instead of ~130 µs).
``great_circle_m`` is geopy's great-circle formula written out (~18× faster,
within 0.5 % in China).  geopy is imported on the first distance: importing
it loads its geocoders and ``requests`` (about 0.25 s), which commands that
never measure a distance (``cvp sheets``) should not pay.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import lru_cache

from planner.geo.points import LatLon, check_lat_lon

__all__ = [
    "metres",
    "geodesic_m",
    "great_circle_m",
    "check_points",
    "pair_matrix",
    "MatrixCache",
]

@lru_cache(maxsize=1)
def _geopy():
    """(one shared geodesic instance, geopy's mean Earth radius in metres)."""
    from geopy.distance import EARTH_RADIUS, geodesic

    return geodesic(), EARTH_RADIUS * 1000.0  # geopy caches its geographiclib.Geodesic on it


def _canonical(a: LatLon, b: LatLon) -> tuple[LatLon, LatLon]:
    """Order a pair so that d(a, b) and d(b, a) run the same float operations."""
    return (b, a) if b < a else (a, b)


def metres(a: Sequence[float], b: Sequence[float]) -> float:
    """Geodesic distance in metres between two (lat, lon) points, validated.

    The everyday call for the rest of the planner (clustering, triage, tests);
    hot loops over already-validated tuples may call :func:`geodesic_m`.
    """
    pa, pb = check_points((a, b))
    return geodesic_m(pa, pb)


def geodesic_m(a: LatLon, b: LatLon) -> float:
    """Geodesic distance in metres on WGS-84 (same value as ``geopy.distance.geodesic(a, b).m``)."""
    a, b = _canonical(a, b)
    return _geopy()[0].measure(a, b) * 1000.0


def great_circle_m(a: LatLon, b: LatLon) -> float:
    """Great-circle distance in metres, geopy's formula and mean Earth radius."""
    a, b = _canonical(a, b)
    lat1, lon1 = math.radians(a[0]), math.radians(a[1])
    lat2, lon2 = math.radians(b[0]), math.radians(b[1])
    sin_lat1, cos_lat1 = math.sin(lat1), math.cos(lat1)
    sin_lat2, cos_lat2 = math.sin(lat2), math.cos(lat2)
    delta = lon2 - lon1
    cos_delta, sin_delta = math.cos(delta), math.sin(delta)
    d = math.atan2(
        math.sqrt((cos_lat2 * sin_delta) ** 2 + (cos_lat1 * sin_lat2 - sin_lat1 * cos_lat2 * cos_delta) ** 2),
        sin_lat1 * sin_lat2 + cos_lat1 * cos_lat2 * cos_delta,
    )
    return _geopy()[1] * d


def check_points(points: object, what: str = "points",
                 item: str = "point") -> tuple[LatLon, ...]:
    """Validate a list of (lat, lon) points; ``ValueError`` names the first bad one
    (``what``/``item`` name them in the message, e.g. a polygon and its vertices)."""
    if isinstance(points, (str, bytes)) or not isinstance(points, Sequence):
        raise ValueError(f"{what} must be a list of (lat, lon) pairs, got {type(points).__name__}")
    out = []
    for k, p in enumerate(points):
        if isinstance(p, (str, bytes)) or not isinstance(p, Sequence) or len(p) != 2:
            raise ValueError(f"{item} {k} must be a (lat, lon) pair, got {p!r}")
        try:
            out.append(check_lat_lon(p[0], p[1]))
        except ValueError as exc:
            raise ValueError(f"{item} {k}: {exc}") from None
    return tuple(out)


def pair_matrix(points: Sequence[LatLon], pair: Callable[[LatLon, LatLon], float]) -> tuple[tuple[float, ...], ...]:
    """Symmetric n×n matrix of ``pair(p_i, p_j)``, zero on the diagonal.

    Each distinct pair of distinct locations is measured once: repeated
    points (several tickets at one address) share their rows.
    """
    index: dict[LatLon, int] = {}
    for p in points:
        index.setdefault(p, len(index))
    unique = list(index)
    m = len(unique)
    du = [[0.0] * m for _ in range(m)]
    for i in range(m):
        row_i = du[i]
        pi = unique[i]
        for j in range(i + 1, m):
            d = pair(pi, unique[j])
            row_i[j] = d
            du[j][i] = d
    rows = [du[index[p]] for p in points]
    return tuple(tuple(row[index[q]] for q in points) for row in rows)


class MatrixCache:
    """A thread-safe LRU of matrices keyed by their point tuple, bounded in cells.

    The bound is in matrix cells (a float in a tuple is ~32 bytes), so one
    huge matrix cannot pin hundreds of megabytes: a matrix bigger than the
    whole budget is returned but not kept.
    """

    def __init__(self, max_cells: int = 1_000_000):
        self.max_cells = max_cells
        self._cells = 0
        self._data: OrderedDict[tuple, tuple[tuple[float, ...], ...]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def get_or_compute(
        self, key: tuple, compute: Callable[[], tuple[tuple[float, ...], ...]]
    ) -> tuple[tuple[float, ...], ...]:
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
                return hit
        value = compute()  # outside the lock: slow, and pure
        cells = len(value) ** 2
        if cells > self.max_cells:
            return value
        with self._lock:
            if key not in self._data:
                self._data[key] = value
                self._cells += cells
                while self._cells > self.max_cells:
                    _, old = self._data.popitem(last=False)
                    self._cells -= len(old) ** 2
        return value
