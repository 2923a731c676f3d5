"""Each district owns its ids: migration 0011 keeps a store's overrides and absences with
their district, and two districts may then hold the same id — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from planner.errors import UserError
from planner.store import accounts, db
from planner.store.models import TicketRow
from tests.store_calls import in_store

NOW = datetime(2010, 8, 4, 9, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ids.sqlite3'}"
    return request.getfixturevalue("fresh_postgres")


def _at_revision(url: str, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


def _ticket(district: str, ticket_id: str) -> TicketRow:
    return TicketRow(ticket_id=ticket_id, received_at=NOW, phone="13900000001", district=district, address="x",
                     imported_at=NOW, updated_at=NOW)


def test_a_store_of_0010_keeps_its_overrides_and_absences_with_their_district(url):
    _at_revision(url, "0010")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO tickets (ticket_id, received_at, phone, district, address, customer_name, "
                          "vip_level, category, description, escalation, core_customer, status, is_history, "
                          "source_file, imported_at, updated_at) VALUES ('T-1', :t, '139', '南区', 'a', '', 'none', "
                          "'', '', false, false, 'open', false, '', :t, :t)"), {"t": NOW})
        conn.execute(text("INSERT INTO staff (staff_id, name, district, base_name, phone, skills, transport, active, "
                          "updated_at) VALUES ('S1', 'n', '北区', '', '', '', 'bus', true, :t)"), {"t": NOW})
        conn.execute(text("INSERT INTO overrides (ticket_id, field, value, author, created_at) "
                          "VALUES ('T-1', 'type', 'irate', 'd', :t)"), {"t": NOW})
        conn.execute(text("INSERT INTO absences (day, staff_id, reason, author) VALUES (:d, 'S1', 'sick', 'd')"),
                     {"d": date(2010, 8, 5)})
    engine.dispose()
    db.engine_for.cache_clear()
    with db.session_scope(url) as s:  # opening the store migrates it to the newest revision
        assert s.execute(text("SELECT district FROM overrides")).scalar() == "南区"
        assert s.execute(text("SELECT district FROM absences")).scalar() == "北区"


def test_two_districts_hold_the_same_ticket_id_and_one_district_holds_it_once(url):
    with db.session_scope(url) as s:
        s.add_all([_ticket("南区", "T-1"), _ticket("北区", "T-1")])
    with pytest.raises(IntegrityError):
        with db.session_scope(url) as s:
            s.add(_ticket("南区", "T-1"))


def test_a_field_account_names_its_district_where_two_districts_have_the_staff_id(url, fixture_day):
    from planner.workflow import import_file

    in_store(import_file, fixture_day / "staff.csv", database=url)
    with db.session_scope(url) as s:
        s.execute(text("INSERT INTO staff (staff_id, name, district, base_name, phone, skills, transport, active, "
                       "updated_at) VALUES ('S1', 'n', '北区', '', '', '', 'bus', true, :t)"), {"t": NOW})
    with db.session_scope(url) as s:
        with pytest.raises(UserError, match="say which with --district"):
            accounts.add_user(s, "f1", "correct-horse-42", "field", staff_id="S1")
        user = accounts.add_user(s, "f1", "correct-horse-42", "field", staff_id="S1", district="北区")
    assert (user.staff_id, user.district) == ("S1", "北区")
