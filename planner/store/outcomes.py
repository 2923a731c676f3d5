"""What happened at each stop, as the field worker records it (the sheet's boxes, online),
and, for a case that needs later closure, when the dispatcher's follow-up closed it.

One outcome per visit of a district's day; recording again replaces it.  Only
table access lives here: what an outcome does to the visit's tickets is
:mod:`planner.closure`'s business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from planner.errors import UserError
from planner.store.models import OutcomeRow

#: the three networks the pilot's visitors test on site (三网测试手机)
OPERATORS = ("china_mobile", "china_unicom", "china_telecom")
NETWORK_RESULTS = ("good", "weak", "none", "not_tested")
SATISFACTION = ("satisfied", "basically_satisfied", "unsatisfied", "not_met")


@dataclass(frozen=True)
class Outcome:
    day: date
    district: str
    visit_id: str
    staff_id: str
    plan_version: int
    arrived_at: datetime | None
    network_tests: dict[str, str] = field(default_factory=dict)
    closed_on_site: bool | None = None
    satisfaction: str | None = None
    notes: str = ""
    recorded_by: str = ""
    recorded_at: datetime | None = None
    ticket_ids: tuple[str, ...] = ()
    followed_up_at: datetime | None = None
    followed_up_by: str | None = None
    follow_up_notes: str = ""

    @property
    def needs_follow_up(self) -> bool:
        """需要后期闭环 and not yet closed by the dispatcher's follow-up (an outcome that does
        not say the case was closed on site counts: nothing may drop out of sight).  A customer
        not met is no follow-up: the visit is planned again (its case is open)."""
        return self.closed_on_site is not True and self.followed_up_at is None and self.satisfaction != "not_met"


def _outcome(r: OutcomeRow) -> Outcome:
    return Outcome(r.day, r.district, r.visit_id, r.staff_id, r.plan_version, r.arrived_at, dict(r.network_tests or {}),
                   r.closed_on_site, r.satisfaction, r.notes, r.recorded_by, r.recorded_at, tuple(r.ticket_ids or ()),
                   r.followed_up_at, r.followed_up_by, r.follow_up_notes or "")


def _row(session: Session, day: date, district: str, visit_id: str) -> OutcomeRow | None:
    return session.scalars(select(OutcomeRow).where(OutcomeRow.day == day, OutcomeRow.district == district,
                                                    OutcomeRow.visit_id == visit_id)).first()


def get_outcome(session: Session, day: date, district: str, visit_id: str) -> Outcome | None:
    row = _row(session, day, district, visit_id)
    return _outcome(row) if row else None


def record_outcome(session: Session, *, day: date, district: str, visit_id: str, staff_id: str, plan_version: int,
                   recorded_by: str, arrived_at: datetime | None = None, network_tests: dict[str, Any] | None = None,
                   closed_on_site: bool | None = None, satisfaction: str | None = None, notes: str = "",
                   ticket_ids: tuple[str, ...] | list[str] = ()) -> Outcome:
    tests = {k: v for k, v in (network_tests or {}).items() if v}
    for op, result in tests.items():
        if op not in OPERATORS:
            raise UserError(f"network test {op!r}: choose one of {', '.join(OPERATORS)}")
        if result not in NETWORK_RESULTS:
            raise UserError(f"network test {op}={result!r}: choose one of {', '.join(NETWORK_RESULTS)}")
    if satisfaction is not None and satisfaction not in SATISFACTION:
        raise UserError(f"satisfaction {satisfaction!r}: choose one of {', '.join(SATISFACTION)}")
    if arrived_at is not None and arrived_at.tzinfo is None:
        raise UserError("arrival time without a time zone")
    notes = (notes or "").strip()
    if len(notes) > 4000:
        raise UserError("notes: at most 4000 characters")
    values = dict(staff_id=staff_id, plan_version=plan_version, arrived_at=arrived_at, network_tests=tests,
                  closed_on_site=closed_on_site, satisfaction=satisfaction, notes=notes, recorded_by=recorded_by,
                  recorded_at=datetime.now(timezone.utc), ticket_ids=list(ticket_ids))
    row = _row(session, day, district, visit_id)
    if row is None:
        row = OutcomeRow(day=day, district=district, visit_id=visit_id, **values)
        session.add(row)
    else:
        for k, v in values.items():
            setattr(row, k, v)
    session.flush()
    return _outcome(row)


def outcomes_for(session: Session, day: date, district: str, staff_id: str | None = None) -> dict[str, Outcome]:
    q = select(OutcomeRow).where(OutcomeRow.day == day, OutcomeRow.district == district)
    if staff_id is not None:
        q = q.where(OutcomeRow.staff_id == staff_id)
    return {r.visit_id: _outcome(r) for r in session.scalars(q)}


def open_follow_ups(session: Session, district: str) -> list[Outcome]:
    """The district's visits that need later closure and are not closed yet, oldest first."""
    q = (select(OutcomeRow)
         .where(OutcomeRow.district == district, OutcomeRow.followed_up_at.is_(None),
                or_(OutcomeRow.closed_on_site.is_(None), OutcomeRow.closed_on_site.is_(False)),
                or_(OutcomeRow.satisfaction.is_(None), OutcomeRow.satisfaction != "not_met"))
         .order_by(OutcomeRow.day, OutcomeRow.visit_id))
    return [_outcome(r) for r in session.scalars(q)]


def mark_followed_up(session: Session, day: date, district: str, visit_id: str, author: str,
                     notes: str = "") -> Outcome:
    """Record that the dispatcher's follow-up closed the case (the caller closes the tickets)."""
    row = _row(session, day, district, visit_id)
    if row is None:
        raise UserError(f"no outcome recorded for {visit_id} on {day} in {district}")
    if row.closed_on_site is True:
        raise UserError(f"{visit_id} on {day} was closed on site; there is nothing to follow up")
    if row.satisfaction == "not_met":
        raise UserError(f"the customer of {visit_id} was not met on {day}: the visit is planned again, "
                        f"not followed up (close its case with a reason if it is not to be visited)")
    if row.followed_up_at is not None:
        raise UserError(f"the follow-up of {visit_id} on {day} was closed by {row.followed_up_by}")
    notes = (notes or "").strip()
    if len(notes) > 4000:
        raise UserError("notes: at most 4000 characters")
    row.followed_up_at, row.followed_up_by, row.follow_up_notes = datetime.now(timezone.utc), author, notes
    session.flush()
    return _outcome(row)
