"""Who may write what: every write endpoint of the app (discovered from its URL map, so a
new one cannot be left out) × every kind of caller (a dispatcher of the district, a
dispatcher of another district, a field worker, a planner, a follow-up account, an
administrator, nobody), each answered with the expected status, and a refused request
writes nothing at all (the whole store and the upload folder compared before and after).

The absence rule (issue #11, item 2) is also shown on its own, on SQLite and PostgreSQL:
another district's staff member and an unknown id are both "not found", and nothing is
written before that is known."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select, text

from planner import closure, roster
from planner.actor import Actor
from planner.cases import actions
from planner.cases.events import CaseKind, EventKind, VisitResult
from planner.errors import ForbiddenError, NotFoundError
from planner.field_record import FieldRecord
from planner.store import absences, accounts
from planner.store import cases as case_store
from planner.store import repository as repo
from planner.store.db import engine_for, session_scope
from planner.store.models import TicketRow
from planner.triage import load_rules
from tests.conftest import FIXTURE_DAY
from tests.store_calls import in_store
from tests.web.conftest import DAY, DISTRICT, Client, make_app
from tests.web.helpers import district_tickets

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
#: tables a request may touch without writing anything of its own: the session's
#: "last seen" (a sign-in session's bookkeeping, written at most once a minute)
BOOKKEEPING = {"web_sessions"}


# -- what the store holds --------------------------------------------------------------

def fingerprint(url: str, work_dir: Path | None = None) -> dict[str, Any]:
    """Every row of every table (but bookkeeping) and every file under the app's work
    folder: what must not change when a request is refused."""
    engine = engine_for(url)
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            if table in BOOKKEEPING:
                continue
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            out[table] = sorted(repr(tuple(r)) for r in rows)
    if work_dir is not None:
        out["files"] = sorted(str(p.relative_to(work_dir)) for p in work_dir.rglob("*") if p.is_file())
    return out


def changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def mark_absent(staff_id: str = "S4") -> None:
    with session_scope() as s:
        absences.set_absent(s, DAY, DISTRICT, staff_id, "病假", "disp")


def absent_ids() -> set[str]:
    with session_scope() as s:
        return set(absences.absences_on(s, DAY, DISTRICT))


def user(name: str) -> accounts.User:
    with session_scope() as s:
        return accounts.get_user_by_name(s, name)


# -- the absence rule, on both stores ---------------------------------------------------

def test_another_districts_absence_cannot_be_cleared(store_app, store_url):
    """The issue's case: 北区's dispatcher clears 南区's S4, through the API and the page."""
    mark_absent("S4")
    north = Client(store_app, "disp_north")
    before = fingerprint(store_url)
    r = north.http.post(f"/api/days/{DAY}/absences", json={"staff_id": "S4", "absent": False},
                        headers={"X-CSRF-Token": north.csrf})
    assert r.status_code == 404 and r.get_json()["error"]["code"] == 404
    r = north.post(f"/dispatch/{DAY}/roster", {"staff_id": "S4", "absent": "0"})
    assert r.status_code == 404
    r = north.post(f"/dispatch/{DAY}/roster", {"staff_id": "S4", "absent": "1", "reason": "x"})
    assert r.status_code == 404
    assert fingerprint(store_url) == before and absent_ids() == {"S4"}


def test_an_unknown_staff_id_is_not_found_and_nothing_is_written(store_app, store_url):
    disp = Client(store_app, "disp")
    before = fingerprint(store_url)
    for absent in (True, False):
        r = disp.http.post(f"/api/days/{DAY}/absences", json={"staff_id": "S99", "absent": absent},
                           headers={"X-CSRF-Token": disp.csrf})
        assert r.status_code == 404 and "S99" in r.get_json()["error"]["message"]
        r = disp.post(f"/dispatch/{DAY}/roster", {"staff_id": "S99", "absent": "1" if absent else "0"})
        assert r.status_code == 404 and "S99" in r.get_data(as_text=True)
    assert fingerprint(store_url) == before


