"""A scenario's numeric parameters as a form, and a form's changes written back into the YAML.

The planner's page shows these fields (label, unit, range, the pilot's value) and
keeps the YAML as the advanced view.  There is one scenario definition: a changed
field is written into the YAML text in place of the old value (the line's comment
kept), and the text then goes through :func:`cost_model.scenario.loads` exactly as
a hand-edited file does, so the form cannot accept what the file would refuse.

Labels and units are English message ids (the web page translates them); ranges
and units come from :mod:`cost_model.bounds`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import yaml

from cost_model import bounds, money, scenario_yaml
from cost_model import scenario as scenario_mod
from cost_model.scenario_params import param_path, parameters
from cost_model.scenario_parts import LineItem, Percentage
from planner import safeyaml
from planner.errors import Reason, UserError

#: the English label of each single-valued field
LABELS = {
    "daily_visits": "daily visits per district",
    "visits_per_person_per_day": "visits per person per day",
    "minutes_per_visit": "minutes per visit",
    "working_minutes_per_day": "working minutes per day",
    "working_days_per_month": "working days per month",
    "followup_per_district": "follow-up staff per district",
    "districts": "districts",
    "support_staff": "support staff",
    "satisfaction_before_percent": "satisfied before",
    "satisfaction_after_percent": "satisfied after",
}
#: labels of a line's, fee's or tax's fields; ``{item}`` is the item's name
ITEM_LABELS = {
    "unit_price": "{item}: unit price",
    "fixed": "{item}: fixed amount",
    "quantity": "{item}: quantity",
    "life_months": "{item}: months to amortise over",
    "percent": "{item}: percentage",
}
#: a named part of a value (``daily_visits.vip``, ``labour.unit_price.salary``)
PART_LABEL = "{whole} · {part}"
#: words for the parts the pilot's scenarios name (any other part shows by its key)
PART_NAMES = {
    "vip": "VIP complaints",
    "repeat_or_clustered": "repeat and clustered complaints",
    "salary": "salary",
    "bonus": "bonus",
    "welfare": "welfare",
    "transport": "transport allowance",
    "allowance": "allowance",
    "phone": "phone allowance",
    "design": "design",
}
#: the shipped scenarios whose values are shown beside the fields, first match wins
PILOT = ("xian-2010-recommended", "xian-2010-vendor-quote")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


@dataclass(frozen=True)
class Field:
    """One form field: ``name`` is the parameter's name as ``--set`` takes it."""

    name: str
    label: Reason  # English message id and values; items by their English name
    label_zh: Reason  # the same, items by their Chinese name
    unit: str
    kind: str  # "count" | "money" | "number"
    value: str
    pilot: str | None
    maximum: int
    step: str


def _show(v: Any) -> str:
    return money.num(Decimal(v)) if isinstance(v, (int, Decimal)) else str(v)


def _item_names(sc: scenario_mod.Scenario, chinese: bool) -> dict[str, str]:
    """Each line's, fee's and tax's name (the Chinese one if asked for and given)."""
    items: tuple[LineItem | Percentage, ...] = (*sc.lines, *sc.fees, *sc.taxes)
    return {x.id: ((x.item_zh if chinese else None) or x.item) for x in items}


def _label(name: str, path: tuple, items: dict[str, str]) -> Reason:
    parts = name.split(".")
    if parts[0] in LABELS:
        whole = Reason(LABELS[parts[0]])
    else:
        whole = Reason(ITEM_LABELS[parts[1]], item=items.get(parts[0], parts[0]))
    field_end = 1 if parts[0] in LABELS else 2
    if len(parts) > field_end:
        return Reason(PART_LABEL, whole=whole, part=Reason(PART_NAMES.get(parts[-1], parts[-1])))
    return whole


