"""The call list of a district's day: whom the dispatcher phones to agree a visit's time.

The pilot's step 2 (约见客户: 提前与客户确认拜访时间) — the customer chooses the time.
The list is read from the day's newest stored plan version, draft or published, so
each visit comes with a suggested slot around the start the plan gives it (the rules
file's ``cases.call_slot_minutes``, clipped to the worker's shift); with no plan yet it
is read from the day's triage, with no slot and a note to plan a draft first.  Each
line carries what the call needs: the customers' names and full phone numbers, the
address, the VIP tier, the customer type and scenario with the call tip of that type
(``cases.call_tips``), the visit's case if it has one, the calls made so far, the
window agreed for this date, and "needs a new appointment" when an earlier day's
window has passed.  The open phone follow-up cases follow in a second part.

The lines still to agree come first, by the draft's start time.  A visit whose case
was visited already (in follow-up or closed: an earlier version of the day) has
nothing to agree and is left out.  Reading the list writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from planner.actor import Actor
from planner.cases.actions import CaseStep, call_about_visit, record_call
from planner.cases.carry import as_seen_on
from planner.cases.events import AGREEING, CallResult, CaseEvent, CaseKind, EventKind
from planner.cases.lifecycle import Appointment, CaseState, Status, derive
from planner.errors import Reason, UserError
from planner.plan.document import PlanDocument, Route, Step, Unassigned
from planner.plan.notes import appointment_expired_note
from planner.plans import get_plan, list_versions
from planner.records import Ticket, Visit
from planner.store import cases as case_store
from planner.store import repository as repo
from planner.store.cases import StoredCase
from planner.store.db import transaction
from planner.triage.rules import Rules
from planner.workflow import triage_day

#: a suggested slot starts on a quarter hour: what a dispatcher says on the phone ("between
#: 9:15 and 10:15"), not the solver's minute
SLOT_STEP = timedelta(minutes=15)

@dataclass(frozen=True)
class Contact:
    """One customer of a visit (a cluster visit has several): whom to call."""

    name: str
    phone: str
    ticket_ids: tuple[str, ...]


@dataclass(frozen=True)
class Call:
    """The latest call recorded on a case: its result, when, and the date it named."""

    result: CallResult
    at: datetime
    day: date | None


@dataclass(frozen=True)
class CallLine:
    """One visit to call about (or, in the second part, one phone follow-up case)."""

    visit_id: str
    ticket_ids: tuple[str, ...]
    reasons: tuple[str, ...]
    contacts: tuple[Contact, ...]
    address: str
    vip_level: str
    customer_type: str | None
    scenario: str | None
    slot: tuple[time, time] | None        # suggested from the draft's start (None: no plan, or unassigned)
    planned_start: time | None            # the draft's start of the visit
    staff_id: str | None                  # the draft's worker (None: unassigned, or no plan)
    unassigned: dict[str, str] | None     # why the draft left it out, {zh, en}
    case_id: int | None                   # the visit's case (None: no call or publish has opened one)
    status: Status | None
    calls: int
    last_call: Call | None
    agreed: Appointment | None            # the window agreed for this date
    moved_to: Appointment | None          # the customer chose a later date
    reconfirmed_at: datetime | None       # a confirmed call made on the visit's day itself
    needs_new_appointment: dict[str, str] | None  # {zh, en}: an earlier day's window has passed
    tip: dict[str, str] | None            # the call tip of the customer type, {zh, en}

    @property
    def to_agree(self) -> bool:
        """Nothing agreed yet for this date, and the customer has not chosen another."""
        return self.agreed is None and self.moved_to is None


@dataclass(frozen=True)
class CallList:
    """A district's day to phone: where the lines come from, the visits, the phone cases."""

    day: date
    district: str
    source: str                    # "plan" (a stored version) or "triage" (no plan yet)
    version: int | None
    plan_status: str | None        # "draft" or "published"
    note: dict[str, str] | None    # {zh, en}: e.g. plan a draft to get suggested times
    lines: tuple[CallLine, ...]
    phone_cases: tuple[CallLine, ...]
    general_tips: tuple[dict[str, str], ...]

    def line_of(self, visit_id: str) -> CallLine | None:
        return next((line for line in (*self.lines, *self.phone_cases) if line.visit_id == visit_id), None)


NO_PLAN_NOTE = {"zh": "尚无计划：先生成计划草稿以获得建议时段", "en": "plan a draft to get suggested times"}


