"""What a new user met planning the fixture store: a district with nobody on duty, a
day planned after its tickets' appointments, and reason texts whose halves disagreed."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from planner.cli import main
from planner.errors import UserError
from planner.plan.day import SolverSettings, plan_day
from planner.plan.summary import plan_text
from planner.store import repository as repo
from planner.store.db import session_scope
from planner.triage.rules import load_rules, rules_path
from tests.store_calls import in_store

QUICK = SolverSettings(time_limit_s=5, seed=1, solution_limit=60)


def stored_versions(day: date, district: str) -> list:
    with session_scope() as session:
        return repo.plan_versions(session, day, district)


def test_a_district_with_tickets_but_no_roster_is_an_error_and_nothing_is_stored(stored_day):
    with pytest.raises(UserError, match="nobody is on duty in 北区"):
        in_store(plan_day, date(2010, 8, 5), "北区", solver=QUICK)
    assert stored_versions(date(2010, 8, 5), "北区") == []


def test_cvp_plan_with_nobody_on_duty_exits_non_zero_and_writes_nothing(stored_day, tmp_path, capsys):
    out = tmp_path / "plan-out"
    assert main(["plan", "--date", "2010-08-05", "--district", "北区", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "nobody is on duty in 北区" in err and "cvp import" in err
    assert not out.exists()
    assert stored_versions(date(2010, 8, 5), "北区") == []


def test_everyone_absent_is_nobody_on_duty(stored_day):
    with pytest.raises(UserError, match="nobody is on duty in 南区: everyone on its roster .* is absent"):
        in_store(plan_day, date(2010, 8, 5), "南区", absent=("S1", "S2", "S3", "S4"), solver=QUICK)
    assert stored_versions(date(2010, 8, 5), "南区") == []


def test_every_unassigned_reason_has_a_chinese_and_an_english_half():
    data = yaml.safe_load(rules_path().read_text(encoding="utf-8"))
    reasons = data["unassigned_reasons"]
    from planner.routing.diagnose import _STAGES
    for code in {*_STAGES, "no_coordinates", "over_capacity", "no_solution"}:
        assert set(reasons[code]) == {"zh", "en"}, code
    # no_skilled_staff is also given for a missing base or an absent pinned worker: both halves say so
    assert "驻点" in reasons["no_skilled_staff"]["zh"] and "base" in reasons["no_skilled_staff"]["en"]
    assert "指定" in reasons["no_skilled_staff"]["zh"] and "pinned" in reasons["no_skilled_staff"]["en"]


def test_a_later_day_plans_stale_visits_without_their_old_window_and_says_a_new_appointment_is_needed(stored_day):
    day = date(2010, 8, 6)
    doc = in_store(plan_day, day, "南区", solver=QUICK)
    assert all(u["reason"] != "window_outside_shift" for u in doc["unassigned"]), doc["unassigned"]
    stops = [s for r in doc["routes"] for s in r["steps"] if s["type"] == "visit"] + doc["unassigned"]
    flagged = [s for s in stops if s.get("needs_new_appointment")]
    assert flagged, "the fixture's appointments of 08-05 are stale on 08-06"
    for s in flagged:
        note = s["needs_new_appointment"]
        assert s["time_window"] is None and note["code"] == "appointment_expired"
        assert note["expired_window"][0].startswith("2010-08-05")
        assert note["en"] == "appointment of 08-05 has passed; a new appointment is needed"
        assert "08-05" in note["zh"] and "重新预约" in note["zh"]
    for u in doc["unassigned"]:
        assert u["explanation"] and u["explanation_en"] and u["explanation_en"] != u["reason"]
    text = plan_text(doc)
    assert "needs a new appointment" in text and flagged[0]["visit_id"] in text


def test_appointments_on_the_plans_own_day_are_kept(stored_day):
    doc = in_store(plan_day, date(2010, 8, 5), "南区", solver=QUICK)
    stops = [s for r in doc["routes"] for s in r["steps"] if s["type"] == "visit"]
    assert any(s["time_window"] for s in stops)
    assert not any(s.get("needs_new_appointment") for s in stops + doc["unassigned"])


def test_the_route_sheet_says_a_passed_appointment_needs_a_new_one(stored_day):
    """The printed sheet is what the worker carries: a stop whose appointment of an earlier
    day has passed says so there too, in the sheet's language, not just "no window"."""
    from planner.day_outputs import load_plan_inputs
    from planner.sheets.model import sheet_views
    from planner.sheets.render import sheet_html
    from planner.sheets.texts import load_texts

    rules = load_rules()
    doc = in_store(plan_day, date(2010, 8, 6), "南区", solver=QUICK)
    flagged = {s["visit_id"]: s["needs_new_appointment"] for r in doc["routes"] for s in r["steps"]
               if s["type"] == "visit" and s.get("needs_new_appointment")}
    assert flagged, "the fixture's appointments of 08-05 are stale on 08-06"
    inputs = in_store(load_plan_inputs, doc, rules)
    for lang in ("zh", "en"):
        sheets = sheet_views(doc, inputs.tickets, inputs.history, load_texts(rules, lang),
                             url_base="https://cvp.example", staff=inputs.staff)
        stops = {st.visit_id: st for sheet in sheets for st in sheet.stops}
        assert {vid: stops[vid].renew for vid in flagged} == {vid: n[lang] for vid, n in flagged.items()}
        assert all(not st.renew for vid, st in stops.items() if vid not in flagged)
        sheet = next(sh for sh in sheets if any(st.visit_id in flagged for st in sh.stops))
        assert flagged[next(st.visit_id for st in sheet.stops if st.visit_id in flagged)][lang] in sheet_html(sheet)
