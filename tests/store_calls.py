"""Calling the planner's store functions from a test as a command does: in one session of
the configured store (or ``database``), closed after; each action commits itself.

The functions take the session, the rules and the actor explicitly; a test that is
not about them gets the shipped rules and the operator ``test`` (``author`` names
another actor), so each call says only what the test is about.
"""

from __future__ import annotations

import inspect
from contextlib import closing
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from planner.actor import OPERATOR, Actor


def in_store(fn, *args: Any, database: str | None = None, author: str | None = None, **kwargs: Any):
    from planner.store.db import open_session
    from planner.triage import load_rules

    params = inspect.signature(fn).parameters
    with closing(open_session(database)) as session:
        bound = inspect.signature(fn).bind_partial(session, *args, **kwargs).arguments
        if "rules" in params and "rules" not in bound:
            kwargs["rules"] = load_rules()
        if "tz" in params and "tz" not in bound:
            kwargs["tz"] = load_rules().tz
        if "actor" in params and "actor" not in bound:
            kwargs["actor"] = Actor(author or "test", OPERATOR, None)
        return fn(session, *args, **kwargs)


class SessionsSeen:
    """The distinct sessions that began a transaction on the store while listening
    (SQLAlchemy's own event: real sessions, nothing stubbed)."""

    def __init__(self):
        self.sessions: list[Session] = []

    def _began(self, session, _transaction, _connection):
        if not any(s is session for s in self.sessions):
            self.sessions.append(session)

    def __enter__(self):
        event.listen(Session, "after_begin", self._began)
        return self

    def __exit__(self, *exc):
        event.remove(Session, "after_begin", self._began)
