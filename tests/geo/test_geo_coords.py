"""WGS-84 / GCJ-02 / BD-09 conversions: published values, exact inverses, edge cases."""

from __future__ import annotations

import math

import pytest
from geopy.distance import geodesic
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from planner.geo import coords
from planner.geo.china import in_china
from planner.geo.coords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    normalize_system,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from planner.records import COORD_SYSTEMS

# The reference point every GCJ-02 implementation quotes (Tiananmen area), as
# published with wandergis/coordtransform and reproduced by its ports, (lat, lon).
BEIJING_WGS = (39.915, 116.404)
BEIJING_GCJ = (39.91640428150164, 116.41024449916938)
BEIJING_WGS_AS_BD = (39.922699552216216, 116.41662724378733)
# Same sources, treating (39.915, 116.404) as the input of the other functions:
GCJ_TO_BD = (39.92133699351021, 116.41036949371029)
ONE_STEP_GCJ_TO_WGS = (39.91359571849836, 116.39775550083061)  # the approximate inverse
ONE_STEP_BD_TO_GCJ = (39.90865673957631, 116.39762729119315)  # Baidu's approximate inverse

XIAN = (34.26, 108.94)

# Points in China, sampled over the outline's bounding box.
china_points = st.tuples(
    st.floats(18.2, 53.5, allow_nan=False), st.floats(73.6, 134.7, allow_nan=False)
).filter(lambda p: in_china(*p))
world_points = st.tuples(st.floats(-80, 80, allow_nan=False), st.floats(-179, 179, allow_nan=False))


def metres(a, b) -> float:
    return geodesic(a, b).m


def test_constants_are_the_standard_gcj02_ones():
    assert coords.A == 6378245.0
    assert coords.EE == 0.00669342162296594323


def test_systems_are_the_one_definition_in_records():
    assert coords.SYSTEMS == COORD_SYSTEMS == ("wgs84", "gcj02", "bd09")


def test_published_wgs84_to_gcj02_pair():
    assert wgs84_to_gcj02(*BEIJING_WGS) == pytest.approx(BEIJING_GCJ, abs=1e-12)


def test_published_gcj02_to_bd09_pair():
    assert gcj02_to_bd09(*BEIJING_WGS) == pytest.approx(GCJ_TO_BD, abs=1e-12)


def test_published_wgs84_to_bd09_pair():
    assert wgs84_to_bd09(*BEIJING_WGS) == pytest.approx(BEIJING_WGS_AS_BD, abs=1e-12)
    assert from_wgs84(*BEIJING_WGS, "bd09") == pytest.approx(BEIJING_WGS_AS_BD, abs=1e-12)


def test_gcj02_offset_recomputed_from_the_standard_constants():
    """An independent transcription of the textbook formula, checked at a few cities."""

    def textbook(lat, lon):
        x, y = lon - 105.0, lat - 35.0
        pi = math.pi
        dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
        dlat += (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
        dlat += (20.0 * math.sin(y * pi) + 40.0 * math.sin(y / 3.0 * pi)) * 2.0 / 3.0
        dlat += (160.0 * math.sin(y / 12.0 * pi) + 320 * math.sin(y * pi / 30.0)) * 2.0 / 3.0
        dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
        dlon += (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
        dlon += (20.0 * math.sin(x * pi) + 40.0 * math.sin(x / 3.0 * pi)) * 2.0 / 3.0
        dlon += (150.0 * math.sin(x / 12.0 * pi) + 300.0 * math.sin(x / 30.0 * pi)) * 2.0 / 3.0
        a, ee = 6378245.0, 0.00669342162296594323
        radlat = lat / 180.0 * pi
        magic = 1 - ee * math.sin(radlat) ** 2
        sqrtmagic = math.sqrt(magic)
        dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * sqrtmagic) * pi)
        dlon = (dlon * 180.0) / (a / sqrtmagic * math.cos(radlat) * pi)
        return lat + dlat, lon + dlon

    for city in [XIAN, (31.23, 121.47), (23.13, 113.26), (43.83, 87.62), (45.75, 126.63), (20.04, 110.32)]:
        assert wgs84_to_gcj02(*city) == pytest.approx(textbook(*city), abs=1e-12)


def test_exact_inverse_agrees_with_the_published_one_step_value_and_beats_it():
    exact = gcj02_to_wgs84(*BEIJING_WGS)
    # the one-step approximation is close here (centimetres) ...
    assert metres(exact, ONE_STEP_GCJ_TO_WGS) < 0.2
    # ... but only the exact inverse maps back onto the input
    assert metres(wgs84_to_gcj02(*exact), BEIJING_WGS) < 1e-4
    assert metres(wgs84_to_gcj02(*ONE_STEP_GCJ_TO_WGS), BEIJING_WGS) > 0.01


def test_exact_bd09_inverse_agrees_with_baidus_approximation_and_beats_it():
    exact = bd09_to_gcj02(*BEIJING_WGS)
    assert metres(exact, ONE_STEP_BD_TO_GCJ) < 0.2
    assert metres(gcj02_to_bd09(*exact), BEIJING_WGS) < 1e-4
    assert metres(gcj02_to_bd09(*ONE_STEP_BD_TO_GCJ), BEIJING_WGS) > 0.01


