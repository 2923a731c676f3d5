"""Coordinates are stored in WGS-84 whatever system the export used, and must lie in China."""

from __future__ import annotations

from planner.geo.coords import from_wgs84
from planner.geo.distance import metres
from planner.intake import IntakeContext, load_file
from tests.intake.helpers import row, write_csv

XIAN_WGS = (34.2235, 108.9480)


def test_gcj02_and_bd09_are_converted_to_wgs84(tmp_path):
    rows = []
    for i, system in enumerate(["wgs84", "gcj02", "bd09"]):
        lat, lon = from_wgs84(*XIAN_WGS, system)
        rows.append(row(ticket_id=f"T{i}", lat=f"{lat:.7f}", lon=f"{lon:.7f}", coord_system=system))
    records = load_file(write_csv(tmp_path / "t.csv", rows)).records
    for t in records:
        assert metres((t.lat, t.lon), XIAN_WGS) < 1.0
    # the conversion is real: GCJ-02 input differs from WGS-84 by hundreds of metres here
    gcj = from_wgs84(*XIAN_WGS, "gcj02")
    assert metres(gcj, XIAN_WGS) > 100


def test_points_outside_china_are_rejected(tmp_path):
    rows = [row(ticket_id="SWAP", lat="108.9480", lon="34.2235"), row(ticket_id="SEOUL", lat="37.5665", lon="126.978")]
    result = load_file(write_csv(tmp_path / "t.csv", rows))
    assert not result.records
    assert [(e.line, e.column) for e in result.errors] == [(2, "纬度"), (3, "纬度")]
    assert "outside China" in result.errors[1].reason


def test_points_outside_the_districts_area_are_rejected(tmp_path):
    ctx = IntakeContext(district_areas={"南区": {"center": [34.2235, 108.948], "radius_km": 5}})
    rows = [row(ticket_id="IN"), row(ticket_id="OUT", lat="34.3416", lon="108.9398")]
    result = load_file(write_csv(tmp_path / "t.csv", rows), ctx=ctx)
    assert [t.ticket_id for t in result.records] == ["IN"]
    assert "outside the configured area of district 南区" in result.errors[0].reason


def test_gazetteer_supplies_missing_coordinates(tmp_path):
    from planner.intake import load_gazetteer

    gaz = tmp_path / "gaz.csv"
    gaz.write_text("地址,纬度,经度,坐标系\n雁塔区小寨东路126号,34.2235,108.948,wgs84\n", encoding="utf-8")
    ctx = IntakeContext(gazetteer=load_gazetteer(gaz))
    rows = [row(ticket_id="G", lat="", lon=""), row(ticket_id="NONE", lat="", lon="", address="不存在的地址")]
    result = load_file(write_csv(tmp_path / "t.csv", rows), ctx=ctx)
    assert [(t.ticket_id, t.lat, t.lon) for t in result.records] == [("G", 34.2235, 108.948)]
    assert result.errors[0].line == 3
    assert "not in the gazetteer" in result.errors[0].reason
