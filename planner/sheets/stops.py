"""Reading a plan's stops: what sheets, the map and exports all show about a visit.

Plain functions over the plan document (``cvp.plan/1``) and the tickets behind
it (:func:`planner.workflow.plan_tickets`); no rendering here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from planner.errors import UserError
from planner.records import Ticket
from planner.sheets.texts import Texts


@dataclass(frozen=True)
class Stop:
    """One visit of a route, numbered in visit order from 1."""

    route: dict
    seq: int
    step: dict
    tickets: tuple[Ticket, ...]

    @property
    def staff_id(self) -> str:
        return self.route["staff_id"]

    @property
    def is_cluster(self) -> bool:
        return len(self.step.get("ticket_ids") or []) > 1


def check_plan_doc(doc: Mapping) -> None:
    """A clear message instead of a KeyError when a file is not a plan."""
    if not isinstance(doc, Mapping) or not str(doc.get("schema", "")).startswith("cvp.plan/"):
        raise UserError("not a plan document (expected schema cvp.plan/1, as `cvp plan` writes)")
    for key in ("date", "district", "routes"):
        if key not in doc:
            raise UserError(f"the plan has no {key!r}: not a complete cvp.plan/1 document")


def tickets_of(ids: Sequence[str], tickets: Mapping[str, Ticket]) -> tuple[Ticket, ...]:
    missing = [t for t in ids if t not in tickets]
    if missing:
        raise UserError(f"no ticket record for {', '.join(missing)}: load the tickets of this plan "
                        "from the store it was made with")
    return tuple(tickets[t] for t in ids)


def route_stops(route: Mapping, tickets: Mapping[str, Ticket]) -> list[Stop]:
    steps = [s for s in route.get("steps", []) if s.get("type") == "visit"]
    return [Stop(dict(route), i, dict(s), tickets_of(s.get("ticket_ids") or [], tickets))
            for i, s in enumerate(steps, start=1)]


def plan_stops(doc: Mapping, tickets: Mapping[str, Ticket]) -> Iterator[Stop]:
    for route in doc.get("routes", []):
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


def step_of_type(route: Mapping, kind: str) -> dict | None:
    return next((s for s in route.get("steps", []) if s.get("type") == kind), None)


def complaint_number(ticket: Ticket, history: Mapping[str, Sequence[Ticket]]) -> int:
    """Which complaint from this phone the ticket is (1 = first on record)."""
    earlier = [h for h in history.get(ticket.phone, ()) if h.ticket_id != ticket.ticket_id
               and h.received_at <= ticket.received_at]
    return len(earlier) + 1


def earlier_complaints(ticket: Ticket, history: Mapping[str, Sequence[Ticket]]) -> list[Ticket]:
    return [h for h in history.get(ticket.phone, ()) if h.ticket_id != ticket.ticket_id
            and h.received_at <= ticket.received_at]


def why_visited(step: Mapping, tickets: Sequence[Ticket], history: Mapping[str, Sequence[Ticket]],
                texts: Texts) -> list[str]:
    """The visit's reasons as printed: VIP (tier) / nth complaint / cluster of N / the rules' label."""
    out = []
    for code in step.get("reasons") or []:
        if code == "vip":
            out.append(texts.why("vip", tier=texts.vip_level(step.get("vip_level"))))
        elif code == "repeat":
            n = max((complaint_number(t, history) for t in tickets), default=1)
            out.append(texts.why("repeat", n=n) if n > 1 else texts.reason("repeat"))
        elif code == "cluster":
            # a member visited on its own (e.g. a VIP of the cluster) is "clustered", not "a cluster of 1"
            out.append(texts.why("cluster", n=len(tickets)) if len(tickets) > 1 else texts.reason("cluster"))
        else:
            out.append(texts.why("other", label=texts.reason(code)))
    return out
