"""Customer type (客户分类) and scenario (场景分类), with the pilot's measures."""

from __future__ import annotations

from dataclasses import replace

import pytest

from planner.triage import triage
from tests.triage.helpers import DAY, days_ago, network, north_of, site, ticket


def classify(rules, t, history=(), sites=(), overrides=None):
    result = triage([t], list(history), list(sites), rules, DAY, "南区", overrides=overrides)
    [v] = result.visits
    return v


@pytest.mark.parametrize("text,expected", [
    ("信号太差了，我非常生气", "irate"),
    ("要求赔偿这个月的话费", "purpose_driven"),
    ("已经多次投诉，还是没解决", "repeat"),
    ("用了十多年移动，做生意离不开手机", "loyal_urgent"),
    ("家里信号弱", "ordinary"),
])
def test_customer_type_from_the_complaint(rules, text, expected):
    # a core customer: visited, but neither VIP nor escalating, so the cues alone decide
    v = classify(rules, ticket(core_customer=True, description=text))
    assert v.customer_type == expected
    assert any(f.rule == f"customer_type.{expected}" for f in v.fired_rules)


def test_irate_beats_purpose_driven_by_precedence(rules):
    v = classify(rules, ticket(vip_level="premium", description="非常生气，要求赔偿"))
    assert v.customer_type == "irate"


def test_loyal_by_tenure_and_arpu(rules):
    assert classify(rules, ticket(core_customer=True, tenure_years=9, arpu=260)).customer_type == "loyal_urgent"
    assert classify(rules, ticket(core_customer=True, tenure_years=9, arpu=80)).customer_type == "ordinary"


def test_repeat_reason_makes_a_repeat_type(rules):
    t = network(vip_level="silver")
    history = [replace(network(), phone=t.phone, received_at=days_ago(3))]
    assert classify(rules, t, history).customer_type == "repeat"


def test_planned_scenario_needs_a_planned_or_building_site_nearby(rules):
    at = north_of(5000, 3000)
    t = ticket(vip_level="gold", at=at)
    assert classify(rules, t, sites=[site("planned", north_of(5300, 3000))]).scenario == "planned"
    assert classify(rules, t, sites=[site("under_construction", north_of(5500, 3000))]).scenario == "planned"
    assert classify(rules, t, sites=[site("live", north_of(5100, 3000))]).scenario == "short_term"
    assert classify(rules, t, sites=[site("planned", north_of(7000, 3000))]).scenario == "short_term"


def test_not_now_scenario_by_keywords(rules):
    v = classify(rules, ticket(vip_level="gold", description="地下车库完全没信号，物业不让建站"))
    assert v.scenario == "not_now"
    assert v.gift  # a VIP客户: one of the toolkit's three gift groups
    assert not v.closable_on_site


def test_measures_gift_closure_and_service_minutes_follow_the_rules(rules):
    irate = classify(rules, ticket(vip_level="premium", description="非常生气"))
    assert irate.extra["measures"]["customer_type"]["zh"].startswith("根据客户投诉问题尽量解决")
    assert irate.extra["measures"]["scenario"]["zh"].startswith("现场处理故障")
    assert irate.gift and irate.closable_on_site
    sm = rules.data["service_minutes"]
    assert irate.service_min == sm["by_type"]["irate"] + sm["vip_extra"]
    ordinary = classify(rules, ticket(core_customer=True))
    assert not ordinary.gift
    assert ordinary.service_min == sm["by_type"]["ordinary"]


def test_dispatcher_override_of_type_and_scenario_is_applied_and_marked(rules):
    t = ticket(vip_level="gold", description="家里信号弱")
    v = classify(rules, t, overrides={t.ticket_id: {"type": "purpose_driven", "scenario": "not_now"}})
    assert (v.customer_type, v.scenario) == ("purpose_driven", "not_now")
    assert v.overrides == ("type", "scenario")
    assert any(f.rule == "override.type" for f in v.fired_rules)


def test_dispatcher_can_deselect_or_select(rules):
    vip, plain = ticket(vip_level="gold"), ticket()
    result = triage([vip, plain], [], [], rules, DAY, "南区",
                    overrides={vip.ticket_id: {"select": "no"}, plain.ticket_id: {"select": "yes"}})
    assert [v.ticket_ids for v in result.visits] == [(plain.ticket_id,)]
    assert result.visits[0].reasons == ("dispatcher",)
    assert [(f.ticket_id, f.why_code) for f in result.phone_followups] == [(vip.ticket_id, "override")]


def test_appointment_window_is_carried_to_the_visit(rules):
    from datetime import datetime

    from tests.triage.helpers import TZ

    w = (datetime(2010, 8, 5, 14, tzinfo=TZ), datetime(2010, 8, 5, 15, tzinfo=TZ))
    v = classify(rules, ticket(vip_level="gold", window_start=w[0], window_end=w[1]))
    assert v.time_window == w
