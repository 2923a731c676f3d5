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
  ticket id ends up in URLs and HTTP headers;
* no bidirectional overrides or isolates (U+202A–U+202E, U+2066–U+2069) anywhere: they
  make a page or a route sheet show text in another order than it is stored;
* no invisible format characters at all (Unicode category Cf: zero-width space,
  BOM …) in identifiers (:data:`IDENTIFIERS`): ``N1`` and ``N1\u200b`` look the same
  but are two people.

The API's text fields (an absence's reason, an outcome's notes …) are checked by the
same rule through :func:`check_text`, with their own store columns.
"""

from __future__ import annotations

import re
import unicodedata

from planner.errors import Reason, UserError
from planner.store.models import AbsenceRow, OutcomeRow, OverrideRow, SiteRow, StaffRow, TicketRow

#: characters of free text (an address, a complaint's description): a page of text
FREE_TEXT_MAX = 4_000
#: fields whose text may hold line breaks and tabs
#: (``note``: a case event's note, which holds a visit outcome's notes as the worker typed them)
#: (``problem``, ``requests``, ``measure``: what a visit's record says the customer raised and was done)
FREE_TEXT = frozenset({"address", "description", "notes", "follow_up_notes", "note", "problem", "requests",
                       "measure"})
#: identifiers: no format character (Cf) at all, visible or not
IDENTIFIERS = frozenset({"ticket_id", "staff_id", "site_id", "district", "visit_id"})

#: the stored column of each field that is stored as written, by kind of file
_STORED_AS_WRITTEN = {
    "tickets": (TicketRow, ("ticket_id", "customer_name", "district", "category", "address", "description")),
    "staff": (StaffRow, ("staff_id", "name", "district", "skills", "base_name")),
    "sites": (SiteRow, ("site_id", "district", "name")),
    "gazetteer": (TicketRow, ("address",)),  # a gazetteer's address is matched to tickets' addresses
    # what the API and the pages store as written
    "absences": (AbsenceRow, ("staff_id", "reason")),
    "outcomes": (OutcomeRow, ("visit_id", "satisfaction", "notes", "follow_up_notes", "problem", "requests", "measure",
                              "gift_item")),
    "overrides": (OverrideRow, ("ticket_id", "field", "value")),
}

_CONTROL_FREE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029\ud800-\udfff]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


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
    bidi = _BIDI.search(value)
    if bidi:
        return "a text direction override (U+{code:04X}) is not allowed", {"code": ord(bidi.group())}
    if field in IDENTIFIERS:
        for ch in value:
            if unicodedata.category(ch) == "Cf":
                return "an invisible format character (U+{code:04X}) is not allowed in an id", {"code": ord(ch)}
    return None


def check_text(field: str, value: str, limit: int | None = None, *, name: str | None = None) -> str:
    """``value`` if it may be stored as ``field`` (the intake's rule above, the store
    column's length unless ``limit``), else :class:`UserError` naming it (``name``: as
    the request calls it, where that differs): what the API and the pages check every
    text they store against."""
    found = text_problem(field, value, max_length(field) if limit is None else limit)
    if found:
        message, values = found
        raise UserError(Reason("{field}: {problem}", field=name or field, problem=Reason(message, **values)))
    return value
