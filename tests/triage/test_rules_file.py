"""The rules file: parsed once into typed sections; a mistake is named with its line and field."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
import yaml

from planner.errors import UserError
from planner.triage import load_rules, triage
from planner.triage.rules import DEFAULT_RULES
from planner.triage.rules_model import ClusterRule, Limits, RulesError, WorkingDay
from tests.triage.helpers import DAY, north_of, site, ticket

SHIPPED = DEFAULT_RULES.read_text(encoding="utf-8")


def line_of(text: str, pattern: str) -> int:
    """1-based line of the first line matching ``pattern`` (a regex)."""
    for n, line in enumerate(text.splitlines(), 1):
        if re.search(pattern, line):
            return n
    raise AssertionError(pattern)


def edited(tmp_path, *changes: tuple[str, str], name: str = "rules.yaml"):
    """The shipped file, as text, with each (regex, replacement) applied once: a dispatcher's edit."""
    text = SHIPPED
    for pattern, new in changes:
        text, n = re.subn(pattern, new, text, count=1, flags=re.M)
        assert n == 1, pattern
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, text


def refusal(path) -> str:
    with pytest.raises(UserError) as info:
        load_rules(path)
    return str(info.value)


def test_the_shipped_rules_load_into_typed_sections():
    rules = load_rules()
    assert rules.day == WorkingDay(time(9), time(17, 30), time(11, 30), time(13), 60, 6, 90)
    assert isinstance(rules.selection.cluster, ClusterRule) and rules.selection.cluster.radius_m == 500
    assert rules.selection.cluster.min_tickets == 3 and "信号" in rules.selection.cluster.network_keywords
    assert rules.limits == Limits(20000, 100000, 15000000)
    assert [e.code for e in rules.customer_types][-1] == "ordinary"
    assert rules.priority.levels[0] == "diamond" and rules.priority.level_of["vip:gold"] == "gold"
    assert rules.gifts.monthly_budget == 80 and [g.code for g in rules.gifts.groups] == \
        ["irate", "long_term_repeat", "vip"]
    assert rules.service_minutes.of("irate", vip=True, members=3) == 70  # 45 + 5 + 2 × 10, capped at 70
    assert rules.travel.circuity == 1.3 and rules.required_skills["silver"] == ("vip",)


def test_a_wrong_value_is_named_with_its_line_and_field(tmp_path):
    path, text = edited(tmp_path, (r"^  break_minutes: 60", "  break_minutes: 0"))
    message = refusal(path)
    assert message.startswith(f"rules file {path}: line {line_of(text, '^  break_minutes:')}: "
                              "field day.break_minutes: must be a positive whole number")
    assert "Traceback" not in message


def test_every_problem_is_listed_at_once_each_with_its_line(tmp_path):
    path, text = edited(tmp_path,
                        (r'^  shift_start: "09:00"', '  shift_start: "9h"'),
                        (r"^    radius_m: 500", "    radius_m: lots"),
                        (r"^  max_nearby_pairs: .*", "  max_nearby_pairs: -1"),
                        (r"^  monthly_budget: 80", "  monthly_budget: 1.5"))
    message = refusal(path)
    assert "4 problems" in message
    for pattern, field in ((r"^  shift_start:", "day.shift_start"), (r"^    radius_m:", "selection.cluster.radius_m"),
                           (r"^  max_nearby_pairs:", "limits.max_nearby_pairs"),
                           (r"^  monthly_budget:", "gift.monthly_budget")):
        assert f"line {line_of(text, pattern)}: field {field}: " in message


def test_a_misspelt_condition_deep_in_a_type_is_found_at_load(tmp_path):
    path, text = edited(tmp_path, (r"^        - \{reason_in: \[repeat\]\}", "        - {reason_inn: [repeat]}"))
    message = refusal(path)
    assert f"line {line_of(text, 'reason_inn')}: field customer_types[2].when.any[0]: " \
           "unknown condition 'reason_inn'" in message


def test_a_missing_field_names_the_misspelling(tmp_path):
    path, text = edited(tmp_path, (r"^    radius_m: 500", "    radius_mm: 500"))
    message = refusal(path)
    assert "field selection.cluster.radius_m: is missing (is 'radius_mm' a misspelling of it?)" in message
    assert f"line {line_of(text, '^  cluster:')}:" in message  # the section it belongs in


def test_a_key_given_twice_is_refused_with_its_line(tmp_path):
    path, text = edited(tmp_path, (r"^  break_minutes: 60", "  break_minutes: 60\n  break_minutes: 45"))
    message = refusal(path)
    assert f"line {line_of(text, '^  break_minutes: 45')}: field day.break_minutes: given twice" in message


