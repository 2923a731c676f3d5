"""Failed sign-ins per key in a sliding window, kept in the store.

Every server process (several waitress or gunicorn workers, several machines)
reads and writes the same rows, so together they allow the configured number of
failures per window, not that number each.  Rows older than the longest window
in use are deleted as new failures come in.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from planner.store.models import LoginFailureRow

MAX_KEY = 200


def _key(key: str) -> str:
    return key[:MAX_KEY]


def failures(session: Session, key: str, window_s: float, now: datetime | None = None) -> int:
    """How many failures the key had in the last ``window_s`` seconds."""
    since = (now or datetime.now(timezone.utc)) - timedelta(seconds=window_s)
    return session.scalar(select(func.count(LoginFailureRow.id))
                          .where(LoginFailureRow.key == _key(key), LoginFailureRow.at > since)) or 0


def record_failure(session: Session, keys: list[str], keep_s: float, now: datetime | None = None) -> None:
    """One more failure under each key; failures older than ``keep_s`` are forgotten."""
    now = now or datetime.now(timezone.utc)
    session.execute(delete(LoginFailureRow).where(LoginFailureRow.at <= now - timedelta(seconds=keep_s)))
    session.add_all([LoginFailureRow(key=_key(k), at=now) for k in keys])


def clear(session: Session, key: str) -> None:
    """Forget the key's failures (a successful sign-in)."""
    session.execute(delete(LoginFailureRow).where(LoginFailureRow.key == _key(key)))