@dataclass(frozen=True)
class _Entry:
    """A visit as the list's source gives it, before the store's cases and tickets are read."""

    visit_id: str
    ticket_ids: tuple[str, ...]
    reasons: tuple[str, ...]
    address: str
    vip_level: str
    customer_type: str | None
    scenario: str | None
    slot: tuple[time, time] | None = None
    start: time | None = None
    staff_id: str | None = None
    unassigned: dict[str, str] | None = None
    note: dict[str, str] | None = None  # the plan's own "needs a new appointment" of the visit
    case_id: int | None = None


def call_list(session: Session, day: date, district: str, rules: Rules) -> CallList:
    """The district's call list of ``day`` (see the module's docstring)."""
    versions = list_versions(session, day, district)
    found = get_plan(session, day, district, versions[-1][0]) if versions else None
    if found is not None:
        plan, status = found
        entries = _plan_entries(plan, rules)
        source, version, note = "plan", plan.version, None
    else:
        triaged = triage_day(session, day, district, rules, allow_empty=True)
        entries = [_triage_entry(v) for v in triaged.visits]
        source, version, status, note = "triage", None, None, NO_PLAN_NOTE
    with transaction(session):
        cases = case_store.load_cases(session, district)
        phones = [c for c in cases if (state := derive(c.events)).kind is CaseKind.PHONE and state.status is Status.OPEN]
        ids = [t for e in entries for t in e.ticket_ids] + [t for c in phones for t in c.ticket_ids]
        tickets = repo.tickets_by_ids(session, district, ids, rules.tz)
    by_ticket = _cases_by_ticket(cases)
    lines = []
    for order, entry in enumerate(entries):
        case = _case_of(entry, by_ticket)
        if case is not None and derive(case.events).status in (Status.FOLLOW_UP, Status.CLOSED):
            continue  # visited already: nothing to agree
        lines.append((order, _line(entry, case, tickets, day, rules)))
    lines.sort(key=lambda item: (not item[1].to_agree, item[1].planned_start or time.max, item[0]))
    phone_lines = [_line(_phone_entry(c), c, tickets, day, rules) for c in phones]
    return CallList(day, district, source, version, status, note, tuple(line for _, line in lines),
                    tuple(phone_lines), rules.cases.call_tips.general)


