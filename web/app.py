"""The application factory: ``create_app(config=None)``.

    from web.app import create_app
    app = create_app()                 # settings from the environment (CVP_*)
    app = create_app({"TESTING": True, "JOB_EXECUTOR": "inline"})

Production: ``waitress-serve --port 8000 --call web.app:create_app`` or
``gunicorn -w 2 'web.app:create_app()'``, with ``CVP_DATABASE_URL`` pointing at
PostgreSQL, ``CVP_SECRET_KEY`` set (the same on every server) and, behind a
proxy that terminates HTTPS, ``CVP_PROXY_COUNT=1``.  See docs/web.md.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent


def _env_float(name: str, default: float | None) -> float | None:
    text = os.environ.get(name, "").strip()
    return float(text) if text else default


def _env_int(name: str, default: int | None) -> int | None:
    text = os.environ.get(name, "").strip()
    return int(text) if text else default


def _data_dir() -> Path:
    from planner.store.db import default_sqlite_path

    return default_sqlite_path().parent


def _secret_key(data_dir: Path) -> str:
    """``CVP_SECRET_KEY``, else a random key kept (mode 0600) beside the default store, so
    sessions survive a restart.  Several servers behind one address need the same key."""
    key = os.environ.get("CVP_SECRET_KEY", "").strip()
    if key:
        return key
    path = data_dir / "web-secret.key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key


def default_config() -> dict[str, Any]:
    data_dir = _data_dir()
    return {
        "DATABASE_URL": None,  # None: CVP_DATABASE_URL, else the default SQLite store
        "RULES_FILE": os.environ.get("CVP_RULES") or None,
        "SESSION_COOKIE_NAME": "cvp_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("CVP_HTTPS", "") == "1",  # also set per request on HTTPS
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),  # a sign-in ends this long after it began
        # ... or after this long unused (CVP_SESSION_IDLE_MIN); both checked against the store's session row
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=_env_float("CVP_SESSION_IDLE_MIN", 120.0) or 120.0),
        "MAX_CONTENT_LENGTH": int((_env_float("CVP_MAX_UPLOAD_MB", 5.0) or 5.0) * 1024 * 1024),
        "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
        "UPLOAD_EXTENSIONS": ("csv", "xlsx", "json"),
        "LOGIN_LIMIT": (5, 300),      # failed attempts per user name and address, per window (s)
        "LOGIN_LIMIT_IP": (30, 300),  # failed attempts per address, per window (s)
        "JOB_EXECUTOR": os.environ.get("CVP_JOB_EXECUTOR", "thread"),  # thread | inline
        "JOB_WORKERS": _env_int("CVP_JOB_WORKERS", 1),
        # when an unfinished job counts as stuck and is marked failed (seconds; see web/jobs.py)
        "JOB_MAX_RUNTIME_S": _env_float("CVP_JOB_MAX_RUNTIME_S", 600.0),
        "JOB_STALE_AFTER_S": _env_float("CVP_JOB_STALE_AFTER_S", 120.0),
        "JOB_MAX_QUEUED_S": _env_float("CVP_JOB_MAX_QUEUED_S", 900.0),
        "SOLVER": {"time_limit_s": _env_float("CVP_SOLVER_TIME_LIMIT", 5.0), "seed": _env_int("CVP_SOLVER_SEED", None),
                   "solution_limit": _env_int("CVP_SOLVER_SOLUTION_LIMIT", None)},
        "URL_BASE": os.environ.get("CVP_URL_BASE") or None,  # for the sheets' QR codes; else this server
        "MAP_TILES": None,  # a tile URL template or "amap"; None: CVP_TILES (planner.maps), else no tiles
        "WORK_DIR": os.environ.get("CVP_WEB_DIR") or str(data_dir / "web"),  # uploads, PDF cache
        "PROXY_COUNT": _env_int("CVP_PROXY_COUNT", 0),
        "DEFAULT_LANG": "zh",
        "PRERENDER_SHEETS": True,  # render a published plan's PDFs in the background
    }


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app.  ``config`` overrides the defaults (tests pass a temp store, inline jobs)."""
    from planner.triage import load_rules
    from web import db, i18n, security
    from web.jobs import JobQueue
    from web.views import (  # noqa: F401  (the api* modules: routes on api_base.bp)
        admin,
        api,
        api_base,
        api_calls,
        api_cases,
        api_day,
        auth,
        calls,
        cases,
        dispatcher,
        field,
        followups,
        planner,
    )
    from web.views.common import DayConverter, StoreIntConverter

    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(default_config())
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(_data_dir())
    Path(app.config["WORK_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]  # Flask documents this wrapping

    app.extensions["cvp_rules"] = load_rules(app.config["RULES_FILE"])
    app.extensions["cvp_jobs"] = JobQueue.from_config(app.config)
    app.jinja_env.autoescape = True  # every template, whatever its name: ticket text is customer input

    app.url_map.converters["day"] = DayConverter
    app.url_map.converters["int"] = StoreIntConverter
    db.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    for bp in (auth.bp, dispatcher.bp, cases.bp, calls.bp, field.bp, followups.bp, planner.bp, admin.bp, api_base.bp):
        app.register_blueprint(bp)
    security.check_every_view_is_guarded(app)
    return app