def test_the_district_dispatcher_and_an_admin_may(store_app, store_url):
    mark_absent("S4")
    disp = Client(store_app, "disp")
    r = disp.http.post(f"/api/days/{DAY}/absences", json={"staff_id": "S4", "absent": False},
                       headers={"X-CSRF-Token": disp.csrf})
    assert r.status_code == 200 and r.get_json()["on_duty"] is True and absent_ids() == set()
    admin = Client(store_app, "admin")
    url = f"/api/days/{DAY}/absences?district={DISTRICT}"
    r = admin.http.post(url, json={"staff_id": "S4", "reason": "年假"}, headers={"X-CSRF-Token": admin.csrf})
    assert r.status_code == 200 and absent_ids() == {"S4"}
    # an admin who names another district does not reach 南区's staff either
    r = admin.http.post(f"/api/days/{DAY}/absences?district=北区", json={"staff_id": "S4", "absent": False},
                        headers={"X-CSRF-Token": admin.csrf})
    assert r.status_code == 404 and absent_ids() == {"S4"}
    with session_scope() as s:
        entries = accounts.audit_log(s, action="absence")
    assert [(e.username, e.details["absent"], e.details["district"]) for e in entries] == [
        ("admin", True, DISTRICT), ("disp", False, DISTRICT)]


def test_the_rule_is_in_planner_not_in_a_view(store_url):
    """The CLI, the page and the API call planner.roster.set_absence with the acting account."""
    mark_absent("S4")
    before = fingerprint(store_url)
    for name in ("f1", "plan"):
        with pytest.raises(ForbiddenError):
            in_store(roster.set_absence, Actor.of(user(name)), DAY, DISTRICT, "S4", False)
    with pytest.raises(NotFoundError):  # a dispatcher acting on another district
        in_store(roster.set_absence, Actor.of(user("disp_north")), DAY, DISTRICT, "S4", False)
    with pytest.raises(NotFoundError):  # its own district, someone else's staff member
        in_store(roster.set_absence, Actor.of(user("disp_north")), DAY, "北区", "S4", False)
    assert fingerprint(store_url) == before
    line = in_store(roster.set_absence, Actor.of(user("disp")), DAY, DISTRICT, "S4", False)
    assert line.on_duty and absent_ids() == set()


def test_the_store_never_clears_another_districts_absence(store_url):
    mark_absent("S4")
    with session_scope() as s:
        assert not absences.clear_absent(s, DAY, "北区", "S4")
    assert absent_ids() == {"S4"}


# -- the matrix: every write endpoint × every caller --------------------------------------

CALLERS = {"disp_own": "disp", "disp_other": "disp_north", "field": "f1", "planner": "plan", "followup": "fu",
           "admin": "admin", "anon": None}
ALL_CALLERS = tuple(CALLERS)
ADMIN_DISTRICT = f"?district={DISTRICT}"  # an admin names the district; a dispatcher's is its own


@dataclass(frozen=True)
class Call:
    """One request to an endpoint, made from the prepared store's facts (``ctx``)."""

    url: str
    form: dict[str, str] | None = None
    json: Any = None
    #: form name → (fixture file, upload name); "tickets.csv" is the 南区 dispatcher's own rows of it
    files: dict[str, tuple[str, str]] = field(default_factory=dict)

    def send(self, client: Client, ctx: dict[str, str]):
        url = self.url.format(day=DAY, d=ADMIN_DISTRICT, **ctx)
        headers = {"X-CSRF-Token": client.csrf} if client.csrf else {}
        if self.json is not None:
            return client.http.post(url, json=_filled(self.json, ctx), headers=headers)
        data: dict[str, Any] = {k: v.format(**ctx) for k, v in (self.form or {}).items()}
        for name, (source, upload_name) in self.files.items():
            raw = district_tickets("南区") if source == "tickets.csv" else (FIXTURE_DAY / source).read_bytes()
            data[name] = (io.BytesIO(raw), upload_name)
        if client.csrf:
            data["csrf_token"] = client.csrf
        return client.http.post(url, data=data, headers=headers,
                                content_type="multipart/form-data" if self.files else None)


