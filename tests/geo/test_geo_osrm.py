"""The OSRM adapter against a small OSRM-speaking HTTP server on 127.0.0.1.

The server implements the part of OSRM's table service the adapter uses
(``/table/v1/driving/{lon,lat;...}`` with ``annotations``, ``sources``,
``destinations``, the ``--max-table-size`` refusal and ``null`` for
unreachable pairs), so the adapter is tested over real HTTP, not a mock.
"""

from __future__ import annotations

import json
import math
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from planner.geo.distance import great_circle_m
from planner.geo.osrm import OsrmTimes
from planner.geo.sources import make_matrix_source
from planner.geo.travel import TravelModel, TravelSourceError

XIAN = (34.26, 108.94)
ISLAND = (34.05, 108.75)  # the fake server has no road to this point


def fake_duration(a, b) -> float:
    """Road seconds in the fake city: 8 m/s, plus 10 s more going east (one-way streets)."""
    if a == b:
        return 0.0
    return great_circle_m(a, b) / 8.0 + (10.0 if b[1] > a[1] else 0.0)


class FakeOsrm(BaseHTTPRequestHandler):
    max_table_size = 100
    requests: list[str] = []
    mode = "ok"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body: str, content_type: str = "application/json") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).requests.append(self.path)
        if self.mode == "garbage":
            return self._send(200, "<html>nginx welcome</html>", "text/html")
        parsed = urllib.parse.urlsplit(self.path)
        prefix = "/table/v1/driving/"
        if not parsed.path.startswith(prefix):
            return self._send(400, json.dumps({"code": "InvalidUrl", "message": "URL string malformed"}))
        coords = []
        for pair in urllib.parse.unquote(parsed.path[len(prefix):]).split(";"):
            lon, lat = map(float, pair.split(","))
            coords.append((lat, lon))
        if len(coords) > self.max_table_size:
            return self._send(
                400,
                json.dumps({"code": "TooBig", "message": "Too many table coordinates"}),
            )
        query = urllib.parse.parse_qs(parsed.query)
        if query.get("annotations") != ["duration,distance"]:
            return self._send(400, json.dumps({"code": "InvalidOptions", "message": "annotations"}))
        sources = [int(i) for i in query["sources"][0].split(";")] if "sources" in query else range(len(coords))
        dests = (
            [int(i) for i in query["destinations"][0].split(";")] if "destinations" in query else range(len(coords))
        )

        def cell(i, j):
            a, b = coords[i], coords[j]
            if a != b and (math.isclose(a[0], ISLAND[0]) or math.isclose(b[0], ISLAND[0])):
                return None
            return fake_duration(a, b)

        doc = {
            "code": "Ok",
            "durations": [[cell(i, j) for j in dests] for i in sources],
            "distances": [[great_circle_m(coords[i], coords[j]) for j in dests] for i in sources],
            "sources": [{"location": [coords[i][1], coords[i][0]]} for i in sources],
            "destinations": [{"location": [coords[j][1], coords[j][0]]} for j in dests],
        }
        return self._send(200, json.dumps(doc))


