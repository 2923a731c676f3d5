"""Only admins manage users (add, deactivate, reset a password, issue an API token, sign
out everywhere) and read the audit log.  Deactivating and a new password end all of the
user's sessions and revoke the API token (:mod:`planner.store.accounts`)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from planner.errors import UserError
from planner.store import accounts
from planner.store.db import transaction
from web import security
from web.db import get_session
from web.i18n import error_lines
from web.i18n import gettext as _
from web.security import roles

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _users():
    with transaction(get_session()) as s:
        return accounts.list_users(s)


@bp.get("/users")
@roles("admin")
def users():
    return render_template("admin/users.html", users=_users(), roles=accounts.ROLES)


@bp.post("/users")
@roles("admin")
def add_user():
    f = request.form
    try:
        with transaction(get_session()) as s:
            user = accounts.add_user(s, f.get("username", ""), f.get("password", ""), f.get("role", ""),
                                     staff_id=f.get("staff_id"), district=f.get("district"))
            accounts.audit(s, security.signed_in_user().username, "user_add", user.username, {"role": user.role})
    except UserError as exc:
        for line in error_lines(exc):
            flash(line, "error")
        return render_template("admin/users.html", users=_users(), roles=accounts.ROLES, form=f), 422
    flash(_("User {name} added", name=user.username), "ok")
    return redirect(url_for("admin.users"))


@bp.post("/users/<username>")
@roles("admin")
def change_user(username: str):
    f = request.form
    action = f.get("action", "")
    token = None
    me = security.signed_in_user().username
    try:
        with transaction(get_session()) as s:
            if action == "deactivate":
                if username == me:
                    raise UserError("you cannot deactivate your own account")
                accounts.set_active(s, username, False)
            elif action == "activate":
                accounts.set_active(s, username, True)
            elif action == "password":
                accounts.set_password(s, username, f.get("password", ""))
            elif action == "token":
                token = accounts.issue_token(s, username)
            elif action == "revoke":
                accounts.revoke_token(s, username)
            elif action == "signout":
                accounts.sign_out_everywhere(s, username)
            else:
                raise UserError(f"unknown action {action!r}")
            accounts.audit(s, me, "token" if action in ("token", "revoke") else "user_change", username,
                           {"action": action})
    except UserError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.users"))
    if token:
        return render_template("admin/users.html", users=_users(), roles=accounts.ROLES, new_token=token,
                               token_user=username)
    flash(_("User {name} updated", name=username), "ok")
    return redirect(url_for("admin.users"))


@bp.get("/audit")
@roles("admin")
def audit_log():
    action = request.args.get("action") or None
    username = request.args.get("user") or None
    with transaction(get_session()) as s:
        entries = accounts.audit_log(s, limit=500, action=action, username=username)
    return render_template("admin/audit.html", entries=entries, actions=accounts.AUDITED, action=action,
                           user=username)