def _filled(value: Any, ctx: dict[str, str]) -> Any:
    """A JSON body with the prepared ids put in (``{ticket}`` etc.), at any depth."""
    if isinstance(value, str):
        return value.format(**ctx)
    if isinstance(value, dict):
        return {k: _filled(v, ctx) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, ctx) for v in value]
    return value


@dataclass(frozen=True)
class Allowed:
    """The caller may: the request gets this status (or one of these) and may write.

    ``audited``: the step really happened, so its audit row is written (a refusal dressed
    as a success, e.g. a message on a redirect, fails here); ``touches``: the only tables
    it may change (None: any)."""

    status: int | frozenset[int]
    audited: bool = False
    touches: frozenset[str] | None = None


@dataclass(frozen=True)
class Refused:
    """The caller may not: this status (or one of these), and nothing written."""

    status: int | frozenset[int]


def _codes(status) -> frozenset[int]:
    return status if isinstance(status, frozenset) else frozenset({status})


PAGE_ANON = Refused(302)  # the sign-in page
API_ANON = Refused(401)
FORBIDDEN = Refused(403)
NOT_FOUND = Refused(404)


def dispatch(own: int, other: Refused, admin: int | None = None, anon: Refused = PAGE_ANON) -> dict:
    """A dispatcher endpoint: the district's dispatcher and an admin may, field and planner
    accounts are forbidden, another district's dispatcher is refused as ``other``."""
    return {"disp_own": Allowed(own), "disp_other": other, "field": FORBIDDEN, "planner": FORBIDDEN,
            "followup": FORBIDDEN, "admin": Allowed(own if admin is None else admin), "anon": anon}


def follow_up(own: int, other: Refused, anon: Refused = PAGE_ANON) -> dict:
    """A follow-up step: the district's follow-up staff, its dispatcher and an admin may; field
    and planner accounts are forbidden; another district's dispatcher is refused as ``other``."""
    return {**dispatch(own, other, anon=anon), "followup": Allowed(own)}


def case_step(own: int, other: Refused, anon: Refused = PAGE_ANON, *, staff: bool = False) -> dict:
    """A step on one of 南区's cases (:mod:`planner.cases.actions`): it really happens (its
    audit row is written) for each caller who may; ``staff``: the follow-up account may too
    (calls and a follow-up's steps), else it is a dispatcher's decision."""
    cells = (follow_up if staff else dispatch)(own, other, anon=anon)
    return {c: Allowed(cell.status, audited=True) if isinstance(cell, Allowed) else cell for c, cell in cells.items()}


def day_close(own: int, anon: Refused) -> dict:
    """Closing a day is a dispatcher's decision on the caller's own district: another district's
    dispatcher closes its own day (an audit row naming 北区), and no case of 南区 is touched."""
    return {**case_step(own, NOT_FOUND, anon), "disp_other": Allowed(own, audited=True, touches=frozenset({"audit_log"}))}


def only(roles: tuple[str, ...], status, anon: Refused = PAGE_ANON) -> dict:
    """Only these callers may; every other signed-in one is forbidden."""
    return {c: Allowed(status) if c in roles else (anon if c == "anon" else FORBIDDEN) for c in ALL_CALLERS}