def labels(sc: scenario_mod.Scenario, name: str) -> tuple[Reason, Reason]:
    """Parameter ``name``'s label, items by their English and by their Chinese name
    (any parameter :func:`cost_model.scenario_params.parameters` lists, e.g. a sweep's)."""
    path = param_path(sc.raw, name, sc.path)
    parts = name.split(".")
    if parts[0] not in LABELS and (len(parts) < 2 or parts[1] not in ITEM_LABELS):
        return Reason(name), Reason(name)
    return _label(name, path, _item_names(sc, False)), _label(name, path, _item_names(sc, True))


def _numeric(sc: scenario_mod.Scenario) -> list[tuple[str, Any, tuple]]:
    """The parameters a form can edit: numbers given as such in the file (a total made
    of named parts is edited part by part; a quantity expression stays in the YAML)."""
    out = []
    for name, value in parameters(sc):
        if not isinstance(value, (int, Decimal)) or isinstance(value, bool):
            continue
        path = param_path(sc.raw, name, sc.path)
        node: Any = sc.raw
        for key in path:
            node = node[key] if isinstance(node, list) else (node.get(key) if isinstance(node, dict) else None)
        if isinstance(node, (int, float, Decimal)) and not isinstance(node, bool):
            out.append((name, value, path))
    return out


@lru_cache(maxsize=8)
def _pilot_values(name: str) -> dict[str, Any]:
    """The pilot's value of each parameter: from the shipped scenario of the same name
    first (the vendor quote's own figures for the vendor quote), then the others."""
    values: dict[str, Any] = {}
    for n in sorted(PILOT, key=lambda n: n != name):
        for name, value in parameters(scenario_mod.load(n)):
            values.setdefault(name, value)
    return values


def fields(sc: scenario_mod.Scenario) -> list[Field]:
    """The form of ``sc``: every numeric parameter, with the pilot's value beside it."""
    items, items_zh, pilot = _item_names(sc, False), _item_names(sc, True), _pilot_values(sc.name)
    out = []
    for name, value, path in _numeric(sc):
        kind = bounds.kind_for(path)
        p = pilot.get(name)
        out.append(Field(
            name=name, label=_label(name, path, items), label_zh=_label(name, path, items_zh),
            unit=bounds.unit_for(path), kind=kind,
            value=_show(value), pilot=_show(p) if isinstance(p, (int, Decimal)) else None,
            maximum=bounds.maximum_for(path),
            step="1" if kind == "count" else ("0.01" if kind == "money" else "any")))
    return out


def _scalar(text: str) -> str:
    """The YAML for a form value: a plain number as it is, anything else quoted, so that
    no value can add lines or keys to the file (the checker then names the mistake)."""
    t = text.strip()
    return t if _NUMBER.match(t) else json.dumps(t, ensure_ascii=False)


def apply(text: str, changes: list[tuple[str, str]], source: str = "<scenario>") -> str:
    """``text`` with each (parameter, value) written in place of the old value.

    The value's own line is edited, keeping its comment (the form only offers numbers
    that have a line of their own, see :func:`fields`).
    """
    if not changes:
        return text
    try:
        raw = safeyaml.load(text, scenario_yaml.Loader)
    except yaml.YAMLError:
        raise UserError(f"{source}: the YAML does not parse, so the form's changes cannot be "
                        "applied; correct the YAML first") from None
    if not isinstance(raw, dict):
        raise UserError(f"{source}: the YAML is not a scenario")
    marks, _ = scenario_yaml.marks(text)
    lines = text.split("\n")
    for name, value in changes:
        path = param_path(raw, name, source)
        line = marks.get(path)
        key = path[-1]
        if line is not None and isinstance(key, str):
            pattern = re.compile(rf"^(\s*(?:-\s+)?{re.escape(key)}\s*:[ \t]*)([^#\n]*?)([ \t]*(#.*)?)$")
            m = pattern.match(lines[line - 1])
            if m and m.group(2).strip():
                old = m.group(2)
                new = _scalar(value)
                pad = " " * max(0, len(old) - len(new)) if m.group(3) else ""
                lines[line - 1] = m.group(1) + new + pad + m.group(3)
                continue
        raise UserError(f"{source}: {name} is not a single value in the YAML; change it there")
    return "\n".join(lines)
