"""Each security rule of the issue, shown to fail closed: CSRF, roles on every route,
a field worker on another's route, escaping of ticket text, phone masking, upload
limits, headers, and views that forget to declare who may call them."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask

from planner.store import accounts
from planner.store.db import session_scope
from tests.web.conftest import DAY, Client, make_app, text_of
from tests.web.helpers import XSS, fixture_phones, gazetteer_bytes, tickets_with_xss
from tests.web.test_auth import concrete_urls

ALL = {"dispatcher", "field", "followup", "planner", "admin"}
DISPATCH = {"dispatcher", "admin"}
PLANNING = {"planner", "admin"}
FOLLOW_UP = CASE_STAFF = DISPATCH | {"followup"}  # the cases; deciding (close, reopen, assign, close a day) stays DISPATCH

# who may call each endpoint: the policy, written down once (a change to a view's roles must change this too)
POLICY = {
    "auth.logout": ALL, "auth.home": ALL,
    "dispatcher.choose_district": {"admin"},
    "api.me": ALL, "api.openapi": ALL, "api.plan_schema": ALL, "api.cost_run": PLANNING,
    "api.outcomes": DISPATCH | {"field"}, "api.record_outcome": DISPATCH | {"field"},
    "cases.close": DISPATCH, "cases.reopen": DISPATCH,
    "cases.assign_follow_up": DISPATCH, "cases.close_day": DISPATCH, "cases.convert": DISPATCH,
    **dict.fromkeys(["api.cases", "api.case_history", "api.record_call", "api.record_callback", "api.update_follow_up",
                     "api.escalate_follow_up", "api.resolve_follow_up"], CASE_STAFF),
    "api.api_queue": FOLLOW_UP,
}
PREFIX_POLICY = {"dispatcher.": DISPATCH, "cases.": CASE_STAFF, "calls.": DISPATCH, "field.": {"field"},
                 "followups.": FOLLOW_UP, "planner.": PLANNING, "admin.": {"admin"}, "api.": DISPATCH}
PUBLIC = {"auth.login", "auth.healthz", "auth.set_lang", "auth.favicon", "static"}
USER_OF_ROLE = {"dispatcher": "disp", "field": "f1", "followup": "fu", "planner": "plan",
                "admin": "admin"}


def expected_roles(endpoint: str) -> set[str]:
    if endpoint in POLICY:
        return POLICY[endpoint]
    return next(roles for prefix, roles in PREFIX_POLICY.items() if endpoint.startswith(prefix))


def test_the_declared_roles_are_the_policy(app):
    for endpoint, fn in app.view_functions.items():
        if endpoint in PUBLIC:
            assert getattr(fn, "_cvp_public", False) or endpoint == "static", endpoint
            continue
        assert set(fn._cvp_roles) == expected_roles(endpoint), endpoint


@pytest.mark.parametrize("role", sorted(ALL))
def test_every_route_refuses_other_roles(seeded, app, role):
    c = Client(app, USER_OF_ROLE[role])
    for method, url, endpoint in concrete_urls(app):
        if endpoint in PUBLIC or endpoint == "auth.logout":
            continue
        allowed = role in expected_roles(endpoint)
        if allowed and url.endswith(".pdf"):
            continue  # rendering sheets is slow; the download tests cover the allowed side
        r = c.http.open(url, method=method, data={"csrf_token": c.csrf} if method != "GET" else None,
                        headers={"X-CSRF-Token": c.csrf} if method != "GET" else None)
        if allowed:
            assert r.status_code != 403, (role, method, url)
        else:
            assert r.status_code == 403, (role, method, url, r.status_code)


def test_a_view_without_declared_roles_stops_the_app():
    from web.security import check_every_view_is_guarded

    app = Flask(__name__)
    app.add_url_rule("/oops", "oops", lambda: "secret")
    with pytest.raises(RuntimeError, match="oops"):
        check_every_view_is_guarded(app)


def test_every_state_changing_route_needs_the_csrf_token(seeded, app):
    c = Client(app, "admin")
    checked = 0
    for method, url, _endpoint in concrete_urls(app):
        if method == "GET":
            continue
        assert c.http.open(url, method=method, data={}).status_code == 400, url
        assert c.http.open(url, method=method, data={"csrf_token": "forged"}).status_code == 400, url
        checked += 1
    assert checked >= 20


def test_no_csrf_token_means_400_and_nothing_changes(seeded, client_for):
    c = client_for("disp")
    r = c.post(f"/dispatch/{DAY}/roster", {"staff_id": "S2", "absent": "1"}, csrf=False)
    assert r.status_code == 400 and "CSRF" in text_of(r)
    from planner.store.absences import absences_on

    with session_scope() as s:
        assert absences_on(s, DAY, "南区") == {}


def test_login_itself_needs_the_csrf_token(seeded, app):
    http = app.test_client()
    r = http.post("/login", data={"username": "disp", "password": "correct-horse-42"})
    assert r.status_code == 400
    assert http.get("/dispatch/").status_code == 302


def test_the_api_needs_csrf_with_a_session_but_not_with_a_token(seeded, app):
    c = Client(app, "disp")
    assert c.http.post(f"/api/days/{DAY}/plans", json={}).status_code == 400
    assert c.http.post(f"/api/days/{DAY}/plans", json={}, headers={"X-CSRF-Token": c.csrf}).status_code == 202
    with session_scope() as s:
        token = accounts.issue_token(s, "disp")
    r = app.test_client().post(f"/api/days/{DAY}/plans", json={}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 202


def test_a_bad_token_is_401_even_with_a_session(seeded, app):
    c = Client(app, "disp")
    r = c.http.get("/api/me", headers={"Authorization": "Bearer cvp_forged"})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_field_worker_cannot_see_another_workers_route(planned, client_for):
    f1 = client_for("f1")
    assert f1.get(f"/field/routes/{DAY}/S1").status_code == 200
    for url in (f"/field/routes/{DAY}/S2", f"/field/routes/{DAY}/S2/sheet.pdf", f"/field/stops/{DAY}/S2/1"):
        assert f1.get(url).status_code == 403, url
    assert f1.post(f"/field/stops/{DAY}/S2/1", {"notes": "x"}).status_code == 403
    # nor any planning page or API
    for url in (f"/dispatch/{DAY}/plan/1", f"/dispatch/{DAY}/triage", "/planner/", f"/api/days/{DAY}/plans/1"):
        assert f1.get(url).status_code == 403, url


def test_a_dispatcher_sees_only_their_district(planned, client_for):
    north = client_for("disp_north")
    assert north.get(f"/dispatch/{DAY}/plan/1").status_code == 404
    assert north.get(f"/dispatch/{DAY}/plan/1/sheets/S1.pdf").status_code == 404
    r = north.post(f"/dispatch/{DAY}/overrides", {"ticket_id": "XA-NQ-20100804-0071", "field": "type",
                                                   "value": "irate"})
    assert r.status_code == 404
    south = client_for("disp")
    job = south.http.post(f"/api/days/{DAY}/plans", json={}, headers={"X-CSRF-Token": south.csrf}).get_json()
    assert north.get(f"/api/jobs/{job['job_id']}").status_code == 404
    assert north.get(f"/dispatch/jobs/{job['job_id']}").status_code == 404


def test_only_admins_manage_users(seeded, client_for):
    for name in ("disp", "f1", "plan"):
        c = client_for(name)
        assert c.get("/admin/users").status_code == 403
        assert c.post("/admin/users", {"username": "evil", "password": "x" * 12, "role": "admin"}).status_code == 403
    with session_scope() as s:
        assert accounts.get_user_by_name(s, "evil") is None


def _upload_xss(c: Client):
    r = c.post("/dispatch/import", {"file": (io.BytesIO(tickets_with_xss()), "tickets.csv"),
                                    "gazetteer": (io.BytesIO(gazetteer_bytes()), "gazetteer.csv")},
               content_type="multipart/form-data")
    assert r.status_code == 200, text_of(r)[:2000]
    token = re.search(r"/dispatch/import/([\w-]+)/confirm", r.get_data(as_text=True)).group(1)
    return r, c.post(f"/dispatch/import/{token}/confirm")


def assert_escaped(html: str, where: str) -> None:
    assert "<script>alert" not in html, where
    assert "<img src=x" not in html, where
    assert "onerror=\"alert" not in html, where


def test_xss_in_ticket_text_shows_as_text_everywhere(seeded, client_for):
    c = client_for("disp")
    preview, confirmed = _upload_xss(c)
    assert confirmed.status_code == 302
    html = preview.get_data(as_text=True)
    assert_escaped(html, "preview")
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in html
    pages = {"triage": c.get(f"/dispatch/{DAY}/triage")}
    plan_job = c.post(f"/dispatch/{DAY}/plan")
    pages["job"] = c.get(plan_job.headers["Location"])
    pages["plan"] = c.get(f"/dispatch/{DAY}/plan/1")
    assert pages["plan"].status_code == 200
    c.post(f"/dispatch/{DAY}/plan/1/publish")
    f1 = client_for("f1")
    pages["field route"] = f1.get(f"/field/routes/{DAY}/S1")
    pages["field stop"] = f1.get(f"/field/stops/{DAY}/S1/1")
    for where, r in pages.items():
        assert r.status_code == 200, where
        assert_escaped(r.get_data(as_text=True), where)
    assert "&lt;img src=x" in pages["triage"].get_data(as_text=True)  # the address, as text
    assert XSS in text_of(pages["field stop"]).replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'")
    assert "&lt;script&gt;" in pages["field route"].get_data(as_text=True)


def test_pages_forbid_inline_scripts(seeded, client_for):
    r = client_for("disp").get(f"/dispatch/{DAY}/triage")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert r.headers["Cache-Control"] == "no-store"
    assert "<script>" not in r.get_data(as_text=True)  # only <script src=…>


def test_phone_numbers_are_masked_outside_the_workers_own_route(planned, client_for):
    phones = fixture_phones()
    c = client_for("disp")
    pages = [c.get(f"/dispatch/{DAY}/plan/1"),
             c.get(f"/dispatch/{DAY}/plan/1/export.csv"), c.get(f"/dispatch/{DAY}/roster")]
    r = c.post("/dispatch/import", {"file": (io.BytesIO(tickets_with_xss()), "tickets.csv"),
                                    "gazetteer": (io.BytesIO(gazetteer_bytes()), "gazetteer.csv")},
               content_type="multipart/form-data")
    pages.append(r)
    for page in pages:
        body = page.get_data(as_text=True)
        leaked = [p for p in phones if p in body]
        assert not leaked, (page.request.path, leaked[:3])
    assert re.search(r"1\d\d\*{4}\d{4}", pages[-1].get_data(as_text=True))  # shown masked
    assert re.search(r"1\d\d\*{4}\d{4}", pages[1].get_data(as_text=True))  # the export
    own = client_for("f1").get(f"/field/routes/{DAY}/S1").get_data(as_text=True)
    shown = [p for p in phones if f'href="tel:{p}"' in own]
    assert shown, "the worker's own route shows the customers' numbers to call"
    triage = c.get(f"/dispatch/{DAY}/triage").get_data(as_text=True)  # the dispatcher phones them
    assert [p for p in phones if f'href="tel:{p}"' in triage]
    other = client_for("disp_north").get(f"/dispatch/{DAY}/triage").get_data(as_text=True)
    assert not [p for p in phones if p in other and f'href="tel:{p}"' in triage]


def test_uploads_are_size_limited(seeded, tmp_path):
    app = make_app(tmp_path, MAX_CONTENT_LENGTH=2048)
    c = Client(app, "disp")
    r = c.post("/dispatch/import", {"file": (io.BytesIO(b"a,b\n" * 2000), "tickets.csv")},
               content_type="multipart/form-data")
    assert r.status_code == 413
    r = c.http.post("/api/imports", data={"file": (io.BytesIO(b"a,b\n" * 2000), "t.csv")},
                    headers={"X-CSRF-Token": c.csrf}, content_type="multipart/form-data")
    assert r.status_code == 413 and r.get_json()["error"]["code"] == 413


@pytest.mark.parametrize("name,content,message", [
    ("tickets.exe", b"MZ\x90\x00", "only .csv, .xlsx, .json"),
    ("tickets.xlsx", b"not a zip at all", "not an Excel"),
    ("tickets.csv", b"\x00\x01binary\x00", "not a text file"),
    ("tickets.json", b"hello", "not a JSON file"),
    ("tickets.csv", b"", "empty"),
])
def test_uploads_are_type_checked(seeded, client_for, name, content, message):
    c = client_for("disp")
    r = c.post("/dispatch/import", {"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")
    assert r.status_code == 422 and message in text_of(r)
    assert not list((c.app.config["WORK_DIR"] and __import__("pathlib").Path(c.app.config["WORK_DIR"]) / "uploads")
                    .glob("*/*.csv"))


def test_another_users_upload_cannot_be_confirmed(seeded, client_for):
    from tests.web.helpers import csv_bytes, fixture_rows

    header, rows = fixture_rows("staff.csv")
    disp = client_for("disp")
    r = disp.post("/dispatch/import", {"file": (io.BytesIO(csv_bytes(header, rows)), "staff.csv")},
                  content_type="multipart/form-data")
    token = re.search(r"/dispatch/import/([\w-]+)/confirm", r.get_data(as_text=True)).group(1)
    admin = client_for("admin")
    r = admin.post(f"/dispatch/import/{token}/confirm")
    assert r.status_code == 302 and r.headers["Location"].endswith("/dispatch/import")
    assert "上传已过期" in text_of(admin.get("/dispatch/import"))
