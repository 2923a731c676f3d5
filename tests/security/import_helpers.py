"""Files made from the fixture day's rows, a store seeded with it, and a fingerprint of
everything an import could change."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import FIXTURE_DAY
from tests.store_calls import in_store


def rows_of(name: str) -> tuple[list[str], list[dict[str, str]]]:
    """The fixture file's header and rows (by header), whatever its encoding."""
    raw = (FIXTURE_DAY / name).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def row_of(name: str, key: str) -> dict[str, str]:
    """The fixture row whose first column is ``key``."""
    header, rows = rows_of(name)
    return next(dict(r) for r in rows if r[header[0]] == key)


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def seed(url: str | None) -> None:
    """The fixture day's tickets (with the gazetteer), roster and network plan."""
    from planner.workflow import import_file

    in_store(import_file, FIXTURE_DAY / "tickets.csv", gazetteer=FIXTURE_DAY / "gazetteer.csv", database=url)
    in_store(import_file, FIXTURE_DAY / "staff.csv", database=url)
    in_store(import_file, FIXTURE_DAY / "network.csv", database=url)


def fingerprint(url: str | None) -> dict:
    """Every stored ticket, worker and site, all columns but the row id: equal before and
    after means the import changed nothing."""
    from planner.store.db import session_scope
    from planner.store.models import SiteRow, StaffRow, TicketRow

    out = {}
    with session_scope(url) as s:
        for model in (TicketRow, StaffRow, SiteRow):
            cols = [c for c in model.__table__.columns if c.name != "id"]
            out[model.__tablename__] = sorted(tuple(map(repr, r)) for r in s.execute(select(*cols)))
    return out


def stored(url: str | None, model_name: str, key: str, district: str | None = None):
    """One stored row (detached), by business id (and district, where two districts
    have the id)."""
    from planner.store import models
    from planner.store.db import session_scope

    model = getattr(models, model_name)
    key_col = {"TicketRow": model.__table__.c.get("ticket_id"), "StaffRow": model.__table__.c.get("staff_id"),
               "SiteRow": model.__table__.c.get("site_id")}[model_name]
    with session_scope(url) as s:
        query = select(model).where(key_col == key)
        if district is not None:
            query = query.where(model.district == district)
        row = s.scalars(query).one()
        s.expunge(row)
        return row


STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def store_for(request) -> str | None:
    """None (the test's own SQLite store) or a fresh PostgreSQL one, seeded."""
    url = request.getfixturevalue("fresh_postgres") if request.param == "postgres" else None
    seed(url)
    return url
