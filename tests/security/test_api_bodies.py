"""What an ordinary account can send the API and the pages: a hostile body is a 422 that
says why, never a 500, and nothing is stored that the store's columns cannot hold.

* every JSON endpoint reads its body through one parser (web/bodies.py): bounded in
  bytes and nesting depth, no lone surrogate in any string;
* every text field is held to the intake's rule (planner/intake/lengths.py): the
  store column's length, no control characters, no line breaks outside free text,
  no bidi overrides, no invisible format characters in ids;
* times are HH:MM (or HH:MM:SS) only; a cost ``set`` value is one number or word.
"""

from __future__ import annotations

import json

import pytest

from planner.errors import InvalidFileError
from planner.store import accounts
from planner.store import repository as repo
from planner.store.db import session_scope
from planner.store.models import AbsenceRow, OutcomeRow
from planner.workflow import import_file
from tests.intake.helpers import row, write_csv
from tests.store_calls import in_store
from tests.web.conftest import DAY, DISTRICT, Client

DEEP = "[" * 100_000 + "]" * 100_000


def _tokens(*names: str) -> dict[str, str]:
    with session_scope() as s:
        return {name: accounts.issue_token(s, name) for name in names}


class Api:
    """An API client with a bearer token; ``raw`` sends a body byte for byte (the test
    client's ``json=`` would escape nothing hostile)."""

    def __init__(self, app, token: str):
        self.http = app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def post(self, url: str, body=None, *, raw: str | None = None):
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False)
        return self.http.post(url, data=data.encode("utf-8", "surrogatepass"), headers=self.headers,
                              content_type="application/json")


def _refused(response, *words: str) -> str:
    assert response.status_code == 422, (response.status_code, response.get_data(as_text=True)[:300])
    message = response.get_json()["error"]["message"]
    for w in words:
        assert w in message, message
    return message


def _absences(database=None) -> list[tuple[str, str]]:
    with session_scope(database) as s:
        return [(a.staff_id, a.reason) for a in s.query(AbsenceRow).all()]


def _first_visit(staff_id: str) -> dict:
    with session_scope() as s:
        doc, _ = repo.get_plan(s, DAY, DISTRICT, 1)
    route = next(r for r in doc["routes"] if r["staff_id"] == staff_id)
    return next(st for st in route["steps"] if st["type"] == "visit")


# -- the body parser --------------------------------------------------------------------

JSON_ENDPOINTS = [
    ("disp", f"/api/days/{DAY}/absences"),
    ("disp", f"/api/days/{DAY}/overrides"),
    ("disp", f"/api/days/{DAY}/appointments"),
    ("disp", f"/api/days/{DAY}/plans"),
    ("disp", f"/api/days/{DAY}/outcomes"),
    ("disp", f"/api/days/{DAY}/followups/V1/close"),
    ("plan", "/api/cost/run"),
]


def test_a_deeply_nested_body_is_a_422_on_every_json_endpoint(planned, app):
    tokens = _tokens("disp", "plan")
    for who, url in JSON_ENDPOINTS:
        _refused(Api(app, tokens[who]).post(url, raw=DEEP), "levels deep")
    # nesting inside a string is text, not depth
    ok = Api(app, tokens["disp"]).post(f"/api/days/{DAY}/absences", {"staff_id": "S2", "reason": "[" * 100})
    assert ok.status_code == 200 and ok.get_json()["absence_reason"] == "[" * 100


def test_an_oversized_body_is_refused_before_it_is_parsed(seeded, app):
    api = Api(app, _tokens("disp")["disp"])
    _refused(api.post(f"/api/days/{DAY}/absences", {"staff_id": "S2", "reason": "x" * (1024 * 1024)}),
             "bytes; at most")
    assert _absences() == []


@pytest.mark.parametrize("body, field", [
    ('{"staff_id": "S2", "reason": "\\ud800x"}', "reason"),
    ('{"staff_id": "S2\\ud800"}', "staff_id"),
    ('{"staff_id": "S2", "\\udfff": 1}', "the body (a key)"),
])
def test_a_lone_surrogate_is_a_422_naming_the_field(seeded, app, body, field):
    api = Api(app, _tokens("disp")["disp"])
    message = _refused(api.post(f"/api/days/{DAY}/absences", raw=body), "lone surrogate")
    assert message.startswith(field)
    assert _absences() == []


def test_a_lone_surrogate_in_outcome_notes_is_a_422(planned, app):
    visit = _first_visit("S1")
    api = Api(app, _tokens("f1")["f1"])
    _refused(api.post(f"/api/days/{DAY}/outcomes", raw=json.dumps({"visit_id": visit["visit_id"]})[:-1]
                      + ', "notes": "\\ud800"}'), "notes: a lone surrogate")
    with session_scope() as s:
        assert s.query(OutcomeRow).count() == 0


