"""Customer types and gifts as the Xi'an pilot defines them (客户分类, 服务工具包, 小礼品预算)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from planner.cli import main
from planner.triage import triage
from planner.triage.gifts import gifts_on_plans, working_days_left
from tests.triage.helpers import DAY, days_ago, network, ticket

FIXTURE_ARGS = ["--date", "2010-08-05", "--district", "南区"]


def run(rules, open_tickets, history=(), **kw):
    return triage(open_tickets, list(history), [], rules, DAY, "南区", **kw)


def visit_of(result, ticket_id):
    [v] = [v for v in result.visits if ticket_id in v.ticket_ids]
    return v


@pytest.fixture
def fixture_triage(fixture_day, tmp_path, capsys):
    assert main(["import", str(fixture_day / "history.csv"), "--history"]) == 0
    assert main(["import", str(fixture_day / "tickets.csv"), "--gazetteer", str(fixture_day / "gazetteer.csv")]) == 0
    assert main(["import", str(fixture_day / "staff.csv")]) == 0
    assert main(["import", str(fixture_day / "network.csv")]) == 0
    capsys.readouterr()
    out = tmp_path / "triage.json"
    assert main(["triage", *FIXTURE_ARGS, "--json", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8")), capsys.readouterr().out


def visit_with(doc, ticket_id):
    [v] = [v for v in doc["visits"] if ticket_id in v["ticket_ids"]]
    return v


# -- 普通投诉型 is "非VIP客户,且反映问题可以立即解决或是容易得到安抚的客户" ------------------

@pytest.mark.parametrize("tier", ["diamond", "gold", "silver", "premium"])
def test_a_vip_without_cues_is_loyal_not_ordinary(rules, tier):
    t = ticket(vip_level=tier, tenure_years=2, arpu=60, description="家里信号弱")
    v = visit_of(run(rules, [t]), t.ticket_id)
    assert v.customer_type == "loyal_urgent"


@pytest.mark.parametrize("kw", [{"escalation": True}, {"description": "再不解决就联系媒体曝光"}])
def test_an_escalation_case_without_cues_is_irate_not_ordinary(rules, kw):
    t = ticket(**kw)
    v = visit_of(run(rules, [t]), t.ticket_id)
    assert v.customer_type == "irate"
    assert not v.closable_on_site  # an escalation trend is tracked to later closure


@pytest.mark.parametrize("text", [
    "客户情绪激动，要求领导出面处理，表示不解决就一直投诉下去",  # strong emotion
    "客户对处理结果非常不满，打电话时一直在骂",
    "客户认为基站辐射影响健康，不相信检测结果",  # misunderstanding the network
])
def test_emotion_and_misunderstanding_make_an_irate_customer(rules, text):
    t = ticket(core_customer=True, description=text)
    assert visit_of(run(rules, [t]), t.ticket_id).customer_type == "irate"


def test_plain_dissatisfaction_alone_is_not_irate(rules):
    t = ticket(core_customer=True, description="客户对处理进度不满意，希望尽快改善")
    assert visit_of(run(rules, [t]), t.ticket_id).customer_type == "ordinary"


def test_the_fixture_day_has_no_ordinary_vip_or_escalation_visit(fixture_triage):
    doc, _ = fixture_triage
    for v in doc["visits"]:
        if "vip" in v["reasons"] or "escalation" in v["reasons"]:
            assert v["customer_type"] != "ordinary", v["visit_id"]
    agitated = visit_with(doc, "XA-NQ-20100804-0035")  # 客户情绪激动…一直投诉下去
    assert agitated["customer_type"] == "irate" and agitated["customer_type_label"] == "激愤暴躁型"
    assert agitated["gift"] and agitated["gift_group"] == "irate"
    assert not agitated["closable_on_site"]


# -- the repeat count: network complaints only -------------------------------------------

def test_a_fee_dispute_does_not_make_a_network_repeat(rules):
    today = network()
    fee = replace(ticket(category="话费争议", description="对上月账单有疑问"), phone=today.phone,
                  received_at=days_ago(10))
    result = run(rules, [today], [fee])
    assert today.ticket_id in [f.ticket_id for f in result.phone_followups]
    earlier = replace(network(), phone=today.phone, received_at=days_ago(10))
    v = visit_of(run(rules, [today], [fee, earlier]), today.ticket_id)
    assert v.reasons == ("repeat",) and v.extra["complaints"] == 2


# -- gifts: 情绪激动型客户、VIP客户、长期多次投诉客户, 80 a district a month -----------------

def test_gifts_go_to_the_three_groups_only(rules):
    calm = ticket(core_customer=True, description="家里信号弱")
    not_now = ticket(core_customer=True, description="地下车库没信号，物业不让建站")
    second = network()
    third = network()
    history = [replace(network(), phone=second.phone, received_at=days_ago(9)),
               *(replace(network(), phone=third.phone, received_at=days_ago(d)) for d in (9, 20))]
    irate = ticket(core_customer=True, description="客户情绪激动")
    vip = ticket(vip_level="silver")
    result = run(rules, [calm, not_now, second, third, irate, vip], history)
    got = {t.ticket_id: (visit_of(result, t.ticket_id).gift, visit_of(result, t.ticket_id).extra["gift_group"])
           for t in (calm, not_now, second, third, irate, vip)}
    assert got == {calm.ticket_id: (False, None), not_now.ticket_id: (False, None),
                   second.ticket_id: (False, None),  # a second complaint is a repeat, not yet long-term
                   third.ticket_id: (True, "long_term_repeat"), irate.ticket_id: (True, "irate"),
                   vip.ticket_id: (True, "vip")}


def test_the_daily_allowance_spreads_the_months_budget_best_priority_first(rules):
    assert working_days_left(date(2010, 8, 5), [1, 2, 3, 4, 5]) == 19  # Thu 5th … Tue 31st
    vips = [ticket(vip_level="silver") for _ in range(6)]
    diamond = ticket(vip_level="diamond")
    result = run(rules, [*vips, diamond])
    assert result.gifts.allowance == 5  # ceil(80 / 19)
    assert result.gifts.today == 5 and result.gifts.eligible == 7 and result.gifts.budget == 80
    assert visit_of(result, diamond.ticket_id).gift
    left_out = [v for v in result.visits if not v.gift]
    assert len(left_out) == 2 and all(any(f.rule == "gift.budget" for f in v.fired_rules) for v in left_out)
    # late in the month with the budget nearly spent, fewer gifts are left for the day
    late = run(rules, [*vips, diamond], gifts_before=78)
    assert late.gifts.allowance == 1 and late.gifts.total == 79
    assert [v.ticket_ids for v in late.visits if v.gift] == [(diamond.ticket_id,)]
    spent = run(rules, [*vips, diamond], gifts_before=80)
    assert spent.gifts.today == 0 and "本月礼品 80 / 80" in spent.gifts.line()


def test_the_months_gifts_come_from_earlier_plans_of_the_month():
    from types import SimpleNamespace

    def plan(day, gifts):
        """What the count reads of a plan document: its date and its routes' visit steps
        (unassigned visits are not among them: they carry no gift out)."""
        steps = [SimpleNamespace(gift=True)] * gifts + [SimpleNamespace(gift=False)]
        return SimpleNamespace(date=day, visit_steps=lambda: [(None, s) for s in steps])

    plans = [plan("2010-07-30", 4), plan("2010-08-02", 3), plan("2010-08-04", 5), plan("2010-08-05", 6)]
    assert gifts_on_plans(plans, date(2010, 8, 5)) == 8


def test_the_fixture_day_shows_the_months_gifts_against_the_budget(fixture_triage):
    doc, text = fixture_triage
    flagged = sum(1 for v in doc["visits"] if v["gift"])
    assert doc["gifts"] == {"month": "2010-08", "budget": 80, "before": 0, "today": flagged, "total": flagged,
                            "allowance": 5, "eligible": doc["gifts"]["eligible"]}
    assert flagged == 5  # ≈ 80 a month over 19 working days left in August
    assert f"本月礼品 {flagged} / 80" in text
    for v in doc["visits"]:
        assert not v["gift"] or v["gift_group"] in ("irate", "long_term_repeat", "vip")
