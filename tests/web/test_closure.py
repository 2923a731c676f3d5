"""Closing the loop (闭环): an outcome recorded on the field stop page closes the visit's
tickets when the case was closed on site, so no later triage selects them again; a case
that needs later closure stays open, on the dispatcher's follow-up list, until the
follow-up is recorded as done.  Checked through the store and triage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from planner import closure
from planner.cases.events import VisitResult
from planner.errors import UserError
from planner.field_record import FieldRecord
from planner.store import accounts
from planner.store import repository as repo
from planner.store.db import session_scope
from planner.store.models import TicketRow
from planner.workflow import triage_day
from tests.store_calls import in_store
from tests.web.conftest import DAY, DISTRICT, text_of

pytestmark = pytest.mark.usefixtures("planned")


def first_stop(staff_id: str = "S1") -> dict:
    """The first visit of the worker's route in the published version 1."""
    with session_scope() as s:
        doc, _ = repo.get_plan(s, DAY, DISTRICT, 1)
    route = next(r for r in doc["routes"] if r["staff_id"] == staff_id)
    return next(st for st in route["steps"] if st["type"] == "visit")


def statuses(ticket_ids) -> dict[str, str]:
    with session_scope() as s:
        return dict(s.execute(select(TicketRow.ticket_id, TicketRow.status)
                              .where(TicketRow.ticket_id.in_(list(ticket_ids)))).all())


def case_of(ticket_ids) -> int:
    from planner.store import cases as case_store

    with session_scope() as s:
        return case_store.load_cases(s, DISTRICT, ticket_ids=list(ticket_ids))[-1].case_id


def queue_row(client, case_id: int) -> str | None:
    """The case's row on the follow-up queue the client sees, or None."""
    html = client.get("/followups").get_data(as_text=True)
    marker = f'id="case-{case_id}"'
    return html.split(marker)[1].split("</tr>")[0] if marker in html else None


def triaged_tickets(day) -> set[str]:
    result = in_store(triage_day, day, DISTRICT)
    return {t for v in result.visits for t in v.ticket_ids} | {f.ticket_id for f in result.phone_followups}


def record(client, closed: str, notes: str = ""):
    result = {"yes": "closed_on_site", "no": "follow_up"}[closed]
    return client.post(f"/field/stops/{DAY}/S1/1", {"arrived_at": "09:40", "signal:china_mobile:GSM": "-101",
                                                    "result": result, "satisfaction": "satisfied", "notes": notes})


def test_closed_on_site_closes_the_tickets_and_triage_never_selects_them_again(client_for):
    stop = first_stop()
    tickets = stop["ticket_ids"]
    assert set(tickets) <= triaged_tickets(DAY)  # the day's own plan does not hide its visits from triage
    f1 = client_for("f1")
    r = record(f1, "yes")
    assert r.status_code == 302
    assert "工单已现场闭环" in text_of(f1.get(r.headers["Location"]))
    assert set(statuses(tickets).values()) == {"closed"}
    assert not set(tickets) & triaged_tickets(DAY)
    # planning the day again (e.g. in the afternoon) does not send anyone there again
    d = client_for("disp")
    job = d.post(f"/dispatch/{DAY}/plan")
    assert d.get(job.headers["Location"].replace("/dispatch/jobs/", "/api/jobs/")).get_json()["result"]["version"] == 2
    with session_scope() as s:
        v2, _ = repo.get_plan(s, DAY, DISTRICT, 2)
    in_v2 = {t for r in v2["routes"] for st in r["steps"] for t in st.get("ticket_ids") or []}
    in_v2 |= {t for u in v2["unassigned"] for t in u["ticket_ids"]}
    assert not set(tickets) & in_v2
    # nor the next day's triage; and a case closed on site is no follow-up
    assert not set(tickets) & triaged_tickets(DAY + timedelta(days=1))
    assert queue_row(d, case_of(tickets)) is None
    with session_scope() as s:
        [entry] = accounts.audit_log(s, action="outcome")
        assert entry.details["closed"] == sorted(tickets) and entry.details["closed_on_site"] is True


