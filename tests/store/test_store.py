"""The store: created on first use, migrated by Alembic, idempotent imports, any SQLAlchemy database."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text

from planner.cli import main
from planner.store import db
from planner.workflow import import_file
from tests.intake.helpers import row, write_csv
from tests.store_calls import in_store


def test_default_store_is_an_sqlite_file_in_the_users_data_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("CVP_DATABASE_URL")
    expected = tmp_path / "xdg" / "cvp" / "cvp.sqlite3"
    assert db.default_sqlite_path() == expected
    assert not expected.exists()
    in_store(import_file, write_csv(tmp_path / "t.csv", [row()]))
    assert expected.exists()
    assert main(["info"]) == 0
    assert str(expected) in capsys.readouterr().out


def _newest_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    [head] = ScriptDirectory.from_config(cfg).get_heads()
    return head


def test_schema_is_the_newest_alembic_revision(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    db.engine_for(url)
    engine = create_engine(url)
    names = set(inspect(engine).get_table_names())
    assert {"tickets", "staff", "sites", "overrides", "imports", "plans", "users", "audit_log", "absences", "outcomes",
            "jobs", "cost_scenarios", "alembic_version"} <= names
    with engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == _newest_revision()


def test_a_store_one_migration_behind_is_brought_up_to_date(tmp_path):
    """The fast path (stored revision == newest file) must not skip a real upgrade."""
    from alembic import command
    from alembic.config import Config

    assert db.head_revision() == _newest_revision()
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        command.downgrade(cfg, "-1")
    db.engine_for(url)
    with engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == db.head_revision()


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = write_csv(tmp_path / "t.csv", [row(ticket_id="A"), row(ticket_id="B")])
    first = in_store(import_file, path)
    second = in_store(import_file, path)
    assert sorted(first.report.added) == ["A", "B"]
    assert second.report.added == [] and second.report.updated == {}
    assert sorted(second.report.unchanged) == ["A", "B"]


def test_a_changed_row_is_updated_and_reported(tmp_path, capsys):
    in_store(import_file, write_csv(tmp_path / "t.csv", [row(ticket_id="A"), row(ticket_id="B")]))
    changed = write_csv(tmp_path / "t2.csv", [row(ticket_id="A", vip_level="钻卡", address="新地址"),
                                              row(ticket_id="B")])
    assert main(["import", str(changed)]) == 0
    out = capsys.readouterr().out
    assert "0 added, 1 updated, 1 unchanged" in out
    assert "updated A: address, vip_level" in out


def test_bad_database_url_is_a_clear_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("CVP_DATABASE_URL", "nosuchdb://x/y")
    assert main(["import", str(write_csv(tmp_path / "t.csv", [row()]))]) == 2
    err = capsys.readouterr().err
    assert "CVP_DATABASE_URL" in err and "Traceback" not in err


@pytest.mark.postgres
def test_postgresql_store_round_trip(fresh_postgres, monkeypatch, tmp_path):
    monkeypatch.setenv("CVP_DATABASE_URL", fresh_postgres)
    path = write_csv(tmp_path / "t.csv", [row(ticket_id="P1", window_start="2010-08-05 09:30",
                                              window_end="2010-08-05 10:30")])
    assert in_store(import_file, path).report.added == ["P1"]
    assert in_store(import_file, path).report.unchanged == ["P1"]
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from planner.store import repository as repo
    from planner.store.db import session_scope

    tz = ZoneInfo("Asia/Shanghai")
    with session_scope() as s:
        [t] = repo.open_tickets(s, "南区", datetime(2010, 8, 5, 9, tzinfo=tz), tz)
    assert t.window_start.isoformat() == "2010-08-05T09:30:00+08:00"
    assert t.customer_name == "王建国"


def test_migrations_match_the_models(tmp_path):
    """A model changed without a migration would break every existing store."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from planner.store.models import Base

    url = f"sqlite:///{tmp_path / 'drift.sqlite3'}"
    db.engine_for(url)
    with create_engine(url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
