"""The callback on the case page and through the API: the follow-up account records it; reached,
it is done; not reached, it stays due; a case with no callback due offers no form and refuses
the API call (422, nothing written); a field account is forbidden."""

from __future__ import annotations

from contextlib import closing
from datetime import timedelta

import pytest

from planner.cases import actions
from planner.cases.events import EventKind
from planner.store.db import open_session
from tests.web.conftest import DAY, DISTRICT
from tests.web.test_cases_api import api  # noqa: F401  (the fixture)
from tests.web.test_cases_pages import SOUTH, _post, events_of, planned, tickets

pytestmark = pytest.mark.usefixtures("seeded")


def _with_callback(ticket: str) -> int:
    case_id = planned(ticket)
    with closing(open_session()) as s:
        actions.record(s, SOUTH, DISTRICT, case_id, EventKind.OUTCOME, day=DAY,
                       data={"result": "closed_on_site", "version": 1, "staff_id": "S1"})
        actions.record(s, SOUTH, DISTRICT, case_id, EventKind.CALLBACK_DUE, day=DAY + timedelta(days=3))
        s.commit()
    return case_id


def test_a_followup_account_records_the_callback_on_the_case_page(client_for):
    case_id = _with_callback(tickets()[0][0])
    fu = client_for("fu")
    assert 'id="form-callback"' in fu.get(f"/cases/{case_id}").get_data(as_text=True)
    assert _post(fu, case_id, "callback", reached="no", answer="", note="无人接听").status_code == 302
    assert events_of(case_id)[-1].data == {"reached": False}
    assert _post(fu, case_id, "callback", reached="yes", answer="basically_satisfied", note="").status_code == 302
    assert events_of(case_id)[-1].data == {"reached": True, "answer": "basically_satisfied"}
    assert 'id="form-callback"' not in fu.get(f"/cases/{case_id}").get_data(as_text=True)  # done
    assert _post(client_for("f1"), case_id, "callback", reached="yes").status_code == 403


def test_the_callback_through_the_api(api):  # noqa: F811
    case_id = _with_callback(tickets()[0][0])
    url = f"/api/cases/{case_id}/callback"
    assert api("fu").post(url, json={"reached": "yes"}).status_code == 422  # a boolean, not a word
    r = api("fu").post(url, json={"reached": True, "answer": "satisfied"})
    assert r.status_code == 200 and r.get_json()["events"][-1]["kind"] == "called_back"
    before = len(events_of(case_id))
    again = api("fu").post(url, json={"reached": True})
    assert again.status_code == 422 and "no callback is due" in again.get_json()["error"]["message"]
    assert len(events_of(case_id)) == before
