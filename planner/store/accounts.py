"""People who sign in, their API tokens, and the audit log.

Passwords are stored only as salted hashes (werkzeug's scrypt); API tokens only
as SHA-256 digests, so neither can be read back from the database.  There are
no built-in accounts and no default passwords: every account is made by
``cvp users add`` or an administrator.

Every function takes the caller's session, so an action and its audit entry
are written in one transaction.  A password change, a deactivation and
:func:`sign_out_everywhere` end the user's sign-in sessions
(:mod:`planner.store.web_sessions`); the first two also revoke the API token, as a
stolen password or a departed person must not keep a way in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from planner.errors import Reason, UserError
from planner.intake.lengths import check_text
from planner.store import web_sessions
from planner.store.models import AuditRow, StaffRow, UserRow

#: dispatcher runs a district's day; field visits; followup tracks follow-ups and calls customers back
#: (the pilot's 后续问题的追踪整理和二次回访); planner runs cost scenarios; admin everything
ROLES = ("dispatcher", "field", "followup", "planner", "admin")
MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "cvp_"
# checked against when the user does not exist, so a missing account takes as long as a wrong password
_DUMMY_HASH = generate_password_hash("not a password of anyone")


@dataclass(frozen=True)
class User:
    """An account as the web app sees it (never the password hash itself)."""

    id: int
    username: str
    role: str
    staff_id: str | None
    district: str | None
    active: bool
    created_at: datetime
    stamp: str  # changes when the password changes: signs older sessions out
    has_token: bool = False


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    username: str
    action: str
    target: str
    details: dict[str, Any] = field(default_factory=dict)


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _user(row: UserRow) -> User:
    return User(row.id, row.username, row.role, row.staff_id, row.district, row.active, row.created_at,
                _stamp(row.password_hash), row.api_token_hash is not None)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip() != password or not password.isprintable():
        raise UserError("the password must not start or end with spaces or contain control characters")


def _check_username(username: str) -> str:
    name = (username or "").strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name) or not name.isprintable():
        raise UserError(f"user name {username!r}: 1 to 64 characters, no spaces")
    return name


def add_user(session: Session, username: str, password: str, role: str, *, staff_id: str | None = None,
             district: str | None = None) -> User:
    """Create an account.  A field account is tied to a staff member of the roster (its
    district comes from the roster); a dispatcher or follow-up account to a district."""
    name = _check_username(username)
    if role not in ROLES:
        raise UserError(f"role {role!r}: choose one of {', '.join(ROLES)}")
    check_password(password)
    if session.scalar(select(UserRow.id).where(UserRow.username == name)) is not None:
        raise UserError(f"user {name!r} already exists")
    staff_id = (staff_id or "").strip() or None
    district = (district or "").strip() or None
    if role == "field":
        if not staff_id:
            raise UserError("a field account needs --staff STAFF_ID (the roster's 员工编号)")
        found = session.scalars(select(StaffRow.district).where(StaffRow.staff_id == staff_id)).all()
        if not found:
            raise UserError(f"--staff {staff_id}: no such staff member; import the roster first (cvp import staff.csv)")
        if district and district not in found:
            raise UserError(f"--district {district}: staff member {staff_id} belongs to {', '.join(sorted(found))}")
        if not district and len(found) > 1:  # each district owns its ids
            raise UserError(Reason("--staff {staff}: there is one in {districts}; say which with --district",
                                   staff=staff_id, districts=", ".join(sorted(found))))
        district = district or found[0]
    elif staff_id:
        raise UserError("--staff applies to field accounts only")
    if district:
        check_text("district", district, name="--district")
    if role in ("dispatcher", "followup") and not district:
        raise UserError(f"a {role} account needs --district NAME (e.g. 南区)")
    row = UserRow(username=name, password_hash=generate_password_hash(password), role=role, staff_id=staff_id,
                  district=district, active=True, created_at=datetime.now(timezone.utc))
    session.add(row)
    session.flush()
    return _user(row)


def _row(session: Session, username: str) -> UserRow:
    row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
    if row is None:
        raise UserError(f"no user {username!r}")
    return row


def set_password(session: Session, username: str, password: str) -> User:
    """A new password: every session of the user ends and the API token is revoked."""
    check_password(password)
    row = _row(session, username)
    row.password_hash = generate_password_hash(password)
    row.api_token_hash = None
    web_sessions.revoke_all(session, row.id)
    return _user(row)


def set_active(session: Session, username: str, active: bool) -> User:
    """Deactivating ends every session of the user and revokes the API token."""
    row = _row(session, username)
    row.active = active
    if not active:
        row.api_token_hash = None
        web_sessions.revoke_all(session, row.id)
    return _user(row)


def sign_out_everywhere(session: Session, username: str) -> int:
    """End every sign-in session of the user (the API token stays); how many were open."""
    return web_sessions.revoke_all(session, _row(session, username).id)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, else None (same work either way)."""
    row = session.scalars(select(UserRow).where(UserRow.username == (username or "").strip())).first()
    ok = check_password_hash(row.password_hash if row else _DUMMY_HASH, password or "")
    if row is None or not ok or not row.active:
        return None
    return _user(row)


def get_user(session: Session, user_id: int) -> User | None:
    row = session.get(UserRow, user_id)
    return _user(row) if row else None


def get_user_by_name(session: Session, username: str) -> User | None:
    row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
    return _user(row) if row else None


def list_users(session: Session) -> list[User]:
    return [_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.role, UserRow.username))]


def issue_token(session: Session, username: str) -> str:
    """A new API token for the user (replacing any earlier one); shown once, stored as a digest."""
    row = _row(session, username)
    if not row.active:
        raise UserError(f"user {username!r} is deactivated")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row.api_token_hash = _token_digest(token)
    return token


def revoke_token(session: Session, username: str) -> None:
    _row(session, username).api_token_hash = None


def user_for_token(session: Session, token: str) -> User | None:
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    digest = _token_digest(token)
    row = session.scalars(select(UserRow).where(UserRow.api_token_hash == digest)).first()
    if row is None or not row.active or not hmac.compare_digest(row.api_token_hash or "", digest):
        return None
    return _user(row)


# -- audit log ---------------------------------------------------------------------------

AUDITED = ("login", "login_failed", "login_blocked", "logout", "import", "override", "appointment", "absence",
           "plan", "publish", "download", "outcome", "follow_up", "user_add", "user_change", "token", "scenario_save",
           "scenario_delete")


def audit(session: Session, username: str, action: str, target: str = "", details: dict[str, Any] | None = None,
          at: datetime | None = None) -> None:
    """Record who did what to what, and when (UTC in the store)."""
    session.add(AuditRow(at=at or datetime.now(timezone.utc), username=username or "", action=action[:32],
                         target=target or "", details=details or {}))


def audit_log(session: Session, *, limit: int = 200, action: str | None = None, username: str | None = None,
              target_contains: str | None = None) -> list[AuditEntry]:
    """The newest entries first."""
    q = select(AuditRow)
    if action:
        q = q.where(AuditRow.action == action)
    if username:
        q = q.where(AuditRow.username == username)
    if target_contains:
        q = q.where(AuditRow.target.contains(target_contains))
    rows = session.scalars(q.order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit))
    return [AuditEntry(r.at, r.username, r.action, r.target, dict(r.details or {})) for r in rows]
