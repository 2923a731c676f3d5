"""A plan as the dispatcher reads it in a terminal: one line per worker, then what is left over."""

from __future__ import annotations

from datetime import datetime

from planner.triage.gifts import plan_gifts_line
from planner.triage.report import pad


def _hm(iso: str | None) -> str:
    return datetime.fromisoformat(iso).strftime("%H:%M") if iso else "--:--"


def plan_text(doc: dict) -> str:
    s = doc["summary"]
    lines = [f"{doc['date']} {doc['district']}: {s['assigned']} of {s['visits']} visits planned, "
             f"{s['unassigned']} unassigned; travel {s['travel_min']:.0f} min, waiting {s['wait_min']:.0f} min, "
             f"on site {s['service_min']:.0f} min ({s['status']}, {s['solve_seconds']:.1f} s)", ""]
    lines.append(f"{pad('staff', 14)} {'visits':>6}  {'leave':>5}  {'lunch':>5}  {'back':>5}  {'travel':>6}  "
                 f"{'wait':>5}  {'onsite':>6}  stops")
    for r in doc["routes"]:
        steps = r["steps"]
        lunch = next((st for st in steps if st["type"] == "break"), None)
        wait = sum(st["wait_min"] for st in steps if st["type"] != "start")
        onsite = sum(st["service_min"] for st in steps if st["type"] == "visit")
        stops = " ".join(st["visit_id"] for st in steps if st["type"] == "visit")
        lines.append(f"{pad(r['staff_id'] + ' ' + r['staff_name'], 14)} {r['visits']:>6}  {_hm(steps[0]['end'])}  "
                     f"{_hm(lunch['start'] if lunch else None)}  {_hm(steps[-1]['arrival'])}  "
                     f"{r['travel_min']:>6.0f}  {wait:>5.0f}  {onsite:>6.0f}  {stops}")
    if doc["unassigned"]:
        lines += ["", "未安排 unassigned (carried over to the next day with higher priority):"]
        for u in doc["unassigned"]:
            lines.append(f"  {u['visit_id']}  P{u['priority']}  {u['reason']}: {u['explanation']}"
                         + (f" ({u['detail']})" if u.get("detail") else ""))
    if s.get("gifts"):
        lines += ["", plan_gifts_line(s["gifts"])]
    for w in s.get("warnings", []):
        lines.append(f"warning: {w}")
    return "\n".join(lines)
