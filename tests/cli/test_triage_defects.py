"""`cvp triage`/`cvp plan` on a day the data does not cover: the message says which days
have tickets, and a day far after the tickets says how old they are."""

from __future__ import annotations

import pytest

from planner.cli import main
from tests.conftest import import_fixture_day


@pytest.fixture
def imported(fixture_day, capsys):
    import_fixture_day(fixture_day)
    capsys.readouterr()


def test_a_day_before_the_tickets_says_when_they_were_received_and_the_first_day_to_plan(imported, capsys):
    assert main(["triage", "--date", "2010-08-01", "--district", "南区"]) == 2
    err = capsys.readouterr().err
    assert "Districts with open tickets" not in err  # named the district it said had none
    assert "its open tickets were received later (50 received 2010-08-02 to 2010-08-05)" in err
    assert "the first day they can be planned is 2010-08-03" in err


def test_an_unknown_district_names_the_districts_with_tickets_but_not_their_figures(imported, capsys):
    """A typo in --district is the usual cause; the other districts' counts and dates are
    theirs (the same message reaches a web dispatcher of another district)."""
    assert main(["plan", "--date", "2010-08-05", "--district", "东区"]) == 2
    err = capsys.readouterr().err
    assert "'东区' has no open tickets at all" in err
    assert "Districts with open tickets: 北区, 南区." in err
    assert "received" not in err.split("at all")[1]


def test_triage_far_after_the_tickets_says_how_old_they_are(imported, capsys):
    assert main(["triage", "--date", "2030-01-01", "--district", "南区"]) == 0
    out = capsys.readouterr().out
    assert "note: 50 tickets are older than 30 days, the oldest received 2010-08-02, 7,092 days before 2030-01-01" \
        in out


def test_triage_of_the_tickets_own_day_has_no_age_note(imported, capsys):
    assert main(["triage", "--date", "2010-08-05", "--district", "南区"]) == 0
    assert "older than" not in capsys.readouterr().out
