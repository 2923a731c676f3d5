"""Who is off on a given day: the dispatcher's roster for the day.

Planning passes these staff ids to :func:`planner.plan.day.plan_day` as ``absent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from planner.errors import UserError
from planner.store.db import changed_rows
from planner.store.models import AbsenceRow, StaffRow


@dataclass(frozen=True)
class Absence:
    day: date
    staff_id: str
    reason: str
    author: str


def staff_in(session: Session, staff_id: str, district: str) -> StaffRow | None:
    """The district's staff member with this id, else None."""
    return session.scalars(select(StaffRow).where(StaffRow.district == district,
                                                  StaffRow.staff_id == staff_id)).first()


def set_absent(session: Session, day: date, district: str, staff_id: str, reason: str = "",
               author: str = "") -> Absence:
    """Mark a staff member of the district off for the day (again: the reason is updated)."""
    if staff_in(session, staff_id, district) is None:
        raise UserError(f"no staff member {staff_id!r} in {district}")
    reason = (reason or "").strip()[:128]
    row = session.scalars(select(AbsenceRow).where(AbsenceRow.day == day, AbsenceRow.district == district,
                                                   AbsenceRow.staff_id == staff_id)).first()
    if row is None:
        row = AbsenceRow(day=day, district=district, staff_id=staff_id, reason=reason, author=author)
        session.add(row)
    else:
        row.reason, row.author = reason, author
    return Absence(day, staff_id, reason, author)


def clear_absent(session: Session, day: date, district: str, staff_id: str) -> bool:
    """Back on duty; False when the person was not marked absent."""
    done = changed_rows(session, delete(AbsenceRow).where(AbsenceRow.day == day, AbsenceRow.district == district,
                                                    AbsenceRow.staff_id == staff_id))
    return done > 0


def absences_on(session: Session, day: date, district: str) -> dict[str, Absence]:
    """The district's absences of the day, by staff id."""
    q = select(AbsenceRow).where(AbsenceRow.day == day, AbsenceRow.district == district)
    return {r.staff_id: Absence(r.day, r.staff_id, r.reason, r.author)
            for r in session.scalars(q.order_by(AbsenceRow.staff_id))}
