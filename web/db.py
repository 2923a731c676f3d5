"""The request's store session, in the manner of the Flask tutorial's ``flaskr/db.py``.

:func:`get_session` opens one session on the configured store the first time a
request asks and keeps it in :data:`flask.g`; :func:`close_session`, registered
with ``teardown_appcontext``, closes it when the request ends, whatever happened.
The views and :mod:`web.services` read and act through it (each action in its own
:func:`planner.store.db.transaction`).  Background jobs outlive the request: they
open their own session from :func:`database_url` (:mod:`web.jobs`).
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from planner.store.db import open_session


def database_url() -> str | None:
    """The configured store (``DATABASE_URL``; None: ``CVP_DATABASE_URL``, else the default
    SQLite file), for what runs outside the request."""
    return current_app.config.get("DATABASE_URL")


def get_session() -> Session:
    """The request's one session, opened on first use."""
    if "db_session" not in g:
        g.db_session = open_session(database_url())
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    """Close the request's session, if it opened one (what it had not committed is rolled back)."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_session)