# -- text fields: the store's limits ----------------------------------------------------

def test_an_absence_reason_is_held_to_its_column_on_both_stores(store_app, store_url):
    api = Api(store_app, _tokens("disp")["disp"])
    url = f"/api/days/{DAY}/absences"
    _refused(api.post(url, {"staff_id": "S2", "reason": "x" * 200_000}), "reason: 200000 characters; at most 128")
    _refused(api.post(url, {"staff_id": "S2", "reason": "病" * 129}), "reason: 129 characters; at most 128")
    assert _absences(store_url) == []
    assert api.post(url, {"staff_id": "S2", "reason": "病" * 128}).status_code == 200
    assert _absences(store_url) == [("S2", "病" * 128)]


@pytest.mark.parametrize("reason, problem", [
    ("病假\r\n第二行", "a line break is not allowed here"),
    ("病假\n", "a line break is not allowed here"),
    ("病\x00假", "a control character (U+0000) is not allowed"),
    ("病假\u202eesrever", "a text direction override (U+202E) is not allowed"),
])
def test_an_absence_reason_has_no_control_characters_or_line_breaks(seeded, app, reason, problem):
    api = Api(app, _tokens("disp")["disp"])
    _refused(api.post(f"/api/days/{DAY}/absences", {"staff_id": "S2", "reason": reason}), f"reason: {problem}")
    assert _absences() == []


def test_the_roster_page_refuses_the_same_reason(seeded, app):
    disp = Client(app, "disp")
    r = disp.post(f"/dispatch/{DAY}/roster", {"staff_id": "S2", "absent": "1", "reason": "病" * 129})
    assert r.status_code == 422
    r = disp.post(f"/dispatch/{DAY}/roster", {"staff_id": "S2", "absent": "1", "reason": "病\x00"})
    assert r.status_code == 422
    assert _absences() == []


def test_invisible_characters_in_a_staff_id_are_refused(seeded, app):
    api = Api(app, _tokens("disp")["disp"])
    _refused(api.post(f"/api/days/{DAY}/absences", {"staff_id": "S2\u200b"}),
             "staff_id: an invisible format character (U+200B) is not allowed in an id")


def test_outcome_text_fields_and_times_are_bounded(planned, app):
    visit = _first_visit("S1")["visit_id"]
    api = Api(app, _tokens("f1")["f1"])
    url = f"/api/days/{DAY}/outcomes"
    base = {"visit_id": visit, "result": "follow_up"}
    _refused(api.post(url, {**base, "arrived_at": "1" * 100_000}), "arrived_at", "write HH:MM")
    for wrong in ("09:35:00.5", "09:35+08:00", "0935", "9:35"):
        _refused(api.post(url, {**base, "arrived_at": wrong}), "write HH:MM")
    _refused(api.post(url, {**base, "notes": "好" * 4001}), "notes: 4001 characters; at most 4000")
    _refused(api.post(url, {**base, "notes": "好\x1b[31m"}), "notes: a control character (U+001B)")
    _refused(api.post(url, {**base, "satisfaction": "s" * 100_000}), "satisfaction 'sss", "choose one of")
    for name in ("problem", "requests", "measure"):
        _refused(api.post(url, {**base, name: "好" * 4001}), f"{name}: 4001 characters; at most 4000")
    _refused(api.post(url, {**base, "gift_given": True, "gift_item": "礼" * 65}), "gift_item: 65 characters; at most 64")
    _refused(api.post(url, {**base, "tests": [{"operator": "china_mobile", "technology": "GSM", "signal_dbm": 10 ** 30}]}),
             "中国移动/GSM signal_dbm", "from -140 to -30 dBm")
    _refused(api.post(url, {**base, "tests": [{"operator": "china_mobile", "technology": "GSM", "data_kbps": "9" * 100}]}),
             "中国移动/GSM data_kbps", "from 0 to 100000 kbps")
    _refused(api.post(url, {**base, "tests": [{"operator": "china_mobile", "technology": "GSM"}] * 13}),
             "tests: at most 5 lines")
    with session_scope() as s:
        assert s.query(OutcomeRow).count() == 0
    ok = api.post(url, {"visit_id": visit, "arrived_at": "09:35:00", "result": "follow_up",
                        "notes": "第一行\n第二行"})  # free text keeps its line breaks
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["outcome"]["arrived_at"] == "2010-08-05T09:35:00+08:00"
    # the follow-up's notes: the same rule
    close = f"/api/days/{DAY}/followups/{visit}/close"
    _refused(Api(app, _tokens("disp")["disp"]).post(close, {"notes": "好\x00"}), "notes: a control character")
    with session_scope() as s:
        assert s.query(OutcomeRow).one().followed_up_at is None