@pytest.fixture()
def osrm_server():
    handler = type("Handler", (FakeOsrm,), {"requests": [], "mode": "ok"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # a short poll interval: shutdown() waits for it
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def osrm_model(url: str, **fields) -> TravelModel:
    return TravelModel(kind="osrm", url=url, **fields)


def grid(n: int) -> list[tuple[float, float]]:
    return [(34.20 + 0.01 * (k % 10), 108.90 + 0.013 * (k // 10)) for k in range(n)]


def expected_seconds(a, b, overhead_s=300.0) -> int:
    if great_circle_m(a, b) <= 30.0:
        return math.ceil(overhead_s)
    return math.ceil(fake_duration(a, b) + overhead_s - 1e-6)


def test_matrix_uses_road_durations_plus_overhead(osrm_server):
    url, handler = osrm_server
    pts = [(34.20, 108.90), (34.21, 108.92), (34.25, 108.99), (34.23, 108.90), (34.26, 108.94)]
    times = make_matrix_source(osrm_model(url))
    m = times.matrix_seconds(pts, "car")
    for i, a in enumerate(pts):
        for j, b in enumerate(pts):
            assert m[i][j] == (0 if i == j else expected_seconds(a, b))
    assert m[0][2] == m[2][0] + 10  # road times need not be symmetric: the adapter keeps them
    assert len(handler.requests) == 1
    path = handler.requests[0]
    assert path.startswith("/table/v1/driving/108.9000000,34.2000000;")  # lon,lat order
    assert "annotations=duration,distance" in path


def test_leg_seconds_matches_the_matrix(osrm_server):
    url, _ = osrm_server
    pts = grid(5)
    model = osrm_model(url, overhead_min=4)
    m = make_matrix_source(model).matrix_seconds(pts, "bus")
    checker = make_matrix_source(model.to_dict())
    for i, a in enumerate(pts):
        for j, b in enumerate(pts):
            if i != j:
                assert checker.leg_seconds(a, b, "bus") == m[i][j]


def test_speed_and_circuity_do_not_apply_to_road_durations(osrm_server):
    url, _ = osrm_server
    times = make_matrix_source(osrm_model(url, circuity=2.0))
    pts = grid(4)
    assert times.matrix_seconds(pts, "walk") == times.matrix_seconds(pts, "car")


def test_same_place_costs_only_the_overhead_without_asking(osrm_server):
    url, handler = osrm_server
    times = make_matrix_source(osrm_model(url))
    assert times.leg_seconds(XIAN, XIAN, "car") == 300
    assert times.matrix_seconds([XIAN, XIAN], "car") == [[0, 300], [300, 0]]
    assert handler.requests == []


def test_durations_are_cached_per_point_set(osrm_server):
    url, handler = osrm_server
    times = make_matrix_source(osrm_model(url))
    pts = grid(8)
    first = times.matrix_seconds(pts, "car")
    assert times.matrix_seconds(pts, "taxi") == first
    assert times.durations_s(pts)[1][2] == pytest.approx(fake_duration(pts[1], pts[2]))
    assert len(handler.requests) == 1


def test_large_point_sets_are_fetched_in_blocks_under_the_table_limit(osrm_server):
    url, handler = osrm_server
    handler.max_table_size = 20
    pts = grid(45)
    times = OsrmTimes(osrm_model(url), max_table_size=20)
    m = times.matrix_seconds(pts, "car")
    for i, a in enumerate(pts):
        for j, b in enumerate(pts):
            assert m[i][j] == (0 if i == j else expected_seconds(a, b))
    assert len(handler.requests) == 5 * 5  # blocks of 10 points
    for path in handler.requests:
        coords = urllib.parse.urlsplit(path).path.rsplit("/", 1)[1].split(";")
        assert len(coords) <= 20


def test_a_refusal_is_reported_with_osrms_own_words(osrm_server):
    url, handler = osrm_server
    handler.max_table_size = 3
    times = OsrmTimes(osrm_model(url), max_table_size=100)  # misconfigured on purpose
    with pytest.raises(TravelSourceError, match=r"HTTP 400.*TooBig: Too many table coordinates"):
        times.matrix_seconds(grid(5), "car")


def test_an_unreachable_pair_names_the_points(osrm_server):
    url, _ = osrm_server
    times = make_matrix_source(osrm_model(url))
    with pytest.raises(TravelSourceError, match=r"no road route from point 0 .* to point 2"):
        times.matrix_seconds([XIAN, away_east(XIAN), ISLAND], "car")


def away_east(p):
    return (p[0], p[1] + 0.01)


def test_a_server_that_is_not_osrm_is_reported(osrm_server):
    url, handler = osrm_server
    handler.mode = "garbage"
    with pytest.raises(TravelSourceError, match="did not answer with JSON"):
        make_matrix_source(osrm_model(url)).matrix_seconds(grid(3), "car")


def test_a_wrong_base_path_is_reported(osrm_server):
    url, _ = osrm_server
    with pytest.raises(TravelSourceError, match="InvalidUrl"):
        make_matrix_source(osrm_model(url + "/not-osrm")).matrix_seconds(grid(3), "car")


def test_no_server_is_a_clear_error():
    with socket.socket() as s:  # find a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    times = make_matrix_source(osrm_model(f"http://127.0.0.1:{port}"))
    with pytest.raises(TravelSourceError, match=rf"could not reach the OSRM server at http://127.0.0.1:{port}"):
        times.matrix_seconds(grid(3), "car")
    with pytest.raises(TravelSourceError, match="could not reach"):
        times.leg_seconds(XIAN, away_east(XIAN), "car")


def test_unknown_transport_fails_before_any_request(osrm_server):
    url, handler = osrm_server
    with pytest.raises(ValueError, match="unknown transport"):
        make_matrix_source(osrm_model(url)).matrix_seconds(grid(3), "rocket")
    assert handler.requests == []
