"""What a plan says to the dispatcher about a visit, in Chinese and English, from the rules file.

The texts live in the rules (``unassigned_reasons``, ``visit_notes``) so a
district can word them its own way; this module is the one place that reads
them, so a page, a sheet, the map and the terminal all say the same thing.
A rules file of an older shape (one Chinese string per reason) still works:
the English half then falls back to the reason code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from planner.triage.rules import Rules

APPOINTMENT_EXPIRED = "appointment_expired"


def _pair(entry: dict[str, str] | None, code: str) -> dict[str, str]:
    entry = entry or {}
    return {"zh": entry.get("zh") or entry.get("en") or code, "en": entry.get("en") or code}


def reason_texts(rules: Rules, code: str) -> dict[str, str]:
    """``{"zh": ..., "en": ...}`` for an unassigned reason code."""
    return _pair(rules.unassigned_reasons.get(code), code)


def appointment_expired_note(rules: Rules, window: tuple[datetime, datetime]) -> dict[str, Any]:
    """The note on a visit whose confirmed appointment was for an earlier day."""
    day = window[0].astimezone(rules.tz).strftime("%m-%d")
    texts = _pair(rules.visit_notes.get(APPOINTMENT_EXPIRED),
                  "appointment of {day} has passed; a new appointment is needed")
    return {"code": APPOINTMENT_EXPIRED, "zh": texts["zh"].format(day=day), "en": texts["en"].format(day=day),
            "expired_window": [window[0].isoformat(timespec="seconds"), window[1].isoformat(timespec="seconds")]}