def test_needing_later_closure_keeps_the_tickets_open_for_the_dispatcher_to_track(client_for):
    stop = first_stop()
    vid, tickets = stop["visit_id"], stop["ticket_ids"]
    f1 = client_for("f1")
    r = record(f1, "no", "需协调基站参数优化后回访")
    assert "调度员将跟踪后期闭环" in text_of(f1.get(r.headers["Location"]))
    assert set(statuses(tickets).values()) == {"open"}
    d = client_for("disp")
    assert "1 个已拜访的案例需要后期闭环" in text_of(d.get(f"/dispatch/{DAY}/triage"))
    case_id = case_of(tickets)
    row = queue_row(d, case_id)  # the follow-up queue, the dispatcher's Follow-ups page
    assert row is not None and "需协调基站参数优化后回访" in row and "S1" in row and "待指定" in row
    # the next day's triage does not send a visitor again: the case is tracked, not re-planned
    assert not set(tickets) & triaged_tickets(DAY + timedelta(days=1))
    # another district's dispatcher neither sees nor closes it
    north = client_for("disp_north")
    assert queue_row(north, case_id) is None
    north.post(f"/dispatch/{DAY}/followups/{vid}/close", {"notes": "x"})
    assert set(statuses(tickets).values()) == {"open"}
    # the follow-up is done: the case is closed
    r = d.post(f"/dispatch/{DAY}/followups/{vid}/close", {"notes": "已优化，电话回访满意"})
    assert r.status_code == 302 and r.headers["Location"] == "/followups"
    page = d.get("/followups")
    assert f"已关闭后期闭环：{vid}" in text_of(page) and f'id="case-{case_id}"' not in page.get_data(as_text=True)
    assert set(statuses(tickets).values()) == {"closed"}
    again = d.post(f"/dispatch/{DAY}/followups/{vid}/close")
    assert "was closed by disp" in text_of(d.get(again.headers["Location"]))
    with session_scope() as s:
        [entry] = accounts.audit_log(s, action="follow_up")
        assert entry.username == "disp" and entry.details["notes"] == "已优化，电话回访满意"


def test_correcting_closed_on_site_opens_the_tickets_again(client_for):
    stop = first_stop()
    tickets = stop["ticket_ids"]
    f1 = client_for("f1")
    record(f1, "yes")
    assert set(statuses(tickets).values()) == {"closed"}
    record(f1, "no")
    assert set(statuses(tickets).values()) == {"open"}
    # open again, as a follow-up (需要后期闭环): on the dispatcher's follow-up list, not visited again
    assert not set(tickets) & triaged_tickets(DAY)
    assert queue_row(client_for("disp"), case_of(tickets)) is not None


def test_an_outcome_needs_its_result(client_for):
    r = client_for("f1").post(f"/field/stops/{DAY}/S1/1", {"satisfaction": "satisfied", "notes": "x"})
    assert "result：必填" in text_of(r)
    assert in_store(closure.outcomes_of, DAY, DISTRICT) == {}  # nothing recorded


def test_the_rule_is_a_planner_function_with_clear_errors():
    stop = first_stop()
    args = dict(day=DAY, district=DISTRICT, author="cli")
    closed = FieldRecord(VisitResult.CLOSED_ON_SITE)
    with pytest.raises(UserError, match="not on any route"):
        in_store(closure.record_outcome, **args, visit_id="V-NOPE", record=closed)
    with pytest.raises(UserError, match="on S1's route, not S2's"):
        in_store(closure.record_outcome, **args, visit_id=stop["visit_id"], staff_id="S2", record=closed)
    with pytest.raises(UserError, match="no published plan"):
        in_store(closure.record_outcome, **{**args, "day": DAY + timedelta(days=1)}, visit_id=stop["visit_id"],
                 record=closed)
    assert set(statuses(stop["ticket_ids"]).values()) == {"open"}  # nothing half-written
    with pytest.raises(UserError, match="no outcome recorded"):
        in_store(closure.close_follow_up, DAY, DISTRICT, stop["visit_id"], author="disp")
    done = in_store(closure.record_outcome, **args, visit_id=stop["visit_id"], record=closed)
    assert done.closed == sorted(stop["ticket_ids"]) and done.outcome.staff_id == "S1"
    with pytest.raises(UserError, match="closed on site"):
        in_store(closure.close_follow_up, DAY, DISTRICT, stop["visit_id"], author="disp")


def test_cvp_outcomes_lists_and_closes_follow_ups(capsys):
    from planner.cli import main

    stop = first_stop()
    in_store(closure.record_outcome, day=DAY, district=DISTRICT, visit_id=stop["visit_id"], author="f1",
                           record=FieldRecord(VisitResult.FOLLOW_UP, notes="待基站开通"))
    assert main(["outcomes", "list", "--date", str(DAY), "--district", DISTRICT]) == 0
    assert f"{stop['visit_id']}\tS1\tneeds later closure" in capsys.readouterr().out
    assert main(["outcomes", "followups", "--district", DISTRICT]) == 0  # the follow-up queue, by case
    assert "\tfollow_up\t" in (listed := capsys.readouterr().out) or "\tto_assign\t" in listed
    assert ",".join(stop["ticket_ids"]) in listed
    assert main(["outcomes", "close", stop["visit_id"], "--date", str(DAY), "--district", DISTRICT,
                 "--notes", "已开通，回访满意"]) == 0
    assert "follow-up closed" in capsys.readouterr().out
    assert set(statuses(stop["ticket_ids"]).values()) == {"closed"}
    assert main(["outcomes", "followups", "--district", DISTRICT]) == 0
    assert "no follow-ups open" in capsys.readouterr().out
    assert main(["outcomes", "close", stop["visit_id"], "--date", str(DAY), "--district", DISTRICT]) == 2
    assert "was closed by cli" in capsys.readouterr().err


def _outcome_events() -> list:
    from planner.store import cases as case_store

    with session_scope() as s:
        return [e for c in case_store.load_cases(s, DISTRICT) for e in c.events if e.kind.value == "outcome"]


