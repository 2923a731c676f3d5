"""One writer at a time for a named piece of work, held until the transaction ends.

Why: "read the latest, then write the next" (the next plan version, the tickets an
import adds) is only correct if nobody else does the same between the read and
the write.  Two planning requests or two imports of one file arrive at once in
practice (two dispatchers, a double click, a cron job and a person), and each
process must then see the other's committed rows, not fail on them.

:func:`serialise` is called as the first statement of such a transaction; the
reads that follow it see everything the previous holder committed.

* PostgreSQL: ``pg_advisory_xact_lock`` on a 64-bit number derived from the
  name; only work of the same name waits, and the lock goes with the
  transaction (commit, rollback, or a dead connection) -- it can never be left
  behind.  Under READ COMMITTED each later statement takes a fresh snapshot, so
  it sees the previous holder's rows.
* SQLite: the whole file has one writer at a time anyway; the transaction takes
  the write lock now (``BEGIN IMMEDIATE``) instead of at its first real write,
  after its reads.  Waiting is bounded by
  the connection's ``busy_timeout`` (:mod:`planner.store.db`); past it the
  caller gets SQLite's "database is locked", never a half-written result.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session


def lock_number(name: str) -> int:
    """A stable signed 64-bit number for ``name`` (PostgreSQL's advisory lock key)."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def serialise(db: Session | Connection, name: str) -> None:
    """Wait until no other transaction holds ``name``, then hold it until this one ends
    (``db``: the session or connection of the transaction)."""
    conn = db.connection() if isinstance(db, Session) else db
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:n)"), {"n": lock_number(name)})
    elif dialect == "sqlite":
        # Python's sqlite3 opens a transaction only at the first write, so one not yet
        # open holds no lock: open it now, taking the write lock.  One already open
        # began with a write and holds the write lock already.
        dbapi = conn.connection.dbapi_connection
        if dbapi is not None and not dbapi.in_transaction:  # None only on a closed connection
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:  # pragma: no cover - the store runs on SQLite and PostgreSQL only
        raise NotImplementedError(f"no lock for the {dialect} database")


def plan_lock(day, district: str) -> str:
    """The name under which a district's day gets its next plan version."""
    return f"plan:{district}:{day}"


def cases_lock(district: str) -> str:
    """The name under which a district's tickets get a new case: "is there a case for these
    tickets? if not, open one" is only right if nobody opens one between the two."""
    return f"cases:{district}"


def import_lock() -> str:
    """The name imports share: they read what is stored, then add or update it."""
    return "import"


def schema_lock() -> str:
    """The name under which a store's schema is brought to the newest revision."""
    return "schema"
