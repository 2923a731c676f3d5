"""What the field worker records matches the pilot's paper sheet (issue #14): the visit
result apart from satisfaction, per operator × technology of the rules file the signal
(dBm), a test call and a data test, the problem, requests, measure, gift and promised date;
every wrong value refused naming its field, the bounds being the rules file's."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from planner.cases.events import VisitResult
from planner.errors import UserError
from planner.field_record import FieldRecord, NetworkTest, Satisfaction, TestResult, read_record
from planner.triage import load_rules
from tests.triage.test_rules_file import edited, line_of, refusal

DAY = date(2010, 8, 5)
RULES = load_rules()


def read(**body):
    return read_record(body, RULES, DAY)


def test_the_shipped_rules_measure_the_pilots_three_phones():
    """移动 G/T 网 (GSM, TD-SCDMA), 联通 G/W 网 (GSM, WCDMA), 电信 C 网 (CDMA), -140…-30 dBm."""
    fr = RULES.field_record
    assert [(op.label, tech) for op, tech in fr.lines()] == [
        ("中国移动", "GSM"), ("中国移动", "TD-SCDMA"), ("中国联通", "GSM"), ("中国联通", "WCDMA"), ("中国电信", "CDMA")]
    assert (fr.signal_min_dbm, fr.signal_max_dbm, fr.promise_days, fr.gift_items) == (-140, -30, 365, ())
    assert fr.operator("中国移动") == fr.operator("china_mobile") == fr.operator("china mobile") is not None


def test_a_whole_record_reads_in_the_rules_order_with_empty_lines_left_out():
    r = read(result="follow_up", satisfaction="unsatisfied", arrived_at="10:05",
             tests=[{"operator": "中国电信", "technology": "CDMA", "signal_dbm": -89, "call": "ok"},
                    {"operator": "china_mobile", "technology": "TD-SCDMA", "signal_dbm": "-109", "data": "failed",
                     "data_kbps": "40"},
                    {"operator": "中国联通", "technology": "WCDMA"}],
             problem=" 家中打不通电话 ", requests="本周内解决", measure="上报网优中心", gift_given=True,
             gift_item="小礼品", promised_date="2010-08-06", notes="n")
    assert r == FieldRecord(
        VisitResult.FOLLOW_UP, Satisfaction.UNSATISFIED, datetime(2010, 8, 5, 10, 5, tzinfo=RULES.tz),
        (NetworkTest("china_mobile", "TD-SCDMA", -109, data=TestResult.FAILED, data_kbps=40),
         NetworkTest("china_telecom", "CDMA", -89, TestResult.OK)),
        "家中打不通电话", "本周内解决", "上报网优中心", True, "小礼品", date(2010, 8, 6), "n")
    assert read_record(r.to_json(), RULES, DAY) == FieldRecord(**{**r.__dict__, "arrived_at": None})
    assert r.met and not r.closed_on_site


@pytest.mark.parametrize("body, said", [
    ({}, "result: required"),
    ({"result": "satisfied"}, "result 'satisfied': choose one of closed_on_site, follow_up, not_met, refused"),
    ({"result": "not_met", "satisfaction": "satisfied"}, "satisfaction: only for a customer who was met"),
    ({"result": "refused", "promised_date": "2010-08-06"}, "promised_date: only for a customer who was met"),
    ({"result": "not_met", "gift_given": True}, "gift_given: only for a customer who was met"),
    ({"result": "follow_up", "tests": [{"operator": "中国铁通", "technology": "GSM"}]},
     "tests[0]: unknown operator '中国铁通', choose one of 中国移动, 中国联通, 中国电信"),
    ({"result": "follow_up", "tests": [{"operator": "中国移动", "technology": "WCDMA"}]},
     "tests[0]: 中国移动 has no technology 'WCDMA', choose one of GSM, TD-SCDMA"),
    ({"result": "follow_up", "tests": [{"operator": "中国移动", "technology": "GSM", "signal_dbm": -141}]},
     "中国移动/GSM signal_dbm -141: a whole number from -140 to -30 dBm"),
    ({"result": "follow_up", "tests": [{"operator": "中国移动", "technology": "GSM", "signal_dbm": -29}]},
     "中国移动/GSM signal_dbm -29: a whole number from -140 to -30 dBm"),
    ({"result": "follow_up", "tests": [{"operator": "中国移动", "technology": "GSM", "signal_dbm": True}]},
     "中国移动/GSM signal_dbm True"),
    ({"result": "follow_up", "tests": [{"operator": "中国移动", "technology": "GSM", "signal_dbm": "-8" * 40}]},
     "中国移动/GSM signal_dbm '-8-8-8"),
    ({"result": "follow_up", "tests": [{"operator": "中国联通", "technology": "WCDMA", "data_kbps": -1}]},
     "中国联通/WCDMA data_kbps -1: a whole number from 0 to 100000 kbps"),
    ({"result": "follow_up", "tests": [{"operator": "中国联通", "technology": "GSM", "call": "yes"}]},
     "中国联通/GSM call 'yes': choose one of ok, failed, not_tried"),
    ({"result": "follow_up", "tests": [{"operator": "中国联通", "technology": "GSM", "speed": 1}]},
     "tests[0]: unknown field 'speed'"),
    ({"result": "follow_up", "tests": {"中国移动": "good"}}, "tests: a list of network tests"),
    ({"result": "follow_up", "gift_item": "小礼品"}, "gift_item '小礼品': no gift was given"),
    ({"result": "follow_up", "gift_given": "yes"}, "gift_given: true or false"),
    ({"result": "follow_up", "promised_date": "2010-08-04"}, "promised_date 2010-08-04: before the visit day 2010-08-05"),
    ({"result": "follow_up", "promised_date": "2011-08-06"},
     "promised_date 2011-08-06: more than 365 days after the visit day 2010-08-05"),
    ({"result": "follow_up", "promised_date": "08/12/2010"}, "promised_date '08/12/2010': a date as YYYY-MM-DD"),
    ({"result": "follow_up", "problem": "好" * 4001}, "problem: 4001 characters; at most 4000"),
    ({"result": "follow_up", "requests": "a\x00"}, "requests: a control character (U+0000) is not allowed"),
    ({"result": "follow_up", "measure": 5}, "measure: a text"),
    ({"result": "follow_up", "promised": "2010-08-06"}, "'promised': unknown field"),
])
def test_a_wrong_value_is_refused_naming_the_field_and_the_reason(body, said):
    with pytest.raises(UserError) as err:
        read(**body)
    assert said in str(err.value)


def test_a_promise_on_the_visit_day_and_a_year_ahead_are_taken():
    assert read(result="follow_up", promised_date="2010-08-05").promised == DAY
    assert read(result="closed_on_site", promised_date="2011-08-05").promised == date(2011, 8, 5)


def test_the_rules_may_list_the_gifts_a_worker_names(tmp_path):
    path, _ = edited(tmp_path, (r"^  gift_items: \[\]", "  gift_items: [小礼品, 宣传扇, 手机挂饰]"))
    rules = load_rules(path)
    assert read_record({"result": "follow_up", "gift_given": True, "gift_item": "宣传扇"}, rules, DAY).gift_item == "宣传扇"
    for item in ("", "雨伞"):
        with pytest.raises(UserError, match="gift_item .*: choose one of 小礼品, 宣传扇, 手机挂饰"):
            read_record({"result": "follow_up", "gift_given": True, "gift_item": item}, rules, DAY)
    # without a list any text names the gift, or none
    assert read(result="follow_up", gift_given=True).gift_item == ""


def test_the_operators_and_bounds_are_the_rules_files(tmp_path):
    path, _ = edited(tmp_path, (r"^  signal_dbm: \{min: -140, max: -30\}", "  signal_dbm: {min: -120, max: -40}"),
                     (r"technologies: \[CDMA\]", "technologies: [CDMA, CDMA2000]"))
    rules = load_rules(path)
    test = {"operator": "中国电信", "technology": "CDMA2000", "signal_dbm": -125}
    with pytest.raises(UserError, match="中国电信/CDMA2000 signal_dbm -125: a whole number from -120 to -40 dBm"):
        read_record({"result": "follow_up", "tests": [test]}, rules, DAY)
    assert read_record({"result": "follow_up", "tests": [{**test, "signal_dbm": -100}]}, rules, DAY).tests[0].technology \
        == "CDMA2000"


@pytest.mark.parametrize("pattern, new, field, reason", [
    (r"^  signal_dbm: \{min: -140, max: -30\}", "  signal_dbm: {min: -30, max: -140}", "field_record.signal_dbm.max",
     "must be above signal_dbm.min"),
    (r"^  signal_dbm: \{min: -140, max: -30\}", "  signal_dbm: {min: -140, max: 5}", "field_record.signal_dbm.max",
     "at most 0"),
    (r"technologies: \[CDMA\]", "technologies: []", "field_record.operators[2].technologies", "at least one"),
    (r"code: china_unicom, label: 中国联通", "code: china_unicom, label: 中国移动", "field_record.operators[1]",
     "'中国移动' names two operators"),
    (r"^  promise_days: 365", "  promise_days: -1", "field_record.promise_days", "≥ 0"),
    (r"^  gift_items: \[\]", "  gift_items: [{a: 1}]", "field_record.gift_items", "list of words"),
    (r"^  data_kbps_max: 100000", "  data_kbps_max: lots", "field_record.data_kbps_max", "positive whole number"),
])
def test_a_wrong_field_record_section_is_named_with_its_line(tmp_path, pattern, new, field, reason):
    path, text = edited(tmp_path, (pattern, new))
    said = refusal(path)
    assert f"line {line_of(text, re.escape(new.strip()))}: field {field}: " in said and reason in said, said


def test_an_older_rules_copy_without_the_section_takes_the_shipped_one(tmp_path):
    import yaml

    data = yaml.safe_load(edited(tmp_path, ("^version", "version"))[1])
    del data["field_record"]
    path = tmp_path / "old.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_rules(path).field_record == RULES.field_record


def test_the_sample_days_sheets_read_whole_and_a_wrong_entry_names_its_line(tmp_path):
    from planner.outcomes_file import read_outcomes_file
    from tests.conftest import FIXTURE_DAY

    records = dict(read_outcomes_file(FIXTURE_DAY / "outcomes.json", RULES, DAY))
    assert len(records) == 22 and records["XA-NQ-20100804-0041"].result is VisitResult.NOT_MET
    assert sum(r.gift_given for r in records.values()) == 3 and all(r.tests for r in records.values())
    assert {r.result for r in records.values()} == {VisitResult.CLOSED_ON_SITE, VisitResult.FOLLOW_UP,
                                                    VisitResult.NOT_MET}
    text = (FIXTURE_DAY / "outcomes.json").read_text(encoding="utf-8")
    bad = tmp_path / "outcomes.json"
    bad.write_text(text.replace('"signal_dbm": -97', '"signal_dbm": -197', 1), encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if '"signal_dbm": -97' in t)
    ticket = re.search(r'"ticket_id": "([^"]+)"', text.splitlines()[line - 1]).group(1)
    with pytest.raises(UserError) as err:
        read_outcomes_file(bad, RULES, DAY)
    assert str(err.value).startswith(f"outcomes.json: line {line} ({ticket}): ") and "signal_dbm -197: a whole" in str(err.value)