def test_impossible_working_days_and_huge_numbers_are_refused(tmp_path):
    path, text = edited(tmp_path, (r'^  shift_end: "17:30"', '  shift_end: "08:00"'),
                        (r"^  visit_budget_min: 90", "  visit_budget_min: 1.0e+308"))
    message = refusal(path)
    assert f"line {line_of(text, '^  shift_end:')}: field day.shift_end: the shift ends (08:00) before" in message
    assert "field day.visit_budget_min: must be a positive number, at most 1,440" in message


def test_a_bad_travel_model_is_named_at_load(tmp_path):
    path, text = edited(tmp_path, (r"^  overhead_min: 5", "  overhead_mins: 5"))
    message = refusal(path)
    assert f"line {line_of(text, '^travel_model:')}: field travel_model: unknown travel model field(s) " \
           "overhead_mins" in message


def test_a_near_site_radius_must_be_positive(tmp_path):
    path, _ = edited(tmp_path, (r"within_m: 800", "within_m: -800"))
    assert "near_site.within_m: must be a positive number of metres" in refusal(path)


def test_an_older_copy_without_the_later_sections_still_loads(tmp_path):
    """A dispatcher's copy written before limits, phone_followup and old_ticket_days existed."""
    data = yaml.safe_load(SHIPPED)
    for key in ("limits", "phone_followup", "old_ticket_days"):
        del data[key]
    path = tmp_path / "old.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rules = load_rules(path)
    shipped = load_rules()
    assert rules.limits == shipped.limits and rules.old_ticket_days == 30
    assert rules.phone_followup_why == shipped.phone_followup_why


def test_rules_built_from_data_are_checked_too():
    data = yaml.safe_load(SHIPPED)
    data["service_minutes"] = {**data["service_minutes"], "max": "long"}
    from planner.triage.rules import Rules

    with pytest.raises(RulesError, match=r"field service_minutes\.max: must be a positive number"):
        Rules(data=data, path="test", digest="x")


def test_triage_applies_the_typed_rules_of_the_file(tmp_path):
    """Service minutes and the cluster rule come from the file loaded, not from defaults."""
    path, _ = edited(tmp_path, (r"^  by_type: \{.*\}", "  by_type: {loyal_urgent: 21, irate: 22, purpose_driven: 23, "
                                                         "repeat: 24, ordinary: 25}"),
                     (r"^  vip_extra: 5", "  vip_extra: 0"))
    rules = load_rules(path)
    [v] = triage([ticket(core_customer=True, description="家里信号弱")], [], [], rules, DAY, "南区").visits
    assert v.customer_type == "ordinary" and v.service_min == 25


@pytest.mark.parametrize("within_m,far_m", [(8_000, 7_000), (30_000, 25_000)])
def test_the_site_screen_follows_the_rules_within_m_with_no_fixed_cap(tmp_path, within_m, far_m):
    """A planned site farther than the shipped 800 m, and than any fixed box of a few km,
    makes the 规划在建型 scenario when the file's near_site.within_m reaches it."""
    path, _ = edited(tmp_path, (r"within_m: 800", f"within_m: {within_m}"))
    wide, shipped = load_rules(path), load_rules()
    t = ticket(vip_level="gold", at=north_of(1000))
    sites = [site("planned", north_of(1000 + far_m))]
    [v] = triage([t], [], sites, wide, DAY, "南区").visits
    assert v.scenario == "planned"
    [v] = triage([t], [], sites, shipped, DAY, "南区").visits
    assert v.scenario == "short_term"
    beyond = [site("planned", north_of(1000 + within_m + 500))]
    [v] = triage([t], [], beyond, wide, DAY, "南区").visits
    assert v.scenario == "short_term"


def test_the_cluster_radius_is_the_rules(tmp_path):
    """Three network complaints 900 m apart are a cluster only when the file's radius reaches."""
    from tests.triage.helpers import network

    path, _ = edited(tmp_path, (r"^    radius_m: 500", "    radius_m: 2000"))
    tickets = [network(at=north_of(1000 + 900 * i)) for i in range(3)]
    wide = triage(tickets, [], [], load_rules(path), DAY, "南区")
    assert any("cluster" in v.reasons for v in wide.visits)
    shipped = triage(tickets, [], [], load_rules(), DAY, "南区")
    assert not any("cluster" in v.reasons for v in shipped.visits)


