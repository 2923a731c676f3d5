"""A day given at the command line: an impossible one is named as such, not as a format mismatch."""

from __future__ import annotations

from planner.cli import main


def test_an_impossible_day_is_called_what_it_is(capsys):
    assert main(["triage", "--date", "2010-02-30", "--district", "南区"]) == 2
    err = capsys.readouterr().err
    assert "'2010-02-30' is not a day of the calendar (day is out of range for month)" in err
    assert "does not match" not in err


def test_a_day_in_another_shape_says_how_to_write_it(capsys):
    assert main(["plan", "--date", "05/08/2010", "--district", "南区"]) == 2
    assert "'05/08/2010' is not a day: write YYYY-MM-DD" in capsys.readouterr().err