REFUSED_OR_NOT_FOUND = frozenset({403, 404, 422})
#: endpoint → (the request, the expected answer per caller)
MATRIX: dict[str, tuple[Call, dict]] = {
    # -- sign-in and language (public) --
    "auth.login": (Call("/login", form={"username": "disp", "password": "wrong-password"}),
                   {c: Allowed(401) for c in ALL_CALLERS}),
    "auth.set_lang": (Call("/lang", form={"lang": "en"}), {c: Allowed(302) for c in ALL_CALLERS}),
    "auth.logout": (Call("/logout"), {**{c: Allowed(302) for c in ALL_CALLERS}, "anon": PAGE_ANON}),
    # -- administration --
    "admin.add_user": (Call("/admin/users", form={"username": "newbie", "password": "a-long-password",
                                                  "role": "planner"}), only(("admin",), 302)),
    "admin.change_user": (Call("/admin/users/f2", form={"action": "deactivate"}), only(("admin",), 302)),
    "dispatcher.choose_district": (Call("/dispatch/district", form={"district": DISTRICT}), only(("admin",), 302)),
    # -- the day's roster --
    "api.absence": (Call("/api/days/{day}/absences{d}", json={"staff_id": "S4", "absent": False}),
                    dispatch(200, NOT_FOUND, anon=API_ANON)),
    "dispatcher.roster_change": (Call("/dispatch/{day}/roster", form={"staff_id": "S4", "absent": "0"}),
                                 dispatch(302, NOT_FOUND)),
    # -- triage: overrides and appointments of a 南区 ticket --
    "api.overrides": (Call("/api/days/{day}/overrides{d}",
                           json={"overrides": [{"ticket_id": "{ticket}", "field": "select", "value": "no"}]}),
                      dispatch(200, Refused(REFUSED_OR_NOT_FOUND), anon=API_ANON)),
    "dispatcher.override": (Call("/dispatch/{day}/overrides",
                                 form={"ticket_id": "{ticket}", "field": "select", "value": "no"}),
                            dispatch(302, Refused(REFUSED_OR_NOT_FOUND))),
    "api.appointments": (Call("/api/days/{day}/appointments{d}",
                              json={"ticket_id": "{ticket}", "start": "10:00", "end": "11:00"}),
                         dispatch(200, Refused(REFUSED_OR_NOT_FOUND), anon=API_ANON)),
    "dispatcher.appointment": (Call("/dispatch/{day}/appointments",
                                    form={"ticket_id": "{ticket}", "start": "10:00", "end": "11:00"}),
                               dispatch(302, Refused(REFUSED_OR_NOT_FOUND))),
    # -- planning (pins to nobody: refused as the user's mistake before any job is queued) --
    "api.plan": (Call("/api/days/{day}/plans{d}", json={"pins": {"V-NOPE": "S99"}}),
                 dispatch(422, Refused(422), anon=API_ANON)),
    "dispatcher.plan_start": (Call("/dispatch/{day}/plan", form={"pin:V-NOPE": "S99"}),
                              dispatch(422, Refused(422))),
    "dispatcher.replan_start": (Call("/dispatch/{day}/plan/1/replan", form={"now": "25:99"}),
                                dispatch(422, NOT_FOUND)),
    "api.publish": (Call("/api/days/{day}/plans/1/publish{d}", json={}), dispatch(200, NOT_FOUND, anon=API_ANON)),
    "dispatcher.publish": (Call("/dispatch/{day}/plan/1/publish"), dispatch(302, NOT_FOUND)),
    # -- outcomes and follow-ups of 南区's published plan --
    "api.record_outcome": (Call("/api/days/{day}/outcomes{d}", json={"visit_id": "{visit2}", "result": "closed_on_site"}),
                           {**dispatch(200, Refused(REFUSED_OR_NOT_FOUND), anon=API_ANON), "field": Allowed(200)}),
    "field.stop": (Call("/field/stops/{day}/S1/2", form={"result": "closed_on_site", "arrived_at": "10:40"}),
                   only(("field",), 302)),
    "api.close_follow_up": (Call("/api/days/{day}/followups/{visit1}/close{d}", json={"notes": "回访满意"}),
                            dispatch(200, Refused(REFUSED_OR_NOT_FOUND), anon=API_ANON)),
    "dispatcher.close_follow_up": (Call("/dispatch/{day}/followups/{visit1}/close", form={"notes": "回访满意"}),
                                   dispatch(302, Refused(REFUSED_OR_NOT_FOUND | {302}))),
    # the queue's quick steps on visit 1's case: another district's case is not found (a message, nothing written)
    "followups.update": (Call("/followups/{case1}/update", form={"note": "参数已提交"}),
                         case_step(302, Refused(302), staff=True)),
    "followups.resolve": (Call("/followups/{case1}/resolve", form={"note": "回访满意"}),
                          case_step(302, Refused(302), staff=True)),
    # -- the case pages' steps: case1 in follow-up (owned by fu), a closed case, an open phone case --
    "cases.close": (Call("/cases/{case1}/close", form={"reason": "客户来电撤诉"}), case_step(302, NOT_FOUND)),
    "cases.reopen": (Call("/cases/{closed_case}/reopen", form={"reason": "客户再次投诉"}), case_step(302, NOT_FOUND)),
    "cases.convert": (Call("/cases/{phone_case}/convert", form={"reason": "需上门测试"}), case_step(302, NOT_FOUND)),
    "cases.record_call": (Call("/cases/{case1}/calls", form={"result": "unreached"}),
                          case_step(302, NOT_FOUND, staff=True)),
    "cases.assign_follow_up": (Call("/cases/{case1}/follow-up", form={"solution": "cell_parameters", "owner": "disp",
                                                                      "promised": "{promised}"}),
                               case_step(302, NOT_FOUND)),
    "cases.update_follow_up": (Call("/cases/{case1}/follow-up/update", form={"status": "in_progress", "note": "参数已提交"}),
                               case_step(302, NOT_FOUND, staff=True)),
    "cases.escalate_follow_up": (Call("/cases/{case1}/follow-up/escalate", form={"to": "市网络优化中心"}),
                                 case_step(302, NOT_FOUND, staff=True)),
    "cases.resolve_follow_up": (Call("/cases/{case1}/follow-up/resolve", form={"note": "回访满意"}),
                                case_step(302, NOT_FOUND, staff=True)),
    "cases.record_callback": (Call("/cases/{closed_case}/callback", form={"reached": "yes", "answer": "satisfied"}),
                              case_step(302, NOT_FOUND, staff=True)),
    "cases.close_day": (Call("/cases/close-day", form={"day": DAY.isoformat()}), day_close(302, PAGE_ANON)),
    # -- the same steps through the API --
    "api.close_case": (Call("/api/cases/{case1}/close{d}", json={"reason": "客户来电撤诉"}),
                       case_step(200, NOT_FOUND, API_ANON)),
    "api.reopen_case": (Call("/api/cases/{closed_case}/reopen{d}", json={"reason": "客户再次投诉"}),
                        case_step(200, NOT_FOUND, API_ANON)),
    "api.convert_case": (Call("/api/cases/{phone_case}/convert{d}", json={"reason": "需上门测试"}),
                         case_step(200, NOT_FOUND, API_ANON)),
    "api.record_call": (Call("/api/cases/{case1}/calls{d}", json={"result": "unreached"}),
                        case_step(200, NOT_FOUND, API_ANON, staff=True)),
    "api.assign_follow_up": (Call("/api/cases/{case1}/follow-up{d}", json={"solution": "cell_parameters", "owner": "disp",
                                                                          "promised": "{promised}"}),
                             case_step(200, NOT_FOUND, API_ANON)),
    "api.update_follow_up": (Call("/api/cases/{case1}/follow-up/update{d}", json={"status": "in_progress"}),
                             case_step(200, NOT_FOUND, API_ANON, staff=True)),
    "api.escalate_follow_up": (Call("/api/cases/{case1}/follow-up/escalate{d}", json={"to": "市网络优化中心"}),
                               case_step(200, NOT_FOUND, API_ANON, staff=True)),
    "api.resolve_follow_up": (Call("/api/cases/{case1}/follow-up/resolve{d}", json={"note": "回访满意"}),
                              case_step(200, NOT_FOUND, API_ANON, staff=True)),
    "api.record_callback": (Call("/api/cases/{closed_case}/callback{d}", json={"reached": True, "answer": "satisfied"}),
                            case_step(200, NOT_FOUND, API_ANON, staff=True)),
    "api.close_day": (Call("/api/days/{day}/close{d}", json={}), day_close(200, API_ANON)),
    # -- imports: the district's dispatcher imports 南区's tickets; another district's must not --
    "api.imports": (Call("/api/imports", form={}, files={"file": ("tickets.csv", "tickets.csv"),
                                                          "gazetteer": ("gazetteer.csv", "gazetteer.csv")}),
                    dispatch(200, Refused(REFUSED_OR_NOT_FOUND), anon=API_ANON)),
    "dispatcher.import_preview": (Call("/dispatch/import", form={},
                                       files={"file": ("tickets.csv", "tickets.csv"),
                                              "gazetteer": ("gazetteer.csv", "gazetteer.csv")}),
                                  dispatch(200, Refused(REFUSED_OR_NOT_FOUND))),
    # someone else's upload (the district dispatcher's, ``token``) is nobody else's to confirm
    "dispatcher.import_confirm": (Call("/dispatch/import/{token}/confirm"),
                                  dispatch(302, Refused(302), admin=302)),
    "dispatcher.import_cancel": (Call("/dispatch/import/{token}/cancel"), dispatch(302, Refused(302))),
    # -- the planner's cost model --
    "api.cost_run": (Call("/api/cost/run", json={}), only(("planner", "admin"), 422, anon=API_ANON)),
    "planner.run": (Call("/planner/run", form={"yaml1": "not: [valid"}), only(("planner", "admin"), 422)),
    "planner.compare": (Call("/planner/compare", form={"yaml1": "not: [valid"}), only(("planner", "admin"), 422)),
    "planner.sweep": (Call("/planner/sweep", form={"yaml1": "not: [valid", "vary": "x"}),
                      only(("planner", "admin"), 422)),
    "planner.save": (Call("/planner/scenarios", form={"yaml1": "not: [valid", "save_name1": "mine", "slot": "1"}),
                     only(("planner", "admin"), 422)),
    "planner.delete": (Call("/planner/scenarios/delete", form={"name": "nobody-saved-this"}),
                       only(("planner", "admin"), frozenset({302, 404, 422}))),
    # -- calls to agree a visit of 南区's day (another district's ticket is not on one's list) --
    "api.record_visit_call": (Call("/api/calls{d}", json={"date": DAY.isoformat(), "ticket_ids": ["{call_ticket}"],
                                                           "result": "unreached"}),
                              dispatch(200, Refused(422), anon=API_ANON)),
    "calls.record": (Call("/calls", form={"day": DAY.isoformat(), "ticket_id": "{call_ticket}", "result": "unreached"}),
                     dispatch(302, Refused(400))),
}


