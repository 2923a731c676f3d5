"""The district's roster for one day: who is on duty, who is off, and whom a visit may be
pinned to.

The dispatcher marks people absent for a day (:func:`set_absence`, stored by
:mod:`planner.store.absences`); planning leaves them out however it is started,
since :func:`planner.plan.day.plan_day` takes its staff from :func:`on_duty_staff`
and a re-plan takes the day's absences from :func:`absent_on`.
Who may do that is decided here, not in a view: a dispatcher only for the staff of
its own district, an administrator for any district it names; everyone else is
refused, and the check comes before anything is written.  A staff member the
roster marks inactive is off every day.  The web pages, the API and the CLI
read the day's roster from here, so "on duty" means the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from planner.actor import OPERATOR, Actor
from planner.errors import ForbiddenError, NotFoundError, Reason, UserError
from planner.intake.lengths import check_text
from planner.records import StaffMember
from planner.store import absences as absence_store
from planner.store import accounts
from planner.store import repository as repo
from planner.store.db import transaction


@dataclass(frozen=True)
class RosterLine:
    """One staff member on one day."""

    staff: StaffMember
    absent: bool  # marked absent for the day, or inactive on the roster
    reason: str = ""

    @property
    def on_duty(self) -> bool:
        return not self.absent


def day_roster(s: Session, day: date, district: str) -> list[RosterLine]:
    """Every staff member of the district, in staff-id order, with the day's absences."""
    with transaction(s):
        staff = repo.staff_for(s, district)
        off = absence_store.absences_on(s, day, district)
    return [RosterLine(m, m.staff_id in off or not m.active, off[m.staff_id].reason if m.staff_id in off else "")
            for m in staff]


def absent_on(session: Session, day: date, district: str) -> list[str]:
    """The active staff marked absent for the day: what planning passes as ``absent``
    (inactive staff are left out by planning anyway)."""
    return [line.staff.staff_id for line in day_roster(session, day, district) if line.absent and line.staff.active]


def on_duty(session: Session, day: date, district: str) -> list[StaffMember]:
    """The staff the day's roster has on duty (possibly nobody): active, not marked absent."""
    return [line.staff for line in day_roster(session, day, district) if line.on_duty]


def on_duty_staff(session: Session, day: date, district: str,
                  absent: tuple[str, ...] | list[str] = ()) -> list[StaffMember]:
    """The staff a plan of the district's day routes: those the day's roster has on duty
    (:func:`on_duty`: active, not marked absent with :func:`set_absence`), less ``absent``
    (staff ids a command names as off, ``cvp plan --absent``).

    ``cvp plan``, ``cvp demo`` and the web app's plan button all plan through this, so a
    worker the dispatcher marked absent on the roster page is left out whichever way the
    day is planned.  An ``absent`` id that is not an active member of the district's
    roster is a :class:`UserError` (a typo must not plan with the person in), and so is
    a day with nobody left on duty: no plan is made."""
    lines = [line for line in day_roster(session, day, district) if line.staff.active]
    unknown = set(absent) - {line.staff.staff_id for line in lines}
    if unknown:
        raise UserError(f"--absent {', '.join(sorted(unknown))}: not on the {district} roster "
                        f"({', '.join(line.staff.staff_id for line in lines) or 'no staff imported'})")
    duty = [line.staff for line in lines if line.on_duty and line.staff.staff_id not in absent]
    if not duty:
        why = (f"everyone on its roster ({', '.join(line.staff.staff_id for line in lines)}) is absent" if lines
               else "its roster has no active staff: import one with `cvp import staff.csv`")
        raise UserError(f"nobody is on duty in {district}: {why}; no plan was made")
    return duty



#: the roles that may change a day's roster (a dispatcher only its own district's; the
#: command line's operator and an administrator any district)
ROSTER_ROLES = ("dispatcher", "admin", OPERATOR)
NO_SUCH_STAFF = "no staff member {staff} in {district}"


def check_roster_access(actor: Actor, district: str) -> None:
    """The actor may change the district's roster, else :class:`ForbiddenError` (a role
    that never may; a deactivated account has none) or :class:`NotFoundError` (another
    district's: not revealed)."""
    if actor is None or actor.role not in ROSTER_ROLES:
        raise ForbiddenError(f"{getattr(actor, 'username', 'nobody')}: only a dispatcher or an administrator "
                             "changes the roster")
    if not actor.holds(district):
        raise NotFoundError(Reason("no district {district}", district=district))


def set_absence(session: Session, actor: Actor, day: date, district: str, staff_id: str, absent: bool,
                reason: str = "", **audit_details) -> RosterLine:
    """Mark a staff member of the district absent for the day, or back on duty, as
    ``actor`` (audited in the same transaction); returns the member's roster line.

    The actor's right to the district and the member's belonging to it are checked
    before anything is written: an unknown id and another district's member both give
    :class:`NotFoundError`, and nothing changes."""
    check_roster_access(actor, district)
    staff_id = check_text("staff_id", (staff_id or "").strip())
    reason = check_text("reason", (reason or "").strip())  # the store's column: refused, never cut or crashed
    with transaction(session) as s:
        if absence_store.staff_in(s, staff_id, district) is None:
            raise NotFoundError(Reason(NO_SUCH_STAFF, staff=repr(staff_id), district=district))
        if absent:
            absence_store.set_absent(s, day, district, staff_id, reason, actor.username)
        else:
            absence_store.clear_absent(s, day, district, staff_id)
        accounts.audit(s, actor.username, "absence", staff_id,
                       {"day": day.isoformat(), "district": district, "absent": absent, "reason": reason,
                        **audit_details})
    return next(line for line in day_roster(session, day, district) if line.staff.staff_id == staff_id)


def check_pins(session: Session, day: date, district: str, pins: dict[str, str]) -> dict[str, str]:
    """The pins (visit id → staff id) with empty choices dropped; a pin to someone who is
    not on duty that day is refused, naming the visit and the person."""
    pins = {str(v): str(s) for v, s in (pins or {}).items() if s}
    if not pins:
        return {}
    duty = {m.staff_id for m in on_duty(session, day, district)}
    wrong = sorted((v, s) for v, s in pins.items() if s not in duty)
    if wrong:
        listed = ", ".join(f"{v} → {s}" for v, s in wrong)
        raise UserError(f"pins: {listed}: not on duty on {day} in {district} "
                        f"(on duty: {', '.join(sorted(duty)) or 'nobody'})")
    return pins
