"""A district's triage belongs to that district: another district's rows neither steer it
nor show through it, and no rows a dispatcher can import make it unbounded.

Found by attacking the product with a 北区 dispatcher's account: 北区 tickets reusing
南区 customers' phones and 北区 tickets and network sites placed at 南区 customers'
addresses turned six 南区 phone follow-ups into visits (repeat, cluster, planned site),
showed 南区 ticket ids in 北区's triage and 南区 complaint texts on 北区's route sheets;
24,000 dense history tickets took a triage to 17 GB.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from planner.errors import UserError
from planner.store import repository as repo
from planner.store.db import session_scope
from planner.triage import load_rules
from planner.workflow import import_file, triage_day
from tests.security.import_helpers import rows_of, seed, write_csv
from tests.store_calls import in_store

DAY = date(2010, 8, 5)
NORTH = {"北区"}


def _summary(result) -> list[tuple]:
    return sorted((v.visit_id, v.customer_type, v.scenario, v.priority, tuple(v.ticket_ids),
                   tuple(sorted((f.rule, f.detail) for f in v.fired_rules))) for v in result.visits)


def _south_rows():
    header, rows = rows_of("tickets.csv")
    return header, [r for r in rows if r["区域"] == "南区" and r["纬度"]]


def _north_copies(rows: list[dict], prefix: str, **changes) -> list[dict]:
    """北区 tickets made from 南区 rows (new ids), with some fields kept to aim at 南区."""
    out = []
    for k, r in enumerate(rows):
        row = {**r, "工单号": f"XA-BQ-{prefix}-{k:04d}", "区域": "北区", **changes}
        out.append(row)
    return out


def test_another_districts_rows_do_not_steer_or_show_through_a_districts_triage(tmp_path):
    seed(None)
    rules = load_rules()
    before = _summary(in_store(triage_day, DAY, "南区", rules))
    header, south = _south_rows()
    # same customers' phones (repeat evidence) and same places (cluster evidence), as 北区 tickets
    spies = _north_copies(south[:12], "SPY", 受理时间="2010-08-03 09:00", 投诉类别="无信号",
                          投诉内容="室内无信号")
    in_store(import_file, write_csv(tmp_path / "north.csv", header, spies), districts=NORTH, history=True)
    # 北区 "under construction" sites at 南区 customers' addresses
    sites = [{"站点编号": f"XA-BQ-JZ-9{k:03d}", "纬度": r["纬度"], "经度": r["经度"], "坐标系": r["坐标系"],
              "状态": "在建", "预计开通日期": "2010-09-30", "区域": "北区"} for k, r in enumerate(south[:12])]
    in_store(import_file, write_csv(tmp_path / "sites.csv", list(sites[0]), sites), districts=NORTH)

    assert _summary(in_store(triage_day, DAY, "南区", rules)) == before

    north = in_store(triage_day, DAY, "北区", rules)
    shown = " ".join(f"{f.detail} {f.rule}" for v in north.visits for f in v.fired_rules)
    assert "XA-NQ-" not in shown


def test_a_route_sheets_complaint_history_is_the_districts_own():
    seed(None)
    rules = load_rules()
    with session_scope() as s:
        south = s.execute(repo_tickets_of("南区")).all()
        phone = south[0].phone
        everywhere = repo.complaints_of_phones(s, [phone], datetime(2010, 8, 6, tzinfo=rules.tz), rules.tz, "南区")
        elsewhere = repo.complaints_of_phones(s, [phone], datetime(2010, 8, 6, tzinfo=rules.tz), rules.tz, "北区")
    assert everywhere[phone] and all(t.district == "南区" for t in everywhere[phone])
    assert elsewhere == {}


def repo_tickets_of(district: str):
    from sqlalchemy import select

    from planner.store.models import TicketRow

    return select(TicketRow.phone).where(TicketRow.district == district)


def _rules_with(tmp_path, **limits):
    from planner import safeyaml
    from planner.triage.rules import DEFAULT_RULES, Rules

    data = safeyaml.load(DEFAULT_RULES.read_text(encoding="utf-8"))
    data["limits"].update(limits)
    return Rules(data=data, path=str(tmp_path / "my-rules.yaml"), digest="test")


def test_complaints_at_one_spot_are_refused_not_compared_without_bound(tmp_path):
    """Dense tickets at one place make the cluster comparison quadratic: above the rules'
    limit the triage refuses, naming the count, the limit and the field."""
    seed(None)
    header, south = _south_rows()
    spot = south[0]
    dense = [{**spot, "工单号": f"XA-NQ-DENSE-{k:04d}", "客户号码": f"139{k:08d}", "受理时间": "2010-08-04 10:00"}
             for k in range(60)]
    in_store(import_file, write_csv(tmp_path / "dense.csv", header, dense), districts={"南区"}, history=True)
    with pytest.raises(UserError) as exc:
        in_store(triage_day, DAY, "南区", _rules_with(tmp_path, max_nearby_pairs=500))
    text = str(exc.value)
    assert "limits.max_nearby_pairs" in text and "500" in text and "my-rules.yaml" in text
    assert str(tmp_path) not in text  # the rules file by its name only
    in_store(triage_day, DAY, "南区", _rules_with(tmp_path, max_nearby_pairs=100_000))  # within the limit: it runs


def test_more_evidence_than_the_limit_is_refused_before_it_is_loaded(tmp_path):
    seed(None)
    header, south = _south_rows()
    many = [{**south[k % len(south)], "工单号": f"XA-NQ-HIST-{k:04d}", "受理时间": "2010-08-04 10:00",
             "投诉类别": "无信号"} for k in range(80)]
    in_store(import_file, write_csv(tmp_path / "hist.csv", header, many), districts={"南区"}, history=True)
    with pytest.raises(UserError, match="limits.max_evidence_tickets"):
        in_store(triage_day, DAY, "南区", _rules_with(tmp_path, max_evidence_tickets=50))


def test_a_history_file_never_turns_a_current_ticket_into_history(tmp_path):
    seed(None)
    header, south = _south_rows()
    target = south[0]["工单号"]
    with session_scope() as s:
        was = s.execute(select_ticket(target)).one()
    assert (was.status, was.is_history) == ("open", False)
    in_store(import_file, write_csv(tmp_path / "old.csv", header, [south[0]]), history=True, districts={"南区"})
    with session_scope() as s:
        now = s.execute(select_ticket(target)).one()
    assert (now.status, now.is_history) == ("open", False)
    assert target in {t for v in in_store(triage_day, DAY, "南区", load_rules()).visits for t in v.ticket_ids} | {
        t.ticket_id for t in in_store(triage_day, DAY, "南区", load_rules()).phone_followups}


def select_ticket(ticket_id: str):
    from sqlalchemy import select

    from planner.store.models import TicketRow

    return select(TicketRow.status, TicketRow.is_history).where(TicketRow.ticket_id == ticket_id)