def write_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if set(rule.methods) & UNSAFE}


def test_every_write_endpoint_is_in_the_matrix(tmp_path):
    """A new POST/PUT/PATCH/DELETE route fails here until its row is written."""
    endpoints = write_endpoints(make_app(tmp_path))
    assert endpoints - set(MATRIX) == set(), "write endpoints missing from the authorisation matrix"
    assert set(MATRIX) - endpoints == set(), "the matrix names endpoints the app no longer has"
    for endpoint, (_call, cells) in MATRIX.items():
        assert set(cells) == set(CALLERS), endpoint


def _prepare(app) -> dict[str, str]:
    """The planned store made ready for every row: S4 absent, S1's first visit waiting
    for its follow-up (case1, owned by the follow-up account), a closed case and an open
    phone case (on tickets no visit of S1 holds), the dispatcher's own pending upload;
    returns the ids the calls use."""
    mark_absent("S4")
    with session_scope() as s:
        doc, _ = repo.get_plan(s, DAY, DISTRICT, 1)
        ticket = s.scalars(select(TicketRow.ticket_id).where(TicketRow.district == DISTRICT, TicketRow.status == "open")
                           .order_by(TicketRow.ticket_id)).first()
    route = next(r for r in doc["routes"] if r["staff_id"] == "S1")
    visits = [st["visit_id"] for st in route["steps"] if st["type"] == "visit"]
    in_store(closure.record_outcome, day=DAY, district=DISTRICT, visit_id=visits[0], author="f1", staff_id="S1",
                           record=FieldRecord(VisitResult.FOLLOW_UP))
    disp = Client(app, "disp")
    page = Call("/dispatch/import", form={}, files={"file": ("staff.csv", "staff.csv")}).send(disp, {})
    [token] = set(re.findall(r"/dispatch/import/([^/\"]+)/confirm", page.get_data(as_text=True)))
    call_ticket = next(st["ticket_ids"][0] for st in route["steps"] if st.get("visit_id") == visits[1])
    visit1 = next(st for st in route["steps"] if st.get("visit_id") == visits[0])
    with session_scope() as s:
        case1 = case_store.load_cases(s, DISTRICT, ticket_ids=visit1["ticket_ids"])[-1].case_id
        taken = {ticket, *(t for st in route["steps"] if st["type"] == "visit" for t in st["ticket_ids"])}
        spare = [t for t in s.scalars(select(TicketRow.ticket_id).where(TicketRow.district == DISTRICT)
                                      .order_by(TicketRow.ticket_id)) if t not in taken][:2]
    disp_actor = Actor.of(user("disp"))
    promised = datetime.now(load_rules().tz).date() + timedelta(days=7)  # a promise is checked against today
    in_store(actions.assign_follow_up, disp_actor, DISTRICT, case1, solution="on_site_fix", owner="fu",
             promised=promised)
    closed = in_store(actions.open_case, disp_actor, DISTRICT, CaseKind.VISIT, DAY, [spare[0]], ["repeat"]).case.case_id
    in_store(actions.close_case, disp_actor, DISTRICT, closed, "客户已满意", day=DAY)
    in_store(actions.record, disp_actor, DISTRICT, closed, EventKind.CALLBACK_DUE, day=DAY)  # the callback rows' case
    phone = in_store(actions.open_case, disp_actor, DISTRICT, CaseKind.PHONE, DAY, [spare[1]], ["callback"]).case.case_id
    return {"ticket": ticket, "visit1": visits[0], "visit2": visits[1], "token": token, "call_ticket": call_ticket,
            "case1": str(case1), "closed_case": str(closed), "phone_case": str(phone), "promised": promised.isoformat()}


