"""Which rows of a file the importing user may write: those of their own districts.

A dispatcher works for one district and sees only its tickets and staff; an import
must not be the way round that.  A row is refused (``line N, column 区域: reason``)
when it names a district the user does not hold.  Ids are the district's own (the
store keys a ticket, worker or site by district and id), so a row of the user's
district can never reach another district's record of the same id, nor take an id
before the district that will need it.

A network site without a district serves every district's triage, so only an
administrator (or the operator at the command line) writes one.  ``allowed=None``
means any district: the operator's ``cvp import`` on the server, and admins.
"""

from __future__ import annotations

from collections.abc import Collection

from planner.errors import Reason, RowError
from planner.intake.load import IntakeResult

#: the kinds of record that belong to a district
OWNED_KINDS = ("tickets", "staff", "sites")
#: what a row error names when the file has no district column
DISTRICT_COLUMN = "区域/district"


def foreign_rows(result: IntakeResult, allowed: Collection[str] | None) -> list[RowError]:
    """One error per record the user may not write."""
    if allowed is None or result.kind not in OWNED_KINDS:
        return []
    column = result.header_of("district", DISTRICT_COLUMN)
    yours = ", ".join(sorted(allowed)) or "-"
    errors = []
    for record, source in zip(result.records, result.sources, strict=True):
        district = record.district or ""
        if district in allowed:
            continue
        reason = (Reason("district {district} is not yours to import (yours: {yours})", district=district,
                         yours=yours) if district
                  else Reason("a network site without a district serves every district; only an administrator "
                              "imports one"))
        errors.append(RowError(source.line, column, reason))
    return errors
