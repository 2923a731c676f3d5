"""Near-point questions for triage, answered in about linear time, with geodesic results.

Why: triage asks "which points lie within M metres of this one?" (clustered
complaints, network-plan sites near a customer) for tens of thousands of
tickets.  Comparing every pair grows with the square of the district, and the
exact WGS-84 geodesic costs ~85 µs a pair.  Two tools make it fast without
changing an answer:

* :class:`GridIndex` files points in cells at least the query radius wide,
  so the points within the radius of a place are in its cell and the eight
  around it.  The radius comes from the rule being applied (the cluster rule's
  ``radius_m``, the largest ``near_site.within_m``), never from a constant.
* :func:`local_m` is the local ellipsoidal (tangent-plane) distance: a few
  float operations, within ``1e-13·d²`` relative of the geodesic for ``d`` up
  to 20 km below 70° latitude (measured against geographiclib: 1.2e-8 at
  1 km, 3.3e-6 at 20 km).  :func:`bound_m` is ten times that error.  A
  comparison whose answer the bound cannot settle, a near tie or a distance
  next to the radius, is decided by the exact geodesic, so every decision
  equals the one the geodesic alone would give.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence

from planner.geo.distance import geodesic_m

_A = 6378137.0                      # WGS-84 semi-major axis, metres
_F = 1 / 298.257223563
_E2 = _F * (2 - _F)
_MERIDIAN_A = _A * (1 - _E2)         # a(1 − e²): the meridian radius of curvature is this / w³
_RAD = math.pi / 180.0               # what math.radians multiplies by
LOCAL_MAX_M = 20_000.0              # beyond this (or the latitude below) only the geodesic is used
LOCAL_MAX_LAT = 70.0
# The least length of a degree anywhere (equator meridian ≈ 110,574 m; a parallel is
# ≥ 111,320·cos φ m): cells this size in degrees are at least the radius in metres.
_MIN_M_PER_DEG_LAT = 110_000.0
_MIN_M_PER_DEG_LON_AT_EQUATOR = 111_000.0

SCREEN_LON_RAD = 0.0175            # pairs farther apart in longitude (radians) are never screened out
BLOCK_ROWS = 512                    # rows of a crowded cell pair's distance block computed at once
BATCH_PAIRS = 1 << 18               # point pairs of small cell pairs screened in one numpy pass
Point = tuple[float, float]


def local_m(a: Point, b: Point, _sin=math.sin, _cos=math.cos, _sqrt=math.sqrt, _hypot=math.hypot) -> float | None:
    """The tangent-plane distance on the WGS-84 ellipsoid at the pair's mean latitude,
    or None where it is not accurate enough to use (far apart, or near a pole).

    Triage calls it about a hundred thousand times for a big district: the math
    functions are bound as defaults, and degrees become radians by the very product
    ``math.radians`` computes (``x · π/180``), so every value is bit-for-bit the same."""
    a0, a1 = a
    b0, b1 = b
    if abs(a0) > LOCAL_MAX_LAT or abs(b0) > LOCAL_MAX_LAT or abs(a1 - b1) > 1.0:
        return None
    p1, p2 = a0 * _RAD, b0 * _RAD
    pm = (p1 + p2) / 2
    s = _sin(pm)
    w2 = 1 - _E2 * s * s
    w = _sqrt(w2)
    d = _hypot(_MERIDIAN_A / (w2 * w) * (p2 - p1), _A / w * _cos(pm) * ((b1 - a1) * _RAD))
    return d if d <= LOCAL_MAX_M else None


def point_factors(p: Point) -> tuple[float, float, float, float]:
    """φ and λ in radians, and the meridian and parallel lengths per radian at φ."""
    phi = math.radians(p[0])
    s = math.sin(phi)
    w2 = 1 - _E2 * s * s
    w = math.sqrt(w2)
    return phi, math.radians(p[1]), _A * (1 - _E2) / (w2 * w), _A / w * math.cos(phi)


def bound_m(d: float) -> float:
    """How far :func:`local_m` may be from the geodesic at distance ``d`` (10× the worst seen)."""
    return d * (1e-9 + 1e-13 * d * d) + 1e-6


class Measure:
    """Distances between points given by index, with the error each one may carry.

    ``approx(i, j)`` is a fast value and its bound (the geodesic itself, bound 0,
    where the local formula does not apply); ``exact(i, j)`` the geodesic, cached.
    """

    def __init__(self, points: Sequence[Point]):
        self.points = points
        self._exact: dict[tuple[int, int], float] = {}

    def approx(self, i: int, j: int) -> tuple[float, float]:
        d = local_m(self.points[i], self.points[j])
        if d is None:
            return self.exact(i, j), 0.0
        return d, bound_m(d)

    def exact(self, i: int, j: int) -> float:
        key = (i, j) if i < j else (j, i)
        d = self._exact.get(key)
        if d is None:
            d = self._exact[key] = geodesic_m(self.points[i], self.points[j])
        return d

    def within(self, i: int, j: int, radius_m: float) -> bool:
        """Whether the geodesic between ``i`` and ``j`` is at most ``radius_m``."""
        d, err = self.approx(i, j)
        if d + err <= radius_m:
            return True
        if d - err > radius_m:
            return False
        return self.exact(i, j) <= radius_m


def local_neighbours(grid: "GridIndex", decide: Callable[[int, int], bool]) -> list[list[int]] | None:
    """For each of the grid's points, the indexes of the others within its radius, ascending;
    screened with numpy, many cell pairs at a time.

    Each point's meridian and parallel factors are computed once and a pair uses
    their mean (off the mean-latitude value by about Δφ²/8 relative, ≤ 2e-6 within
    20 km); a pair whose screened distance is within ``slack`` of the radius is
    handed to ``decide`` (the exact test).  The pairs of neighbouring cells are
    gathered into batches of about ``BATCH_PAIRS`` (a district has thousands of
    small cell pairs, and numpy's per-call cost on each was most of the screen); a
    cell pair bigger than a batch (a crowded spot) is screened ``BLOCK_ROWS`` rows at
    a time.  Either way temporaries stay bounded.  None where the local formula does
    not apply (a radius over 20 km, or points beyond 70° latitude)."""
    import numpy as np

    points, radius_m = grid.points, grid.radius_m
    n = len(points)
    if radius_m > LOCAL_MAX_M or any(abs(p[0]) > LOCAL_MAX_LAT for p in points):
        return None
    if not n:
        return []
    arr = np.radians(np.asarray(points, dtype=float))
    phi, lam = arr[:, 0], arr[:, 1]
    s = np.sin(phi)
    w2 = 1 - _E2 * s * s
    w = np.sqrt(w2)
    fm = _A * (1 - _E2) / (w2 * w)
    fp = _A / w * np.cos(phi)
    slack = bound_m(radius_m) + 2e-6 * radius_m + 1e-3
    sure_in = (2 * (radius_m - slack)) ** 2  # compared with (2·d)²: the factors are sums, not means
    sure_out = (2 * (radius_m + slack)) ** 2
    left: list = []
    right: list = []

    def keep(ia, ib, d2) -> None:
        """The pairs (ia[k], ib[k]) within the radius: surely, or as ``decide`` finds."""
        sure = d2 <= sure_in
        left.append(ia[sure])
        right.append(ib[sure])
        shell = np.flatnonzero((d2 > sure_in) & (d2 <= sure_out))
        if len(shell):
            xs, ys = ia[shell], ib[shell]
            ok = [k for k, (x, y) in enumerate(zip(xs.tolist(), ys.tolist(), strict=True)) if decide(min(x, y), max(x, y))]
            left.append(xs[ok])
            right.append(ys[ok])

    batch_a: list = []
    batch_b: list = []
    batched = 0

    def flush() -> None:
        nonlocal batched
        if batch_a:
            ia, ib = np.concatenate(batch_a), np.concatenate(batch_b)
            dy = (phi[ib] - phi[ia]) * (fm[ia] + fm[ib])
            dx = (lam[ib] - lam[ia]) * (fp[ia] + fp[ib])
            keep(ia, ib, dy * dy + dx * dx)
        batch_a.clear()
        batch_b.clear()
        batched = 0

    members = {id(m): np.asarray(m, dtype=np.int64) for m in grid.cells.values()}
    for a, b in grid.cell_pairs():
        whole_a, ib = members[id(a)], members[id(b)]
        if len(a) * len(b) <= BATCH_PAIRS:
            if a is b:  # each pair once, never a point with itself
                r, c = np.triu_indices(len(a), 1)
                batch_a.append(whole_a[r])
                batch_b.append(whole_a[c])
            else:
                batch_a.append(np.repeat(whole_a, len(b)))
                batch_b.append(np.tile(ib, len(a)))
            batched += len(a) * len(b)
            if batched >= BATCH_PAIRS:
                flush()
            continue
        for first in range(0, len(a), BLOCK_ROWS):  # a crowded cell in slices: bounded temporaries
            ia = whole_a[first:first + BLOCK_ROWS]
            dy = (phi[ib][None, :] - phi[ia][:, None]) * (fm[ia][:, None] + fm[ib][None, :])
            dx = (lam[ib][None, :] - lam[ia][:, None]) * (fp[ia][:, None] + fp[ib][None, :])
            d2 = dy * dy + dx * dx
            if a is b:  # each pair once, never a point with itself
                d2[np.arange(len(b))[None, :] <= (first + np.arange(len(ia)))[:, None]] = np.inf
            rows, cols = np.indices(d2.shape)
            keep(ia[rows.ravel()], ib[cols.ravel()], d2.ravel())
    flush()
    # both directions of each pair, ordered by (i, j) through one int64 key: a plain sort
    # of a million keys is several times faster than lexsort on the two columns
    key = np.concatenate(left + right).astype(np.int64) * n + np.concatenate(right + left).astype(np.int64)
    key.sort()
    i, j = key // n, key % n
    bounds = np.searchsorted(i, np.arange(n + 1)).tolist()
    j_list = j.tolist()
    return [j_list[bounds[k]:bounds[k + 1]] for k in range(n)]


def exact_order(items: Sequence[int], approx: Callable[[int], tuple[float, float]],
                exact: Callable[[int], float]) -> list[int]:
    """``items`` sorted by (exact value, item) while computing the exact value only for
    items whose approximate values are too close to others' to be ordered.

    Each item's value lies in [approx − bound, approx + bound]; the union of these
    intervals falls into disjoint runs, every value of a run below every value of the
    next.  A run of one keeps its approximate value as the key; a longer run (a near
    tie) gets exact values."""
    spans = sorted(((d - e, d + e, d, k) for k in items for d, e in [approx(k)]))
    keys: dict[int, float] = {}
    run: list[tuple[float, float, float, int]] = []
    reach = float("-inf")

    def close(run):
        if len(run) == 1:
            keys[run[0][3]] = run[0][2]
        else:
            for *_, k in run:
                keys[k] = exact(k)

    for span in spans:
        if run and span[0] > reach:
            close(run)
            run = []
        run.append(span)
        reach = max(reach, span[1]) if len(run) > 1 else span[1]
    if run:
        close(run)
    return sorted(items, key=lambda k: (keys[k], k))


class GridIndex:
    """Points filed in cells at least ``radius_m`` wide and tall, for radius queries.

    Cells are fixed in degrees for the whole set: the cell height comes from the
    shortest degree of latitude, the width from the shortest degree of longitude
    at the set's most poleward latitude (plus the radius), so every point within
    the radius of another is in one of the nine cells around it.  (Points on both
    sides of the 180° meridian are not supported; the planner works in China.)
    """

    def __init__(self, points: Sequence[Point], radius_m: float):
        self.points = points
        self.radius_m = float(radius_m)
        self.cell_lat = self.radius_m / _MIN_M_PER_DEG_LAT
        top = max((abs(p[0]) for p in points), default=0.0) + self.cell_lat
        cos_top = math.cos(math.radians(min(top, 90.0)))
        width = self.radius_m / (_MIN_M_PER_DEG_LON_AT_EQUATOR * cos_top) if cos_top > 1e-9 else 361.0
        self.cell_lon = min(width, 361.0)
        self.cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        self._factors: list[tuple[float, float, float, float]] | None = None
        for k, p in enumerate(points):
            self.cells[self.cell_of(p)].append(k)

    def cell_of(self, p: Point) -> tuple[int, int]:
        return (math.floor(p[0] / self.cell_lat), math.floor(p[1] / self.cell_lon))

    def candidates(self, p: Point) -> list[int]:
        """Indexes of the points that may be within the radius of ``p`` (a superset)."""
        ci, cj = self.cell_of(p)
        out: list[int] = []
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                out.extend(self.cells.get((ci + di, cj + dj), ()))
        return out

    def beyond_radius(self, p: Point) -> Callable[[int], bool]:
        """A test that a point (by index) is surely farther than the radius from ``p``:
        the screen of :func:`local_neighbours`, point by point (never true near a pole)."""
        if abs(p[0]) > LOCAL_MAX_LAT or self.radius_m > LOCAL_MAX_M:
            return lambda k: False
        pp, pl, pm, pf = point_factors(p)
        factors = self.factors()
        limit = self.beyond_limit()

        def beyond(k: int) -> bool:
            qp, ql, qm, qf = factors[k]
            if abs(ql - pl) > SCREEN_LON_RAD:  # over a degree of longitude apart: let the caller measure
                return False
            dy, dx = (qp - pp) * (qm + pm), (ql - pl) * (qf + pf)
            return dy * dy + dx * dx > limit

        return beyond

    def pair_count(self) -> int:
        """How many pairs :meth:`candidate_pairs` would give (counted from the cells' sizes
        alone, before any pair is made): what bounds the work of comparing them."""
        total = 0
        for members, other in self.cell_pairs():
            total += len(members) * (len(members) - 1) // 2 if other is members else len(members) * len(other)
        return total

    def factors(self) -> list[tuple[float, float, float, float]]:
        """Each point's :func:`point_factors`, computed on first use."""
        if self._factors is None:
            self._factors = [point_factors(q) for q in self.points]
        return self._factors

    def beyond_limit(self) -> float:
        """The screen's threshold on (2·d)² (the factors are sums, not means)."""
        return (2 * (self.radius_m + bound_m(self.radius_m) + 2e-6 * self.radius_m + 1e-3)) ** 2

    def cell_pairs(self):
        """Each cell with itself and with each neighbouring cell, once: (members, members)."""
        cells = self.cells
        for (ci, cj), members in cells.items():
            yield members, members
            for di, dj in ((0, 1), (1, -1), (1, 0), (1, 1)):
                other = cells.get((ci + di, cj + dj))
                if other:
                    yield members, other

    def candidate_pairs(self):
        """Each unordered pair of indexes in the same or adjacent cells, once, as (i, j) with i < j."""
        cells = self.cells
        for (ci, cj), members in cells.items():
            for a_pos, i in enumerate(members):
                for j in members[a_pos + 1:]:
                    yield (i, j) if i < j else (j, i)
            for di, dj in ((0, 1), (1, -1), (1, 0), (1, 1)):  # half the neighbours: each pair once
                other = cells.get((ci + di, cj + dj))
                if other:
                    for i in members:
                        for j in other:
                            yield (i, j) if i < j else (j, i)


class TooManyPairs(Exception):
    """More candidate pairs than the caller allows (``count``): the points are too dense
    to compare them all within a bounded time and memory."""

    def __init__(self, count: int, limit: int):
        super().__init__(f"{count} candidate pairs, more than {limit}")
        self.count, self.limit = count, limit
