"""Where the data lives, and keeping its schema current.

The default store is an SQLite file in the user's data folder
(``$XDG_DATA_HOME/cvp/cvp.sqlite3``, i.e. ``~/.local/share/cvp/cvp.sqlite3``),
created on first use; ``CVP_DATABASE_URL`` (any SQLAlchemy URL, e.g.
``postgresql+psycopg://user@host/db``) selects another database.  Every
connection first brings the schema to the newest Alembic revision, so a user
never runs a separate migration step.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Executable, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from planner.errors import UserError
from planner.store.locks import schema_lock, serialise

MIGRATIONS = Path(__file__).with_name("migrations")


def default_sqlite_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cvp" / "cvp.sqlite3"


def database_url() -> str:
    url = os.environ.get("CVP_DATABASE_URL", "").strip()
    if url:
        return url
    path = default_sqlite_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def describe(url: str) -> str:
    """The URL without a password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per URL, migrated to the newest schema on first use."""
    try:
        engine = create_engine(url, future=True)
    except (ArgumentError, ImportError) as exc:
        raise UserError(f"CVP_DATABASE_URL {describe(url) if '://' in url else url!r} is not usable: {exc}") from None
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.close()
    try:
        upgrade(engine)
    except OperationalError as exc:
        raise UserError(f"cannot open the database {describe(url)}: {exc.orig}") from None
    return engine


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration's revision id, read from the migration files.

    Why not ask Alembic: importing it costs about 0.75 s, paid by every ``cvp``
    command; comparing the stored revision with this one skips that when the
    schema is already current (nearly always).
    """
    revs, downs = set(), set()
    for f in (MIGRATIONS / "versions").glob("*.py"):
        source = f.read_text(encoding="utf-8")
        revs.update(re.findall(r"^revision\s*=\s*['\"](\w+)['\"]", source, re.M))
        downs.update(re.findall(r"^down_revision\s*=\s*['\"](\w+)['\"]", source, re.M))
    heads = revs - downs
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have one head, found {sorted(heads)}")
    return heads.pop()


def _stored_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (no-op when current)."""
    if _stored_revision(engine) == head_revision():
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        # two processes opening a new store at once (two imports, a server's workers):
        # one migrates, the other waits and then finds the schema current
        serialise(conn, schema_lock())
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_session(url: str | None = None) -> Session:
    """One session on the store's engine (``url``, else the configured store); the caller
    closes it.  A command or a web request opens one and passes it down, so the workflow
    functions share its connection instead of each opening their own."""
    return sessionmaker(engine_for(url or database_url()), expire_on_commit=False)()


_DEPTH = "cvp_transaction_depth"


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit on success, roll back on any error: an action happens entirely or not at all.

    Re-entrant: a ``transaction`` inside another (an action calling an action, a shell
    grouping two) neither commits nor rolls back; only the outermost does, so the inner
    action's change and its audit row go or stay with the outer one.  The depth is kept in
    ``session.info``.
    """
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = depth


def end_reads(session: Session) -> None:
    """End the session's read transaction (outside any :func:`transaction`): on PostgreSQL a
    session that has only read is "idle in transaction" until it ends, and no transaction
    should span a long search.  Inside a transaction this does nothing."""
    if not session.info.get(_DEPTH):
        session.rollback()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session of its own, committed on success and rolled back on any error, then closed:
    for tests, background jobs and threads, which outlive or run beside any request."""
    session = open_session(url)
    try:
        with transaction(session):
            yield session
    finally:
        session.close()


def changed_rows(session: Session, statement: Executable) -> int:
    """How many rows an UPDATE or DELETE changed.  SQLAlchemy types ``Session.execute``
    as a plain ``Result``, but for these statements it is a ``CursorResult``, which counts."""
    return cast("CursorResult[Any]", session.execute(statement)).rowcount
