"""The JSON API with token auth; every response is validated against web/openapi.yaml,
and every API route of the app is in that file (and nothing else is)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml

from planner.store import accounts
from planner.store.db import session_scope
from tests.web.conftest import DAY, DISTRICT
from tests.web.helpers import csv_bytes, fixture_rows, gazetteer_bytes, tickets_with_bad_row

jsonschema = pytest.importorskip("jsonschema")
from referencing import Registry, Resource  # noqa: E402  (comes with jsonschema)
from referencing.jsonschema import DRAFT202012  # noqa: E402

SPEC_PATH = Path(__file__).resolve().parents[2] / "web" / "openapi.yaml"
SPEC = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
PLAN_SCHEMA = json.loads(SPEC_PATH.with_name("plan.schema.json").read_text(encoding="utf-8"))
URI = "https://cvp.invalid/api/openapi.yaml"  # openapi.yaml's relative references resolve beside it
REGISTRY = Registry().with_resources([
    (URI, Resource.from_contents(SPEC, default_specification=DRAFT202012)),
    (urljoin(URI, "plan.schema.json"), Resource.from_contents(PLAN_SCHEMA, default_specification=DRAFT202012)),
])


def _pointer(*parts: str) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _follow(pointer: str):
    node = SPEC
    for part in pointer.lstrip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    while isinstance(node, dict) and "$ref" in node and not node["$ref"].startswith(URI):
        pointer = node["$ref"][1:]
        node = _follow(pointer)[1]
    return pointer, node


def _spec_path(url_path: str) -> str:
    for template in SPEC["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template)) + "$"
        if re.match(pattern, url_path):
            return template
    raise AssertionError(f"{url_path} is not in openapi.yaml")


def check(response, method: str = "GET"):
    """The response's status and body must be what openapi.yaml documents."""
    path = _spec_path(response.request.path)
    op = SPEC["paths"][path][method.lower()]
    status = str(response.status_code)
    assert status in op["responses"], f"{method} {path}: status {status} is not documented"
    pointer, resp = _follow(_pointer("paths", path, method.lower(), "responses", status))
    content = resp.get("content", {})
    mime = response.mimetype
    assert mime in content, f"{method} {path} {status}: {mime} is not documented ({list(content)})"
    if mime == "application/json":
        schema_ptr = pointer + _pointer("content", mime, "schema")
        validator = jsonschema.Draft202012Validator({"$ref": f"{URI}#{schema_ptr}"}, registry=REGISTRY,
                                                    format_checker=jsonschema.FormatChecker())
        errors = sorted(validator.iter_errors(response.get_json()), key=lambda e: list(e.path))
        assert not errors, f"{method} {path} {status}: " + "; ".join(
            f"{list(e.path)}: {e.message[:200]}" for e in errors[:5])
    return response


@pytest.fixture
def tokens(seeded):
    with session_scope() as s:
        return {name: accounts.issue_token(s, name) for name in ("disp", "f1", "plan", "admin")}


@pytest.fixture
def api(app, tokens):
    class Api:
        def __init__(self, who: str):
            self.http = app.test_client()
            self.headers = {"Authorization": f"Bearer {tokens[who]}"}

        def get(self, url):
            return check(self.http.get(url, headers=self.headers), "GET")

        def post(self, url, **kw):
            return check(self.http.post(url, headers=self.headers, **kw), "POST")

    return Api


def test_every_api_route_is_documented_and_nothing_more(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(p, m) for p, ops in SPEC["paths"].items() for m in ops if m in ("get", "post", "put", "delete")}
    assert routes == documented


def test_the_spec_is_a_valid_openapi_document():
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(SPEC, base_uri=SPEC_PATH.as_uri())  # plan.schema.json is read from beside it


def test_the_plan_schema_is_served_beside_the_spec(api):
    r = api("f1").get("/api/plan.schema.json")
    assert r.get_json() == PLAN_SCHEMA and r.get_json()["properties"]["schema"] == {"const": "cvp.plan/1"}


