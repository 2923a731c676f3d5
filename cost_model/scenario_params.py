"""Scenario parameters by name: what ``--set``, ``--vary`` and the planner page's form change.

A name is a field of demand, staffing or outcome (``daily_visits``, ``districts``,
``satisfaction_after_percent``), ``section.field``, ``daily_visits.<part>``, or for a
line, fee or tax ``<id>.<field>`` / ``<id>.unit_price.<part>`` / ``<id>.fixed.<part>``.
Names are resolved in the loaded data (not the typed scenario), so a changed value is
validated like a file by :meth:`cost_model.scenario.Scenario.with_values`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import yaml

from cost_model import bounds, money, scenario_yaml
from cost_model.scenario_fields import ITEM_FIELDS, SECTIONS, slug
from cost_model.scenario_parts import ScenarioError
from planner import safeyaml
from planner.errors import UserError
from planner.yamldoc import FieldProblem, fmt, short

if TYPE_CHECKING:  # pragma: no cover
    from cost_model.scenario import Scenario


def _find_item(raw: dict, ident: str) -> tuple[str, int] | None:
    for key in ITEM_FIELDS:
        entries = raw.get(key)
        if not isinstance(entries, list):
            continue
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            eid = entry.get("id")
            eid = str(eid) if eid is not None else slug(str(entry.get("item") or ""))
            if eid == ident:
                return key, i
    return None


def param_path(raw: dict, name: str, source: str = "<scenario>") -> tuple:
    """Where parameter ``name`` lives in the scenario data (see the module's names)."""
    parts = name.strip().split(".")
    if parts[0] == "lines" and len(parts) > 2:
        parts = parts[1:]
    if len(parts) == 1:
        for section, fields in SECTIONS.items():
            if parts[0] in fields and parts[0] not in ("note", "simulation"):
                return (section, parts[0])
        if parts[0] == "basis":
            return ("basis",)
    elif parts[0] in SECTIONS and len(parts) == 2 and parts[1] in SECTIONS[parts[0]]:
        return tuple(parts)
    elif parts[0] == "daily_visits" and len(parts) == 2:
        return ("demand", "daily_visits", parts[1])
    else:
        found = _find_item(raw, parts[0])
        if found is not None:
            key, i = found
            fields = ITEM_FIELDS[key]
            if parts[1] in fields and parts[1] != "id" and (
                    len(parts) == 2 or (len(parts) == 3 and parts[1] in ("unit_price", "fixed"))):
                return (key, i, *parts[1:])
    raise ScenarioError(source, [FieldProblem(name, "unknown parameter; "
                                              "`cvp cost params SCENARIO` lists them")])


def set_param(raw: dict, name: str, value: Any, source: str = "<scenario>") -> None:
    """Set parameter ``name`` (see :func:`param_path`) in scenario data, in place."""
    path = param_path(raw, name, source)
    node: Any = raw
    for key in path[:-1]:
        nxt = node[key] if isinstance(key, int) else node.get(key)
        if nxt is None:
            nxt = node[key] = {}
        if not isinstance(nxt, (dict, list)):
            raise ScenarioError(source, [FieldProblem(name, f"{fmt(path[:-1])} is a single value "
                                                            "here, not named parts")])
        node = nxt
    node[path[-1]] = value


def shown(value: Any) -> str:
    """A parameter's value as written: a number plainly (an out-of-range one as given,
    never expanded), anything else cut short."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool) and bounds.problem(Decimal(value)) is None:
        return money.num(value)
    return short(str(value))


def parameters(scenario: Scenario) -> list[tuple[str, Any]]:
    """Every parameter that ``--set`` and ``--vary`` accept, with its current value."""
    out: list[tuple[str, Any]] = []
    d = scenario.demand
    out.append(("daily_visits", d.daily_visits))
    out += [(f"daily_visits.{k}", v) for k, v in d.daily_visits_breakdown]
    out.append(("rule", d.rule))
    for k in ("visits_per_person_per_day", "minutes_per_visit", "working_minutes_per_day",
              "working_days_per_month"):
        out.append((k, getattr(d, k)))
    s = scenario.staffing
    out += [("followup_per_district", s.followup_per_district), ("districts", s.districts),
            ("support_staff", s.support_staff), ("basis", scenario.basis)]
    if scenario.outcome:
        out += [("satisfaction_before_percent", scenario.outcome.satisfaction_before_percent),
                ("satisfaction_after_percent", scenario.outcome.satisfaction_after_percent)]
    for line in scenario.lines:
        if line.price_components:
            out += [(f"{line.id}.unit_price.{k}", v) for k, v in line.price_components]
        else:
            out.append((f"{line.id}.unit_price", line.unit_price))
        out.append((f"{line.id}.quantity", line.quantity.text))
        if line.fixed_components:
            out += [(f"{line.id}.fixed.{k}", v) for k, v in line.fixed_components]
        elif line.fixed:
            out.append((f"{line.id}.fixed", line.fixed))
        if line.recurrence == "one_off":
            out.append((f"{line.id}.life_months", line.life_months))
    for pct in (*scenario.fees, *scenario.taxes):
        out.append((f"{pct.id}.percent", pct.percent))
    return out


def parse_sets(items: tuple[str, ...]) -> list[tuple[str, Any]]:
    """``NAME=VALUE`` changes (``--set`` at the command line, the planner page's lines), each value
    read as YAML (a number, a word, a date), at most :data:`cost_model.bounds.MAX_SETS`."""
    if len(items) > bounds.MAX_SETS:
        raise UserError(f"--set: {len(items)} changes; at most {bounds.MAX_SETS} (a scenario has a few dozen "
                        "parameters, see `cvp cost params`)")
    out = []
    for item in items:
        if "=" not in item:
            raise UserError(f"--set {item}: write NAME=VALUE, e.g. --set daily_visits=30")
        name, _, text = item.partition("=")
        try:
            value = safeyaml.load(text, scenario_yaml.Loader)
        except yaml.YAMLError:
            value = text
        out.append((name.strip(), value))
    return out
