"""Errors that are the user's to fix, as opposed to bugs.

The CLI and the web app catch :class:`UserError` and show its message (never a
traceback); anything else is a bug and is allowed to surface.
"""

from __future__ import annotations

from dataclasses import dataclass


class UserError(Exception):
    """A problem with the user's input or request, explained in ``str(self)``."""


@dataclass(frozen=True)
class RowError:
    """One thing wrong with one row of an input file."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.reason}"


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
