"""The travel-time model: its numbers, its document form, its matrices and its errors."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import pickle
import random
import time

import pytest
from geopy.distance import geodesic, great_circle
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.geo.distance import MatrixCache, geodesic_m, great_circle_m, metres
from planner.geo.sources import make_matrix_source
from planner.geo.travel import (
    DEFAULT_SPEEDS_KMH,
    StraightLineTimes,
    TravelModel,
    TravelTimes,
)
from planner.records import TRANSPORTS

XIAN = (34.26, 108.94)


def away(origin, metres_, bearing=90.0):
    p = geodesic(meters=metres_).destination(origin, bearing)
    return (p.latitude, p.longitude)


# District-sized point sets around Xi'an (about 30 km across).
district_point = st.tuples(st.floats(34.10, 34.40), st.floats(108.75, 109.10))


# -- the formula ---------------------------------------------------------------


def test_one_km_by_bus_is_312_seconds_plus_the_overhead():
    times = make_matrix_source(TravelModel())
    b = away(XIAN, 1000.0)
    assert geodesic(XIAN, b).m == pytest.approx(1000.0, abs=1e-6)
    # 1000 m × 1.3 ÷ (15 km/h = 4.1667 m/s) = 312 s, + 5 min overhead
    assert times.leg_seconds(XIAN, b, "bus") == 312 + 300
    assert times.matrix_seconds([XIAN, b], "bus") == [[0, 612], [612, 0]]


@pytest.mark.parametrize(
    "transport, expected",
    [("walk", 1040 + 300), ("bus", 312 + 300), ("taxi", 188 + 300), ("car", 156 + 300)],
)
def test_each_transport_uses_its_speed(transport, expected):
    # taxi: 1000 × 1.3 × 3.6 / 25 = 187.2 s, rounded up to 188
    assert make_matrix_source(TravelModel()).leg_seconds(XIAN, away(XIAN, 1000.0), transport) == expected


def test_seconds_are_rounded_up_never_down():
    model = TravelModel()
    times = make_matrix_source(model)
    rng = random.Random(7)
    for _ in range(50):
        d = rng.uniform(40, 20_000)
        b = away(XIAN, d, bearing=rng.uniform(0, 360))
        exact = geodesic(XIAN, b).m * 1.3 / (15 / 3.6) + 300
        got = times.leg_seconds(XIAN, b, "bus")
        assert exact - 1e-6 <= got < exact + 1
        assert got == model.leg_seconds_for_distance(geodesic(XIAN, b).m, "bus")


def test_same_address_costs_only_the_overhead():
    times = make_matrix_source(TravelModel())
    assert times.leg_seconds(XIAN, XIAN, "walk") == 300  # two tickets, one address
    assert times.leg_seconds(XIAN, away(XIAN, 20.0), "walk") == 300
    assert times.leg_seconds(XIAN, away(XIAN, 29.9), "walk") == 300
    # just past the threshold the walk counts: 31 m × 1.3 ÷ 1.25 m/s = 32.24 s
    assert times.leg_seconds(XIAN, away(XIAN, 31.0), "walk") == 333


def test_a_point_to_itself_costs_nothing_but_two_stops_at_one_place_cost_the_overhead():
    times = make_matrix_source(TravelModel())
    m = times.matrix_seconds([XIAN, XIAN, away(XIAN, 10.0)], "car")
    assert m == [[0, 300, 300], [300, 0, 300], [300, 300, 0]]


def test_zero_overhead_and_zero_threshold():
    model = TravelModel(overhead_min=0, same_place_m=0)
    times = make_matrix_source(model)
    assert times.matrix_seconds([XIAN, XIAN], "bus") == [[0, 0], [0, 0]]
    assert times.leg_seconds(XIAN, away(XIAN, 1000.0), "bus") == 312


def test_circuity_and_overhead_are_parameters():
    model = TravelModel(circuity=1.0, overhead_min=2.5, speed_kmh={"bike": 12.0})
    # 1000 m ÷ (12 km/h = 3.333 m/s) = 300 s, + 150 s
    assert make_matrix_source(model).leg_seconds(XIAN, away(XIAN, 1000.0), "bike") == 450


# -- matrices ------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.lists(district_point, min_size=1, max_size=8), st.sampled_from(TRANSPORTS))
def test_matrix_is_symmetric_with_zero_diagonal_and_equals_leg_seconds(points, transport):
    times = make_matrix_source(TravelModel())
    m = times.matrix_seconds(points, transport)
    n = len(points)
    assert len(m) == n and all(len(row) == n for row in m)
    for i in range(n):
        assert m[i][i] == 0
        for j in range(n):
            assert type(m[i][j]) is int
            assert m[i][j] == m[j][i]
            if i != j:
                assert m[i][j] == times.leg_seconds(points[i], points[j], transport)
                assert m[i][j] >= 300


@settings(max_examples=40, deadline=None)
@given(st.lists(district_point, min_size=2, max_size=6))
def test_a_fresh_checker_gets_the_same_numbers(points):
    """The plan checker builds its own source from the plan's model document."""
    model = TravelModel(circuity=1.4, overhead_min=4)
    routing = make_matrix_source(model)
    checker = make_matrix_source(json.loads(json.dumps(model.to_dict())))
    m = routing.matrix_seconds(points, "taxi")
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            if i != j:
                assert checker.leg_seconds(a, b, "taxi") == m[i][j]


