"""Who may do what: sign-in state, role checks, CSRF, login rate limits, headers.

Everything here fails closed:

* every view must say who may call it (``@roles(...)`` or ``@public``); the app
  refuses to start when one does not (:func:`check_every_view_is_guarded`), and the
  check runs before every request, not inside the view;
* every POST/PUT/PATCH/DELETE made with the session cookie must carry the
  session's CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``),
  else 400; API calls authenticated by a bearer token carry no cookie and need none;
* a session lives in the store (:mod:`planner.store.web_sessions`), the cookie holds
  only its random id: sign-out, a password change, a deactivation or "sign out
  everywhere" revoke it for every copy of the cookie, and it ends after
  ``SESSION_IDLE_TIMEOUT`` without use or ``PERMANENT_SESSION_LIFETIME`` after sign-in.
  A request on an ended session is anonymous: the sign-in page, or 401 on the API.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask, abort, current_app, g, jsonify, make_response, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException

from planner.actor import Actor
from planner.errors import BusyError, ForbiddenError, NotFoundError, Reason, UserError
from planner.store import accounts, throttle, web_sessions
from planner.store.db import transaction
from web.db import get_session
from web.i18n import error_lines, gettext

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
CSRF_KEY = "csrf"
SID_KEY = "sid"


# -- declaring who may call a view --------------------------------------------------------

#: the roles that run a district's day in the web app (what :meth:`planner.actor.Actor.dispatches` allows)
DISPATCH = ("dispatcher", "admin")
#: the roles that read the cases and take a follow-up's steps (:meth:`planner.actor.Actor.follows_up`)
CASE_STAFF = ("dispatcher", "admin", "followup")

def roles(*names: str) -> Callable:
    """Only signed-in users with one of these roles may call the view (others: 403)."""
    unknown = set(names) - set(accounts.ROLES)
    if unknown or not names:
        raise ValueError(f"roles {names!r}: choose from {accounts.ROLES}")

    def wrap(view: Callable) -> Callable:
        view._cvp_roles = frozenset(names)  # type: ignore[attr-defined]
        return view

    return wrap


def public(view: Callable) -> Callable:
    """Open to everyone (only the login page, the health check and static files)."""
    view._cvp_public = True  # type: ignore[attr-defined]
    return view


def check_every_view_is_guarded(app: Flask) -> None:
    missing = [ep for ep, fn in app.view_functions.items()
               if ep != "static" and not getattr(fn, "_cvp_public", False) and not getattr(fn, "_cvp_roles", None)]
    if missing:
        raise RuntimeError(f"views without @roles or @public: {', '.join(sorted(missing))}")


def _view_rule(endpoint: str | None) -> tuple[bool, frozenset[str] | None]:
    if endpoint is None:
        return False, None
    if endpoint == "static":
        return True, None
    fn = current_app.view_functions.get(endpoint)
    return bool(getattr(fn, "_cvp_public", False)), getattr(fn, "_cvp_roles", None)


def is_api() -> bool:
    return request.path.startswith("/api/")


# -- CSRF -------------------------------------------------------------------------------

def csrf_token() -> str:
    """The session's CSRF token (made on first use)."""
    token = session.get(CSRF_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_KEY] = token
    return token


def _check_csrf() -> None:
    if request.method not in UNSAFE_METHODS or g.get("via_token"):
        return
    expected = session.get(CSRF_KEY)
    given = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")
    if not expected or not given or not hmac.compare_digest(str(expected), str(given)):
        abort(400, description="csrf")


# -- rate limiting ------------------------------------------------------------------------

