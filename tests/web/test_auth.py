"""Signing in and out, session cookies, rate-limited login, the health check, and
"login required everywhere but /login and /healthz"."""

from __future__ import annotations

import re

import pytest

from planner.store import accounts
from planner.store.db import session_scope
from tests.store_calls import in_store
from tests.web.conftest import PASSWORD, Client, make_app, text_of

SAMPLE_ARGS = {"day": "2010-08-05", "version": "1", "staff_id": "S1", "seq": "1", "job_id": "1", "token": "x" * 32,
               "username": "disp", "fmt": "csv", "filename": "app.css", "visit_id": "V-XA-NQ-20100804-0071",
               "case_id": "1"}


def concrete_urls(app):
    """Every route of the app with sample arguments: (method, url, endpoint)."""
    out = []
    for rule in app.url_map.iter_rules():
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", SAMPLE_ARGS[arg], url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, url, rule.endpoint))
    return out


def test_login_page_has_the_documented_form(seeded, client_for):
    page = client_for().get("/login").get_data(as_text=True)
    for name in ("username", "password", "csrf_token"):
        assert f'name="{name}"' in page
    assert "登录" in page  # Chinese by default


def test_sign_in_and_out(seeded, client_for):
    c = client_for()
    r = c.login("disp")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert c.get("/").headers["Location"] == "/dispatch/"
    assert c.get("/dispatch/").status_code == 200
    assert c.post("/logout").status_code == 302
    assert c.get("/dispatch/").status_code == 302  # signed out


def test_each_role_lands_on_its_home(seeded, client_for):
    assert client_for("f1").get("/").headers["Location"] == "/field/"
    assert client_for("plan").get("/").headers["Location"] == "/planner/"
    assert client_for("fu").get("/").headers["Location"] == "/followups"
    assert client_for("admin").get("/").headers["Location"] == "/dispatch/"


def test_wrong_password_is_refused_and_audited(seeded, client_for):
    c = client_for()
    r = c.login("disp", "wrong-password")
    assert r.status_code == 401 and "用户名或密码错误" in text_of(r)
    assert c.get("/dispatch/").status_code == 302
    with session_scope() as s:
        assert accounts.audit_log(s, action="login_failed")[0].username == "disp"


def test_session_cookie_flags(seeded, client_for):
    c = client_for()
    c.get("/login")
    r = c.post("/login", data={"username": "disp", "password": PASSWORD, "csrf_token": c.csrf})
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_over_https(seeded, app):
    http = app.test_client()
    r = http.get("/login", base_url="https://cvp.example")
    assert "Secure" in r.headers["Set-Cookie"]
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")


def test_login_is_rate_limited(seeded, tmp_path):
    app = make_app(tmp_path, LOGIN_LIMIT=(3, 300))
    c = Client(app)
    for _ in range(3):
        assert c.login("disp", "wrong-password").status_code == 401
    r = c.login("disp", PASSWORD)  # even the right password waits out the block
    assert r.status_code == 429 and "登录失败次数过多" in text_of(r)
    assert Client(app).login("f1").status_code == 302  # another user name is not blocked
    with session_scope() as s:
        assert accounts.audit_log(s, action="login_blocked")


def test_login_is_rate_limited_per_address(seeded, tmp_path):
    app = make_app(tmp_path, LOGIN_LIMIT_IP=(4, 300))
    c = Client(app)
    for name in ("a1", "a2", "a3", "a4"):
        c.login(name, "wrong-password")
    assert c.login("disp").status_code == 429


def test_server_processes_share_one_login_budget(seeded, tmp_path):
    """Two apps on one store (as two waitress/gunicorn workers): failures through one
    count in the other, so more processes do not allow more guesses."""
    one = make_app(tmp_path, LOGIN_LIMIT=(4, 300))
    two = make_app(tmp_path, LOGIN_LIMIT=(4, 300))
    for app in (one, two, one):
        assert Client(app).login("disp", "wrong-password").status_code == 401
    assert Client(two).login("disp", "wrong-password").status_code == 401  # the 4th failure, in all
    for app in (one, two):
        assert Client(app).login("disp", PASSWORD).status_code == 429


def test_only_failures_inside_the_window_count(seeded, tmp_path):
    from datetime import datetime, timedelta, timezone

    from planner.store import throttle

    app = make_app(tmp_path, LOGIN_LIMIT=(2, 300))
    old = datetime.now(timezone.utc) - timedelta(seconds=301)
    with session_scope() as s:  # two failures from before the window
        throttle.record_failure(s, ["login:127.0.0.1:disp", "login:127.0.0.1"], 600, now=old)
        throttle.record_failure(s, ["login:127.0.0.1:disp", "login:127.0.0.1"], 600, now=old)
    assert Client(app).login("disp", "wrong-password").status_code == 401
    assert Client(app).login("disp", PASSWORD).status_code == 302
    with session_scope() as s:  # the success forgot the user's failures; the old rows are pruned
        assert throttle.failures(s, "login:127.0.0.1:disp", 10_000) == 0
        assert throttle.failures(s, "login:127.0.0.1", 10_000) == 1