def test_distances_match_geopy_and_slower_transports_take_longer():
    rng = random.Random(3)
    pts = [(rng.uniform(34.1, 34.4), rng.uniform(108.8, 109.1)) for _ in range(12)]
    times = StraightLineTimes(TravelModel())
    d = times.distances_m(pts)
    for i, a in enumerate(pts):
        for j, b in enumerate(pts):
            assert d[i][j] == pytest.approx(geodesic(a, b).m, abs=1e-6)
    walk, car = times.matrix_seconds(pts, "walk"), times.matrix_seconds(pts, "car")
    assert all(walk[i][j] >= car[i][j] for i in range(12) for j in range(12))


def test_great_circle_kind_matches_geopy_and_stays_close_to_geodesic():
    rng = random.Random(4)
    pts = [(rng.uniform(18, 53), rng.uniform(75, 134)) for _ in range(10)]
    gc = StraightLineTimes(TravelModel(kind="great_circle"))
    d = gc.distances_m(pts)
    for i, a in enumerate(pts):
        for j, b in enumerate(pts):
            assert d[i][j] == pytest.approx(great_circle(a, b).m, rel=1e-12, abs=1e-6)
            if i != j:
                assert d[i][j] == pytest.approx(geodesic(a, b).m, rel=0.005)


def test_pair_functions_are_exactly_symmetric():
    rng = random.Random(5)
    for _ in range(200):
        a = (rng.uniform(18, 53), rng.uniform(75, 134))
        b = (rng.uniform(18, 53), rng.uniform(75, 134))
        assert geodesic_m(a, b) == geodesic_m(b, a)
        assert great_circle_m(a, b) == great_circle_m(b, a)
        assert metres(list(a), b) == geodesic_m(a, b) == pytest.approx(geodesic(a, b).m, abs=1e-6)


def test_hundred_point_matrix_is_fast_and_then_cached():
    rng = random.Random(1)
    pts = [(rng.uniform(34.1, 34.4), rng.uniform(108.8, 109.1)) for _ in range(100)]
    times = make_matrix_source(TravelModel())
    # CPU time, not wall time: other jobs on a shared machine must not fail this.
    start = time.process_time()
    bus = times.matrix_seconds(pts, "bus")
    cold = time.process_time() - start
    start = time.perf_counter()
    for transport in ("walk", "taxi", "car"):
        times.matrix_seconds(pts, transport)
    warm = (time.perf_counter() - start) / 3
    assert cold < 1.0
    assert warm < 0.1
    assert times.matrix_seconds(pts, "bus") == bus


def test_repeated_points_are_measured_once(monkeypatch):
    calls = []
    times = StraightLineTimes(TravelModel())
    real = times._pair
    monkeypatch.setattr(times, "_pair", lambda a, b: calls.append((a, b)) or real(a, b))
    b = away(XIAN, 500.0)
    times.matrix_seconds([XIAN, b, XIAN, b, XIAN], "bus")
    assert len(calls) == 1


