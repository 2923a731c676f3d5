"""Who is off on a given day: the dispatcher's roster for the day.

Planning passes these staff ids to :func:`planner.plan.day.plan_day` as ``absent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from planner.errors import UserError
from planner.store.models import AbsenceRow, StaffRow


@dataclass(frozen=True)
class Absence:
    day: date
    staff_id: str
    reason: str
    author: str


def staff_in(session: Session, staff_id: str, district: str | None = None) -> StaffRow | None:
    """The roster's staff member with this id (in ``district`` when given), else None."""
    q = select(StaffRow).where(StaffRow.staff_id == staff_id)
    if district is not None:
        q = q.where(StaffRow.district == district)
    return session.scalars(q).first()


def set_absent(session: Session, day: date, staff_id: str, reason: str = "", author: str = "",
               district: str | None = None) -> Absence:
    """Mark a staff member off for the day (again: the reason is updated)."""
    if staff_in(session, staff_id, district) is None:
        where = f" in {district}" if district else ""
        raise UserError(f"no staff member {staff_id!r}{where}")
    reason = (reason or "").strip()[:128]
    row = session.scalars(select(AbsenceRow).where(AbsenceRow.day == day, AbsenceRow.staff_id == staff_id)).first()
    if row is None:
        row = AbsenceRow(day=day, staff_id=staff_id, reason=reason, author=author)
        session.add(row)
    else:
        row.reason, row.author = reason, author
    return Absence(day, staff_id, reason, author)


def clear_absent(session: Session, day: date, staff_id: str, district: str | None = None) -> bool:
    """Back on duty; False when the person was not marked absent (or, with ``district``,
    is not that district's: another district's absence is never touched)."""
    if district is not None and staff_in(session, staff_id, district) is None:
        return False
    done = session.execute(delete(AbsenceRow).where(AbsenceRow.day == day, AbsenceRow.staff_id == staff_id))
    return done.rowcount > 0


def absences_on(session: Session, day: date, staff_ids: list[str] | None = None) -> dict[str, Absence]:
    q = select(AbsenceRow).where(AbsenceRow.day == day)
    if staff_ids is not None:
        q = q.where(AbsenceRow.staff_id.in_(staff_ids))
    return {r.staff_id: Absence(r.day, r.staff_id, r.reason, r.author)
            for r in session.scalars(q.order_by(AbsenceRow.staff_id))}
