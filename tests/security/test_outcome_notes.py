"""An outcome's notes (typed in a textarea: line breaks, up to a page) are what the
outcome column takes; the case event that the same transaction appends must take the
same text, not refuse the whole outcome with its own, narrower rule for a dispatcher's
one-line note.  A field worker with a two-line note could not record the visit, and
the dispatcher could not close a follow-up with one."""

from __future__ import annotations

import pytest

from planner.intake.lengths import FREE_TEXT_MAX
from planner.store import cases as case_store
from planner.store.db import session_scope
from planner.store.outcomes import Outcome
from tests.web.conftest import DAY, DISTRICT, text_of

pytestmark = pytest.mark.usefixtures("planned")

NOTES = ("基站信号弱，\r\n客户要求回访\n\t- 已测试三家运营商", "备注" * (FREE_TEXT_MAX // 2))


def _outcome(visit_id: str) -> Outcome | None:
    from planner.store import outcomes

    with session_scope() as s:
        return outcomes.get_outcome(s, DAY, DISTRICT, visit_id)


@pytest.mark.parametrize("notes", NOTES, ids=["line-breaks", "a-page"])
def test_a_field_workers_notes_reach_the_outcome_and_its_case(client_for, notes):
    f1 = client_for("f1")
    r = f1.post(f"/field/stops/{DAY}/S1/1", {"arrived_at": "09:40", "test_china_mobile": "weak",
                                            "result": "follow_up", "satisfaction": "satisfied", "notes": notes})
    assert r.status_code == 302, text_of(r)[:300]
    with session_scope() as s:
        cases = case_store.load_cases(s, DISTRICT)
    outcome_events = [e for c in cases for e in c.events if e.kind.value == "outcome"]
    assert len(outcome_events) == 1
    stored = outcome_events[0].note
    assert stored.replace("\r\n", "\n") == notes.replace("\r\n", "\n")

    d = client_for("disp")
    vid = d.get(f"/api/days/{DAY}/outcomes").get_json()["outcomes"][0]["visit_id"]
    r = d.post(f"/dispatch/{DAY}/followups/{vid}/close", {"notes": notes})
    assert r.status_code == 302
    assert _outcome(vid).followed_up_at is not None