@pytest.mark.postgres
def test_the_login_budget_on_postgres(fresh_postgres, fixture_day, tmp_path):
    from planner.workflow import import_file

    in_store(import_file, fixture_day / "staff.csv", database=fresh_postgres)
    with session_scope(fresh_postgres) as s:
        accounts.add_user(s, "disp", PASSWORD, "dispatcher", district="南区")
    one = make_app(tmp_path, DATABASE_URL=fresh_postgres, LOGIN_LIMIT=(2, 300))
    two = make_app(tmp_path, DATABASE_URL=fresh_postgres, LOGIN_LIMIT=(2, 300))
    assert Client(one).login("disp", "wrong-password").status_code == 401
    assert Client(two).login("disp", "wrong-password").status_code == 401
    assert Client(one).login("disp", PASSWORD).status_code == 429


def test_changing_the_password_or_deactivating_ends_sessions(seeded, client_for):
    c = client_for("disp")
    with session_scope() as s:
        accounts.set_password(s, "disp", "a-new-password")
    assert c.get("/dispatch/").status_code == 302
    c2 = client_for("f1")
    with session_scope() as s:
        accounts.set_active(s, "f1", False)
    assert c2.get("/field/").status_code == 302
    assert Client(c2.app).login("f1").status_code == 401


def test_open_redirects_are_refused(seeded, client_for):
    c = client_for()
    c.get("/login")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        r = c.http.post("/login", data={"username": "disp", "password": PASSWORD, "csrf_token": c.csrf,
                                        "next": target})
        assert r.headers["Location"] == "/"
        c.post("/logout")
        c.get("/login")
    r = c.http.post("/login", data={"username": "disp", "password": PASSWORD, "csrf_token": c.csrf,
                                    "next": "/dispatch/2010-08-05/triage"})
    assert r.headers["Location"] == "/dispatch/2010-08-05/triage"
    admin = client_for("admin")  # the district chooser and closing a day go back to a page of this site only
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        assert admin.post("/dispatch/district", {"district": "南区", "next": target}).headers["Location"] == "/dispatch/"
        assert admin.post("/cases/close-day", {"day": "2010-08-05", "next": target}).headers["Location"] == "/cases"


def test_healthz_is_public(app):
    r = app.test_client().get("/healthz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_everything_else_requires_login(seeded, app):
    http = app.test_client()
    open_endpoints = {"auth.login", "auth.healthz", "auth.favicon", "auth.set_lang", "static"}
    checked = 0
    for method, url, endpoint in concrete_urls(app):
        if endpoint in open_endpoints:
            continue
        r = http.open(url, method=method)
        # pages redirect to the login page; the API answers 401 in JSON (a POST too: the
        # sign-in check comes before the CSRF check, so an ended session is told to sign in)
        if url.startswith("/api/"):
            assert r.status_code == 401 and r.get_json()["error"]["code"] == 401, url
        else:
            assert r.status_code == 302 and r.headers["Location"].startswith("/login"), url
        checked += 1
    assert checked > 40


def test_the_language_switches_to_english_and_back(seeded, client_for):
    c = client_for("disp")
    assert "分拣" in text_of(c.get("/dispatch/2010-08-05/triage"))
    r = c.post("/lang", data={"lang": "en", "next": "/dispatch/2010-08-05/triage"})
    assert r.headers["Location"] == "/dispatch/2010-08-05/triage"
    page = text_of(c.get("/dispatch/2010-08-05/triage"))
    assert "Triage for 2010-08-05" in page and 'lang="en"' in c.get("/dispatch/").get_data(as_text=True)
    c.post("/lang", data={"lang": "zh"})
    assert "客户分拣" in text_of(c.get("/dispatch/2010-08-05/triage"))


def test_the_language_survives_signing_in(seeded, client_for):
    c = client_for()
    c.get("/login")
    c.post("/lang", data={"lang": "en"})
    c.login("disp")
    assert "Import a file" in text_of(c.get("/dispatch/import"))


@pytest.mark.parametrize("bad", ["2010-13-40", "yesterday"])
def test_bad_dates_in_urls_are_not_found(seeded, client_for, bad):
    assert client_for("disp").get(f"/dispatch/{bad}/triage").status_code == 404
