"""A district's ids are its own, on every path that names a ticket or a worker.

Tickets and workers are keyed by (district, id) (migration 0011), so 北区 may hold a
ticket with a 南区 ticket's id and a worker S1 beside 南区's S1.  Found by attacking
the product as a 北区 dispatcher who made such records on purpose and then named the
shared ids everywhere: overrides, appointments (API and pages), absences (API and
roster page), a field account of 北区's S1, outcomes of 南区's visits, follow-ups.
Each path must reach 北区's record only and leave 南区's triage, roster, route and
tickets as they were.  The store cases run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from planner.errors import UserError
from planner.roster import day_roster
from planner.store import accounts
from planner.store import repository as repo
from planner.store.db import session_scope
from planner.store.models import OverrideRow
from planner.triage import load_rules
from planner.workflow import import_file, triage_day
from tests.security.import_helpers import row_of, rows_of, stored, write_csv
from tests.store_calls import in_store
from tests.web.conftest import DAY, PASSWORD, Client, text_of

NORTH = frozenset({"北区"})
SOUTH_TICKET = "XA-NQ-20100804-0071"


def _triaged(url: str, district: str = "南区") -> list[tuple]:
    result = in_store(triage_day, DAY, district, load_rules(), database=url)
    return sorted((v.visit_id, v.customer_type, v.scenario, v.priority, tuple(v.ticket_ids),
                   str(v.time_window), v.overrides) for v in result.visits)


def _north_twins(url: str, tmp_path) -> None:
    """北区's own ticket with 南区's ticket id (and customer), and its own worker S1."""
    header, _ = rows_of("tickets.csv")
    ticket = {**row_of("tickets.csv", SOUTH_TICKET), "区域": "北区", "客户姓名": "北区孪生客户"}
    in_store(import_file, write_csv(tmp_path / "twin.csv", header, [ticket]), database=url, districts=NORTH)
    staff_header, _ = rows_of("staff.csv")
    worker = {**row_of("staff.csv", "S1"), "区域": "北区", "姓名": "北区一号"}
    in_store(import_file, write_csv(tmp_path / "twin-staff.csv", staff_header, [worker]), database=url, districts=NORTH)


def test_overrides_and_appointments_on_a_shared_ticket_id_reach_the_north_record_only(store_url, store_app,
                                                                                     tmp_path):
    south_before = _triaged(store_url)
    _north_twins(store_url, tmp_path)
    north = Client(store_app, "disp_north")
    r = north.http.post(f"/api/days/{DAY}/overrides", json={"overrides": [
        {"ticket_id": SOUTH_TICKET, "field": "type", "value": "irate"},
        {"ticket_id": SOUTH_TICKET, "field": "select", "value": "no"}]}, headers={"X-CSRF-Token": north.csrf})
    assert r.status_code == 200, r.get_data(as_text=True)
    r = north.http.post(f"/api/days/{DAY}/appointments", json={"ticket_id": SOUTH_TICKET, "start": "19:00",
                                                                "end": "19:30"}, headers={"X-CSRF-Token": north.csrf})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert north.post(f"/dispatch/{DAY}/overrides", {"ticket_id": SOUTH_TICKET, "field": "scenario",
                                                        "value": "not_now"}).status_code == 302
    assert north.post(f"/dispatch/{DAY}/appointments", {"ticket_id": SOUTH_TICKET, "start": "18:00",
                                                           "end": "18:30"}).status_code == 302
    with session_scope(store_url) as s:
        assert set(s.scalars(select(OverrideRow.district).where(OverrideRow.ticket_id == SOUTH_TICKET))) == {"北区"}
    assert _triaged(store_url) == south_before


def test_absences_of_a_shared_staff_id_reach_the_north_worker_only(store_url, store_app, tmp_path):
    _north_twins(store_url, tmp_path)
    north = Client(store_app, "disp_north")
    r = north.http.post(f"/api/days/{DAY}/absences", json={"staff_id": "S1", "reason": "病假"},
                        headers={"X-CSRF-Token": north.csrf})
    assert r.status_code == 200 and r.get_json()["on_duty"] is False
    assert north.post(f"/dispatch/{DAY}/roster", {"staff_id": "S1", "absent": "1"}).status_code == 302

    def on_duty(district):
        return {line.staff.staff_id: line.on_duty for line in in_store(day_roster, DAY, district, database=store_url)}

    assert on_duty("南区")["S1"] is True and on_duty("北区") == {"S1": False}
    south = Client(store_app, "disp")
    assert "病假" not in text_of(south.get(f"/dispatch/{DAY}/roster"))


def test_a_field_account_names_which_districts_worker(store_url, tmp_path):
    _north_twins(store_url, tmp_path)
    with session_scope(store_url) as s, pytest.raises(UserError, match="say which with --district"):
        accounts.add_user(s, "fn", PASSWORD, "field", staff_id="S1")
    with session_scope(store_url) as s:
        user = accounts.add_user(s, "fn", PASSWORD, "field", staff_id="S1", district="北区")
    assert (user.staff_id, user.district) == ("S1", "北区")
    assert stored(store_url, "StaffRow", "S1", "南区").name == row_of("staff.csv", "S1")["姓名"]


@pytest.fixture
def planned_app(planned, tmp_path):
    """The planned SQLite store (南区's day published) and an app on it."""
    from tests.web.conftest import make_app

    return make_app(tmp_path)


def _south_route(staff_id: str = "S1") -> tuple[dict, list[dict]]:
    with session_scope() as s:
        doc, _ = repo.get_plan(s, DAY, "南区", 1)
    route = next(r for r in doc["routes"] if r["staff_id"] == staff_id)
    return doc, [st for st in route["steps"] if st["type"] == "visit"]


def test_a_north_field_worker_of_a_shared_staff_id_never_sees_or_records_the_south_route(planned_app, tmp_path):
    _north_twins(None, tmp_path)
    with session_scope() as s:
        accounts.add_user(s, "fn", PASSWORD, "field", staff_id="S1", district="北区")
    _doc, visits = _south_route()
    first = visits[0]
    with session_scope() as s:
        ticket = repo.tickets_by_ids(s, "南区", first["ticket_ids"], load_rules().tz)[first["ticket_ids"][0]]
    fn = Client(planned_app, "fn")
    page = text_of(fn.get(f"/field/routes/{DAY}/S1"))
    assert ticket.customer_name not in page and first["visit_id"] not in page
    assert fn.get(f"/field/routes/{DAY}/S1/sheet.pdf").status_code == 404
    assert fn.get(f"/field/stops/{DAY}/S1/1").status_code == 404
    r = fn.http.post(f"/api/days/{DAY}/outcomes", json={"visit_id": first["visit_id"], "result": "closed_on_site"},
                     headers={"X-CSRF-Token": fn.csrf})
    assert r.status_code in (403, 404, 422)
    with session_scope() as s:
        assert {t.status for t in repo.tickets_by_ids(s, "南区", first["ticket_ids"], load_rules().tz).values()} \
            == {"open"}
    # 南区's own S1 still has the route, and a 北区 dispatcher cannot close its follow-up
    f1 = Client(planned_app, "f1")
    assert ticket.customer_name in text_of(f1.get(f"/field/routes/{DAY}/S1"))
    f1.post(f"/field/stops/{DAY}/S1/1", {"result": "follow_up"})
    north = Client(planned_app, "disp_north")
    north.post(f"/dispatch/{DAY}/followups/{first['visit_id']}/close", {"notes": "x"})
    with session_scope() as s:
        from planner.store.outcomes import get_outcome

        assert get_outcome(s, DAY, "南区", first["visit_id"]).followed_up_at is None


def test_the_audit_log_says_whose_ticket_an_appointment_changed(store_url, store_app, tmp_path):
    """With shared ids the ticket id alone no longer names a ticket: every audit entry of a
    ticket or worker carries the district (overrides and absences did; appointments did not)."""
    _north_twins(store_url, tmp_path)
    north = Client(store_app, "disp_north")
    north.http.post(f"/api/days/{DAY}/appointments", json={"ticket_id": SOUTH_TICKET, "start": "19:00",
                                                           "end": "19:30"}, headers={"X-CSRF-Token": north.csrf})
    north.post(f"/dispatch/{DAY}/appointments", {"ticket_id": SOUTH_TICKET, "start": "18:00", "end": "18:30"})
    north.post(f"/dispatch/{DAY}/appointments", {"ticket_id": SOUTH_TICKET, "start": "", "end": ""})
    with session_scope(store_url) as s:
        entries = accounts.audit_log(s, action="appointment")
    assert len(entries) == 3
    assert [(e.target, e.details.get("district")) for e in entries] == [(SOUTH_TICKET, "北区")] * 3


def test_an_absent_worker_of_several_planned_districts_must_be_named_with_the_district(tmp_path):
    """``cvp plan --district 南区 --district 北区 --absent S1`` where both have an S1: one
    id marked two workers off.  It is refused, naming both districts, before anything is
    triaged or planned."""
    from planner.plan.day import SolverSettings, plan_days
    from tests.security.import_helpers import seed

    seed(None)
    _north_twins(None, tmp_path)
    with pytest.raises(UserError, match=r"--absent S1: .*北区.*南区"):
        in_store(plan_days, DAY, ["南区", "北区"], absent=("S1",), solver=SolverSettings(time_limit_s=1, seed=1,
                                                                                  solution_limit=1))
    with session_scope() as s:
        assert repo.plan_versions(s, DAY, "南区") == [] and repo.plan_versions(s, DAY, "北区") == []


def test_one_file_may_hold_the_same_id_in_two_districts(store_url, tmp_path):
    """The operator's (or an admin's) city-wide roster may list 南区's S1 and 北区's S1: two
    records, not a duplicate row.  The same id twice in one district is still refused."""
    header, _ = rows_of("staff.csv")
    south = row_of("staff.csv", "S1")
    north = {**south, "区域": "北区", "姓名": "北区一号"}
    outcome = in_store(import_file, write_csv(tmp_path / "city.csv", header, [south, north]), database=store_url)
    assert stored(store_url, "StaffRow", "S1", "北区").name == "北区一号"
    assert stored(store_url, "StaffRow", "S1", "南区").name == south["姓名"]
    assert (outcome.report.added, outcome.report.unchanged) == (["S1 (北区)"], ["S1 (南区)"])
    from planner.errors import InvalidFileError

    with pytest.raises(InvalidFileError, match="duplicate"):
        in_store(import_file, write_csv(tmp_path / "dup.csv", header, [north, {**north, "姓名": "又一个"}]), database=store_url)


def test_a_city_wide_file_lists_each_districts_losses_under_its_own_name(store_url, tmp_path):
    """An update that empties a filled field is listed before it is written.  With 南区's
    S1 and 北区's S1 in one file, the report was keyed by the id alone: 北区's entry
    replaced 南区's, so the consent given was for a list that did not show 南区's loss."""
    header, _ = rows_of("staff.csv")
    south = row_of("staff.csv", "S1")
    north = {**south, "区域": "北区", "姓名": "北区一号"}
    in_store(import_file, write_csv(tmp_path / "north.csv", header, [north]), database=store_url)
    with pytest.raises(Exception) as refused:
        in_store(import_file, write_csv(tmp_path / "city.csv", header, [{**south, "技能": ""}, {**north, "午休开始": "",
                                                                                    "午休结束": ""}]),
                    database=store_url)
    warnings = refused.value.report.warnings
    assert sorted(warnings) == ["S1 (北区)", "S1 (南区)"]
    assert any("skills" in str(w) for w in warnings["S1 (南区)"])
    assert not any("skills" in str(w) for w in warnings["S1 (北区)"])
    assert stored(store_url, "StaffRow", "S1", "南区").skills == "test;vip"


def test_the_south_plans_outputs_show_the_south_customer_of_a_shared_ticket_id(planned_app, tmp_path):
    """A 南区 visit's ticket id is also a 北区 ticket: 南区's export, map and sheet read
    南区's record, and 北区 reaches none of them."""
    from planner.day_outputs import load_plan_inputs
    from planner.sheets import load_texts, sheet_views

    doc, _visits = _south_route()
    planned_ids = {t for r in doc["routes"] for st in r["steps"] for t in st.get("ticket_ids") or []}
    header, _ = rows_of("tickets.csv")
    twins = [{**row_of("tickets.csv", t), "区域": "北区", "客户姓名": "北区孪生客户", "客户号码": "13900000000"}
             for t in sorted(planned_ids)[:5]]
    in_store(import_file, write_csv(tmp_path / "twins.csv", header, twins), districts=NORTH)
    south = Client(planned_app, "disp")
    export = south.get(f"/dispatch/{DAY}/plan/1/export.csv").get_data(as_text=True)
    page = south.get(f"/dispatch/{DAY}/plan/1/map").get_data(as_text=True)
    assert twins[0]["工单号"] in export
    for text in (export, page):
        assert "北区孪生客户" not in text and "1390000" not in text
    inputs = in_store(load_plan_inputs, doc, load_rules())
    assert {t.district for t in inputs.tickets.values()} == {"南区"}
    views = sheet_views(doc, inputs.tickets, inputs.history, load_texts(load_rules(), "zh"), url_base="http://x")
    assert "北区孪生客户" not in repr(views)
    north = Client(planned_app, "disp_north")
    assert north.get(f"/dispatch/{DAY}/plan/1/export.csv").status_code == 404
    assert north.get(f"/dispatch/{DAY}/plan/1/sheets/S1.pdf").status_code == 404


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_field_account_follows_its_worker_into_the_district_keyed_store(backend, request, tmp_path):
    """Before 0011 an import could move a worker to another district, and the field pages
    found the worker's district from the roster; they now take it from the account.  An
    account made while S1 was in 南区, whose worker the roster has since moved to 北区,
    would see the route of whoever 南区 names S1 next (full phone numbers and all): the
    migration gives each field account its worker's district."""
    from datetime import datetime, timezone

    from sqlalchemy import create_engine, text

    from planner.store import db
    from tests.store.test_district_scoped_ids import _at_revision

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}" if backend == "sqlite" else request.getfixturevalue("fresh_postgres")
    _at_revision(url, "0010")
    now = datetime(2010, 8, 4, 9, tzinfo=timezone.utc)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO staff (staff_id, name, district, base_name, phone, skills, transport, active, "
                          "updated_at) VALUES ('S1', 'n', '北区', '', '', '', 'bus', true, :t)"), {"t": now})
        for name, staff, district in (("moved", "S1", "南区"), ("gone", "S9", "南区")):
            conn.execute(text("INSERT INTO users (username, password_hash, role, staff_id, district, active, "
                              "created_at) VALUES (:u, 'x', 'field', :s, :d, true, :t)"),
                         {"u": name, "s": staff, "d": district, "t": now})
    engine.dispose()
    db.engine_for.cache_clear()
    with db.session_scope(url) as s:  # opening the store migrates it to the newest revision
        found = dict(s.execute(text("SELECT username, district FROM users")).all())
    assert found == {"moved": "北区", "gone": "南区"}  # a worker no longer on any roster keeps what it had


def test_the_admin_page_names_the_district_of_a_field_account_where_two_have_the_staff_id(store_url, store_app,
                                                                                          tmp_path):
    """The admin's form said its district field was for dispatcher accounts, and the refusal
    told the admin, in English, to use a command-line option."""
    _north_twins(store_url, tmp_path)
    admin = Client(store_app, "admin")
    form = {"username": "fn", "password": PASSWORD, "role": "field", "staff_id": "S1"}
    r = admin.post("/admin/users", form)
    page = text_of(r)
    assert r.status_code == 422 and "员工编号 S1 在北区, 南区都有：请填写区域" in page and "--district" not in page
    assert "拜访人员账号" in page.split("区域（")[1].split("）")[0]
    assert admin.post("/admin/users", {**form, "district": "北区"}).status_code == 302
    with session_scope(store_url) as s:
        assert accounts.get_user_by_name(s, "fn").district == "北区"
