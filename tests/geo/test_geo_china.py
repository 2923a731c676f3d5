"""in_china (a real outline, not a bounding box), point-in-polygon and district areas."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from geopy.distance import geodesic

from planner.geo.china import china_outline, district_area_contains, in_china, point_in_polygon

# The cases the product names, then border and coastal towns that a coarse
# outline gets wrong first.  (lat, lon), WGS-84.
REQUIRED_INSIDE = {
    "Xi'an": (34.26, 108.94), "Beijing": (39.90, 116.41), "Shanghai": (31.23, 121.47),
    "Guangzhou": (23.13, 113.26), "Urumqi": (43.83, 87.62), "Harbin": (45.75, 126.63),
    "Lhasa": (29.65, 91.10), "Haikou": (20.04, 110.32), "Kashgar": (39.47, 75.99),
}
REQUIRED_OUTSIDE = {
    "Seoul": (37.57, 126.98), "Tokyo": (35.68, 139.69), "Ulaanbaatar": (47.92, 106.92),
    "Hanoi": (21.03, 105.85), "Delhi": (28.61, 77.21), "Moscow": (55.76, 37.62),
    "Null Island": (0.0, 0.0), "Sydney": (-33.87, 151.21),
}
MORE_INSIDE = {
    "Sanya": (18.25, 109.51), "Danzhou": (19.52, 109.58), "Wanning": (18.80, 110.39),
    "Shenzhen": (22.54, 114.06), "Zhuhai": (22.27, 113.58), "Dalian": (38.91, 121.60),
    "Lushunkou": (38.81, 121.26), "Qingdao": (36.07, 120.38), "Weihai": (37.51, 122.12),
    "Rongcheng": (37.16, 122.42), "Zhoushan": (30.00, 122.20), "Ningbo": (29.87, 121.55),
    "Wenzhou": (28.00, 120.67), "Fuzhou": (26.07, 119.30), "Xiamen": (24.48, 118.09),
    "Shantou": (23.35, 116.68), "Zhanjiang": (21.27, 110.36), "Beihai": (21.48, 109.12),
    "Dongxing": (21.55, 107.97), "Pingxiang (Guangxi)": (22.10, 106.76), "Hekou": (22.51, 103.96),
    "Malipo": (23.13, 104.70), "Mengla": (21.46, 101.56), "Jinghong": (22.00, 100.80),
    "Ruili": (24.01, 97.85), "Tengchong": (25.02, 98.49), "Gongshan": (27.74, 98.67),
    "Zayu": (28.66, 97.47), "Cona": (27.99, 91.96), "Yadong": (27.48, 88.91),
    "Zhangmu": (27.99, 85.98), "Pulan": (30.29, 81.18), "Shiquanhe": (32.50, 80.10),
    "Rutog": (33.38, 79.72), "Taxkorgan": (37.77, 75.23), "Ulugqat": (39.72, 75.26),
    "Khorgas": (44.21, 80.41), "Alashankou": (45.17, 82.57), "Tacheng": (46.75, 82.98),
    "Altay": (47.84, 88.13), "Qinggil": (46.67, 90.38), "Ejin": (41.95, 101.07),
    "Erenhot": (43.65, 111.98), "Manzhouli": (49.60, 117.43), "Ergun": (50.24, 120.18),
    "Mohe": (52.97, 122.54), "Huma": (51.73, 126.65), "Heihe": (50.25, 127.49),
    "Fuyuan": (48.36, 134.29), "Hulin": (45.77, 132.97), "Suifenhe": (44.40, 131.15),
    "Hunchun": (42.87, 130.36), "Tumen": (42.97, 129.84), "Changbai": (41.42, 128.20),
    "Ji'an": (41.12, 126.19), "Dandong": (40.13, 124.39), "Golmud": (36.40, 94.90),
}
MORE_OUTSIDE = {
    "Pyongyang": (39.03, 125.75), "Kanggye": (40.97, 126.60), "Chongjin": (41.80, 129.78),
    "Incheon": (37.46, 126.71), "Baengnyeong": (37.97, 124.70), "Vladivostok": (43.12, 131.89),
    "Ussuriysk": (43.80, 131.95), "Lesozavodsk": (45.47, 133.42), "Khabarovsk": (48.48, 135.07),
    "Birobidzhan": (48.79, 132.92), "Chita": (52.03, 113.50), "Choibalsan": (48.07, 114.53),
    "Sainshand": (44.89, 110.14), "Dalanzadgad": (43.57, 104.42), "Khovd": (48.00, 91.64),
    "Almaty": (43.24, 76.89), "Zharkent": (44.16, 80.00), "Bishkek": (42.87, 74.59),
    "Osh": (40.53, 72.80), "Murghab": (38.17, 73.96), "Gilgit": (35.92, 74.31),
    "Leh": (34.16, 77.58), "Shimla": (31.10, 77.17), "Kathmandu": (27.72, 85.32),
    "Gangtok": (27.33, 88.61), "Thimphu": (27.47, 89.64), "Itanagar": (27.08, 93.60),
    "Putao": (27.33, 97.42), "Myitkyina": (25.38, 97.40), "Lashio": (22.94, 97.75),
    "Phongsali": (21.68, 102.10), "Cao Bang": (22.67, 106.26), "Lang Son": (21.85, 106.76),
    "Haiphong": (20.86, 106.68), "Taipei": (25.03, 121.57), "Kaohsiung": (22.63, 120.30),
    "Naha": (26.21, 127.68), "Jeju": (33.50, 126.53), "Manila": (14.60, 120.98),
    "Osaka": (34.69, 135.50), "Fukuoka": (33.59, 130.40),
}


@pytest.mark.parametrize("name", list(REQUIRED_INSIDE) + list(MORE_INSIDE))
def test_chinese_places_are_in_china(name):
    lat, lon = {**REQUIRED_INSIDE, **MORE_INSIDE}[name]
    assert in_china(lat, lon)


@pytest.mark.parametrize("name", list(REQUIRED_OUTSIDE) + list(MORE_OUTSIDE))
def test_foreign_places_are_not_in_china(name):
    lat, lon = {**REQUIRED_OUTSIDE, **MORE_OUTSIDE}[name]
    assert not in_china(lat, lon)


def test_the_usual_bounding_box_would_have_been_wrong():
    """Why we ship an outline: the GCJ-02 box everyone copies accepts whole neighbours."""

    def in_box(lat, lon):
        return 0.8293 <= lat <= 55.8271 and 72.004 <= lon <= 137.8347

    for name, (lat, lon) in {**REQUIRED_OUTSIDE, **MORE_OUTSIDE}.items():
        if name in ("Seoul", "Ulaanbaatar", "Hanoi", "Osaka", "Taipei", "Pyongyang"):
            assert in_box(lat, lon) and not in_china(lat, lon), name


def test_outline_ships_as_package_data_and_stays_coarse():
    raw = json.loads(resources.files("planner.geo").joinpath("china_outline.json").read_text("utf-8"))
    assert "Natural Earth" in raw["about"]
    rings = china_outline()
    assert len(rings) == len(raw["rings"]) >= 1
    assert 30 <= sum(len(r) for r in rings) <= 120  # a few dozen vertices, not a shapefile
    for ring in rings:
        for lat, lon in ring:
            assert 15 < lat < 56 and 72 < lon < 136


def test_swapped_coordinates_are_an_error_not_a_foreign_point():
    with pytest.raises(ValueError, match="swapped"):
        in_china(108.94, 34.26)


# -- point_in_polygon -------------------------------------------------------

SQUARE = [(34.0, 108.0), (34.0, 109.0), (35.0, 109.0), (35.0, 108.0)]
# An L: the square minus its north-east quarter.
ELL = [(34.0, 108.0), (34.0, 109.0), (34.5, 109.0), (34.5, 108.5), (35.0, 108.5), (35.0, 108.0)]


def test_point_in_square():
    assert point_in_polygon(34.5, 108.5, SQUARE)
    assert not point_in_polygon(35.5, 108.5, SQUARE)
    assert not point_in_polygon(34.5, 109.5, SQUARE)


def test_concave_polygon_notch_is_outside():
    assert point_in_polygon(34.25, 108.75, ELL)
    assert point_in_polygon(34.75, 108.25, ELL)
    assert not point_in_polygon(34.75, 108.75, ELL)


def test_edges_and_vertices_count_as_inside():
    assert point_in_polygon(34.0, 108.5, SQUARE)  # south edge
    assert point_in_polygon(34.5, 109.0, SQUARE)  # east edge
    assert point_in_polygon(35.0, 108.0, SQUARE)  # vertex
    assert point_in_polygon(34.5, 108.5, ELL)  # the notch's corner


def test_closed_ring_and_lists_are_accepted():
    closed = [list(v) for v in SQUARE] + [list(SQUARE[0])]
    assert point_in_polygon(34.5, 108.5, closed)
    assert not point_in_polygon(35.5, 108.5, closed)


@pytest.mark.parametrize(
    "polygon, message",
    [
        ([(34.0, 108.0), (35.0, 109.0)], "at least 3"),
        ([(34.0, 108.0), (34.0, 108.0), (34.0, 108.0), (34.0, 108.0)], "at least 3"),
        ([(34.0, 108.0), (35.0,), (35.0, 109.0)], "vertex 1"),
        ([(34.0, 108.0), (35.0, 109.0), (135.0, 109.0)], "vertex 2"),
        ("34,108;35,109;35,108", "list"),
    ],
)
def test_bad_polygons_are_explained(polygon, message):
    with pytest.raises(ValueError, match=message):
        point_in_polygon(34.5, 108.5, polygon)


# -- district areas ----------------------------------------------------------


def _destination(origin, km, bearing=45.0):
    p = geodesic(kilometers=km).destination(origin, bearing)
    return p.latitude, p.longitude


def test_district_polygon_area():
    area = {"polygon": [list(v) for v in ELL]}
    assert district_area_contains(area, 34.25, 108.75)
    assert not district_area_contains(area, 34.75, 108.75)


def test_district_circle_area_uses_geodesic_kilometres():
    centre = (34.26, 108.94)
    area = {"center": list(centre), "radius_km": 2.0}
    assert district_area_contains(area, *centre)
    assert district_area_contains(area, *_destination(centre, 1.99))
    assert not district_area_contains(area, *_destination(centre, 2.01))
    assert not district_area_contains(area, *_destination(centre, 2.01, bearing=270))


@pytest.mark.parametrize(
    "area, message",
    [
        ({}, "either"),
        ({"polygon": SQUARE, "center": [34.0, 108.0], "radius_km": 1}, "either"),
        ({"center": [34.0, 108.0]}, "either"),
        ({"center": [34.0, 108.0], "radius_km": 0}, "positive"),
        ({"center": [34.0, 108.0], "radius_km": "5"}, "positive"),
        ({"center": [34.0], "radius_km": 5}, "center"),
        ({"center": [134.0, 108.0], "radius_km": 5}, "center"),
        ({"polygon": [[34.0, 108.0]]}, "at least 3"),
        ([[34.0, 108.0]], "mapping"),
    ],
)
def test_bad_district_areas_are_explained(area, message):
    with pytest.raises(ValueError, match=message):
        district_area_contains(area, 34.5, 108.5)