def _cases():
    for endpoint in sorted(MATRIX):
        for caller in ALL_CALLERS:
            yield pytest.param(endpoint, caller, id=f"{endpoint}-{caller}")


@pytest.mark.parametrize(("endpoint", "caller"), list(_cases()))
def test_matrix(planned, tmp_path, endpoint, caller):
    import os

    url = os.environ["CVP_DATABASE_URL"]
    app = make_app(tmp_path)
    ctx = _prepare(app)
    call, cells = MATRIX[endpoint]
    cell = cells[caller]
    client = Client(app, CALLERS[caller])
    if client.username is None:
        client.http.get("/login")  # a visitor has the sign-in page's CSRF token, and nothing more
    if caller == "admin" and endpoint.startswith(("dispatcher.", "calls.", "followups.", "cases.")):
        client.post("/dispatch/district", {"district": DISTRICT})  # an admin works in the district it chose
    work_dir = Path(app.config["WORK_DIR"])
    before = fingerprint(url, work_dir)
    r = call.send(client, ctx)
    assert r.status_code in _codes(cell.status), (endpoint, caller, r.status_code, r.get_data(as_text=True)[:300])
    after = fingerprint(url, work_dir)
    if isinstance(cell, Refused):
        assert changed(before, after) == [], (endpoint, caller)
        if caller == "anon" and r.status_code == 302:
            assert r.headers["Location"].startswith("/login")
        return
    if cell.audited:
        assert "audit_log" in changed(before, after), (endpoint, caller, "no audit row: the step did not happen")
    if cell.touches is not None:
        assert set(changed(before, after)) <= cell.touches, (endpoint, caller, changed(before, after))