def test_the_routing_core_keeps_no_working_day_of_its_own():
    from planner.routing import Problem, Worker

    with pytest.raises(TypeError):
        Worker("w", 0, 0)  # a shift is required
    w = Worker("w", 0, 0, shift=(0, 3600))
    assert w.break_window is None and w.max_jobs is None
    assert Problem((), (w,), {"default": [[0]]}).visit_budget_s is None


def test_the_working_day_of_the_file_reaches_the_routing_problem(tmp_path):
    from planner.geo.travel import TravelModel
    from planner.plan.build import build_day, worker_day
    from planner.records import StaffMember

    path, _ = edited(tmp_path, (r'^  shift_start: "09:00"', '  shift_start: "08:00"'),
                     (r"^  max_visits_per_worker: 6", "  max_visits_per_worker: 4"),
                     (r"^  visit_budget_min: 90", "  visit_budget_min: 75"),
                     (r"^  break_minutes: 60", "  break_minutes: 45"))
    rules = load_rules(path)
    staff = StaffMember(staff_id="W1", name="W1", district="南区", base_lat=34.22, base_lon=108.95)
    model = build_day(date(2010, 8, 5), "南区", [], [worker_day(staff, date(2010, 8, 5), rules)], rules,
                      TravelModel())
    [w] = model.problem.workers
    assert w.shift[0] == 8 * 3600 and w.max_jobs == 4 and w.break_window.duration_s == 45 * 60
    assert model.problem.visit_budget_s == 75 * 60


def test_a_visit_note_with_an_unknown_placeholder_is_refused_at_load(tmp_path):
    """The note is formatted when a carried-over visit is planned: a typo would stop planning."""
    path, text = edited(tmp_path, (r"^    zh: 原预约（\{day\}）", "    zh: 原预约（{date}）"))
    message = refusal(path)
    assert f"line {line_of(text, '原预约')}: field visit_notes.appointment_expired.zh: unknown placeholder " \
           "{date} (allowed: {day})" in message


def test_unassigned_reasons_of_the_older_shape_still_read(tmp_path):
    from planner.plan.notes import reason_texts

    data = yaml.safe_load(SHIPPED)
    data["unassigned_reasons"] = {"no_coordinates": "缺少坐标"}
    path = tmp_path / "old.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rules = load_rules(path)
    assert reason_texts(rules, "no_coordinates") == {"zh": "缺少坐标", "en": "no_coordinates"}
    assert reason_texts(rules, "over_capacity") == {"zh": "over_capacity", "en": "over_capacity"}


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Asia/../../etc/passwd", "A" * 5000])
def test_an_unknown_time_zone_is_named(tmp_path, zone):
    path, text = edited(tmp_path, (r"^timezone: Asia/Shanghai", f"timezone: {zone}"))
    message = refusal(path)
    assert f"line {line_of(text, '^timezone:')}: field timezone: unknown time zone" in message


def test_call_tips_are_read_per_customer_type_and_a_missing_one_is_named_with_its_line(tmp_path):
    rules = load_rules()
    tips = rules.cases.call_tips
    assert set(tips.customer_types) == {e.code for e in rules.customer_types}  # one per type of the rules
    assert "不争辩" in tips.for_type("irate")["zh"] and tips.for_type(None) is None
    assert any("语速不要太快" in t["zh"] for t in tips.general) and rules.cases.call_slot_minutes == 60
    path, text = edited(tmp_path, (r"^      irate:\n        zh: .*\n        en: .*\n", ""),
                        (r"^  call_slot_minutes: 60", "  call_slot_minutes: 0"))
    message = refusal(path)
    assert "field cases.call_tips.customer_types.irate: is missing" in message
    assert f"line {line_of(text, '^  call_slot_minutes:')}: field cases.call_slot_minutes: must be a positive" in message


def test_a_general_call_tip_without_chinese_is_refused_with_its_line(tmp_path):
    path, text = edited(tmp_path, (r"^      - \{zh: 语速不要太快, ", "      - {said: 语速不要太快, "))
    message = refusal(path)
    assert f"line {line_of(text, 'said: 语速不要太快')}: field cases.call_tips.general[1].zh: is missing" in message


def test_a_cases_section_from_before_the_call_list_takes_the_shipped_tips(tmp_path):
    data = yaml.safe_load(SHIPPED)
    del data["cases"]["call_tips"], data["cases"]["call_slot_minutes"]
    path = tmp_path / "old.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_rules(path).cases.call_tips == load_rules().cases.call_tips