def test_matrix_cache_is_bounded_in_cells():
    cache = MatrixCache(max_cells=20)
    small = ((0.0, 1.0), (1.0, 0.0))
    big = tuple(tuple(0.0 for _ in range(5)) for _ in range(5))
    assert cache.get_or_compute(("a",), lambda: small) is small
    assert cache.get_or_compute(("a",), lambda: pytest.fail("recomputed")) is small
    cache.get_or_compute(("big",), lambda: big)  # 25 cells > 20: returned, not kept
    assert len(cache) == 1
    for k in range(6):
        cache.get_or_compute((k,), lambda: small)
    assert len(cache) == 5  # 5 × 4 cells


def test_results_are_fresh_lists():
    times = make_matrix_source(TravelModel())
    pts = [XIAN, away(XIAN, 700)]
    m = times.matrix_seconds(pts, "bus")
    m[0][1] = -1
    d = times.distances_m(pts)
    d[0][1] = -1.0
    assert times.matrix_seconds(pts, "bus")[0][1] > 0
    assert times.distances_m(pts)[0][1] > 0


# -- the document --------------------------------------------------------------


def test_to_dict_has_exactly_the_documented_shape():
    assert TravelModel().to_dict() == {
        "kind": "geodesic",
        "circuity": 1.3,
        "overhead_min": 5.0,
        "speed_kmh": {"walk": 4.5, "bus": 15.0, "taxi": 25.0, "car": 30.0},
        "same_place_m": 30.0,
    }
    osrm = TravelModel(kind="osrm", url="http://127.0.0.1:5000")
    assert osrm.to_dict()["url"] == "http://127.0.0.1:5000"


@pytest.mark.parametrize(
    "model",
    [
        TravelModel(),
        TravelModel(kind="great_circle", circuity=1.45, overhead_min=3, speed_kmh={"walk": 5, "ebike": 18}),
        TravelModel(kind="osrm", url="http://osrm.local:5000", same_place_m=0),
    ],
)
def test_dict_and_json_round_trip(model):
    assert TravelModel.from_dict(model.to_dict()) == model
    assert TravelModel.from_dict(json.loads(json.dumps(model.to_dict()))) == model


def test_from_dict_fills_defaults_and_refuses_unknown_fields():
    assert TravelModel.from_dict({}) == TravelModel()
    assert TravelModel.from_dict({"circuity": 1.5}).speed_kmh == DEFAULT_SPEEDS_KMH
    with pytest.raises(ValueError, match="overhead_mins"):
        TravelModel.from_dict({"overhead_mins": 3})
    with pytest.raises(ValueError, match="mapping"):
        TravelModel.from_dict([("kind", "geodesic")])


