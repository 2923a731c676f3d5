"""A file of field records typed in from a day's paper sheets (the sample day's
``outcomes.json``): each entry names its visit by the visit's first ticket and holds a
record in the API's shape (:func:`planner.field_record.read_record`).

The whole file is checked before anything is recorded: a wrong entry is a
:class:`~planner.errors.UserError` naming the file, the entry's line and the field.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from planner.errors import UserError
from planner.field_record import FieldRecord, read_record
from planner.triage.rules import Rules

#: most entries a file may hold (a district's day has a few dozen visits)
MAX_ENTRIES = 1000


def _line(text: str, ticket_id: str, index: int) -> int:
    """The line of the entry (found by its ticket id; else counted from its index)."""
    at = text.find(json.dumps(ticket_id, ensure_ascii=False)) if ticket_id else -1
    return text[:at].count("\n") + 1 if at >= 0 else index + 1


def read_outcomes_file(path: Path, rules: Rules, day: date) -> list[tuple[str, FieldRecord]]:
    """(first ticket id, record) of each entry, in the file's order."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{path.name}: cannot read it ({exc})") from None
    entries = data.get("outcomes") if isinstance(data, dict) else None
    if not isinstance(entries, list) or len(entries) > MAX_ENTRIES:
        raise UserError(f"{path.name}: expected {{\"outcomes\": [...]}} with at most {MAX_ENTRIES} entries")
    out = []
    for i, entry in enumerate(entries):
        ticket_id = entry.get("ticket_id") if isinstance(entry, dict) else None
        if not isinstance(ticket_id, str) or not ticket_id:
            raise UserError(f"{path.name}: entry {i + 1}: field ticket_id: the visit's first ticket id")
        try:
            record = read_record(entry, rules, day, also=("ticket_id",))
        except UserError as exc:
            raise UserError(f"{path.name}: line {_line(text, ticket_id, i)} ({ticket_id}): {exc}") from None
        out.append((ticket_id, record))
    return out