def test_one_step_inverse_would_break_the_five_metre_promise_somewhere():
    """Why the iteration exists: the textbook shortcut is metres off in western China."""
    worst = 0.0
    for lat in range(20, 50, 2):
        for lon in range(75, 134, 2):
            if not in_china(lat, lon):
                continue
            g = wgs84_to_gcj02(lat, lon)
            shifted = wgs84_to_gcj02(*g)
            one_step = (2 * g[0] - shifted[0], 2 * g[1] - shifted[1])
            worst = max(worst, metres(one_step, (lat, lon)))
            assert metres(gcj02_to_wgs84(*g), (lat, lon)) < 0.01
    assert worst > 2.0


@pytest.mark.parametrize(
    "place",
    [(37.57, 126.98), (35.68, 139.69), (47.92, 106.92), (51.5072, -0.1276), (-33.87, 151.21), (0.0, 0.0)],
    ids=["Seoul", "Tokyo", "Ulaanbaatar", "London", "Sydney", "null-island"],
)
def test_no_gcj02_offset_outside_china(place):
    assert wgs84_to_gcj02(*place) == place
    assert gcj02_to_wgs84(*place) == place
    assert to_wgs84(*place, "gcj02") == place


def test_border_seam_still_gets_the_inverted_point():
    """A GCJ-02 point in China always came from the offset, even where the inverse is just outside."""
    g = (47.39453125, 119.234375)  # near the Mongolian border; found by hypothesis
    w = gcj02_to_wgs84(*g)
    assert in_china(*g) and not in_china(*w)
    assert metres(w, g) > 100
    assert metres(coords._gcj02_forward(*w), g) < 0.01


def test_bd09_offset_applies_everywhere_like_baidu():
    seoul = (37.57, 126.98)
    assert 100 < metres(gcj02_to_bd09(*seoul), seoul) < 2000
    assert metres(bd09_to_wgs84(*gcj02_to_bd09(*seoul)), seoul) < 0.01


@settings(max_examples=150)
@given(china_points)
def test_gcj02_offset_is_hundreds_of_metres_in_china(p):
    assert 10 < metres(wgs84_to_gcj02(*p), p) < 1000


@settings(max_examples=200)
@given(china_points)
def test_wgs84_gcj02_round_trip_is_exact(p):
    assert metres(gcj02_to_wgs84(*wgs84_to_gcj02(*p)), p) < 0.01


@settings(max_examples=200)
@given(china_points)
def test_gcj02_wgs84_round_trip_is_exact(g):
    w = gcj02_to_wgs84(*g)
    assume(in_china(*w))  # skip the sub-kilometre seam at the border that no WGS-84 point maps to
    assert metres(wgs84_to_gcj02(*w), g) < 0.01


@settings(max_examples=200)
@given(world_points)
def test_gcj02_bd09_round_trips_are_exact(p):
    assert metres(bd09_to_gcj02(*gcj02_to_bd09(*p)), p) < 0.01
    assert metres(gcj02_to_bd09(*bd09_to_gcj02(*p)), p) < 0.01


@settings(max_examples=200)
@given(china_points, st.sampled_from(COORD_SYSTEMS))
def test_to_and_from_wgs84_are_inverse_for_every_system(p, system):
    assert metres(to_wgs84(*from_wgs84(*p, system), system), p) < 0.01


@settings(max_examples=100)
@given(china_points)
def test_bd09_to_wgs84_round_trip(p):
    assert metres(bd09_to_wgs84(*wgs84_to_bd09(*p)), p) < 0.01


def test_results_are_lat_lon_tuples_of_floats():
    for system in COORD_SYSTEMS:
        out = to_wgs84(34, 108, system)
        assert isinstance(out, tuple) and len(out) == 2
        assert all(type(v) is float for v in out)
        # the order is (lat, lon): the result stays near Xi'an, not in the ocean
        assert 33.9 < out[0] < 34.1 and 107.9 < out[1] < 108.1


@pytest.mark.parametrize("label", ["WGS-84", "wgs84", "GCJ-02", " gcj_02 ", "BD09", "bd-09"])
def test_system_labels_are_forgiving(label):
    assert normalize_system(label) in COORD_SYSTEMS


@pytest.mark.parametrize("label", ["utm", "", "cgcs2000", None, 84])
def test_unknown_system_is_a_clear_error(label):
    with pytest.raises(ValueError, match="coordinate system"):
        to_wgs84(*XIAN, label)
    with pytest.raises(ValueError, match="coordinate system"):
        from_wgs84(*XIAN, label)


@pytest.mark.parametrize(
    "lat, lon, message",
    [
        (108.94, 34.26, "swapped"),
        (float("nan"), 108.9, "finite"),
        (34.2, float("inf"), "finite"),
        ("34.2", 108.9, "numbers"),
        (True, 108.9, "numbers"),
        (34.2, 181.0, "longitude"),
    ],
)
def test_bad_coordinates_are_rejected(lat, lon, message):
    for fn in (wgs84_to_gcj02, gcj02_to_wgs84, gcj02_to_bd09, bd09_to_gcj02, bd09_to_wgs84):
        with pytest.raises(ValueError, match=message):
            fn(lat, lon)
    with pytest.raises(ValueError, match=message):
        to_wgs84(lat, lon, "wgs84")
