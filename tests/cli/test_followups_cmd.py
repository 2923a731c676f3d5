"""``cvp followups list|assign|update|escalate|resolve``: each step writes its event (and
its audit row), a refused one names the case and the reason and writes nothing."""

from __future__ import annotations

import os
from contextlib import closing
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from planner.actor import Actor
from planner.cases import actions
from planner.cases.events import CaseKind, EventKind
from planner.cli import main
from planner.store import accounts
from planner.store import cases as case_store
from planner.store.db import open_session

SOUTH = Actor("disp", "dispatcher", frozenset({"南区"}))
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()
D1 = date(2010, 8, 5)


def _session():
    return closing(open_session(os.environ["CVP_DATABASE_URL"]))


def _visited_case(ticket: str = "T1") -> int:
    """A case whose visit needs a follow-up (需要后期闭环), and a follow-up account of its district."""
    with _session() as s:
        if accounts.get_user_by_name(s, "follow1") is None:
            accounts.add_user(s, "follow1", "a long password", "followup", district="南区")
            s.commit()
        case_id = actions.open_case(s, SOUTH, "南区", CaseKind.VISIT, D1, [ticket], ["vip"]).case.case_id
        actions.record(s, SOUTH, "南区", case_id, EventKind.PLANNED, day=D1, data={"version": 1, "staff_id": "S1"})
        actions.record(s, SOUTH, "南区", case_id, EventKind.OUTCOME, day=D1, data={"result": "follow_up"})
        return case_id


def _kinds(case_id: int) -> list[str]:
    with _session() as s:
        return [e.kind.value for e in case_store.get_case(s, "南区", case_id).events]


def _audited(case_id: int) -> list[str]:
    with _session() as s:
        return [e.action for e in accounts.audit_log(s, target_contains=f"南区 case {case_id}", limit=100)]


def test_each_step_writes_its_event_and_the_queue_follows(capsys):
    case_id = _visited_case()
    cid = str(case_id)
    assert main(["followups", "list", "--district", "南区"]) == 0
    out = capsys.readouterr().out
    assert f"{cid}\tto_assign\tassign the follow-up\t2010-08-05\tT1" in out

    promised = TODAY + timedelta(days=7)
    assert main(["followups", "assign", cid, "--district", "南区", "--solution", "cell_parameters",
                 "--owner", "follow1", "--promised", f"{promised}", "--note", "调整周边小区参数"]) == 0
    assert f"case {cid}: cell_parameters, owned by follow1, promised {promised}" in capsys.readouterr().out
    assert _kinds(case_id)[-1] == "follow_up_assigned"

    assert main(["followups", "update", cid, "--district", "南区", "--status", "in_progress",
                 "--note", "参数已提交"]) == 0
    assert "follow-up in_progress" in capsys.readouterr().out
    assert _kinds(case_id)[-1] == "follow_up_updated"

    assert main(["followups", "list", "--district", "南区", "--owner", "follow1"]) == 0
    line = capsys.readouterr().out.splitlines()[1].split("\t")
    assert line[:3] == [cid, "follow_up", f"follow1 follows up by {promised}"]
    assert line[6:10] == ["cell_parameters", "follow1", f"{promised}", "in_progress"]
    # on a day past the promised date it is overdue, by how many days
    assert main(["followups", "list", "--district", "南区", "--date", f"{promised + timedelta(days=2)}"]) == 0
    assert "\tOVERDUE 2d follow1 follows up by" in capsys.readouterr().out
    assert main(["followups", "list", "--district", "南区", "--owner", "nobody"]) == 0
    assert "no follow-ups open in 南区 for nobody" in capsys.readouterr().out

    assert main(["followups", "escalate", cid, "--district", "南区", "--to", "市公司网优中心",
                 "--promised", f"{promised + timedelta(days=14)}"]) == 0
    assert "escalated to 市公司网优中心" in capsys.readouterr().out
    assert _kinds(case_id)[-1] == "follow_up_escalated"

    # `cvp outcomes followups` is the same queue
    assert main(["outcomes", "followups", "--district", "南区"]) == 0
    assert f"{cid}\tfollow_up\t" in capsys.readouterr().out

    assert main(["followups", "resolve", cid, "--district", "南区", "--note", "新站开通，信号恢复"]) == 0
    assert "follow-up resolved; the case is closed" in capsys.readouterr().out
    assert _kinds(case_id)[-1] == "closed"
    assert _audited(case_id)[:5] == ["follow_up", "case_closed", "case_follow_up_escalated", "case_follow_up_updated",
                                     "case_follow_up_assigned"]
    assert main(["followups", "list", "--district", "南区"]) == 0
    assert "no follow-ups open in 南区" in capsys.readouterr().out


def test_a_refused_step_exits_non_zero_names_the_case_and_writes_nothing(capsys):
    case_id = _visited_case()
    cid = str(case_id)
    before, audited = _kinds(case_id), _audited(case_id)
    refused = [
        (["followups", "assign", cid, "--district", "南区", "--solution", "cell_parameters", "--owner", "follow1",
          "--promised", "2010-08-01"], "the promised date 2010-08-01 is in the past"),
        (["followups", "assign", cid, "--district", "南区", "--solution", "magic", "--owner", "follow1",
          "--promised", f"{TODAY}"], "solution 'magic': choose one of"),
        (["followups", "assign", cid, "--district", "南区", "--solution", "cell_parameters", "--owner", "nobody",
          "--promised", f"{TODAY}"], "'nobody' is not an active dispatcher or follow-up account of 南区"),
        (["followups", "update", cid, "--district", "南区", "--promised", "2010-08-01"],
         "the promised date 2010-08-01 is in the past"),
        (["followups", "escalate", cid, "--district", "南区", "--to", " "], "an escalation names the level it goes to"),
    ]
    for argv, reason in refused:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert f"case {cid} (南区): " in err and reason in err, err
    assert main(["followups", "resolve", cid, "--district", "北区", "--note", "x"]) == 2
    assert f"no case {cid} in 北区" in capsys.readouterr().err
    assert _kinds(case_id) == before and _audited(case_id) == audited
    # a case not in follow-up: the step is refused with the case's state
    assert main(["followups", "resolve", cid, "--district", "南区", "--note", "done"]) == 0
    assert main(["followups", "update", cid, "--district", "南区", "--status", "in_progress"]) == 2
    assert f"case {cid} (南区): cannot record follow_up_updated: the case is closed" in capsys.readouterr().err


def test_a_callback_is_recorded_not_reached_then_reached_and_refused_when_none_is_due(capsys):
    case_id = _visited_case("T9")
    with _session() as s:
        actions.record(s, SOUTH, "南区", case_id, EventKind.CALLBACK_DUE, day=D1 + timedelta(days=3))
    base = ["followups", "callback", str(case_id), "--district", "南区", "--date", "2010-08-08"]
    assert main([*base, "--not-reached", "--note", "无人接听"]) == 0
    assert "not reached (1 attempt(s)); still due from 2010-08-08" in capsys.readouterr().out
    assert main([*base, "--reached", "--answer", "satisfied"]) == 0
    assert "called back (satisfied)" in capsys.readouterr().out
    assert _kinds(case_id)[-2:] == ["called_back", "called_back"]
    assert main([*base, "--reached"]) == 2
    assert f"case {case_id} (南区): no callback is due on this case" in capsys.readouterr().err
    assert _kinds(case_id)[-1] == "called_back" and len(_kinds(case_id)) == 6
