"""The map in headless Chromium with the network cut off: markers, lines and legend
draw, and no script from ticket text runs."""

from __future__ import annotations

import pytest

from planner.maps import build_map
from planner.sheets.model import worker_colour
from tests.outputs.sheets.browser import offline_page
from tests.outputs.sheets.outputs_day import ARTIFACTS, XSS

pytestmark = pytest.mark.slow


def expected_markers(day) -> int:
    stops = sum(len(day.visit_steps(r)) for r in day.doc["routes"])
    bases = len({(r["base_lat"], r["base_lon"]) for r in day.doc["routes"]})
    unassigned = sum(1 for u in day.doc["unassigned"] if u.get("lat") is not None)
    return stops + bases + unassigned


def test_map_draws_offline_and_ticket_text_never_runs(day, tmp_path, session_playwright):
    route = day.doc["routes"][0]
    tid = day.visit_steps(route)[0]["ticket_ids"][0]
    day = day.with_description(tid, XSS)
    path = tmp_path / "map.html"
    path.write_text(build_map(day.doc, day.tickets, day.rules), encoding="utf-8")
    with offline_page(session_playwright) as (page, blocked, errors):
        page.goto(path.as_uri())
        page.wait_for_selector(".leaflet-marker-icon")
        assert page.locator(".leaflet-marker-icon").count() == expected_markers(day)
        assert page.locator("path.leaflet-interactive").count() >= len(day.doc["routes"])  # route lines
        legend = page.locator("#cvp-legend")
        assert legend.is_visible()
        for r in day.doc["routes"]:
            assert r["staff_name"] in legend.inner_text()
        marker = page.locator(f'.cvp-stop[style*="{worker_colour(0)}"]', has_text="1").first
        marker.click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        text = popup.inner_text()
        assert "<script>window.__xss=1</script>" in text and 'onerror="window.__xss=2"' in text
        page.wait_for_timeout(200)
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "map-offline.png"))
        assert blocked == [] and errors == []


def test_with_an_unreachable_tile_server_routes_markers_and_legend_still_show(day, tmp_path, session_playwright):
    path = tmp_path / "map.html"
    path.write_text(build_map(day.doc, day.tickets, day.rules, tiles="http://tiles.invalid/{z}/{x}/{y}.png"),
                    encoding="utf-8")
    with offline_page(session_playwright) as (page, blocked, errors):
        page.goto(path.as_uri())
        page.wait_for_selector(".leaflet-marker-icon")
        page.wait_for_timeout(300)
        assert page.locator(".leaflet-marker-icon").count() == expected_markers(day)
        assert page.locator("path.leaflet-interactive").count() >= len(day.doc["routes"])
        assert page.locator("#cvp-legend").is_visible()
        assert blocked and all(u.startswith("http://tiles.invalid/") for u in blocked)
        assert errors == []
        page.screenshot(path=str(ARTIFACTS / "map-no-tile-server.png"))
