"""The tiny condition language of the rules file, and why a condition held.

``evaluate`` returns ``(held, because)`` where ``because`` is the text recorded
as the fired rule's detail (e.g. "keyword 工信部", "VIP tier gold").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from planner.errors import UserError
from planner.records import Ticket

KEYS = {"always", "keywords_any", "vip_in", "reason_in", "flag", "tenure_years_at_least", "arpu_at_least",
        "complaints_at_least", "near_site", "type_in", "scenario_in", "all", "any", "not"}
FLAGS = {"escalation", "core_customer"}


@dataclass
class Facts:
    """What a condition can look at for one ticket."""

    ticket: Ticket
    reasons: set[str] = field(default_factory=set)
    complaints: int = 1
    nearest_site_m: dict[str, float] = field(default_factory=dict)  # status → metres to the nearest site
    customer_type: str | None = None
    scenario: str | None = None


def condition_problems(cond: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """Every malformed part of a condition, as ``(path of the part, reason)``: the rules
    loader names each with its line, so a mistake is found when the rules are loaded,
    not when a ticket first meets the condition."""
    if not isinstance(cond, dict) or len(cond) != 1:
        return [(path, f"a condition is a mapping with exactly one key ({', '.join(sorted(KEYS))})")]
    (key, arg), = cond.items()
    here = path + (key,)
    if key not in KEYS:
        return [(path, f"unknown condition {key!r} (known: {', '.join(sorted(KEYS))})")]
    if key in ("all", "any"):
        if not isinstance(arg, list) or not arg:
            return [(here, "expected a non-empty list of conditions")]
        return [p for i, sub in enumerate(arg) for p in condition_problems(sub, here + (i,))]
    if key == "not":
        return condition_problems(arg, here)
    return _argument_problems(key, arg, here)


def _argument_problems(key: str, arg: Any, here: tuple) -> list[tuple[tuple, str]]:
    """What is wrong with the argument of a condition that holds no other conditions."""
    if key in ("keywords_any", "vip_in", "reason_in", "type_in", "scenario_in"):
        if not isinstance(arg, list) or not all(isinstance(a, (str, int)) for a in arg):
            return [(here, "expected a list of words")]
    elif key == "flag":
        if arg not in FLAGS:
            return [(here, f"expected one of {', '.join(sorted(FLAGS))}")]
    elif key in ("tenure_years_at_least", "arpu_at_least", "complaints_at_least"):
        if isinstance(arg, bool) or not isinstance(arg, (int, float)):
            return [(here, "expected a number")]
    elif key == "near_site":
        if not isinstance(arg, dict) or not isinstance(arg.get("statuses"), list) or \
                isinstance(arg.get("within_m"), bool) or not isinstance(arg.get("within_m"), (int, float)):
            return [(here, "expected {statuses: [...], within_m: metres}")]
        if not arg["within_m"] > 0:
            return [(here + ("within_m",), f"must be a positive number of metres, not {arg['within_m']!r}")]
    elif key == "always" and arg is not True:
        return [(here, "expected true")]
    return []


def check_condition(cond: Any, where: str) -> None:
    """Reject an unknown or malformed condition (the first problem, named after ``where``)."""
    for path, reason in condition_problems(cond)[:1]:
        dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
        raise UserError(f"{where}{dotted}: {reason}")


def near_site_radii(node: Any) -> set[float]:
    """Every ``near_site.within_m`` anywhere in the rules: how far triage must look for
    network-plan sites (the largest), and the thresholds a distance is compared with."""
    found: set[float] = set()
    if isinstance(node, dict):
        site = node.get("near_site")
        if isinstance(site, dict) and isinstance(site.get("within_m"), (int, float)):
            found.add(float(site["within_m"]))
        for value in node.values():
            found |= near_site_radii(value)
    elif isinstance(node, list):
        for value in node:
            found |= near_site_radii(value)
    return found


def near_site_conditions(node: Any) -> list[tuple[tuple[str, ...], float]]:
    """The ``near_site`` conditions a condition relies on holding, as (statuses, within_m): the
    network-plan sites that make a scenario (规划在建型: a planned site nearby).  A ``near_site``
    under ``not`` is left out (it holds when there is no such site)."""
    found: list[tuple[tuple[str, ...], float]] = []
    if isinstance(node, dict):
        site = node.get("near_site")
        if isinstance(site, dict) and isinstance(site.get("within_m"), (int, float)):
            found.append((tuple(site.get("statuses") or ()), float(site["within_m"])))
        for key, value in node.items():
            if key not in ("near_site", "not"):
                found += near_site_conditions(value)
    elif isinstance(node, list):
        for value in node:
            found += near_site_conditions(value)
    return found


def evaluate(cond: dict, facts: Facts) -> tuple[bool, str]:
    """Whether ``cond`` holds for ``facts``, and why (the fired rule's detail)."""
    return compile_condition(cond)(facts)


Test = Callable[[Facts], tuple[bool, str]]


class Compiled:
    """Conditions compiled once and reused for a whole triage run.

    Why: a district's triage evaluates the same few dozen conditions for every
    visit (tens of thousands of times); interpreting the condition's mapping and
    building its keyword test each time was a large share of the run.  The rules
    must not change while one ``Compiled`` is in use (each triage makes its own)."""

    def __init__(self) -> None:
        self._tests: dict[int, tuple[dict, Test]] = {}  # id → (the condition, kept alive; its test)

    def evaluate(self, cond: dict, facts: Facts) -> tuple[bool, str]:
        entry = self._tests.get(id(cond))
        if entry is None:
            entry = self._tests[id(cond)] = (cond, compile_condition(cond))
        return entry[1](facts)


def compile_condition(cond: dict) -> Test:  # noqa: C901  (one flat branch per condition: the table of meanings)
    """``cond`` as a function of the facts giving ``(held, because)``: the one definition
    of what each condition means."""
    (key, arg), = cond.items()
    if key == "always":
        return lambda facts: (True, "default")
    if key == "keywords_any":
        words = [(str(word), f"keyword {word}") for word in arg]
        # one scan for "any word at all"; the first word of the list that occurs names the reason
        anywhere = re.compile("|".join(re.escape(w) for w, _ in words)).search if words else None

        def keywords_any(facts: Facts) -> tuple[bool, str]:
            t = facts.ticket
            text = f"{t.category} {t.description}"
            if anywhere is None or anywhere(text) is None:
                return False, ""
            for word, why in words:
                if word in text:
                    return True, why
            return False, ""
        return keywords_any
    if key == "vip_in":
        return lambda facts: ((facts.ticket.vip_level in arg), f"VIP tier {facts.ticket.vip_level}")
    if key == "reason_in":
        wanted = set(arg)

        def reason_in(facts: Facts) -> tuple[bool, str]:
            hit = sorted(facts.reasons & wanted)
            return bool(hit), (f"selected as {', '.join(hit)}" if hit else
                               f"selected as none of {', '.join(sorted(wanted))}")
        return reason_in
    if key == "flag":
        return lambda facts: (bool(getattr(facts.ticket, arg)), f"flag {arg}")
    if key == "tenure_years_at_least":
        return _ticket_at_least("tenure_years", "tenure", arg)
    if key == "arpu_at_least":
        return _ticket_at_least("arpu", "ARPU", arg)
    if key == "complaints_at_least":
        return lambda facts: (facts.complaints >= arg, f"{facts.complaints} complaints ≥ {arg}")
    if key == "near_site":
        statuses, within = arg["statuses"], arg["within_m"]

        def near_site(facts: Facts) -> tuple[bool, str]:
            best = min((facts.nearest_site_m.get(s, float("inf")) for s in statuses), default=float("inf"))
            if best == float("inf"):
                return False, f"no network-plan site within {within} m"
            return best <= within, f"network-plan site {best:.0f} m away"
        return near_site
    if key == "type_in":
        return lambda facts: (facts.customer_type in arg, f"type {facts.customer_type}")
    if key == "scenario_in":
        return lambda facts: (facts.scenario in arg, f"scenario {facts.scenario}")
    if key == "all":
        subs = [compile_condition(sub) for sub in arg]

        def all_of(facts: Facts) -> tuple[bool, str]:
            why = []
            for sub in subs:
                held, because = sub(facts)
                if not held:
                    return False, ""
                why.append(because)
            return True, " and ".join(why)
        return all_of
    if key == "any":
        subs = [compile_condition(sub) for sub in arg]

        def any_of(facts: Facts) -> tuple[bool, str]:
            for sub in subs:
                held, because = sub(facts)
                if held:
                    return True, because
            return False, ""
        return any_of
    if key == "not":
        sub = compile_condition(arg)

        def not_(facts: Facts) -> tuple[bool, str]:
            held, because = sub(facts)
            return (not held), f"not ({because})" if because else "not"
        return not_
    raise AssertionError(f"unchecked condition {key}")  # check_condition guards this


def _ticket_at_least(field: str, label: str, least) -> Callable[[Facts], tuple[bool, str]]:
    """A ticket's number at least ``least`` (a ticket without it: not met, no detail)."""
    def test(facts: Facts) -> tuple[bool, str]:
        value = getattr(facts.ticket, field)
        if value is None:
            return False, ""
        return value >= least, f"{label} {value:g} ≥ {least}"
    return test