class LoginLimiter:
    """Failed sign-ins per user name and address (``LOGIN_LIMIT``) and per address
    (``LOGIN_LIMIT_IP``), each ``(failures, window in seconds)``, counted in the store
    (:mod:`planner.store.throttle`): every server process on the same store shares one
    budget, so more processes do not mean more guesses."""

    def __init__(self, per_user: tuple[int, float], per_ip: tuple[int, float]):
        self.per_user, self.per_ip = (int(per_user[0]), float(per_user[1])), (int(per_ip[0]), float(per_ip[1]))

    @staticmethod
    def _keys(ip: str, username: str) -> tuple[str, str]:
        return f"login:{ip}:{username.lower()}", f"login:{ip}"

    def blocked(self, ip: str, username: str) -> bool:
        key_user, key_ip = self._keys(ip, username)
        with transaction(get_session()) as s:
            return (throttle.failures(s, key_user, self.per_user[1]) >= self.per_user[0]
                    or throttle.failures(s, key_ip, self.per_ip[1]) >= self.per_ip[0])

    def failed(self, ip: str, username: str) -> None:
        with transaction(get_session()) as s:
            throttle.record_failure(s, list(self._keys(ip, username)), max(self.per_user[1], self.per_ip[1]))

    def succeeded(self, ip: str, username: str) -> None:
        """The user name's failures from this address are forgotten (the address's are not)."""
        with transaction(get_session()) as s:
            throttle.clear(s, self._keys(ip, username)[0])


def limiter() -> LoginLimiter:
    return current_app.extensions["cvp_limiter"]


# -- the signed-in user -------------------------------------------------------------------

def current_user() -> accounts.User | None:
    return g.get("user")


def signed_in_user() -> accounts.User:
    """The user of a view that requires one (behind ``roles``): never None there, so the
    views need no check of their own; if a view without that guard asks, the answer is 401."""
    user = current_user()
    if user is None:
        abort(401)
    return user


def actor() -> Actor:
    """The signed-in user as the actions' :class:`~planner.actor.Actor` (who the audit names)."""
    return Actor.of(signed_in_user())


def _limits() -> dict[str, Any]:
    return {"idle": current_app.config.get("SESSION_IDLE_TIMEOUT"),
            "lifetime": current_app.config["PERMANENT_SESSION_LIFETIME"]}


def login_user(user: accounts.User) -> None:
    """A fresh session (no fixation): a new session row in the store, the user, the
    password stamp and a new CSRF token."""
    previous = session.get(SID_KEY)
    with transaction(get_session()) as s:
        if previous:  # signing in again in the same browser ends the session it had
            web_sessions.revoke(s, str(previous))
        sid = web_sessions.open_session(s, user.id, lifetime=_limits()["lifetime"])
    _forget()
    session.permanent = True
    session["uid"] = user.id
    session[SID_KEY] = sid
    session["stamp"] = user.stamp
    session[CSRF_KEY] = secrets.token_urlsafe(32)


def _forget() -> None:
    """Empty this browser's cookie (the language choice stays)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def logout_user() -> None:
    """Revoke the session in the store (so no copy of the cookie works) and empty the cookie."""
    sid = session.get(SID_KEY)
    if sid:
        with transaction(get_session()) as s:
            web_sessions.revoke(s, str(sid))
    _forget()


def _load_user() -> None:
    g.user = None
    g.via_token = False
    auth = request.headers.get("Authorization", "")
    if is_api() and auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            abort(401)
        with transaction(get_session()) as s:
            user = accounts.user_for_token(s, token.strip())
        if user is None:
            abort(401)
        g.user, g.via_token = user, True
        return
    uid = session.get("uid")
    if uid is None:
        return
    try:
        uid = int(uid)
    except (TypeError, ValueError):
        _forget()
        return
    with transaction(get_session()) as s:
        user = accounts.get_user(s, uid)
        sid = session.get(SID_KEY)
        good = (user is not None and user.active and session.get("stamp") == user.stamp and sid is not None
                and web_sessions.check_session(s, str(sid), uid, **_limits()))
    if not good:
        _forget()
        return
    g.user = user


def _check_signed_in() -> Any:
    """Runs before the CSRF check: a request without a (live) session is sent to sign in
    (401 on the API), so a cookie captured before sign-out is told exactly that."""
    is_public, _ = _view_rule(request.endpoint)
    if request.endpoint is None or is_public or g.user is not None:
        return None
    if is_api():
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


def _check_access() -> Any:
    """The signed-in user's role may call the view, else 403 (after the CSRF check)."""
    is_public, allowed = _view_rule(request.endpoint)
    if request.endpoint is None or is_public:
        return None
    if g.user is None or not allowed or g.user.role not in allowed:
        abort(403)
    return None


