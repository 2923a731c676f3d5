"""What happened at each stop, as the field worker records it (the sheet's boxes, online).

One outcome per visit of a district's day; recording again replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import select
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


def _outcome(r: OutcomeRow) -> Outcome:
    return Outcome(r.day, r.district, r.visit_id, r.staff_id, r.plan_version, r.arrived_at, dict(r.network_tests or {}),
                   r.closed_on_site, r.satisfaction, r.notes, r.recorded_by, r.recorded_at)


def record_outcome(session: Session, *, day: date, district: str, visit_id: str, staff_id: str, plan_version: int,
                   recorded_by: str, arrived_at: datetime | None = None, network_tests: dict[str, Any] | None = None,
                   closed_on_site: bool | None = None, satisfaction: str | None = None, notes: str = "") -> Outcome:
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
                  recorded_at=datetime.now(timezone.utc))
    row = session.scalars(select(OutcomeRow).where(OutcomeRow.day == day, OutcomeRow.district == district,
                                                   OutcomeRow.visit_id == visit_id)).first()
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
