"""The district's case ledger: every case as it stands on a day, and what is to be done next.

What the dispatcher's ledger page, ``cvp cases list`` and the API show; read only.  The page
and the API narrow it with one :class:`LedgerFilter` and show it a page at a time
(:data:`PAGE_SIZE` lines).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from planner.cases.carry import as_seen_on
from planner.cases.events import CaseKind
from planner.cases.lifecycle import CaseState, Status, derive
from planner.errors import Reason
from planner.store import cases as case_store
from planner.store.cases import StoredCase


@dataclass(frozen=True)
class LedgerLine:
    """One case as the ledger shows it on a day."""

    case: StoredCase
    state: CaseState
    age_days: int
    next_action: Reason
    overdue: bool
    customer_name: str = ""  # the customer of the case's first ticket (as the ticket holds it)
    phone: str = ""          # unmasked: who shows it masks it (planner.masking)


def site_callback(state: CaseState, day: date) -> tuple[Reason, bool] | None:
    """From the day a planned site's callback is due (规划在建型: 届时回访): call the customer back
    now that the site is live, whatever else the case waits for; None before that day or
    when the callback waits for no site."""
    site, due = state.callback_site, state.callback_due
    if site is None or due is None or due > day or state.status not in (Status.FOLLOW_UP, Status.CLOSED):
        return None
    if site.expected == due:
        return Reason("callback due {day} (site {site} live)", day=f"{due:%Y-%m-%d}", site=site.name), due < day
    return Reason("callback due {day} (site {site})", day=f"{due:%Y-%m-%d}", site=site.name), due < day


def next_action(state: CaseState, day: date) -> tuple[Reason, bool]:
    """What the case waits for on ``day``, and whether that is overdue."""
    callback = site_callback(state, day)
    if callback is not None:
        return callback
    if state.status is Status.CLOSED:
        if state.callback_due:
            return Reason("call back from {day}", day=f"{state.callback_due:%Y-%m-%d}"), state.callback_due < day
        return Reason("none"), False
    if state.status is Status.PLANNED and state.plan:
        return Reason("record the outcome of {day} ({staff})", day=f"{state.plan.day:%Y-%m-%d}",
                      staff=state.plan.staff_id or "-"), state.plan.day < day
    if state.status is Status.FOLLOW_UP:
        follow_up = state.follow_up
        if follow_up is None or follow_up.owner is None:
            return Reason("assign the follow-up"), False
        if follow_up.promised:
            return (Reason("{owner} follows up by {day}", owner=follow_up.owner, day=f"{follow_up.promised:%Y-%m-%d}"),
                    follow_up.promised < day)
        return Reason("{owner} follows up", owner=follow_up.owner), False
    if state.kind is CaseKind.PHONE:
        return Reason("call the customer"), False
    window = state.appointment_on(day)
    if window:
        return Reason("plan the visit (agreed {start}–{end})", start=f"{window.start:%H:%M}", end=f"{window.end:%H:%M}"), False
    later = state.appointment
    if later is not None and later.day > day:  # the customer chose another date: nothing to do before it
        return (Reason("visit agreed for {day} {start}–{end}", day=f"{later.day:%Y-%m-%d}",
                       start=f"{later.start:%H:%M}", end=f"{later.end:%H:%M}"), False)
    return Reason("call to agree a time"), False


def ledger(session: Session, district: str, day: date, *, open_only: bool = True) -> list[LedgerLine]:
    """The district's cases as they stand on ``day``, oldest first (open ones only, unless
    ``open_only`` is off), each with the customer of its first ticket."""
    found = []
    for case in case_store.load_cases(session, district):
        state = as_seen_on(derive(case.events), day)
        if open_only and not state.is_open:
            continue
        found.append((case, state))
    who = case_store.customers(session, district, [c.ticket_ids[0] for c, _ in found if c.ticket_ids])
    lines = []
    for case, state in found:
        action, overdue = next_action(state, day)
        name, phone = who.get(case.ticket_ids[0], ("", "")) if case.ticket_ids else ("", "")
        lines.append(LedgerLine(case, state, (day - case.opened_day).days, action, overdue, name, phone))
    return lines


#: how many lines the ledger shows at a time (the page and the API)
PAGE_SIZE = 200


@dataclass(frozen=True)
class LedgerFilter:
    """What a dispatcher narrows the ledger to: a state, a kind, the overdue lines only, and
    the cases holding a ticket whose id contains ``ticket`` (any case, upper or lower)."""

    status: Status | None = None
    kind: CaseKind | None = None
    overdue_only: bool = False
    ticket: str = ""

    def keeps(self, line: LedgerLine) -> bool:
        needle = self.ticket.strip().casefold()
        return ((self.status is None or line.state.status is self.status)
                and (self.kind is None or line.state.kind is self.kind)
                and (not self.overdue_only or line.overdue)
                and (not needle or any(needle in t.casefold() for t in line.case.ticket_ids)))


@dataclass(frozen=True)
class LedgerPage:
    """One page of the narrowed ledger: its lines, which page (from 1), how many pages and lines."""

    lines: list[LedgerLine]
    page: int
    pages: int
    total: int


def narrow(lines: list[LedgerLine], wanted: LedgerFilter, page: int = 1, size: int | None = None) -> LedgerPage:
    """The lines ``wanted`` keeps, page ``page`` of them (a page past the last: the last),
    ``size`` lines a page (default :data:`PAGE_SIZE`)."""
    size = size or PAGE_SIZE
    kept = [line for line in lines if wanted.keeps(line)]
    pages = max(1, -(-len(kept) // size))
    page = min(max(1, page), pages)
    return LedgerPage(kept[(page - 1) * size:page * size], page, pages, len(kept))
