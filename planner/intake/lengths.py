"""How long, and what characters, each imported text may be: one definition, the store's.

SQLite stores any text in any column; PostgreSQL refuses a value longer than its
``VARCHAR(n)`` and any NUL byte, so a file that imported on a laptop crashed the
production import.  Intake therefore checks every value against the column it
will be stored in, taken from :mod:`planner.store.models` (never a repeated
number), and the same on both stores:

* fields stored as written (ids, names, districts, category, skills): at most the
  column's length; free text stored in ``TEXT`` columns (address, description):
  at most :data:`FREE_TEXT_MAX` characters;
* every other field is parsed (times, numbers, phone numbers, choices) and its
  parsed value is short; its text is still bounded by :data:`FREE_TEXT_MAX`;
* no control characters anywhere (NUL, escape …), no lone surrogates (a JSON
  ``\\ud800`` escape), and no line breaks except in free text: a line break in a
  ticket id ends up in URLs and HTTP headers.
"""

from __future__ import annotations

import re

from planner.store.models import SiteRow, StaffRow, TicketRow

#: characters of free text (an address, a complaint's description): a page of text
FREE_TEXT_MAX = 4_000
#: fields whose text may hold line breaks and tabs
FREE_TEXT = frozenset({"address", "description"})

#: the stored column of each field that is stored as written, by kind of file
_STORED_AS_WRITTEN = {
    "tickets": (TicketRow, ("ticket_id", "customer_name", "district", "category", "address", "description")),
    "staff": (StaffRow, ("staff_id", "name", "district", "skills", "base_name")),
    "sites": (SiteRow, ("site_id", "district")),
    "gazetteer": (TicketRow, ("address",)),  # a gazetteer's address is matched to tickets' addresses
}

_CONTROL_FREE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029\ud800-\udfff]")


def _column_length(table, field: str) -> int:
    length = getattr(table.__table__.columns[field].type, "length", None)
    return length or FREE_TEXT_MAX


def _max_lengths() -> dict[str, int]:
    """Field → the most characters its text may have.  A field name means the same in
    every kind of file (a district is a district), so the shortest column wins."""
    out: dict[str, int] = {}
    for table, fields in _STORED_AS_WRITTEN.values():
        for f in fields:
            out[f] = min(out.get(f, FREE_TEXT_MAX), _column_length(table, f))
    return out


#: field → most characters, for the fields stored as written; others: FREE_TEXT_MAX
MAX_LENGTHS: dict[str, int] = _max_lengths()


def max_length(field: str) -> int:
    return MAX_LENGTHS.get(field, FREE_TEXT_MAX)


def text_problem(field: str, value: str, limit: int) -> tuple[str, dict] | None:
    """(message id, values) of what is wrong with ``value`` for ``field``, or None."""
    if len(value) > limit:
        return "{length} characters; at most {limit}", {"length": len(value), "limit": limit}
    if value.isprintable():  # the common case, in C: no control, line break or surrogate
        return None
    bad = (_CONTROL_FREE if field in FREE_TEXT else _CONTROL_LINE).search(value)
    if bad:
        ch = bad.group()
        if ch in "\r\n\x85\u2028\u2029":
            return "a line break is not allowed here", {}
        return "a control character (U+{code:04X}) is not allowed", {"code": ord(ch)}
    return None
