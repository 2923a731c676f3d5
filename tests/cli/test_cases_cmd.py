"""A dispatcher's case steps at the command line: ``cvp cases close|reopen|show``."""

from __future__ import annotations

import os
from contextlib import closing
from datetime import date

from planner.actor import Actor
from planner.cases import actions
from planner.cases.events import CaseKind
from planner.cli import main
from planner.store.db import open_session

SOUTH = Actor("disp", "dispatcher", frozenset({"南区"}))


def _open_case() -> int:
    with closing(open_session(os.environ["CVP_DATABASE_URL"])) as s:
        return actions.open_case(s, SOUTH, "南区", CaseKind.VISIT, date(2010, 8, 5), ["T1"], ["vip"]).case.case_id


def test_a_case_is_closed_and_reopened_with_its_reason_and_a_second_close_is_refused(capsys):
    case_id = str(_open_case())
    assert main(["cases", "close", case_id, "--district", "南区", "--reason", "duplicate of T9"]) == 0
    assert f"case {case_id}: closed" in capsys.readouterr().out
    assert main(["cases", "close", case_id, "--district", "南区", "--reason", "again"]) != 0
    assert f"case {case_id} (南区)" in capsys.readouterr().err
    assert main(["cases", "reopen", case_id, "--district", "南区", "--reason", "customer called again"]) == 0
    assert main(["cases", "show", case_id, "--district", "南区"]) == 0
    shown = capsys.readouterr().out
    assert "duplicate of T9" in shown and "customer called again" in shown
    assert "reopened" in shown


def test_a_phone_follow_up_is_converted_to_a_visit_with_its_reason(capsys):
    with closing(open_session(os.environ["CVP_DATABASE_URL"])) as s:
        case_id = str(actions.open_case(s, SOUTH, "南区", CaseKind.PHONE, date(2010, 8, 5), ["T2"],
                                        ["no_visit_rule"]).case.case_id)
    assert main(["cases", "convert", case_id, "--district", "南区", "--reason", "needs a look at the antenna"]) == 0
    assert "converted to a visit (converted from a phone follow-up on" in capsys.readouterr().out
    assert main(["cases", "convert", case_id, "--district", "南区", "--reason", "again"]) != 0
    assert f"case {case_id} (南区): the case is a visit already" in capsys.readouterr().err
    assert main(["cases", "list", "--district", "南区"]) == 0
    assert "needs a look at the antenna" in capsys.readouterr().out