def test_the_spec_is_served(api):
    r = api("f1").http.get("/api/openapi.yaml", headers=api("f1").headers)
    assert r.status_code == 200 and yaml.safe_load(r.data)["openapi"].startswith("3.1")


def test_me(api):
    assert api("f1").get("/api/me").get_json() == {"username": "f1", "role": "field", "staff_id": "S1",
                                                   "district": DISTRICT}


def test_no_or_bad_token(app, seeded):
    http = app.test_client()
    check(http.get("/api/me"))
    r = check(http.get("/api/me", headers={"Authorization": "Bearer cvp_nope"}))
    assert r.status_code == 401
    assert http.get("/api/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_roles_apply_to_the_api(api):
    r = api("f1").get(f"/api/days/{DAY}/triage")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == 403
    assert api("plan").get(f"/api/days/{DAY}/plans").status_code == 403
    assert api("disp").post("/api/cost/run", json={"scenario": "xian-2010-recommended"}).status_code == 403


def test_import_dry_run_errors_and_import(api):
    header, rows = fixture_rows("staff.csv")
    r = api("disp").post("/api/imports", data={"file": (io.BytesIO(csv_bytes(header, rows)), "staff.csv"),
                                               "dry_run": "true"}, content_type="multipart/form-data")
    body = r.get_json()
    assert r.status_code == 200 and body["kind"] == "staff" and body["imported"] is False and body["valid"] == 4
    bad, line = tickets_with_bad_row()
    r = api("disp").post("/api/imports", data={"file": (io.BytesIO(bad), "tickets.csv"),
                                               "gazetteer": (io.BytesIO(gazetteer_bytes()), "g.csv")},
                         content_type="multipart/form-data")
    assert r.status_code == 422 and any(e["line"] == line for e in r.get_json()["errors"])
    new = [list(x) for x in fixture_rows()[1][:2]]
    for i, row in enumerate(new):
        row[0] = f"API-{i}"
    r = api("disp").post("/api/imports", data={"file": (io.BytesIO(csv_bytes(fixture_rows()[0], new)), "t.csv")},
                         content_type="multipart/form-data")
    assert r.status_code == 200 and r.get_json()["report"] == {"added": 2, "updated": 0, "unchanged": 0}
    r = api("disp").post("/api/imports", data={"file": (io.BytesIO(b"MZ"), "t.exe")},
                         content_type="multipart/form-data")
    assert r.status_code == 422


def test_triage_overrides_and_appointments(api):
    a = api("disp")
    body = a.get(f"/api/days/{DAY}/triage").get_json()
    assert len(body["visits"]) == 25 and len(body["phone_followups"]) == 18
    r = a.post(f"/api/days/{DAY}/overrides", json={"overrides": [
        {"ticket_id": "XA-NQ-20100804-0071", "field": "type", "value": "irate"}]})
    assert r.get_json() == {"saved": 1}
    assert a.post(f"/api/days/{DAY}/overrides", json={"overrides": [
        {"ticket_id": "XA-NQ-20100804-0071", "field": "type", "value": "nope"}]}).status_code == 422
    assert a.post(f"/api/days/{DAY}/overrides", json={"overrides": []}).status_code == 422
    r = a.post(f"/api/days/{DAY}/appointments", json={"ticket_id": "XA-NQ-20100804-0071", "start": "14:00",
                                                       "end": "15:00"})
    assert r.get_json()["start"] == "2010-08-05T14:00:00+08:00"
    with session_scope() as s:
        from sqlalchemy import select

        from planner.store.models import OverrideRow

        assert s.scalars(select(OverrideRow.author).where(OverrideRow.field == "window")).all() == ["disp"]
    assert a.post(f"/api/days/{DAY}/appointments", json={"ticket_id": "XA-BQ-NOPE", "start": "14:00",
                                                          "end": "15:00"}).status_code == 422
    v = next(v for v in a.get(f"/api/days/{DAY}/triage").get_json()["visits"]
             if "XA-NQ-20100804-0071" in v["ticket_ids"])
    assert v["customer_type"] == "irate" and "type" in v["overrides"]
    assert v["time_window"] == ["2010-08-05T14:00:00+08:00", "2010-08-05T15:00:00+08:00"]


def test_plan_status_versions_publish_and_sheets(api):
    a = api("disp")
    r = a.post(f"/api/days/{DAY}/plans", json={})
    assert r.status_code == 202 and r.headers["Location"] == r.get_json()["status_url"]
    job = a.get(r.get_json()["status_url"]).get_json()
    assert job["status"] == "done" and job["result"]["version"] == 1 and job["plan_url"] == f"/api/days/{DAY}/plans/1"
    versions = a.get(f"/api/days/{DAY}/plans").get_json()["versions"]
    assert [(v["version"], v["status"]) for v in versions] == [(1, "draft")]
    doc = a.get(f"/api/days/{DAY}/plans/1").get_json()
    assert doc["status"] == "draft" and doc["document"]["summary"]["assigned"] == 24
    assert a.post(f"/api/days/{DAY}/plans/1/publish").get_json()["status"] == "published"
    assert a.get(f"/api/days/{DAY}/plans/1").get_json()["status"] == "published"
    sheet = a.get(f"/api/days/{DAY}/plans/1/sheets/S2.pdf")
    assert sheet.status_code == 200 and sheet.data.startswith(b"%PDF")
    assert a.get(f"/api/days/{DAY}/plans/1/sheets/S9.pdf").status_code == 404
    assert a.get(f"/api/days/{DAY}/plans/9").status_code == 404
    assert a.get("/api/jobs/999").status_code == 404
    assert a.post(f"/api/days/{DAY}/plans", json={"pins": ["x"]}).status_code == 422


def test_a_pin_must_name_someone_on_duty(api):
    from planner.store.absences import set_absent

    with session_scope() as s:
        set_absent(s, DAY, DISTRICT, "S2", "sick")
    r = api("disp").post(f"/api/days/{DAY}/plans", json={"pins": {"V-XA-NQ-20100804-0071": "S2"}})
    assert r.status_code == 422 and "V-XA-NQ-20100804-0071 → S2: not on duty" in r.get_json()["error"]["message"]
    assert api("disp").get(f"/api/days/{DAY}/plans").get_json()["versions"] == []


def test_a_failed_plan_job_reports_its_error(api):
    a = api("disp")
    r = a.post("/api/days/2009-01-01/plans", json={})
    job = a.get(r.get_json()["status_url"]).get_json()
    assert job["status"] == "failed" and "no open tickets" in job["error"]


def test_an_admin_names_the_district(api):
    a = api("admin")
    assert a.get(f"/api/days/{DAY}/triage").status_code == 422
    assert len(a.get(f"/api/days/{DAY}/triage?district={DISTRICT}").get_json()["visits"]) == 25


def test_cost_run(api):
    p = api("plan")
    assert p.post("/api/cost/run", json={"scenario": "xian-2010-recommended"}).get_json()["total_monthly"] == 140520.0
    quote = p.post("/api/cost/run", json={"scenario": "xian-2010-vendor-quote"}).get_json()
    assert quote["per_district"]["total_monthly"] == 59122.2
    changed = p.post("/api/cost/run", json={"scenario": "xian-2010-recommended", "set": {"districts": 5}}).get_json()
    assert changed["staffing"]["total_staff"] > 27
    assert p.post("/api/cost/run", json={"yaml": "a: ["}).status_code == 422
    assert p.post("/api/cost/run", json={}).status_code == 422
    assert p.post("/api/cost/run", json={"scenario": "../../etc/passwd"}).status_code == 422
