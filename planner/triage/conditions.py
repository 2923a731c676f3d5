"""The tiny condition language of the rules file, and why a condition held.

``evaluate`` returns ``(held, because)`` where ``because`` is the text recorded
as the fired rule's detail (e.g. "keyword 工信部", "VIP tier gold").
"""

from __future__ import annotations

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


def check_condition(cond: Any, where: str) -> None:
    """Reject an unknown or malformed condition when the rules are loaded, not when applied."""
    if not isinstance(cond, dict) or len(cond) != 1:
        raise UserError(f"{where}: a condition is a mapping with exactly one key ({', '.join(sorted(KEYS))})")
    (key, arg), = cond.items()
    if key not in KEYS:
        raise UserError(f"{where}: unknown condition {key!r} (known: {', '.join(sorted(KEYS))})")
    if key in ("all", "any"):
        if not isinstance(arg, list) or not arg:
            raise UserError(f"{where}.{key}: expected a non-empty list of conditions")
        for i, sub in enumerate(arg):
            check_condition(sub, f"{where}.{key}[{i}]")
    elif key == "not":
        check_condition(arg, f"{where}.not")
    elif key in ("keywords_any", "vip_in", "reason_in", "type_in", "scenario_in"):
        if not isinstance(arg, list) or not all(isinstance(a, (str, int)) for a in arg):
            raise UserError(f"{where}.{key}: expected a list of words")
    elif key == "flag":
        if arg not in FLAGS:
            raise UserError(f"{where}.flag: expected one of {', '.join(sorted(FLAGS))}")
    elif key in ("tenure_years_at_least", "arpu_at_least", "complaints_at_least"):
        if isinstance(arg, bool) or not isinstance(arg, (int, float)):
            raise UserError(f"{where}.{key}: expected a number")
    elif key == "near_site":
        if not isinstance(arg, dict) or not isinstance(arg.get("statuses"), list) or \
                not isinstance(arg.get("within_m"), (int, float)):
            raise UserError(f"{where}.near_site: expected {{statuses: [...], within_m: metres}}")
    elif key == "always" and arg is not True:
        raise UserError(f"{where}.always: expected true")


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


def evaluate(cond: dict, facts: Facts) -> tuple[bool, str]:
    (key, arg), = cond.items()
    t = facts.ticket
    if key == "always":
        return True, "default"
    if key == "keywords_any":
        text = f"{t.category} {t.description}"
        for word in arg:
            if str(word) in text:
                return True, f"keyword {word}"
        return False, ""
    if key == "vip_in":
        return (t.vip_level in arg), f"VIP tier {t.vip_level}"
    if key == "reason_in":
        hit = sorted(facts.reasons & set(arg))
        return bool(hit), f"selected as {', '.join(hit)}"
    if key == "flag":
        return bool(getattr(t, arg)), f"flag {arg}"
    if key == "tenure_years_at_least":
        return (t.tenure_years is not None and t.tenure_years >= arg), f"tenure {t.tenure_years:g} ≥ {arg}" \
            if t.tenure_years is not None else ""
    if key == "arpu_at_least":
        return (t.arpu is not None and t.arpu >= arg), f"ARPU {t.arpu:g} ≥ {arg}" if t.arpu is not None else ""
    if key == "complaints_at_least":
        return facts.complaints >= arg, f"{facts.complaints} complaints ≥ {arg}"
    if key == "near_site":
        best = min((facts.nearest_site_m.get(s, float("inf")) for s in arg["statuses"]), default=float("inf"))
        if best == float("inf"):
            return False, f"no network-plan site within {arg['within_m']} m"
        return best <= arg["within_m"], f"network-plan site {best:.0f} m away"
    if key == "type_in":
        return facts.customer_type in arg, f"type {facts.customer_type}"
    if key == "scenario_in":
        return facts.scenario in arg, f"scenario {facts.scenario}"
    if key == "all":
        why = []
        for sub in arg:
            held, because = evaluate(sub, facts)
            if not held:
                return False, ""
            why.append(because)
        return True, " and ".join(why)
    if key == "any":
        for sub in arg:
            held, because = evaluate(sub, facts)
            if held:
                return True, because
        return False, ""
    if key == "not":
        held, because = evaluate(arg, facts)
        return (not held), f"not ({because})" if because else "not"
    raise AssertionError(f"unchecked condition {key}")  # check_condition guards this