def test_appointment_times_are_hh_mm_only(planned, app):
    ticket = _first_visit("S1")["ticket_ids"][0]
    api = Api(app, _tokens("disp")["disp"])
    url = f"/api/days/{DAY}/appointments"
    _refused(api.post(url, {"ticket_id": ticket, "start": "1" * 100_000, "end": "12:00"}), "start: 100000 characters")
    _refused(api.post(url, {"ticket_id": ticket, "start": "11111111", "end": "12:00"}), "start", "write HH:MM")
    _refused(api.post(url, {"ticket_id": ticket, "start": "10:00\n", "end": "12:00"}), "start: a line break")
    _refused(api.post(url, {"ticket_id": ticket + "\u200b", "start": "10:00", "end": "12:00"}), "ticket_id")
    assert api.post(url, {"ticket_id": ticket, "start": "10:00", "end": "12:00"}).status_code == 200


# -- import: format characters ----------------------------------------------------------

@pytest.mark.parametrize("over, problem", [
    ({"ticket_id": "T\u200b1"}, "column 工单号: an invisible format character (U+200B) is not allowed in an id"),
    ({"ticket_id": "T\ufeff1"}, "column 工单号: an invisible format character (U+FEFF) is not allowed in an id"),
    ({"district": "南区\u2066"}, "column 区域: a text direction override (U+2066) is not allowed"),
    ({"customer_name": "王\u202e五"}, "column 客户姓名: a text direction override (U+202E) is not allowed"),
])
def test_format_characters_in_imported_ids_and_names_are_row_errors(tmp_path, over, problem):
    path = write_csv(tmp_path / "t.csv", [row(ticket_id="G1"), row(**{"ticket_id": "B1", **over})])
    with pytest.raises(InvalidFileError) as err:
        in_store(import_file, path)
    assert [str(e) for e in err.value.errors] == [f"line 3, {problem}"]


def test_a_zero_width_joiner_in_a_name_still_imports(tmp_path):
    path = write_csv(tmp_path / "t.csv", [row(ticket_id="G1", customer_name="王\u200d五")])
    assert len(in_store(import_file, path).report.added) == 1


# -- the cost model's set ---------------------------------------------------------------

def test_a_cost_set_value_is_one_number_or_word(seeded, app):
    api = Api(app, _tokens("plan")["plan"])
    base = {"scenario": "xian-2010-recommended"}
    _refused(api.post("/api/cost/run", {**base, "set": {"daily_visits": {"a": 1}}}), "set.daily_visits", "dict")
    _refused(api.post("/api/cost/run", {**base, "set": {"daily_visits": [1, 2]}}), "set.daily_visits", "list")
    _refused(api.post("/api/cost/run", {**base, "set": {"daily_visits": "{a: 1}"}}), "set daily_visits", "dict")
    _refused(api.post("/api/cost/run", {**base, "set": {"daily_visits": "8\nstaff=1"}}), "line break")
    assert api.post("/api/cost/run", {**base, "set": {"daily_visits": 8}}).status_code == 200


def test_the_field_and_follow_up_pages_refuse_the_same_text(planned, app):
    f1 = Client(app, "f1")
    form = {"arrived_at": "09:40", "result": "follow_up", "satisfaction": "satisfied"}
    for wrong, said in (({"notes": "好\x00"}, "notes：不允许控制字符（U+0000）"),  # the page's language
                        ({"notes": "好" * 4001}, "notes：共 4001 个字符，最多 4000 个"),
                        ({"arrived_at": "1" * 1000}, "write HH:MM"),
                        ({"problem": "w\u202e"}, "problem：不允许文字方向控制符（U+202E）"),
                        ({"signal:china_mobile:GSM": "-1e9"}, "中国移动/GSM signal_dbm &#39;-1e9&#39;")):
        r = f1.post(f"/field/stops/{DAY}/S1/1", {**form, **wrong})
        assert r.status_code == 200 and said in r.get_data(as_text=True), wrong
    with session_scope() as s:
        assert s.query(OutcomeRow).count() == 0
    assert f1.post(f"/field/stops/{DAY}/S1/1", {**form, "notes": "第一行\r\n第二行"}).status_code == 302
    visit = _first_visit("S1")["visit_id"]
    Client(app, "disp").post(f"/dispatch/{DAY}/followups/{visit}/close", {"notes": "好\x1b"})
    with session_scope() as s:
        assert s.query(OutcomeRow).one().followed_up_at is None