def test_model_is_a_frozen_hashable_value():
    model = TravelModel()
    assert model == TravelModel() and hash(model) == hash(TravelModel())
    assert model != TravelModel(circuity=1.4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.circuity = 2.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        model.speed_kmh["bus"] = 0  # type: ignore[index]
    with pytest.raises(TypeError):
        model.speed_kmh.update(bus=0)  # type: ignore[attr-defined]
    # still usable where plans are serialised or copied
    assert json.loads(json.dumps(dataclasses.asdict(model)))["speed_kmh"]["bus"] == 15.0
    assert dataclasses.replace(model, circuity=1.5).speed_kmh == model.speed_kmh
    assert copy.deepcopy(model) == model
    assert pickle.loads(pickle.dumps(model)) == model


def test_caller_dict_is_copied_not_shared():
    speeds = {"bus": 15.0}
    model = TravelModel(speed_kmh=speeds)
    speeds["bus"] = 1.0
    assert model.speed_kmh["bus"] == 15.0


def test_default_speeds_cover_the_roster_transports():
    assert set(DEFAULT_SPEEDS_KMH) == set(TRANSPORTS)


# -- errors --------------------------------------------------------------------


def test_unknown_transport_is_a_clear_value_error():
    times = make_matrix_source(TravelModel())
    with pytest.raises(ValueError, match=r"unknown transport 'bike'.*walk, bus, taxi, car"):
        times.matrix_seconds([XIAN, away(XIAN, 100)], "bike")
    with pytest.raises(ValueError, match="unknown transport"):
        times.leg_seconds(XIAN, away(XIAN, 100), "Bus")
    with pytest.raises(ValueError, match="unknown transport"):
        times.matrix_seconds([], "bike")  # even when there is nothing to compute


@pytest.mark.parametrize("speed", [0, -5, float("nan"), float("inf"), "fast", None, True])
def test_bad_speed_is_a_clear_value_error(speed):
    with pytest.raises(ValueError, match=r"speed_kmh\['bus'\]"):
        TravelModel(speed_kmh={"walk": 4.5, "bus": speed})
    with pytest.raises(ValueError, match=r"speed_kmh\['bus'\]"):
        TravelModel.from_dict({"speed_kmh": {"bus": speed}})


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"kind": "manhattan"}, "kind"),
        ({"circuity": 0.9}, "at least 1"),
        ({"circuity": "1.3"}, "circuity"),
        ({"overhead_min": -1}, "overhead_min"),
        ({"same_place_m": -1}, "same_place_m"),
        ({"speed_kmh": {}}, "speed_kmh"),
        ({"speed_kmh": {"": 5}}, "transport names"),
        ({"kind": "osrm"}, "url"),
        ({"kind": "osrm", "url": "localhost:5000"}, "url"),
    ],
)
def test_bad_model_fields_are_explained(fields, message):
    with pytest.raises(ValueError, match=message):
        TravelModel(**fields)


@pytest.mark.parametrize(
    "points, message",
    [
        ([(34.2, 108.9), (108.9, 34.2)], "point 1.*swapped"),
        ([(34.2, 108.9), (34.2,)], "point 1"),
        ([(34.2, float("nan"))], "point 0.*finite"),
        ("34.2,108.9", "list"),
    ],
)
def test_bad_points_are_explained(points, message):
    with pytest.raises(ValueError, match=message):
        make_matrix_source(TravelModel()).matrix_seconds(points, "bus")


def test_factory_picks_the_source_by_kind():
    assert isinstance(make_matrix_source(TravelModel()), StraightLineTimes)
    assert make_matrix_source({"kind": "great_circle"}).model.kind == "great_circle"
    osrm = make_matrix_source(TravelModel(kind="osrm", url="http://127.0.0.1:9"))
    assert type(osrm).__name__ == "OsrmTimes"
    for source in (make_matrix_source(TravelModel()), osrm):
        assert isinstance(source, TravelTimes)


def test_an_unreachable_travel_source_stops_cvp_plan_with_a_message_and_stores_nothing(tmp_path, capsys):
    """A travel-time source that fails is the user's to fix (the rules file names the
    server): `cvp plan` says which server it could not reach and exits 2, with no
    traceback and no plan version stored."""
    import socket
    from datetime import date

    import yaml

    from planner.cli import main
    from planner.store import repository as repo
    from planner.store.db import session_scope
    from planner.triage.rules import rules_path
    from tests.conftest import import_fixture_day

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = yaml.safe_load(rules_path().read_text(encoding="utf-8"))
    data["travel_model"] = {"kind": "osrm", "url": f"http://127.0.0.1:{port}", "overhead_min": 5}
    rules = tmp_path / "rules-osrm.yaml"
    rules.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    import_fixture_day()
    capsys.readouterr()
    out = tmp_path / "plan"
    assert main(["--rules", str(rules), "plan", "--date", "2010-08-05", "--district", "南区",
                 "--out", str(out), "--no-outputs", "--solution-limit", "10"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert f"could not reach the OSRM server at http://127.0.0.1:{port}" in err
    assert not out.exists()
    with session_scope() as session:
        assert repo.plan_versions(session, date(2010, 8, 5), "南区") == []


def test_empty_and_single_point_matrices():
    times = make_matrix_source(TravelModel())
    assert times.matrix_seconds([], "bus") == []
    assert times.matrix_seconds([XIAN], "bus") == [[0]]
    assert math.isclose(times.distances_m([XIAN])[0][0], 0.0)
