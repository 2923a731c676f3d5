"""Small gifts (小礼品): who may get one, and how many a district gives a month.

The pilot's toolkit carries gifts for three groups (情绪激动型客户、VIP客户、长期多次投诉客户)
and budgets 80 a district a month ("每分部每月预计送出80份小礼品").  Its fixture-sized
day (6 VIP + 17 repeat/clustered visits) holds far more eligible customers than 80 a
month allows, and the pilot's measures say the gift is given selectively
(选择性赠送), so the budget is part of the rule: each day gets what is left of the
month's budget spread over the month's remaining working days, and the eligible
visits the routing serves first (best priority) get it first.  Both the groups and the
budget are in the rules file (``gift:``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from planner.records import FiredRule, Visit
from planner.triage.conditions import Facts, evaluate
from planner.triage.rules_model import Gifts

if TYPE_CHECKING:
    from planner.plan.document import PlanDocument


@dataclass(frozen=True)
class GiftTally:
    """The month's gifts against the budget, as the dispatcher sees it when planning a day."""

    month: str               # "2010-08"
    budget: int              # gift.monthly_budget
    before: int              # gift visits on the month's earlier days' latest plans
    today: int               # gift visits in today's triage
    allowance: int           # today's share of what is left
    eligible: int            # today's visits in one of the three groups

    @property
    def total(self) -> int:
        return self.before + self.today

    def line(self) -> str:
        """``本月礼品 N / 80``, with today's share, for the CLI and the web page."""
        text = f"本月礼品 {self.total} / {self.budget}（今日 {self.today}，今日限额 {self.allowance}"
        if self.eligible > self.today:
            text += f"，另有 {self.eligible - self.today} 位符合条件未送"
        return text + "）"

    def to_json(self) -> dict:
        return {"month": self.month, "budget": self.budget, "before": self.before, "today": self.today,
                "total": self.total, "allowance": self.allowance, "eligible": self.eligible}


def gift_group(gifts: Gifts, facts: Facts, evaluate=evaluate) -> tuple[str | None, str]:
    """The first of the pilot's gift groups the visit belongs to, and why (or ``None``);
    ``evaluate`` may be a run's :class:`~planner.triage.conditions.Compiled` one."""
    for group in gifts.groups:
        held, because = evaluate(group.when, facts)
        if held:
            return group.code, f"{group.label}: {because}"
    return None, ""


def working_days_left(day: date, weekdays: Iterable[int]) -> int:
    """Working days from ``day`` to the end of its month, ``day`` itself always counted."""
    wanted = set(weekdays)
    n, d = 0, day
    while d.month == day.month:
        if d == day or d.isoweekday() in wanted:
            n += 1
        d += timedelta(days=1)
    return n


def gifts_on_plans(plans: Sequence[PlanDocument], day: date) -> int:
    """Gift visits on the routes of earlier plans of ``day``'s month (one plan per day:
    the latest, as the store gives them).  Unassigned visits carried no gift out."""
    month = day.strftime("%Y-%m")
    return sum(1 for doc in plans if doc.date[:7] == month and doc.date != day.isoformat()
               for _route, step in doc.visit_steps() if step.gift)


def plan_gifts(plan, tally: GiftTally) -> dict:
    """The month's gifts once the day is planned (``plan`` a
    :class:`planner.plan.document.PlanDocument`): earlier days' plans plus the gift visits
    this plan's routes carry (an unassigned gift visit carries none out today)."""
    routed = sum(1 for _route, s in plan.visit_steps() if s.gift)
    return {"month": tally.month, "budget": tally.budget, "before": tally.before, "on_routes": routed,
            "total": tally.before + routed}


def plan_gifts_line(gifts) -> str:
    """``本月礼品 N / 80`` under a plan's summary (``gifts``: its :class:`planner.plan.document.Gifts`)."""
    return f"本月礼品 {gifts.total} / {gifts.budget}（本计划 {gifts.on_routes}）"


def apply_budget(visits: Sequence[Visit], gifts: Gifts, day: date, before: int) -> tuple[list[Visit], GiftTally]:
    """Keep the gift on the eligible visits that fit today's allowance, best priority first.

    An eligible visit beyond the allowance keeps no gift and records why, so the
    dispatcher can still give one by hand (the budget is a plan, not a lock).
    """
    budget = gifts.monthly_budget
    left = max(0, budget - before)
    allowance = math.ceil(left / working_days_left(day, gifts.working_weekdays))
    order = {g.code: i for i, g in enumerate(gifts.groups)}
    eligible = [v for v in visits if v.extra.get("gift_group")]
    chosen = {v.visit_id for v in sorted(eligible, key=lambda v: (v.priority, order.get(v.extra["gift_group"], 99),
                                                                   v.visit_id))[:allowance]}
    out = []
    for v in visits:
        if v.gift and v.visit_id not in chosen:
            why = FiredRule("gift.budget", v.ticket_ids[0],
                            f"eligible, but today's allowance of {allowance} gift(s) went to visits served first "
                            f"({before} of {budget} given this month before today)")
            v = replace(v, gift=False, fired_rules=v.fired_rules + (why,))
        out.append(v)
    tally = GiftTally(month=day.strftime("%Y-%m"), budget=budget, before=before,
                      today=sum(1 for v in out if v.gift), allowance=allowance, eligible=len(eligible))
    return out, tally