def test_cvp_outcomes_record_types_in_the_whole_paper_sheet_and_exports_it(capsys, tmp_path):
    import csv

    from planner.cli import main

    stop = first_stop()
    vid = stop["visit_id"]
    args = ["outcomes", "record", vid, "--date", str(DAY), "--district", DISTRICT]
    sheet = [*args, "--result", "follow_up", "--satisfaction", "basically_satisfied", "--arrived", "10:40",
             "--signal", "中国移动/GSM=-101", "--call", "中国移动/GSM=failed", "--signal", "china_mobile/TD-SCDMA=-108",
             "--data", "中国移动/TD-SCDMA=failed", "--kbps", "中国移动/TD-SCDMA=35", "--signal", "中国电信/CDMA=-90",
             "--call", "中国电信/CDMA=ok", "--problem", "卧室打不通电话", "--requests", "月底前解决",
             "--measure", "上报网优调整参数", "--gift", "小礼品", "--promised", "2010-08-12", "--notes", "已说明"]
    # a wrong value is named, and nothing is written
    for wrong, said in ((["--signal", "中国移动/GSM=-150"], "signal_dbm '-150': a whole number from -140 to -30 dBm"),
                        (["--call", "中国电信/GSM=ok"], "中国电信 has no technology 'GSM'"),
                        (["--signal", "中国铁通/GSM=-80"], "unknown operator '中国铁通'"),
                        (["--signal", "中国移动-GSM=-80"], "write OPERATOR/TECHNOLOGY=VALUE"),
                        (["--promised", "2010-08-01"], "before the visit day")):
        assert main([*sheet, *wrong]) == 2
        assert said in capsys.readouterr().err
    assert main([*args, "--result", "not_met", "--satisfaction", "satisfied"]) == 2
    assert "satisfaction: only for a customer who was met" in capsys.readouterr().err
    assert in_store(closure.outcomes_of, DAY, DISTRICT) == {} and _outcome_events() == []
    assert main(sheet) == 0
    assert f"{vid}: needs later closure" in capsys.readouterr().out
    assert main(sheet) == 0  # typed in twice: nothing changes, no second case event
    assert "nothing changed" in capsys.readouterr().out and len(_outcome_events()) == 1
    record = in_store(closure.outcomes_of, DAY, DISTRICT)[vid].record
    assert [(t.operator, t.technology, t.signal_dbm, t.call.value, t.data.value, t.data_kbps) for t in record.tests] == [
        ("china_mobile", "GSM", -101, "failed", "not_tried", None),
        ("china_mobile", "TD-SCDMA", -108, "not_tried", "failed", 35),
        ("china_telecom", "CDMA", -90, "ok", "not_tried", None)]
    assert (record.gift_item, str(record.promised), record.problem) == ("小礼品", "2010-08-12", "卧室打不通电话")
    assert main(["outcomes", "list", "--date", str(DAY), "--district", DISTRICT]) == 0
    line = capsys.readouterr().out
    assert (f"{vid}\tS1\tneeds later closure\tbasically_satisfied\t中国移动/GSM -101 dBm call failed data not_tried; "
            in line and "\t卧室打不通电话\t月底前解决\t上报网优调整参数\tgift 小礼品\tpromised 2010-08-12\t已说明" in line)
    out = tmp_path / "outcomes.csv"
    assert main(["outcomes", "export", "--date", str(DAY), "--district", DISTRICT, "-o", str(out)]) == 0
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 2 and row["拜访结果"] == "follow_up" and row["实际到达时间"] == "10:40"
    measured = (row["中国移动/GSM 信号(dBm)"], row["中国移动/GSM 通话"], row["中国移动/TD-SCDMA 速率(kbps)"])
    assert measured == ("-101", "failed", "35")
    assert row["中国联通/WCDMA 信号(dBm)"] == "" and row["赠送礼品"] == "yes" and row["承诺日期"] == "2010-08-12"
    # a corrected sheet appends the correction
    assert main([*args, "--result", "not_met", "--notes", "复核：客户当时不在家"]) == 0
    assert [e.data["result"] for e in _outcome_events()] == ["follow_up", "not_met"]


def test_the_case_page_shows_what_the_worker_recorded_on_site(client_for):
    """The follow-up staff read the sheet before they call: the problem, the requests, the measure
    and the measured signal are on the case's page."""
    stop = first_stop()
    r = client_for("f1").post(f"/field/stops/{DAY}/S1/1", {
        "arrived_at": "09:40", "signal:china_mobile:GSM": "-101", "result": "follow_up", "satisfaction": "satisfied",
        "problem": "室内信号弱", "requests": "要求一周内解决", "measure": "已申请优化周边小区参数"})
    assert r.status_code == 302
    page = text_of(client_for("fu").get(f"/cases/{case_of(stop['ticket_ids'])}"))
    assert "现场记录" in page and "室内信号弱" in page and "要求一周内解决" in page and "已申请优化周边小区参数" in page
    assert "-101 dBm" in page
