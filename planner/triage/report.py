"""Triage results as JSON (``cvp triage --json``) and as a dispatcher's text table."""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path
from typing import Any

from planner.errors import UserError
from planner.records import Visit
from planner.triage.engine import TriageResult
from planner.triage.rules import Rules


def _iso(dt) -> str | None:
    return dt.isoformat() if dt else None


def visit_json(v: Visit, rules: Rules) -> dict[str, Any]:
    return {
        "visit_id": v.visit_id,
        "ticket_ids": list(v.ticket_ids),
        "reasons": list(v.reasons),
        "reason_labels": [rules.label("selection", r) for r in v.reasons],
        "customer_type": v.customer_type,
        "customer_type_label": rules.label("customer_types", v.customer_type),
        "scenario": v.scenario,
        "scenario_label": rules.label("scenarios", v.scenario),
        "priority": v.priority,
        "service_min": v.service_min,
        "lat": v.lat,
        "lon": v.lon,
        "address": v.address,
        "time_window": [_iso(v.time_window[0]), _iso(v.time_window[1])] if v.time_window else None,
        "measures": v.extra.get("measures", {}),
        "gift": v.gift,
        "gift_group": v.extra.get("gift_group"),
        "closable_on_site": v.closable_on_site,
        "vip_level": v.vip_level,
        "required_skills": list(v.required_skills),
        "carried_over_days": v.carried_over_days,
        "back_because": v.back_because or None,
        "case_id": v.case_id,
        "planned_site": {"site_id": v.planned_site.site_id, "name": v.planned_site.name,
                         "status": v.planned_site.status,
                         "expected_date": v.planned_site.expected_date.isoformat()
                         if v.planned_site.expected_date else None} if v.planned_site else None,
        "overrides": list(v.overrides),
        "fired_rules": [{"rule": f.rule, "ticket_id": f.ticket_id, "detail": f.detail} for f in v.fired_rules],
    }


def triage_json(result: TriageResult, rules: Rules) -> dict[str, Any]:
    return {
        "date": result.date.isoformat(),
        "district": result.district,
        "rules_version": result.rules_version,
        "shift_start": result.shift_start.isoformat(),
        "visits": [visit_json(v, rules) for v in result.visits],
        "phone_followups": [{"ticket_id": f.ticket_id, "why": f.why, "why_code": f.why_code,
                             **({"case_id": f.case_id} if f.case_id is not None else {})}
                            for f in result.phone_followups],
        "gifts": result.gifts.to_json() if result.gifts else None,
    }


def check_output_path(path: str | os.PathLike) -> Path:
    """Refuse, before any work, an output file that cannot be written: a missing folder,
    a folder in its place, or no permission."""
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        raise UserError(f"{path}: this is a folder; give a file name for the JSON, e.g. {target / 'triage.json'}")
    if not folder.is_dir():
        raise UserError(f"{path}: the folder {folder} does not exist; create it or write the JSON elsewhere")
    if not os.access(folder, os.W_OK | os.X_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise UserError(f"{path}: no permission to write there; choose another place for the JSON")
    return target


def write_triage_json(result: TriageResult, rules: Rules, path: str | os.PathLike) -> None:
    """The triage JSON written whole or not at all (:mod:`planner.outputs_io`)."""
    from planner.outputs_io import atomic_write_text, write_all

    target = check_output_path(path)
    text = json.dumps(triage_json(result, rules), ensure_ascii=False, indent=2)
    write_all([([target], lambda: atomic_write_text(target, text))])


def pad(text: str, width: int) -> str:
    """Left-justify counting CJK characters as two columns, as terminals draw them."""
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - shown)


def triage_text(result: TriageResult, rules: Rules) -> str:
    """A compact table a dispatcher reads in a terminal."""
    lines = [f"{result.date} {result.district}: {len(result.visits)} visits, "
             f"{len(result.phone_followups)} phone follow-ups (rules {result.rules_version})"]
    if result.gifts:
        lines.append(result.gifts.line())
    lines.append("")
    lines.append(f"{'P':>2}  {pad('visit', 24)} {pad('type', 14)} {pad('scenario', 10)} {'min':>3}  "
                 f"{pad('window', 11)}  reasons / tickets")
    for v in result.visits:
        window = f"{v.time_window[0]:%H:%M}-{v.time_window[1]:%H:%M}" if v.time_window else "any"
        if v.time_window and v.time_window[0].astimezone(rules.tz).date() != result.date:
            window = f"past {v.time_window[0].astimezone(rules.tz):%m-%d}"  # agreed for another day: call again
        reasons = ",".join(rules.label("selection", r) for r in v.reasons)
        mark = " *override" if v.overrides else ""
        lines.append(f"{v.priority:>2}  {pad(v.visit_id, 24)} {pad(rules.label('customer_types', v.customer_type), 14)}"
                     f" {pad(rules.label('scenarios', v.scenario), 10)} {v.service_min:>3}  {pad(window, 11)}  "
                     f"{reasons} [{' '.join(v.ticket_ids)}]{mark}")
    back = [v for v in result.visits if v.back_because]
    if back:
        lines += ["", "再次安排 back on the list:"]
        lines += [f"  {v.visit_id}  {v.back_because}" for v in back]
    if result.phone_followups:
        lines += ["", "电话回访 phone follow-ups:"]
        lines += [f"  {f.ticket_id}  {f.why}" for f in result.phone_followups]
    return "\n".join(lines)
