"""A plan as the dispatcher reads it in a terminal: one line per worker, then what is left over."""

from __future__ import annotations

from datetime import datetime

from planner.plan.document import Note, PlanDocument
from planner.triage.gifts import plan_gifts_line
from planner.triage.report import pad


def _hm(iso: str | None) -> str:
    return datetime.fromisoformat(iso).strftime("%H:%M") if iso else "--:--"


def outcome_text(status: str, n: int) -> str:
    """What the solver's status means for the dispatcher, with ``n`` visits unassigned.

    ``partial`` is not an unfinished search: the search ran its time and some
    visits did not fit (they are listed as unassigned).  The web page shows the
    same sentences translated (web/i18n.py).
    """
    if status == "no_solution":
        return "no feasible plan found within the time limit"
    if status == "partial" or n:
        return f"{n} visit{'s' if n != 1 else ''} could not be planned (listed below)"
    return "every visit planned"


def needs_new_appointment(plan: PlanDocument) -> list[tuple[str, Note]]:
    """(visit id, note) of the plan's visits whose appointment was for an earlier day."""
    items = [s for _r, s in plan.visit_steps()] + list(plan.unassigned)
    return [(v.visit_id or "", v.needs_new_appointment) for v in items if v.needs_new_appointment]


def plan_text(doc: PlanDocument | dict) -> str:
    plan = PlanDocument.of(doc)
    s = plan.summary
    lines = [f"{plan.date} {plan.district}: {s.assigned} of {s.visits} visits planned, "
             f"{s.unassigned} unassigned; travel {s.travel_min:.0f} min, waiting {s.wait_min:.0f} min, "
             f"on site {s.service_min:.0f} min",
             f"{outcome_text(s.status, s.unassigned)}; searched {s.solve_seconds:.1f} s", ""]
    lines.append(f"{pad('staff', 14)} {'visits':>6}  {'leave':>5}  {'lunch':>5}  {'back':>5}  {'travel':>6}  "
                 f"{'wait':>5}  {'onsite':>6}  stops")
    for r in plan.routes:
        steps = r.steps
        lunch = r.step_of_type("break")
        wait = sum(st.wait_min for st in steps if st.type != "start")
        onsite = sum(st.service_min for st in r.visit_steps)
        stops = " ".join(st.visit_id or "" for st in r.visit_steps)
        leave, back = (steps[0].end, steps[-1].arrival) if steps else (None, None)
        lines.append(f"{pad(r.staff_id + ' ' + r.staff_name, 14)} {r.visits:>6}  {_hm(leave)}  "
                     f"{_hm(lunch.start if lunch else None)}  {_hm(back)}  "
                     f"{r.travel_min:>6.0f}  {wait:>5.0f}  {onsite:>6.0f}  {stops}")
    if plan.unassigned:
        lines += ["", "未安排 unassigned (carried over to the next day with higher priority):"]
        for u in plan.unassigned:
            lines.append(f"  {u.visit_id}  P{u.priority}  {u.reason}: {u.explanation}"
                         + (f" ({u.detail})" if u.detail else ""))
    renew = needs_new_appointment(plan)
    if renew:
        lines += ["", "需重新预约 needs a new appointment (planned without the old window; phone the customer):"]
        lines += [f"  {vid}  {note.zh} / {note.en}" for vid, note in renew]
    if s.gifts:
        lines += ["", plan_gifts_line(s.gifts)]
    for w in s.warnings:
        lines.append(f"warning: {w}")
    return "\n".join(lines)


def changes_text(doc: PlanDocument | dict) -> list[str]:
    """After a re-plan: who took which visit, and which visits were dropped to make room."""
    plan = PlanDocument.of(doc)
    changes = plan.summary.changes
    if changes is None:
        return []
    absent = set(plan.replanned_from.absent if plan.replanned_from else ())
    moved = [c for c in changes if c.to]
    dropped = [c for c in changes if not c.to]
    lines = ["", "changes since the previous version:" if changes else "no visit changed worker or was dropped"]

    def who(sid: str) -> str:
        return f"{sid} (absent)" if sid in absent else sid

    for c in moved:
        lines.append(f"  {c.visit_id}: {who(c.from_)} -> {c.to}")
    for c in dropped:
        why = c.explanation_en or c.reason or "carried over to the next day"
        lines.append(f"  {c.visit_id}: {who(c.from_)} -> dropped: {why}")
    return lines
