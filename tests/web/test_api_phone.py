"""``POST /api/cases/{case_id}/convert``: a dispatcher turns an open phone follow-up into a
visit with the reason; the answer is what openapi.yaml documents, and the next triage (the
API's too) selects the case for a visit, saying it was converted."""

from __future__ import annotations

import re
from datetime import date

from planner.actor import Actor
from planner.cases import actions
from planner.cases.events import CaseKind
from planner.store import accounts
from planner.store.db import session_scope
from tests.web.conftest import DAY, DISTRICT
from tests.web.test_api import check

SOUTH = Actor("disp", "dispatcher", frozenset({DISTRICT}))
TICKET = "XA-NQ-20100804-0041"  # a customer of the fixture day


def _phone_case() -> int:
    with session_scope() as s:
        return actions.open_case(s, SOUTH, DISTRICT, CaseKind.PHONE, date(2010, 8, 4), [TICKET],
                                 ["no_visit_rule"]).case.case_id


def _post(app, who: str, url: str, body):
    with session_scope() as s:
        token = accounts.issue_token(s, who)
    http = app.test_client()
    return check(http.post(url, headers={"Authorization": f"Bearer {token}"}, json=body), "POST")


def test_a_dispatcher_converts_a_phone_follow_up_and_the_triage_visits_it(app, seeded):
    case_id = _phone_case()
    url = f"/api/cases/{case_id}/convert?district={DISTRICT}"
    assert _post(app, "f1", url, {"reason": "x"}).status_code == 403
    assert _post(app, "disp", url, {}).status_code == 422  # the reason is required
    r = _post(app, "disp", url, {"reason": "customer wants a visit"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["case_id"] == case_id and body["kind"] == "visit" and body["state"] == "open"
    assert body["why_back"].startswith("converted from a phone follow-up on ")
    assert body["why_back"].endswith(": customer wants a visit")
    assert body["events"][-1]["kind"] == "converted_to_visit"
    again = _post(app, "disp", url, {"reason": "again"})
    assert again.status_code == 422 and "a visit already" in again.get_json()["error"]["message"]
    assert _post(app, "disp", "/api/cases/999999/convert", {"reason": "x"}).status_code == 404
    with session_scope() as s:
        token = accounts.issue_token(s, "disp")
    triage = check(app.test_client().get(f"/api/days/{DAY}/triage", headers={"Authorization": f"Bearer {token}"}))
    [visit] = [v for v in triage.get_json()["visits"] if TICKET in v["ticket_ids"]]
    assert "dispatcher" in visit["reasons"]
    assert TICKET not in {f["ticket_id"] for f in triage.get_json()["phone_followups"]}


def test_an_open_phone_case_is_listed_as_that_case_by_the_api_triage(app, seeded):
    """Also after the triage was seen once: opening the case changes what the triage reads."""
    with session_scope() as s:
        token = accounts.issue_token(s, "disp")
    headers = {"Authorization": f"Bearer {token}"}
    before = check(app.test_client().get(f"/api/days/{DAY}/triage", headers=headers)).get_json()["phone_followups"]
    ticket = before[0]["ticket_id"]
    assert before[0]["why_code"] == "no_visit_rule" and "case_id" not in before[0]
    with session_scope() as s:
        case_id = actions.open_case(s, SOUTH, DISTRICT, CaseKind.PHONE, date(2010, 8, 4), [ticket],
                                    ["no_visit_rule"]).case.case_id
    after = check(app.test_client().get(f"/api/days/{DAY}/triage", headers=headers)).get_json()["phone_followups"]
    listed = [f for f in after if f["ticket_id"] == ticket]
    assert listed == [{"ticket_id": ticket, "why_code": "open_case", "case_id": case_id,
                       "why": f"phone follow-up open since 2010-08-04, case {case_id}, 0 call(s)"}]
    assert len(after) == len(before)


def test_the_triage_page_shows_an_open_phone_case_in_chinese_without_the_visit_override(app, seeded):
    from tests.web.conftest import Client, text_of

    c = Client(app, "disp")
    page = c.get(f"/dispatch/{DAY}/triage").get_data(as_text=True)
    ticket = re.search(r'<tr id="f-([^"]+)">', page).group(1)
    with session_scope() as s:
        case_id = actions.open_case(s, SOUTH, DISTRICT, CaseKind.PHONE, date(2010, 8, 4), [ticket],
                                    ["no_visit_rule"]).case.case_id
    r = c.get(f"/dispatch/{DAY}/triage")
    row = re.search(rf'<tr id="f-{re.escape(ticket)}">(.*?)</tr>', r.get_data(as_text=True), re.S).group(1)
    assert f"电话回访自 2010-08-04 起未结（案例 {case_id}，已致电 0 次）" in text_of_html(row)
    assert 'value="yes"' not in row  # converting the case, not an override, makes it a visit
    assert text_of(r).count("电话回访自") == 1  # the other follow-ups are new ones


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
