"""`cvp demo --reset`: the README's demo figures hold again after the store was used,
and only the default embedded store is emptied without --force."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from planner.cli import main
from planner.store.db import session_scope
from planner.store.models import TicketRow
from tests.conftest import import_fixture_day
from tests.intake.helpers import row, write_csv


def tickets_in_store() -> int:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(TicketRow))


@pytest.fixture
def default_store(monkeypatch, tmp_path):
    """No CVP_DATABASE_URL: the embedded store in $XDG_DATA_HOME/cvp (a temporary folder here)."""
    monkeypatch.delenv("CVP_DATABASE_URL")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "xdg" / "cvp" / "cvp.sqlite3"


def test_reset_refuses_a_store_named_by_cvp_database_url(fixture_day, capsys):
    import_fixture_day(fixture_day)
    before = tickets_in_store()
    assert main(["demo", "--reset", "--yes", "--out", "demo-out"]) == 2
    err = capsys.readouterr().err
    assert "--reset empties only the default embedded store" in err and "--force" in err
    assert tickets_in_store() == before


def test_reset_asks_first_and_a_no_keeps_everything(default_store, fixture_day, monkeypatch, capsys):
    import_fixture_day(fixture_day)
    before = tickets_in_store()
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("n\n"))
    assert main(["demo", "--reset", "--out", "demo-out"]) == 1
    assert "Empty the store" in capsys.readouterr().out
    assert tickets_in_store() == before


@pytest.mark.slow
def test_the_readme_figures_hold_after_the_store_was_used(default_store, fixture_day, tmp_path, capsys):
    import_fixture_day(fixture_day)
    extra = write_csv(tmp_path / "extra.csv", [row(ticket_id="XA-NQ-EXTRA-1", vip_level="钻卡",
                                                   received_at="2010-08-04 10:00", phone="13900000009")])
    assert main(["import", str(extra)]) == 0
    assert main(["triage", "--date", "2010-08-05", "--district", "南区"]) == 0
    assert "26 visits" in capsys.readouterr().out  # the store was used: not the README's figures
    assert main(["demo", "--reset", "--yes", "--out", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("emptied the store")
    assert "2010-08-05 南区: 25 visits, 18 phone follow-ups" in out  # README: 25 visits, 18 follow-ups
    assert default_store.exists()
