"""A map of one place only (a single stop, or one unassigned visit) must draw: Leaflet
cannot fit zero-size bounds and threw "Invalid LatLng object: (NaN, NaN)", drawing nothing."""

from __future__ import annotations

import copy
import json
import math

import pytest

from planner.errors import UserError
from planner.maps import build_map
from tests.outputs.sheets.browser import offline_page


def one_place_plan(day) -> dict:
    """The fixture plan cut down to one unassigned visit and no routes (as a district
    with a single ticket that could not be planned)."""
    doc = copy.deepcopy(day.doc)
    u = dict(doc["unassigned"][0]) if doc["unassigned"] else None
    if u is None:
        step = day.visit_steps(doc["routes"][0])[0]
        u = {**step, "reason": "over_capacity", "explanation": "", "carried_over_to": "2010-08-06"}
    doc["routes"], doc["unassigned"] = [], [u]
    return doc


@pytest.mark.slow
def test_a_map_of_one_place_draws_without_a_script_error(day, tmp_path, session_playwright):
    doc = one_place_plan(day)
    path = tmp_path / "map.html"
    path.write_text(build_map(doc, day.tickets, day.rules), encoding="utf-8")
    with offline_page(session_playwright) as (page, blocked, errors):
        page.goto(path.as_uri())
        page.wait_for_selector(".leaflet-marker-icon")
        page.wait_for_timeout(300)
        assert errors == []
        assert page.locator(".leaflet-marker-icon").count() == 1
        centre = page.evaluate("(() => { for (const k in window) { const m = window[k];"
                               " if (m && m.getCenter && m.getZoom) return [m.getCenter().lat, m.getZoom()]; } })()")
        assert centre and math.isfinite(centre[0]) and math.isfinite(centre[1])


def test_points_that_are_not_numbers_never_reach_the_map(day):
    """A NaN coordinate makes Leaflet throw and draw nothing: the plan document refuses it,
    naming where, so no NaN reaches the page's script data."""
    doc = one_place_plan(day)
    doc["unassigned"][0]["lat"] = float("nan")
    with pytest.raises(UserError, match=r"^unassigned\[0\]\.lat: expected a finite number, found nan"):
        build_map(doc, day.tickets, day.rules)


def test_a_stop_whose_appointment_passed_says_so_in_its_popup(day):
    doc = copy.deepcopy(day.doc)
    step = day.visit_steps(doc["routes"][0])[0]
    step["time_window"] = None
    step["needs_new_appointment"] = {"code": "appointment_expired", "zh": "原预约（08-04）已过期，需重新预约",
                                     "en": "appointment of 08-04 has passed; a new appointment is needed",
                                     "expired_window": ["2010-08-04T10:00:00+08:00", "2010-08-04T11:00:00+08:00"]}
    zh = build_map(doc, day.tickets, day.rules)
    assert json.dumps("原预约（08-04）已过期，需重新预约")[1:-1] in zh  # popups are JSON in the page's script
    assert "appointment of 08-04 has passed" in build_map(doc, day.tickets, day.rules, lang="en")
