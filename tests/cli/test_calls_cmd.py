"""``cvp calls list`` and ``cvp calls record --ticket``: the dispatcher's call list at the
command line, and a first call that opens the visit's case."""

from __future__ import annotations

import shutil
from contextlib import closing
from datetime import date

import pytest

from planner.actor import OPERATOR, Actor
from planner.cases.call_list import call_list
from planner.cli import main
from planner.plan.day import SolverSettings, plan_day
from planner.store import cases as case_store
from planner.store.db import open_session
from planner.triage import load_rules
from tests.conftest import import_fixture_day, store_at

DAY, DISTRICT = date(2010, 8, 5), "南区"


@pytest.fixture(scope="module")
def _template(tmp_path_factory):
    from planner.store import db

    path = tmp_path_factory.mktemp("calls") / "store.sqlite3"
    url = f"sqlite:///{path}"
    with store_at(url):
        import_fixture_day()
        db.engine_for(url).dispose()
    return path


@pytest.fixture
def stored(_template, tmp_path):
    shutil.copyfile(_template, tmp_path / "store.sqlite3")


def _lines():
    with closing(open_session()) as s:
        return call_list(s, DAY, DISTRICT, load_rules()).lines


def test_the_list_before_a_plan_says_to_plan_a_draft_then_shows_slots(stored, capsys):
    assert main(["calls", "list", "--date", "2010-08-05", "--district", DISTRICT]) == 0
    out = capsys.readouterr().out
    assert "from the triage (plan a draft to get suggested times)" in out
    first = _lines()[0]
    row = next(r for r in out.splitlines() if r.startswith(first.visit_id + "\t"))
    assert first.contacts[0].phone in row  # the full number: the dispatcher dials it
    assert "tips:" in out and "Do not speak too fast" in out
    with closing(open_session()) as s:
        plan_day(s, DAY, DISTRICT, solver=SolverSettings(time_limit_s=30, seed=1, solution_limit=60),
                 actor=Actor("cli", OPERATOR, None), rules=load_rules())
    assert main(["calls", "list", "--date", "2010-08-05", "--district", DISTRICT]) == 0
    out = capsys.readouterr().out
    assert "from the plan v1 (draft)" in out
    line = next(x for x in _lines() if x.slot)
    row = next(r for r in out.splitlines() if r.startswith(line.visit_id + "\t"))
    assert f"{line.slot[0]:%H:%M}-{line.slot[1]:%H:%M}" in row.split("\t")


def test_a_first_call_by_ticket_opens_the_case_and_the_next_goes_to_it(stored, capsys):
    line = next(x for x in _lines() if len(x.contacts) == 1)
    ticket = line.ticket_ids[0]
    assert main(["calls", "record", "--ticket", ticket, "--district", DISTRICT, "--result", "confirmed",
                 "--date", "2010-08-05", "--start", "10:00", "--end", "11:00", "--note", "at home"]) == 0
    out = capsys.readouterr().out
    with closing(open_session()) as s:
        [case] = case_store.load_cases(s, DISTRICT, ticket_ids=[ticket])
    assert out.strip() == f"case {case.case_id}: call confirmed; the case is open"
    assert case.ticket_ids == line.ticket_ids and case.events[0].data["reasons"] == list(line.reasons)
    # reconfirmed by case id, the window not said again
    assert main(["calls", "record", str(case.case_id), "--district", DISTRICT, "--result", "confirmed",
                 "--date", "2010-08-05"]) == 0
    capsys.readouterr()
    assert main(["calls", "list", "--date", "2010-08-05", "--district", DISTRICT]) == 0
    row = next(r for r in capsys.readouterr().out.splitlines() if r.startswith(line.visit_id + "\t"))
    assert f"\t{case.case_id}\t2 (last confirmed" in row and "10:00-11:00" in row
    with closing(open_session()) as s:
        last = case_store.get_case(s, DISTRICT, case.case_id).events[-1].at.astimezone(load_rules().tz)
    assert f"(last confirmed {last:%m-%d %H:%M})" in row  # when, in Xi'an's time


def test_naming_neither_or_both_or_an_unlisted_ticket_is_refused(stored, capsys):
    assert main(["calls", "record", "--district", DISTRICT, "--result", "unreached"]) != 0
    assert "name the case (CASE_ID) or the visit's ticket (--ticket)" in capsys.readouterr().err
    assert main(["calls", "record", "--ticket", "NOPE-1", "--district", DISTRICT, "--result", "unreached",
                 "--date", "2010-08-05"]) != 0
    err = capsys.readouterr().err
    assert "ticket NOPE-1 is not on the call list of 南区 2010-08-05" in err and "Traceback" not in err
