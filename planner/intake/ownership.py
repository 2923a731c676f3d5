"""Which rows of a file the importing user may write: those of their own districts.

A dispatcher works for one district and sees only its tickets and staff; an import
must not be the way round that.  A row is refused (``line N, column 区域: reason``)
when it names a district the user does not hold, or when its id (ticket, worker,
network site) is already stored under such a district: otherwise a 北区 dispatcher
could rewrite a 南区 ticket, or move a 南区 worker into 北区 and so take them over.

A network site without a district serves every district's triage, so only an
administrator (or the operator at the command line) writes one.  ``allowed=None``
means any district: the operator's ``cvp import`` on the server, and admins.

This module decides from values alone; :func:`planner.workflow.import_file` reads the
stored districts and calls it in the same transaction as the write.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from planner.errors import Reason, RowError
from planner.intake.load import IntakeResult

#: the business id of each kind of record
ID_FIELDS = {"tickets": "ticket_id", "staff": "staff_id", "sites": "site_id"}
#: what a row error names when the file has no district column
DISTRICT_COLUMN = "区域/district"


def foreign_rows(result: IntakeResult, allowed: Collection[str] | None, stored: Mapping[str, str]) -> list[RowError]:
    """One error per record the user may not write; ``stored`` maps ids already in the
    store to their district."""
    if allowed is None or result.kind not in ID_FIELDS:
        return []
    id_field = ID_FIELDS[result.kind]
    column = result.header_of("district", DISTRICT_COLUMN)
    yours = ", ".join(sorted(allowed)) or "-"
    has_column = "district" in result.columns
    errors = []
    for record, source in zip(result.records, result.sources):
        key = getattr(record, id_field)
        before = stored.get(key)
        district = record.district if has_column else (before or "")
        if before is not None and before not in allowed:
            reason = (Reason("{value} belongs to district {district}, not yours ({yours})", value=key,
                             district=before, yours=yours) if before
                      else Reason("{value} is shared by every district; only an administrator changes it", value=key))
        elif district not in allowed:
            reason = (Reason("district {district} is not yours to import (yours: {yours})", district=district,
                             yours=yours) if district
                      else Reason("a network site without a district serves every district; only an administrator "
                                  "imports one"))
        else:
            continue
        errors.append(RowError(source.line, column, reason))
    return errors
