"""Turning raw rows into records, collecting every problem instead of the first.

A :class:`RowReader` wraps one raw row: each ``get`` parses one canonical
field with a parser from :mod:`planner.intake.values` and, on failure, notes
``line N, column <the user's header>: reason`` and returns ``None``, so one
pass over a row reports all of its problems.  Before any field is parsed, every
field's text is checked against what the store can hold
(:mod:`planner.intake.lengths`), so SQLite and PostgreSQL accept the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from planner.errors import Reason, RowError
from planner.intake.lengths import max_length, text_problem
from planner.intake.readers import RawRow


class RowReader:
    def __init__(self, row: RawRow, fields_to_headers: dict[str, str]):
        self.row = row
        self.headers = fields_to_headers
        self.errors: list[RowError] = []
        #: fields whose text cannot be stored (too long, control characters): reported once
        self.bad: set[str] = set()
        by_header = {h: f for f, h in fields_to_headers.items()}
        for header, reason in row.problems:
            self.errors.append(RowError(row.line, header, reason))
            if header in by_header:
                self.bad.add(by_header[header])
        for field in fields_to_headers:
            if field in self.bad:
                continue
            found = text_problem(field, self.raw(field), max_length(field))
            if found is not None:
                self.fail(field, Reason(found[0], **found[1]))
                self.bad.add(field)

    def column(self, field: str) -> str:
        """The user's own header for a field (what error messages name)."""
        return self.headers.get(field, field)

    def raw(self, field: str) -> str:
        header = self.headers.get(field)
        return self.row.values.get(header, "").strip() if header else ""

    def fail(self, field: str, reason: str) -> None:
        self.errors.append(RowError(self.row.line, self.column(field), reason))

    def get(self, field: str, parse: Callable[[str], Any] | None = None, *, required: bool = False,
            default: Any = None) -> Any:
        if field in self.bad:
            return default
        text = self.raw(field)
        if not text:
            if required:
                self.fail(field, Reason("missing required value"))
            return default
        if parse is None:
            return text
        try:
            return parse(text)
        except ValueError as exc:
            given = exc.args[0] if exc.args else ""
            self.fail(field, given if isinstance(given, Reason) else str(exc))
            return default