def audit(action: str, target: str = "", **details: Any) -> None:
    """Record an action of the signed-in user in the audit log."""
    user = current_user()
    with transaction(get_session()) as s:
        accounts.audit(s, user.username if user else "", action, target, details)


# -- headers, cookies, errors -------------------------------------------------------------

class SessionInterface(SecureCookieSessionInterface):
    """The session cookie gets ``Secure`` whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        try:
            return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)
        except RuntimeError:  # outside a request
            return bool(app.config["SESSION_COOKIE_SECURE"])


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; "
       "object-src 'none'")


def _headers(response):
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "SAMEORIGIN")
    h.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        h.setdefault("Strict-Transport-Security", "max-age=31536000")
    if g.get("user") is not None and request.endpoint != "static":
        h["Cache-Control"] = "no-store"  # customer data stays off shared caches and the back button
    return response


ERROR_TEXT = {400: "Bad request", 401: "Please sign in", 403: "Forbidden", 404: "Not found",
              405: "Method not allowed", 413: "The file is too large", 429: "Too many attempts",
              500: "Internal error"}
CSRF_TEXT = "The form has expired or was not sent by this site (CSRF check failed); reload the page and try again"
TOO_LARGE_TEXT = "The file is too large (at most {mb} MB)"


def _error(exc: HTTPException):
    """Pages show the message in the page's language; the API answers in English JSON."""
    code = exc.code or 500
    message, values = ERROR_TEXT.get(code, exc.name), {}
    if code == 400 and exc.description == "csrf":
        message = CSRF_TEXT
    elif code == 413:
        message, values = TOO_LARGE_TEXT, {"mb": current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)}
    if is_api():
        body = jsonify({"error": {"code": code, "message": message.format(**values)}})
        body.status_code = code
        if code == 401:
            body.headers["WWW-Authenticate"] = 'Bearer realm="cvp"'
        return body
    return render_template("error.html", code=code, message=gettext(message, **values)), code


def _user_error(exc: UserError):
    if is_api():
        return jsonify({"error": {"code": 422, "message": str(exc)}}), 422
    message, *details = error_lines(exc)
    return render_template("error.html", code=422, message=message, details=details), 422


def _refused(exc: UserError):
    """:class:`NotFoundError` → 404 (another district's record looks like none at all),
    :class:`ForbiddenError` → 403; the page shows the message in its language."""
    code = 404 if isinstance(exc, NotFoundError) else 403
    if is_api():
        return jsonify({"error": {"code": code, "message": str(exc)}}), code
    text = exc.args[0] if exc.args else ""
    message = gettext(text.msgid, **text.values) if isinstance(text, Reason) else str(exc)
    return render_template("error.html", code=code, message=message), code


def _busy(exc: BusyError):
    """:class:`BusyError` → 429 with ``Retry-After``: nothing was done, the same request
    later will be."""
    if is_api():
        response = jsonify({"error": {"code": 429, "message": str(exc)}})
    else:
        text = exc.args[0] if exc.args else ""
        message = gettext(text.msgid, **text.values) if isinstance(text, Reason) else str(exc)
        response = make_response(render_template("error.html", code=429, message=message))
    response.status_code = 429
    response.headers["Retry-After"] = "30"
    return response


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    app.extensions["cvp_limiter"] = LoginLimiter(app.config["LOGIN_LIMIT"], app.config["LOGIN_LIMIT_IP"])
    app.before_request(_load_user)
    app.before_request(_check_signed_in)
    app.before_request(_check_csrf)
    app.before_request(_check_access)
    app.after_request(_headers)
    app.register_error_handler(HTTPException, _error)
    app.register_error_handler(UserError, _user_error)
    app.register_error_handler(NotFoundError, _refused)
    app.register_error_handler(ForbiddenError, _refused)
    app.register_error_handler(BusyError, _busy)
    app.jinja_env.globals.update(csrf_token=csrf_token, current_user=current_user)

