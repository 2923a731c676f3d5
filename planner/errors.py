"""Errors that are the user's to fix, as opposed to bugs.

The CLI and the web app catch :class:`UserError` and show its message (never a
traceback); anything else is a bug and is allowed to surface.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class UserError(Exception):
    """A problem with the user's input or request, explained in ``str(self)``."""


class Reason(str):
    """A reason in English that remembers its message id and values.

    It *is* the English text (``Reason("time {value!r} is outside 1990–2100",
    value="1899-01-01")`` equals ``"time '1899-01-01' is outside 1990–2100"``), so
    files, logs, the CLI and the API show it unchanged; a user interface in another
    language translates ``msgid`` and formats it with ``values`` (``web/i18n.py``).
    A value that is itself a :class:`Reason` (a noun such as "VIP tier") is
    translated too.
    """

    msgid: str
    values: dict[str, Any]

    def __new__(cls, msgid: str, **values: Any) -> "Reason":
        values = {k: _shown(v) for k, v in values.items()}
        text = super().__new__(cls, msgid.format(**values) if values else msgid)
        text.msgid, text.values = msgid, values
        return text

    def __reduce__(self):  # keep msgid and values through copy and pickle
        return (_reason, (self.msgid, self.values))


#: how much of a value a reason repeats back: a refused megabyte is named, not echoed whole
SHOWN_MAX = 200


def _shown(value: Any) -> Any:
    """A long text value cut to :data:`SHOWN_MAX` characters (saying how long it was)."""
    if isinstance(value, str) and not isinstance(value, Reason) and len(value) > SHOWN_MAX:
        return f"{value[:SHOWN_MAX]}… ({len(value)} characters)"
    return value


def _reason(msgid: str, values: dict[str, Any]) -> Reason:
    return Reason(msgid, **values)


#: how a row error reads as one line of text (its parts translate on their own)
ROW_ERROR = "line {line}, column {column}: {reason}"


@dataclass(frozen=True)
class RowError:
    """One thing wrong with one row of an input file.  ``reason`` (and the placeholder
    columns "(row)" and "(file)") are :class:`Reason` texts where intake made them."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return ROW_ERROR.format(line=self.line, column=self.column, reason=self.reason)


class InvalidFileError(UserError):
    """A file whose rows did not validate; lists every bad row."""

    def __init__(self, path: str, errors: list[RowError], limit: int = 200):
        self.path = path
        self.errors = errors
        shown = "\n".join(f"  {e}" for e in errors[:limit])
        more = f"\n  … and {len(errors) - limit} more" if len(errors) > limit else ""
        super().__init__(
            f"{path}: {len(errors)} problem(s); nothing was imported.\n{shown}{more}\n"
            "Fix the rows above, or use --skip-invalid to import the good rows "
            "and write the rejects to a CSV."
        )


class NotFoundError(UserError):
    """What the request names does not exist, or is not the caller's to see (another
    district's records): both answer alike (404), so neither is revealed."""


class ForbiddenError(UserError):
    """The caller's role may not do this at all (403)."""


class BusyError(UserError):
    """The request is fine but has to wait its turn (429, try again shortly): the caller
    already has one like it running, or the server's slots for such work are full."""
