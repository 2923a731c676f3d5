"""Who gets a face-to-face visit (目标客户选择条件), as the pilot chose them."""

from __future__ import annotations

from dataclasses import replace

from planner.records import CarriedCase
from planner.triage import triage
from tests.triage.helpers import DAY, days_ago, network, north_of, ticket


def run(rules, open_tickets, history=(), sites=(), **kw):
    return triage(open_tickets, list(history), list(sites), rules, DAY, "南区", **kw)


def visit_of(result, ticket_id):
    [v] = [v for v in result.visits if ticket_id in v.ticket_ids]
    return v


def test_vip_tiers_are_visited_and_ordinary_tickets_get_a_phone_call(rules):
    vip, plain = ticket(vip_level="silver"), ticket()
    result = run(rules, [vip, plain])
    assert visit_of(result, vip.ticket_id).reasons == ("vip",)
    assert [f.ticket_id for f in result.phone_followups] == [plain.ticket_id]
    assert result.phone_followups[0].why_code == "no_visit_rule"


def test_repeat_needs_another_complaint_from_the_same_phone_within_30_days(rules):
    recent, old = network(), network()
    history = [replace(network(), phone=recent.phone, received_at=days_ago(20), is_history=True, status="closed"),
               replace(network(), phone=old.phone, received_at=days_ago(40), is_history=True, status="closed")]
    result = run(rules, [recent, old], history)
    v = visit_of(result, recent.ticket_id)
    assert "repeat" in v.reasons and v.customer_type == "repeat"
    assert old.ticket_id in [f.ticket_id for f in result.phone_followups]


def test_one_customers_open_tickets_make_one_visit(rules):
    a = ticket(vip_level="gold")
    b = replace(ticket(), phone=a.phone, received_at=days_ago(0.5))
    result = run(rules, [a, b])
    assert len(result.visits) == 1
    assert set(result.visits[0].ticket_ids) == {a.ticket_id, b.ticket_id}


def test_three_network_complaints_within_500m_and_7_days_make_one_cluster_visit(rules):
    members = [network(at=north_of(0 + 100 * i, 5000)) for i in range(3)]
    far = network(at=north_of(2000, 5000))
    result = run(rules, members + [far])
    v = visit_of(result, members[0].ticket_id)
    assert v.visit_id.startswith("C-")
    assert set(v.ticket_ids) == {m.ticket_id for m in members}
    assert v.reasons == ("cluster",)
    assert far.ticket_id in [f.ticket_id for f in result.phone_followups]


def test_history_tickets_count_towards_a_cluster_but_only_open_ones_are_visited(rules):
    open_members = [network(at=north_of(0, 8000)), network(at=north_of(150, 8000))]
    past = replace(network(at=north_of(300, 8000)), received_at=days_ago(3), is_history=True, status="closed")
    result = run(rules, open_members, [past])
    v = visit_of(result, open_members[0].ticket_id)
    assert set(v.ticket_ids) == {t.ticket_id for t in open_members}


def test_cluster_needs_complaints_within_7_days(rules):
    open_members = [network(at=north_of(0, 9000)), network(at=north_of(150, 9000))]
    old = replace(network(at=north_of(300, 9000)), received_at=days_ago(8), is_history=True, status="closed")
    result = run(rules, open_members, [old])
    assert not result.visits


def test_cluster_members_must_be_within_500m_of_each_other_not_chained(rules):
    chain = [network(at=north_of(400 * i, 10000)) for i in range(3)]  # A–C is 800 m
    assert not run(rules, chain).visits


def test_one_phone_complaining_three_times_is_not_a_cluster(rules):
    a = network(at=north_of(0, 11000))
    same = [replace(network(at=north_of(50 * i, 11000)), phone=a.phone) for i in (1, 2)]
    result = run(rules, [a, *same])
    assert all(not v.visit_id.startswith("C-") for v in result.visits)


def test_a_cluster_member_who_qualifies_alone_keeps_an_own_visit(rules):
    vip = network(at=north_of(0, 12000), vip_level="gold")
    others = [network(at=north_of(100, 12000)), network(at=north_of(200, 12000))]
    result = run(rules, [vip, *others])
    own = visit_of(result, vip.ticket_id)
    assert own.ticket_ids == (vip.ticket_id,)
    assert set(own.reasons) == {"vip", "cluster"}
    rest = visit_of(result, others[0].ticket_id)
    assert set(rest.ticket_ids) == {t.ticket_id for t in others}


def test_escalation_by_flag_or_keyword_and_core_by_flag(rules):
    flagged = ticket(escalation=True)
    worded = ticket(description="再不解决我就向工信部投诉")
    core = ticket(core_customer=True)
    result = run(rules, [flagged, worded, core])
    assert visit_of(result, flagged.ticket_id).reasons == ("escalation",)
    assert visit_of(result, worded.ticket_id).reasons == ("escalation",)
    fired = [f.detail for f in visit_of(result, worded.ticket_id).fired_rules if f.rule == "selection.escalation"]
    assert fired == ["keyword 工信部"]
    assert visit_of(result, core.ticket_id).reasons == ("core",)


def test_priority_order_diamond_gold_escalation_silver_repeat_cluster_core(rules):
    rep = network()
    history = [replace(network(), phone=rep.phone, received_at=days_ago(5))]
    cluster = [network(at=north_of(10 * i, 15000)) for i in range(3)]
    tickets = [ticket(core_customer=True), *cluster, rep, ticket(vip_level="premium"), ticket(vip_level="silver"),
               ticket(escalation=True), ticket(vip_level="gold"), ticket(vip_level="diamond")]
    result = run(rules, tickets, history)
    by_reason = {}
    for v in result.visits:
        key = v.vip_level if "vip" in v.reasons else v.reasons[0]
        by_reason[key] = v.priority
    order = ["diamond", "gold", "escalation", "silver", "repeat", "cluster", "core"]
    assert [by_reason[k] for k in order] == sorted(by_reason[k] for k in order)
    assert len({by_reason[k] for k in order}) == 7
    assert by_reason["premium"] == by_reason["silver"]
    assert [v.priority for v in result.visits] == sorted(v.priority for v in result.visits)


def test_a_visit_deferred_yesterday_is_raised_one_level(rules):
    a, b = ticket(core_customer=True), ticket(core_customer=True)
    back = CarriedCase(1, "visit", ("core",), 1, "left unassigned 2010-08-04: over_capacity")
    result = run(rules, [a, b], carried={a.ticket_id: back})
    assert visit_of(result, a.ticket_id).priority == visit_of(result, b.ticket_id).priority - 1
    assert visit_of(result, a.ticket_id).carried_over_days == 1


def test_vip_tiers_including_silver_need_the_vip_skill_but_premium_does_not(rules):
    # docs/rules.md: 银卡 is a VIP tier served like 钻卡/金卡; 贵宾 is not a VIP tier
    tiers = {tier: ticket(vip_level=tier) for tier in ("diamond", "gold", "silver", "premium")}
    result = run(rules, list(tiers.values()))
    assert {tier: visit_of(result, t.ticket_id).required_skills for tier, t in tiers.items()} == {
        "diamond": ("vip",), "gold": ("vip",), "silver": ("vip",), "premium": ()}


def test_a_condition_that_did_not_hold_says_what_it_looked_for():
    from planner.triage.conditions import Facts, compile_condition

    held, because = compile_condition({"not": {"reason_in": ["vip", "repeat"]}})(
        Facts(ticket=ticket(), reasons={"core"}, complaints=1))
    assert held and because == "not (selected as none of repeat, vip)"  # not "not (selected as )"