def suggested_slot(start: datetime, shift: tuple[datetime, datetime], minutes: int) -> tuple[datetime, datetime]:
    """A window of ``minutes`` around a planned start, beginning on a quarter hour, clipped
    to the worker's shift."""
    around = start - timedelta(minutes=minutes / 2)
    midnight = around.replace(hour=0, minute=0, second=0, microsecond=0)
    begin = midnight + ((around - midnight) // SLOT_STEP) * SLOT_STEP
    return max(begin, shift[0]), min(begin + timedelta(minutes=minutes), shift[1])


def _plan_entries(plan: PlanDocument, rules: Rules) -> list[_Entry]:
    entries = [_step_entry(route, step, rules) for route, step in plan.visit_steps()]
    entries += [_unassigned_entry(u) for u in plan.unassigned]
    return entries


def _local(text: str, rules: Rules) -> datetime:
    return datetime.fromisoformat(text).astimezone(rules.tz)


def _step_entry(route: Route, step: Step, rules: Rules) -> _Entry:
    start = _local(step.start, rules)
    shift = (_local(route.shift[0], rules), _local(route.shift[1], rules))
    lo, hi = suggested_slot(start, shift, rules.cases.call_slot_minutes)
    return _Entry(str(step.visit_id), step.ticket_ids, step.reasons, step.address, step.vip_level, step.customer_type,
                  step.scenario, slot=(lo.time(), hi.time()), start=start.time(), staff_id=route.staff_id,
                  note=_texts(step.needs_new_appointment))


def _unassigned_entry(u: Unassigned) -> _Entry:
    return _Entry(u.visit_id, u.ticket_ids, u.reasons, u.address, u.vip_level, u.customer_type, u.scenario,
                  unassigned={"zh": u.explanation or u.reason, "en": u.explanation_en or u.reason},
                  note=_texts(u.needs_new_appointment))


def _triage_entry(v: Visit) -> _Entry:
    note = v.extra.get("needs_new_appointment")
    return _Entry(v.visit_id, v.ticket_ids, v.reasons, v.address, v.vip_level, v.customer_type, v.scenario,
                  note={"zh": note.get("zh", ""), "en": note.get("en", "")} if note else None, case_id=v.case_id)


def _phone_entry(case: StoredCase) -> _Entry:
    state = derive(case.events)
    return _Entry(f"case-{case.case_id}", case.ticket_ids, state.selected_because, "", "none", None, None)


def _texts(note: Any) -> dict[str, str] | None:
    return {"zh": note.zh or note.en, "en": note.en or note.zh} if note is not None else None


def _cases_by_ticket(cases: list[StoredCase]) -> dict[str, list[StoredCase]]:
    held: dict[str, list[StoredCase]] = {}
    for case in cases:  # oldest first
        for t in case.ticket_ids:
            held.setdefault(t, []).append(case)
    return held


def _case_of(entry: _Entry, by_ticket: dict[str, list[StoredCase]]) -> StoredCase | None:
    """The visit's case as publishing would find it: the oldest visit case holding its tickets that is
    still to be visited; else the newest holding them (visited already); else none."""
    held = {c.case_id: c for t in entry.ticket_ids for c in by_ticket.get(t, ())
            if derive(c.events).kind is CaseKind.VISIT}  # a phone follow-up turned into a visit is one
    if not held:
        return None
    to_visit = [c for _, c in sorted(held.items()) if derive(c.events).status in (Status.OPEN, Status.PLANNED)]
    return to_visit[0] if to_visit else held[max(held)]


def _contacts(ticket_ids: tuple[str, ...], tickets: dict[str, Ticket]) -> tuple[Contact, ...]:
    """The visit's customers, one per phone, in ticket order."""
    by_phone: dict[str, tuple[str, list[str]]] = {}
    for t in ticket_ids:
        found = tickets.get(t)
        if found is None:
            continue
        name, held = by_phone.setdefault(found.phone, (found.customer_name, []))
        held.append(t)
    return tuple(Contact(name, phone, tuple(held)) for phone, (name, held) in by_phone.items())


def _line(entry: _Entry, case: StoredCase | None, tickets: dict[str, Ticket], day: date, rules: Rules) -> CallLine:
    state = as_seen_on(derive(case.events), day) if case is not None else None
    events = case.events if case is not None else ()
    agreed = state.appointment_on(day) if state else None
    moved = state.appointment if state and state.appointment and state.appointment.day > day else None
    address = entry.address or next((tickets[t].address for t in entry.ticket_ids if t in tickets), "")
    return CallLine(
        visit_id=entry.visit_id, ticket_ids=entry.ticket_ids, reasons=entry.reasons,
        contacts=_contacts(entry.ticket_ids, tickets), address=address, vip_level=entry.vip_level,
        customer_type=entry.customer_type, scenario=entry.scenario, slot=entry.slot, planned_start=entry.start,
        staff_id=entry.staff_id, unassigned=entry.unassigned, case_id=case.case_id if case else entry.case_id,
        status=state.status if state else None, calls=state.calls if state else 0, last_call=_last_call(events),
        agreed=agreed, moved_to=moved, reconfirmed_at=_reconfirmed(events, day, rules) if agreed else None,
        needs_new_appointment=entry.note or (None if agreed or moved else _passed(events, state, day, rules)),
        tip=rules.cases.call_tips.for_type(entry.customer_type))


def _last_call(events: tuple[CaseEvent, ...]) -> Call | None:
    last = next((e for e in reversed(events) if e.kind is EventKind.CALL_ATTEMPT), None)
    return Call(CallResult(last.data["result"]), last.at, last.day) if last else None


def _reconfirmed(events: tuple[CaseEvent, ...], day: date, rules: Rules) -> datetime | None:
    """When the window was confirmed again on the visit's day itself (the same morning)."""
    for e in reversed(events):
        if (e.kind is EventKind.CALL_ATTEMPT and e.data.get("result") == CallResult.CONFIRMED and e.day == day
                and e.at.astimezone(rules.tz).date() == day):
            return e.at.astimezone(rules.tz)
    return None


def _passed(events: tuple[CaseEvent, ...], state: CaseState | None, day: date, rules: Rules) -> dict[str, str] | None:
    """"Needs a new appointment" for an open case whose latest agreed window was for an
    earlier day (the customer is called again: a window does not carry over)."""
    if state is None or state.status is not Status.OPEN:
        return None
    for e in reversed(events):
        agreeing = (e.kind is EventKind.APPOINTMENT_CONFIRMED
                    or (e.kind is EventKind.CALL_ATTEMPT and e.data.get("result") in AGREEING))
        if agreeing and e.day is not None and e.data.get("start") and e.data.get("end"):
            if e.day >= day:
                return None
            window = tuple(datetime.combine(e.day, time.fromisoformat(e.data[k]), tzinfo=rules.tz)
                           for k in ("start", "end"))
            note = appointment_expired_note(rules, (window[0], window[1]))
            return {"zh": note["zh"], "en": note["en"]}
    return None


def call_about(session: Session, actor: Actor, district: str, day: date, ticket_ids: Sequence[str], result: str, *,
               rules: Rules, on: date | None = None, start: str | None = None, end: str | None = None,
               note: str = "", now: datetime | None = None) -> CaseStep:
    """A call about the line of ``day``'s call list that holds these tickets: on its case
    (:func:`planner.cases.actions.record_call`), or, when its visit has none yet, opening
    one with the visit's tickets and the reasons it was selected for, as the list has
    them (:func:`planner.cases.actions.call_about_visit`), whatever tickets the caller
    named of the visit.  ``on``: the date agreed (default ``day``)."""
    if not actor.follows_up(district):
        raise UserError(f"{actor.username} may not change the cases of {district}")
    wanted = list(dict.fromkeys(ticket_ids))
    if not wanted:
        raise UserError(Reason("a call names the visit's ticket"))
    listed = call_list(session, day, district, rules)
    line = next((x for x in (*listed.lines, *listed.phone_cases) if wanted[0] in x.ticket_ids), None)
    if line is None:
        raise UserError(Reason("ticket {ticket} is not on the call list of {district} {day}", ticket=wanted[0],
                               district=district, day=f"{day:%Y-%m-%d}"))
    others = [t for t in wanted if t not in line.ticket_ids]
    if others:
        raise UserError(Reason("tickets {tickets} are not of the visit {visit} of {ticket}", tickets=", ".join(others),
                               visit=line.visit_id, ticket=wanted[0]))
    if line.case_id is not None:
        return record_call(session, actor, district, line.case_id, result, day=on or day, start=start, end=end,
                           note=note, now=now)
    return call_about_visit(session, actor, district, day, line.ticket_ids, line.reasons, result, on=on, start=start,
                            end=end, note=note, now=now)


def _clock(value: time | None) -> str | None:
    return f"{value:%H:%M}" if value else None


def _appointment_json(value: Appointment | None) -> dict[str, str | None] | None:
    return {"date": value.day.isoformat(), "start": _clock(value.start), "end": _clock(value.end)} if value else None


def line_json(line: CallLine) -> dict[str, Any]:
    """One line as the JSON API gives it (times HH:MM local, moments ISO 8601)."""
    last = line.last_call
    return {
        "visit_id": line.visit_id, "ticket_ids": list(line.ticket_ids), "reasons": list(line.reasons),
        "customers": [{"name": c.name, "phone": c.phone, "ticket_ids": list(c.ticket_ids)} for c in line.contacts],
        "address": line.address, "vip_level": line.vip_level, "customer_type": line.customer_type,
        "scenario": line.scenario,
        "slot": {"start": _clock(line.slot[0]), "end": _clock(line.slot[1])} if line.slot else None,
        "planned_start": _clock(line.planned_start), "staff_id": line.staff_id, "unassigned": line.unassigned,
        "case_id": line.case_id, "status": line.status.value if line.status else None, "calls": line.calls,
        "last_call": {"result": last.result.value, "at": last.at.isoformat(),
                      "date": last.day.isoformat() if last.day else None} if last else None,
        "agreed": _appointment_json(line.agreed), "moved_to": _appointment_json(line.moved_to),
        "reconfirmed_at": line.reconfirmed_at.isoformat() if line.reconfirmed_at else None,
        "needs_new_appointment": line.needs_new_appointment, "tip": line.tip, "to_agree": line.to_agree,
    }


def call_list_json(listed: CallList) -> dict[str, Any]:
    """The call list as the JSON API gives it."""
    return {"date": listed.day.isoformat(), "district": listed.district, "source": listed.source,
            "version": listed.version, "plan_status": listed.plan_status, "note": listed.note,
            "lines": [line_json(x) for x in listed.lines], "phone_cases": [line_json(x) for x in listed.phone_cases],
            "general_tips": list(listed.general_tips)}
