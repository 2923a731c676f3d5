"""Emptying a store, for ``cvp demo --reset``: the demo's figures hold only on a store
that holds nothing else (using the web app adds tickets, plans and outcomes).

Every table is emptied in one transaction, the schema and its migration mark
kept; the default embedded store is the only one emptied without ``force``,
so a production ``CVP_DATABASE_URL`` is never wiped by a demo command.
"""

from __future__ import annotations

import os

from sqlalchemy.orm import Session

from planner.errors import UserError
from planner.store.db import database_url, default_sqlite_path, describe, transaction


def is_default_store(url: str | None = None) -> bool:
    """True for the embedded SQLite file in ``$XDG_DATA_HOME/cvp`` (no ``CVP_DATABASE_URL``, or it names that file)."""
    url = url or database_url()
    return not os.environ.get("CVP_DATABASE_URL", "").strip() or url == f"sqlite:///{default_sqlite_path()}"


def empty_store(session: Session, *, force: bool = False) -> str:
    """Delete every row of the session's store; returns its description.

    Refused on any store but the default embedded one unless ``force``.
    """
    from planner.store.models import Base

    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    if not force and not is_default_store(url):
        raise UserError(f"--reset empties only the default embedded store, and CVP_DATABASE_URL names "
                        f"{describe(url)}: add --force to empty that one (everything in it is deleted)")
    with transaction(session):
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())
    return describe(url)
