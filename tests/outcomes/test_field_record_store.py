"""The field record in the store, on SQLite and PostgreSQL: the whole record stored and
read back; migration 0014 turns the old "not_met" satisfaction into the visit result and
keeps the old one-word network tests in the notes."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, select, text

from planner.cases.events import VisitResult
from planner.field_record import FieldRecord, NetworkTest, Satisfaction, TestResult
from planner.store import db
from planner.store import outcomes as outcome_store
from planner.store.models import OutcomeRow

DAY, DISTRICT = date(2010, 8, 5), "南区"
NOW = datetime(2010, 8, 5, 9, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'outcomes.sqlite3'}"
    return request.getfixturevalue("fresh_postgres")


WHOLE = FieldRecord(
    VisitResult.FOLLOW_UP, Satisfaction.BASICALLY_SATISFIED, datetime(2010, 8, 5, 2, 28, tzinfo=timezone.utc),
    (NetworkTest("china_mobile", "GSM", -103, TestResult.FAILED),
     NetworkTest("china_mobile", "TD-SCDMA", -109, TestResult.NOT_TRIED, TestResult.FAILED, 40),
     NetworkTest("china_telecom", "CDMA", -89, TestResult.OK)),
    "家中打不通电话", "本周内解决", "上报网优中心", True, "小礼品", date(2010, 8, 6), "第一行\n第二行")


def test_the_whole_record_is_stored_and_read_back(url):
    with db.session_scope(url) as s:
        outcome_store.record_outcome(s, day=DAY, district=DISTRICT, visit_id="V-1", staff_id="S1", plan_version=1,
                                     recorded_by="f1", record=WHOLE, ticket_ids=["T-1"])
        outcome_store.record_outcome(s, day=DAY, district=DISTRICT, visit_id="V-2", staff_id="S1", plan_version=1,
                                     recorded_by="f1", record=FieldRecord(VisitResult.NOT_MET), ticket_ids=["T-2"])
    with db.session_scope(url) as s:
        found = outcome_store.outcomes_for(s, DAY, DISTRICT)
        assert found["V-1"].record == WHOLE and found["V-1"].needs_follow_up
        assert found["V-2"].record == FieldRecord(VisitResult.NOT_MET) and not found["V-2"].needs_follow_up
        assert [o.visit_id for o in outcome_store.open_follow_ups(s, DISTRICT)] == ["V-1"]
        counted = s.execute(select(OutcomeRow.visit_result, OutcomeRow.gift_given, OutcomeRow.gift_item,
                                   OutcomeRow.promised_date).order_by(OutcomeRow.visit_id)).all()  # what reports count
    assert [tuple(r) for r in counted] == [("follow_up", True, "小礼品", date(2010, 8, 6)), ("not_met", False, "", None)]


def _at(url: str, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


OLD = [  # visit, closed_on_site, satisfaction, network tests, notes: as stores of 0013 hold them
    ("V-1", True, "satisfied", '{"china_mobile": "good"}', ""),
    ("V-2", False, "basically_satisfied", '{}', "待基站开通"),
    ("V-3", False, "not_met", '{"china_mobile": "weak", "china_unicom": ""}', "客户不在家"),  # `cvp outcomes record`
    ("V-4", None, "not_met", '{}', ""),  # the stop page's "not met" with the closure left empty
    ("V-5", None, None, '{}', "未说明"),
]


def test_migration_0014_moves_not_met_to_the_visit_result(url):
    _at(url, "0013")
    engine = create_engine(url)
    with engine.begin() as conn:
        for visit, closed, satisfaction, tests, notes in OLD:
            conn.execute(text("INSERT INTO outcomes (day, district, visit_id, ticket_ids, staff_id, plan_version, "
                              "network_tests, closed_on_site, satisfaction, notes, recorded_by, recorded_at, "
                              "follow_up_notes) VALUES (:d, '南区', :v, '[]', 'S1', 1, :t, :c, :s, :n, 'f1', :at, '')"),
                         {"d": DAY, "v": visit, "t": tests, "c": closed, "s": satisfaction, "n": notes, "at": NOW})
    engine.dispose()
    db.engine_for.cache_clear()
    with db.session_scope(url) as s:  # opening the store migrates it to the newest revision
        rows = s.execute(text("SELECT visit_id, visit_result, satisfaction, notes FROM outcomes ORDER BY visit_id")).all()
        found = outcome_store.outcomes_for(s, DAY, DISTRICT)
        columns = {c["name"] for c in inspect(s.get_bind()).get_columns("outcomes")}
    assert [tuple(r) for r in rows] == [
        ("V-1", "closed_on_site", "satisfied", "网络测试（旧记录）: china_mobile good"),
        ("V-2", "follow_up", "basically_satisfied", "待基站开通"),
        ("V-3", "not_met", None, "客户不在家\n网络测试（旧记录）: china_mobile weak"),
        ("V-4", "not_met", None, ""),
        ("V-5", None, None, "未说明"),
    ]
    assert not {"closed_on_site", "network_tests"} & columns
    assert [v for v, o in sorted(found.items()) if o.needs_follow_up] == ["V-2", "V-5"]  # not met: planned again
    assert found["V-5"].record is None and found["V-5"].closed_on_site is None and found["V-5"].notes == "未说明"
