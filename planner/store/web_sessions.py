"""Sign-in sessions kept in the store, so that the server can end them.

A signed cookie alone cannot be taken back: whoever copied it before sign-out could
keep using it until it expired.  So each sign-in gets a row here and the cookie
carries only a random id, of which the store keeps the SHA-256 digest (a copy of the
table opens no session).  A session is good while its row exists, is not revoked,
belongs to the cookie's user, has been used within the idle limit and is younger
than the absolute limit.  Sign-out revokes the row; a password change, a
deactivation and an administrator's "sign out everywhere" revoke all of the user's
rows (:mod:`planner.store.accounts` does that, so the CLI and the web app alike).

Every function takes the caller's session, so a revocation and the change that
caused it are one transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from planner.store.db import changed_rows
from planner.store.models import WebSessionRow

#: how often "last seen" is written at most: often enough for the idle limit,
#: rarely enough that reading a page is not a write to the store every time
TOUCH_EVERY = timedelta(seconds=60)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def open_session(session: Session, user_id: int, *, lifetime: timedelta | None = None) -> str:
    """A new session for the user; returns the id to put in the (signed) cookie.
    Rows that ended more than ``lifetime`` ago are cleared out on the way."""
    now = _now()
    if lifetime is not None:
        old = now - lifetime
        session.execute(delete(WebSessionRow).where(or_(WebSessionRow.created_at < old,
                                                        WebSessionRow.revoked_at < old)))
    session_id = secrets.token_urlsafe(32)
    session.add(WebSessionRow(digest=_digest(session_id), user_id=user_id, created_at=now, last_seen=now))
    session.flush()
    return session_id


def check_session(session: Session, session_id: str, user_id: int, *, idle: timedelta | None = None,
                  lifetime: timedelta | None = None) -> bool:
    """True when the session is still good for this user (and notes that it was used)."""
    if not session_id or not isinstance(session_id, str):
        return False
    row = session.scalars(select(WebSessionRow).where(WebSessionRow.digest == _digest(session_id))).first()
    if row is None or row.revoked_at is not None or row.user_id != user_id:
        return False
    now = _now()
    if (idle is not None and now - row.last_seen > idle) or (lifetime is not None and now - row.created_at > lifetime):
        row.revoked_at = now
        return False
    if now - row.last_seen >= TOUCH_EVERY:
        row.last_seen = now
    return True


def revoke(session: Session, session_id: str) -> None:
    """End one session (sign-out)."""
    if session_id:
        session.execute(update(WebSessionRow).where(WebSessionRow.digest == _digest(session_id),
                                                    WebSessionRow.revoked_at.is_(None)).values(revoked_at=_now()))


def revoke_all(session: Session, user_id: int) -> int:
    """End every session of the user; returns how many were open."""
    done = changed_rows(session, update(WebSessionRow).where(WebSessionRow.user_id == user_id,
                                                       WebSessionRow.revoked_at.is_(None)).values(revoked_at=_now()))
    return done

