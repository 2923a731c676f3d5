"""Sign in and out, the language switch, the health check, and the home page per role."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for

from planner.store import accounts
from planner.store.db import transaction
from web import security
from web.db import get_session
from web.i18n import LANGS
from web.i18n import gettext as _
from web.security import public, roles
from web.views.common import safe_next

bp = Blueprint("auth", __name__)

HOME = {"dispatcher": "dispatcher.home", "admin": "dispatcher.home", "field": "field.home", "planner": "planner.cost_page",
        "followup": "followups.queue"}


@bp.get("/favicon.ico")
@public
def favicon():
    """The tab icon browsers ask every site for (a 404 on every page otherwise); public."""
    return current_app.send_static_file("favicon.ico")


@bp.get("/healthz")
@public
def healthz():
    from sqlalchemy import text

    try:
        with transaction(get_session()) as s:
            s.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - the health check reports, never raises
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok"})


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET":
        if security.current_user() is not None:
            return redirect(next_url or url_for("auth.home"))
        return render_template("login.html", next=next_url)
    username = (request.form.get("username") or "").strip()[:64]
    password = request.form.get("password") or ""
    ip = request.remote_addr or "?"
    lim = security.limiter()
    if lim.blocked(ip, username):
        with transaction(get_session()) as s:
            accounts.audit(s, username, "login_blocked", ip)
        return render_template("login.html", next=next_url, username=username,
                               error=_("Too many failed sign-ins: wait a few minutes and try again")), 429
    with transaction(get_session()) as s:
        user = accounts.authenticate(s, username, password)
        accounts.audit(s, username, "login" if user else "login_failed", ip)
    if user is None:
        lim.failed(ip, username)
        return render_template("login.html", next=next_url, username=username,
                               error=_("Wrong user name or password")), 401
    lim.succeeded(ip, username)
    security.login_user(user)
    return redirect(next_url or url_for("auth.home"))


@bp.post("/logout")
@roles(*accounts.ROLES)
def logout():
    security.audit("logout")
    security.logout_user()
    flash(_("Signed out"))
    return redirect(url_for("auth.login"))


@bp.post("/lang")
@public
def set_lang():
    lang = request.form.get("lang")
    if lang in LANGS:
        session["lang"] = lang
    back = safe_next(request.form.get("next"))
    return redirect(back or url_for("auth.home"))


@bp.get("/")
@roles(*accounts.ROLES)
def home():
    return redirect(url_for(HOME[security.current_user().role]))
