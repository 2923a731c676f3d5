"""The dispatcher's map as HTML: offline, escaped, masked, one layer per worker."""

from __future__ import annotations

import json
import re

import pytest

from planner.errors import UserError
from planner.geo.coords import from_wgs84
from planner.maps import AMAP, build_map, tiles_spec
from planner.masking import mask_phone
from tests.outputs.sheets.outputs_day import XSS

CDN = ("cdn.jsdelivr", "code.jquery", "cdnjs.cloudflare", "bootstrapcdn", "unpkg.com", "openstreetmap", "fontawesome")


def json_strings(html: str) -> list[str]:
    """Every popup/tooltip content and layer name the page hands to Leaflet, decoded."""
    found = re.findall(r'\.(?:bindPopup|bindTooltip)\(("(?:[^"\\]|\\.)*")', html)
    return [json.loads(s) for s in found]


def test_self_contained_no_cdn_no_tiles_by_default(day):
    html = build_map(day.doc, day.tickets, day.rules)
    assert html.startswith("<!DOCTYPE html>")
    assert not any(c in html for c in CDN)
    assert not re.search(r'<script[^>]+src=|<link[^>]+href=', html)
    assert "Leaflet 1.9.3" in html and "L.map(" in html and "L.tileLayer" not in html
    assert "$(" not in html.split("Leaflet 1.9.3")[1].split("</script>", 1)[1]  # no jQuery needed by the map


def test_one_layer_per_worker_with_numbered_markers_lines_base_and_unassigned(day):
    html = build_map(day.doc, day.tickets, day.rules)
    n_stops = sum(len(day.visit_steps(r)) for r in day.doc["routes"])
    assert html.count("cvp-stop") - html.count(".cvp-stop") == n_stops
    assert html.count("L.featureGroup(") == 1 + len(day.doc["routes"]) + (1 if day.doc["unassigned"] else 0)
    for r in day.doc["routes"]:
        assert json.dumps(r["staff_id"])[1:-1] in html
        for i in range(1, len(day.visit_steps(r)) + 1):
            assert f"\\u003e{i}\\u003c/div\\u003e" in html  # the numbered icon, as folium writes it
    assert html.count("L.polyline(") >= len(day.doc["routes"])
    assert "cvp-base" in html and 'id="cvp-legend"' in html
    popups = json_strings(html)
    for u in day.doc["unassigned"]:
        assert any(u["explanation"] in p for p in popups)


def test_popups_say_type_scenario_window_and_planned_time(day):
    popups = json_strings(build_map(day.doc, day.tickets, day.rules))
    step = day.visit_steps(day.doc["routes"][0])[0]
    head = next(p for p in popups if day.tickets[step["ticket_ids"][0]].description in p and "<h4>" in p)
    assert day.rules.label("customer_types", step["customer_type"]) in head
    assert day.rules.label("scenarios", step["scenario"]) in head
    assert step["arrival"][11:16] in head
    if step["time_window"]:
        assert step["time_window"][0][11:16] in head


def test_phones_are_masked(day):
    html = build_map(day.doc, day.tickets, day.rules)
    text = html + "\n".join(json_strings(html))
    for t in day.tickets.values():
        assert t.phone not in text
    assert any(mask_phone(t.phone) in text for t in day.tickets.values())


def test_ticket_text_is_escaped_everywhere(day):
    tid = day.visit_steps(day.doc["routes"][0])[0]["ticket_ids"][0]
    day = day.with_description(tid, XSS + "`${window.__xss=3}`</script>")
    html = build_map(day.doc, day.tickets, day.rules)
    assert "<script>window.__xss" not in html and 'onerror="window' not in html and "</script>`" not in html
    assert "$(`" not in html and ".bindTooltip(\n" not in html  # no folium template literals around ticket text
    popup = next(p for p in json_strings(html) if "__xss" in p)
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in popup and "<script" not in popup


def test_amap_tiles_draw_points_in_gcj02(day):
    step = day.visit_steps(day.doc["routes"][0])[0]
    plain = build_map(day.doc, day.tickets, day.rules)
    amap = build_map(day.doc, day.tickets, day.rules, tiles="amap")
    assert f"[{step['lat']}, {step['lon']}]" in plain
    g = from_wgs84(step["lat"], step["lon"], "gcj02")
    assert f"[{g[0]}, {g[1]}]" in amap and f"[{step['lat']}, {step['lon']}]" not in amap
    assert "autonavi.com" in amap and "L.tileLayer" in amap


def test_tile_url_is_configurable(day):
    url = "http://tiles.intranet.local/{z}/{x}/{y}.png"
    html = build_map(day.doc, day.tickets, day.rules, tiles=url)
    assert url in html
    spec = tiles_spec(url, "gcj02", "内网底图")
    assert (spec.crs, spec.attribution) == ("gcj02", "内网底图")
    assert tiles_spec("amap") == AMAP and tiles_spec(None) is None and tiles_spec("none") is None
    with pytest.raises(UserError, match="tile URL"):
        tiles_spec("http://tiles.intranet.local/")
    with pytest.raises(UserError, match="wgs84 or gcj02"):
        tiles_spec(url, "bd09")


def test_english_map(day):
    html = build_map(day.doc, day.tickets, day.rules, lang="en")
    assert "visit routes" in html and "Unassigned" in html
