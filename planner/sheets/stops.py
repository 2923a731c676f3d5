"""Reading a plan's stops: what sheets, the map and exports all show about a visit.

Plain functions over the plan document (:class:`planner.plan.document.PlanDocument`)
and the tickets behind it (:func:`planner.workflow.plan_tickets`); no rendering here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from planner.errors import UserError
from planner.plan.document import PlanDocument, Route, Step, Unassigned
from planner.records import Ticket
from planner.sheets.texts import Texts


@dataclass(frozen=True)
class Stop:
    """One visit of a route, numbered in visit order from 1."""

    route: Route
    seq: int
    step: Step
    tickets: tuple[Ticket, ...]

    @property
    def staff_id(self) -> str:
        return self.route.staff_id

    @property
    def is_cluster(self) -> bool:
        return len(self.step.ticket_ids) > 1


def tickets_of(ids: Sequence[str], tickets: Mapping[str, Ticket]) -> tuple[Ticket, ...]:
    missing = [t for t in ids if t not in tickets]
    if missing:
        raise UserError(f"no ticket record for {', '.join(missing)}: load the tickets of this plan "
                        "from the store it was made with")
    return tuple(tickets[t] for t in ids)


def route_stops(route: Route | Mapping, tickets: Mapping[str, Ticket]) -> list[Stop]:
    route = Route.of(route)
    return [Stop(route, i, s, tickets_of(s.ticket_ids, tickets)) for i, s in enumerate(route.visit_steps, start=1)]


def plan_stops(plan: PlanDocument, tickets: Mapping[str, Ticket]) -> Iterator[Stop]:
    for route in plan.routes:
        yield from route_stops(route, tickets)


def parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def hhmm(text: str | None) -> str:
    """``2010-08-05T09:30:00+08:00`` → ``09:30`` (the plan's local wall clock)."""
    t = parse_time(text)
    return f"{t:%H:%M}" if t else ""


def window_text(window: Sequence[str] | None) -> str:
    if not window or not window[0]:
        return ""
    return f"{hhmm(window[0])}–{hhmm(window[1])}"


def complaint_number(ticket: Ticket, history: Mapping[str, Sequence[Ticket]]) -> int:
    """Which complaint from this phone the ticket is (1 = first on record)."""
    earlier = [h for h in history.get(ticket.phone, ()) if h.ticket_id != ticket.ticket_id
               and h.received_at <= ticket.received_at]
    return len(earlier) + 1


def earlier_complaints(ticket: Ticket, history: Mapping[str, Sequence[Ticket]]) -> list[Ticket]:
    return [h for h in history.get(ticket.phone, ()) if h.ticket_id != ticket.ticket_id
            and h.received_at <= ticket.received_at]


def why_visited(visit: Step | Unassigned, tickets: Sequence[Ticket], history: Mapping[str, Sequence[Ticket]],
                texts: Texts) -> list[str]:
    """The visit's reasons as printed: VIP (tier) / nth complaint / cluster of N / the rules' label."""
    out = []
    for code in visit.reasons:
        if code == "vip":
            out.append(texts.why("vip", tier=texts.vip_level(visit.vip_level)))
        elif code == "repeat":
            n = max((complaint_number(t, history) for t in tickets), default=1)
            out.append(texts.why("repeat", n=n) if n > 1 else texts.reason("repeat"))
        elif code == "cluster":
            # a member visited on its own (e.g. a VIP of the cluster) is "clustered", not "a cluster of 1"
            out.append(texts.why("cluster", n=len(tickets)) if len(tickets) > 1 else texts.reason("cluster"))
        else:
            out.append(texts.why("other", label=texts.reason(code)))
    return out
