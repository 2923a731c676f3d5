"""Sessions end on the server: a cookie (and its CSRF token) captured before sign-out, a
password change, a deactivation or "sign out everywhere" opens nothing afterwards, and
an API token stops working after a password change or a deactivation.  On SQLite and
PostgreSQL, since the sessions live in the store."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import update

from planner.store import absences, accounts, web_sessions
from planner.store.db import session_scope
from planner.store.models import WebSessionRow
from tests.web.conftest import DAY, PASSWORD, Client

COOKIE = "cvp_session"
ROSTER = f"/dispatch/{DAY}/roster"


def captured(client: Client) -> tuple[str, str]:
    """What an attacker copies from a signed-in browser: the cookie and the CSRF token."""
    return client.http.get_cookie(COOKIE).value, client.csrf


def replay(app, cookie: str):
    """A fresh browser that presents a captured cookie."""
    http = app.test_client()
    http.set_cookie(COOKIE, cookie)
    return http


def assert_ended(app, cookie: str, csrf: str) -> None:
    """The captured cookie opens no page, no API call, and changes nothing."""
    http = replay(app, cookie)
    page = http.get("/dispatch/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    assert http.get(f"/api/days/{DAY}/roster").status_code == 401
    r = http.post(ROSTER, data={"staff_id": "S2", "absent": "1", "csrf_token": csrf})
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    r = http.post(f"/api/days/{DAY}/absences", json={"staff_id": "S2"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 401
    with session_scope() as s:
        assert absences.absences_on(s, DAY, "南区") == {}


def admin_does(app, username: str, action: str, **form) -> None:
    r = Client(app, "admin").post(f"/admin/users/{username}", {"action": action, **form})
    assert r.status_code == 302


def token_for(username: str) -> str:
    with session_scope() as s:
        return accounts.issue_token(s, username)


def api_status(app, token: str) -> int:
    return app.test_client().get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_captured_cookie_works_until_sign_out_and_never_after(store_app):
    disp = Client(store_app, "disp")
    cookie, csrf = captured(disp)
    assert replay(store_app, cookie).get("/dispatch/").status_code == 200  # the capture is good before
    assert disp.post("/logout").status_code == 302
    assert_ended(store_app, cookie, csrf)


def test_sign_out_ends_only_that_browser(store_app):
    here, there = Client(store_app, "disp"), Client(store_app, "disp")
    here.post("/logout")
    assert there.get("/dispatch/").status_code == 200


def test_a_password_change_ends_every_session_and_the_api_token(store_app):
    one, two = Client(store_app, "disp"), Client(store_app, "disp")
    token = token_for("disp")
    assert api_status(store_app, token) == 200
    captures = [captured(one), captured(two)]
    admin_does(store_app, "disp", "password", password="another-horse-43")
    for cookie, csrf in captures:
        assert_ended(store_app, cookie, csrf)
    assert api_status(store_app, token) == 401
    assert Client(store_app, "disp").login("disp", "another-horse-43").status_code == 302  # the new one works


def test_the_cli_password_change_ends_sessions_too(store_app):
    """``cvp users passwd`` calls the same store function as the admin page."""
    cookie, csrf = captured(Client(store_app, "disp"))
    token = token_for("disp")
    with session_scope() as s:
        accounts.set_password(s, "disp", "another-horse-43")
    assert_ended(store_app, cookie, csrf)
    assert api_status(store_app, token) == 401


def test_deactivation_ends_every_session_and_the_api_token(store_app):
    cookie, csrf = captured(Client(store_app, "disp"))
    token = token_for("disp")
    admin_does(store_app, "disp", "deactivate")
    assert_ended(store_app, cookie, csrf)
    assert api_status(store_app, token) == 401
    admin_does(store_app, "disp", "activate")  # reactivating does not bring old sessions back
    assert_ended(store_app, cookie, csrf)


def test_sign_out_everywhere_ends_every_session_but_keeps_the_token(store_app):
    captures = [captured(Client(store_app, "disp")) for _ in range(2)]
    token = token_for("disp")
    admin_does(store_app, "disp", "signout")
    for cookie, csrf in captures:
        assert_ended(store_app, cookie, csrf)
    assert api_status(store_app, token) == 200
    assert Client(store_app, "disp").get("/dispatch/").status_code == 200  # signing in again works


def test_an_idle_session_ends(store_app):
    disp = Client(store_app, "disp")
    cookie, csrf = captured(disp)
    idle = store_app.config["SESSION_IDLE_TIMEOUT"]
    with session_scope() as s:
        s.execute(update(WebSessionRow).values(last_seen=datetime.now(timezone.utc) - idle - timedelta(minutes=1)))
    assert_ended(store_app, cookie, csrf)


def test_a_session_ends_at_its_absolute_lifetime_however_busy(store_app):
    disp = Client(store_app, "disp")
    cookie, csrf = captured(disp)
    life = store_app.config["PERMANENT_SESSION_LIFETIME"]
    with session_scope() as s:
        s.execute(update(WebSessionRow).values(created_at=datetime.now(timezone.utc) - life - timedelta(minutes=1)))
    assert_ended(store_app, cookie, csrf)


def test_a_signed_cookie_without_a_store_session_is_refused(store_app):
    """A cookie signed with the app's key but naming no session row (as every cookie made
    before sessions were kept in the store) signs nobody in."""
    with session_scope() as s:
        user = accounts.get_user_by_name(s, "disp")
    serializer = store_app.session_interface.get_signing_serializer(store_app)
    forged = serializer.dumps({"uid": user.id, "stamp": user.stamp, "csrf": "t", "_permanent": True})
    assert_ended(store_app, forged, "t")


def test_the_store_keeps_only_a_digest_of_the_session_id(store_app):
    cookie, _ = captured(Client(store_app, "disp"))
    serializer = store_app.session_interface.get_signing_serializer(store_app)
    sid = serializer.loads(cookie)["sid"]
    with session_scope() as s:
        digests = [row.digest for row in s.query(WebSessionRow)]
        assert sid not in digests and len(digests) == 1
        uid = accounts.get_user_by_name(s, "disp").id
        assert web_sessions.check_session(s, sid, uid)
        assert not web_sessions.check_session(s, sid, uid + 1)  # another user's id does not fit


def test_signing_in_again_after_sign_out_works(store_app):
    c = Client(store_app, "disp")
    c.post("/logout")
    assert c.login("disp", PASSWORD).status_code == 302
    assert c.get("/dispatch/").status_code == 200


def test_signing_in_again_ends_the_browsers_previous_session(store_app):
    c = Client(store_app, "disp")
    cookie, csrf = captured(c)
    c.login("disp")
    assert c.get("/dispatch/").status_code == 200
    assert_ended(store_app, cookie, csrf)
