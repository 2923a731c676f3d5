"""Road travel times from an OSRM server (``TravelModel(kind="osrm", url=...)``).

Why: straight line × circuity is a fair city-wide average, but a river with
one bridge or a ring road makes it wrong for particular legs.  A district
that runs its own OSRM server (``osrm-routed`` on an OpenStreetMap extract of
the city) gets real road durations through the standard table service::

    GET {url}/table/v1/driving/{lon,lat;lon,lat;...}?annotations=duration,distance

OSRM's durations are used as they are (no circuity, no transport speed: the
server's profile decides, usually car), plus the model's per-leg overhead;
stops within ``same_place_m`` of each other (straight line) cost only the
overhead, as in the straight-line model.  The transport is still checked
against the model so a typo fails the same way whatever the kind.

Only the standard library is used (``urllib``), so no new dependency.  OSRM
refuses tables larger than its ``--max-table-size`` (100 by default):
larger point sets are fetched block by block with the ``sources`` and
``destinations`` parameters.  Durations are cached per point set like the
straight-line distances.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from typing import Any

from planner.geo.distance import MatrixCache, check_points, great_circle_m
from planner.geo.points import LatLon
from planner.geo.travel import TravelModel, TravelSourceError, ceil_seconds

__all__ = ["OsrmTimes"]


class OsrmTimes:
    """Travel times from an OSRM server's table service (see the module docstring)."""

    def __init__(
        self,
        model: TravelModel,
        *,
        timeout_s: float = 30.0,
        max_table_size: int = 100,
        cache_cells: int = 1_000_000,
    ):
        if model.kind != "osrm" or not model.url:
            raise ValueError("OsrmTimes needs a travel model with kind 'osrm' and a url")
        if max_table_size < 2:
            raise ValueError(f"max_table_size must be at least 2, got {max_table_size}")
        self.model = model
        self.base_url = model.url.rstrip("/")
        self.timeout_s = timeout_s
        self.max_table_size = max_table_size
        self._cache = MatrixCache(cache_cells)

    # -- public API (same as StraightLineTimes) -----------------------------

    def durations_s(self, points: Sequence[Sequence[float]]) -> list[list[float]]:
        """OSRM's road durations in seconds, as floats (a fresh copy)."""
        return [list(row) for row in self._durations(check_points(points))]

    def matrix_seconds(self, points: Sequence[Sequence[float]], transport: str) -> list[list[int]]:
        self.model.speed_for(transport)  # unknown transport: same ValueError as other kinds
        pts = check_points(points)
        durations = self._durations(pts) if len(set(pts)) > 1 else None
        n = len(pts)
        return [
            [0 if i == j else self._leg(pts[i], pts[j], durations[i][j] if durations else 0.0) for j in range(n)]
            for i in range(n)
        ]

    def leg_seconds(self, a: Sequence[float], b: Sequence[float], transport: str) -> int:
        self.model.speed_for(transport)
        pa, pb = check_points((a, b))
        if great_circle_m(pa, pb) <= self.model.same_place_m:
            return self._leg(pa, pb, 0.0)
        return self._leg(pa, pb, self._durations((pa, pb))[0][1])

    # -- internals ---------------------------------------------------------

    def _leg(self, a: LatLon, b: LatLon, duration_s: float) -> int:
        if great_circle_m(a, b) <= self.model.same_place_m:
            return ceil_seconds(self.model.overhead_s)
        return ceil_seconds(duration_s + self.model.overhead_s)

    def _durations(self, pts: tuple[LatLon, ...]) -> tuple[tuple[float, ...], ...]:
        return self._cache.get_or_compute(pts, lambda: self._fetch_matrix(pts))

    def _fetch_matrix(self, pts: tuple[LatLon, ...]) -> tuple[tuple[float, ...], ...]:
        n = len(pts)
        if n <= self.max_table_size:
            return tuple(tuple(row) for row in self._table(list(pts), None, None, pts))
        # Blocks of half the limit: each request carries its sources' and its
        # destinations' coordinates, at most max_table_size in all.
        size = self.max_table_size // 2
        blocks = [list(range(s, min(s + size, n))) for s in range(0, n, size)]
        out = [[0.0] * n for _ in range(n)]
        for src in blocks:
            for dst in blocks:
                if src == dst:
                    coords = [pts[i] for i in src]
                    rows = self._table(coords, None, None, pts)
                    for r, i in enumerate(src):
                        for c, j in enumerate(src):
                            out[i][j] = rows[r][c]
                else:
                    coords = [pts[i] for i in src] + [pts[j] for j in dst]
                    sources = list(range(len(src)))
                    destinations = list(range(len(src), len(src) + len(dst)))
                    rows = self._table(coords, sources, destinations, pts)
                    for r, i in enumerate(src):
                        for c, j in enumerate(dst):
                            out[i][j] = rows[r][c]
        return tuple(tuple(row) for row in out)

    def _table(
        self,
        coords: list[LatLon],
        sources: list[int] | None,
        destinations: list[int] | None,
        all_points: tuple[LatLon, ...],
    ) -> list[list[float]]:
        """One table request; returns durations[source][destination] in seconds."""
        path = ";".join(f"{lon:.7f},{lat:.7f}" for lat, lon in coords)
        query = {"annotations": "duration,distance"}
        if sources is not None:
            query["sources"] = ";".join(map(str, sources))
        if destinations is not None:
            query["destinations"] = ";".join(map(str, destinations))
        url = f"{self.base_url}/table/v1/driving/{path}?{urllib.parse.urlencode(query, safe=';,')}"
        body = self._get(url)
        try:
            doc = json.loads(body)
        except ValueError:
            raise TravelSourceError(
                f"the OSRM server at {self.base_url} did not answer with JSON: {body[:200]!r}"
            ) from None
        if not isinstance(doc, dict) or doc.get("code") != "Ok":
            code = doc.get("code") if isinstance(doc, dict) else None
            message = doc.get("message") if isinstance(doc, dict) else None
            raise TravelSourceError(
                f"the OSRM server at {self.base_url} refused the table request: {code}: {message}"
            )
        rows = doc.get("durations")
        n_src = len(sources) if sources is not None else len(coords)
        n_dst = len(destinations) if destinations is not None else len(coords)
        if (
            not isinstance(rows, list)
            or len(rows) != n_src
            or any(not isinstance(row, list) or len(row) != n_dst for row in rows)
        ):
            raise TravelSourceError(
                f"the OSRM server at {self.base_url} answered without a {n_src}×{n_dst} 'durations' table "
                "(is it an OSRM table service?)"
            )
        src_pts = [coords[i] for i in sources] if sources is not None else coords
        dst_pts = [coords[j] for j in destinations] if destinations is not None else coords
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    a, b = src_pts[r], dst_pts[c]
                    raise TravelSourceError(
                        f"the OSRM server found no road route from point {all_points.index(a)} "
                        f"{a} to point {all_points.index(b)} {b}: check those coordinates, or use "
                        "the geodesic travel model"
                    )
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                    raise TravelSourceError(
                        f"the OSRM server at {self.base_url} answered a duration of {value!r}"
                    )
        return [[float(v) for v in row] for row in rows]

    def _get(self, url: str) -> str:
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as exc:
            # OSRM explains refusals (TooBig, InvalidQuery, NoTable) in a JSON body.
            body = exc.read().decode("utf-8", errors="replace")
            try:
                doc: Any = json.loads(body)
                detail = f"{doc.get('code')}: {doc.get('message')}"
            except (ValueError, AttributeError):
                detail = body[:200] or exc.reason
            raise TravelSourceError(
                f"the OSRM server at {self.base_url} refused the table request "
                f"(HTTP {exc.code}): {detail}"
            ) from None
        except (urllib.error.URLError, OSError, socket.timeout) as exc:
            reason = getattr(exc, "reason", exc)
            raise TravelSourceError(
                f"could not reach the OSRM server at {self.base_url}: {reason}. Start it, fix the "
                "travel model's url, or use kind 'geodesic'."
            ) from None
