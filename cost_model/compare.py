"""Scenarios side by side, with each one's difference from the first.

Line items are matched by ``id`` and shown for the whole programme: a
per-district quote's lines are multiplied by its number of districts, so every
column adds up to its own subtotal.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from operator import attrgetter
from typing import Any, Callable

from cost_model import money, table
from cost_model.model import Evaluation


@dataclass(frozen=True)
class Row:
    section: str
    key: str
    label: str
    kind: str  # "count" | "money"
    values: tuple[Decimal | None, ...]
    label_zh: str | None = None  # a line item's own Chinese name (item_zh)

    @property
    def differences(self) -> tuple[Decimal | None, ...]:
        base = self.values[0]
        return tuple(None if v is None or base is None else v - base for v in self.values[1:])


@dataclass(frozen=True)
class Comparison:
    names: tuple[str, ...]
    rows: tuple[Row, ...]


def _dec(v: Any) -> Decimal | None:
    return None if v is None else Decimal(v)


def compare(evals: list[Evaluation]) -> Comparison:
    rows: list[Row] = []

    def add(section: str, key: str, label: str, kind: str,
            get: Callable[[Evaluation], Any], label_zh: str | None = None) -> None:
        rows.append(Row(section, key, label, kind, tuple(_dec(get(e)) for e in evals), label_zh))

    for key, label in [
        ("daily_visits", "daily visits per district"),
        ("visits_per_person_per_day", "visits per person per day"),
        ("visitors_per_district", "visitors per district"),
        ("followup_per_district", "follow-up per district"),
        ("districts", "districts"),
        ("field_visitors", "field visitors"),
        ("support_staff", "support staff"),
        ("total_staff", "total staff"),
    ]:
        add("staffing", key, label, "count", attrgetter(f"staffing.{key}"))

    order: dict[str, str] = {}
    names_zh: dict[str, str | None] = {}
    for e in evals:
        for la in e.budget.lines:
            order.setdefault(la.line.id, la.line.label)
            names_zh.setdefault(la.line.id, la.line.item_zh)

    def line_amount(e: Evaluation, ident: str) -> Decimal | None:
        for la in e.budget.lines:
            if la.line.id == ident:
                return la.amount * e.budget.scale
        return None

    for ident, label in order.items():
        add("lines", ident, label, "money", partial(line_amount, ident=ident), names_zh[ident])
    add("totals", "subtotal", "subtotal", "money", lambda e: e.budget.whole.subtotal)
    add("totals", "fees", "fees", "money", lambda e: e.budget.whole.fees_total)
    add("totals", "taxes", "taxes", "money", lambda e: e.budget.whole.taxes_total)
    add("totals", "total_monthly", "total monthly (each scenario's own way)", "money",
        lambda e: e.budget.total_monthly)
    add("totals", "total_monthly_amortised", "total monthly, one-off items amortised", "money",
        lambda e: e.budget.total_monthly_amortised)
    add("totals", "per_district_total_monthly", "total per district (per-district quotes)",
        "money", lambda e: e.budget.per_district.total if e.budget.per_district else None)
    for key, label in [
        ("cost_per_visit", "cost per visit"),
        ("cost_per_visit_amortised", "cost per visit, amortised"),
        ("cost_per_visitor_day", "cost per visitor-day"),
        ("cost_per_visitor_day_amortised", "cost per visitor-day, amortised"),
        ("cost_per_extra_satisfied", "cost per extra satisfied customer"),
        ("cost_per_extra_satisfied_amortised", "cost per extra satisfied customer, amortised"),
    ]:
        add("metrics", key, label, "money", attrgetter(f"metrics.{key}"))
    return Comparison(tuple(e.scenario.name for e in evals), tuple(rows))


_SECTION_TITLES = {
    "staffing": "Staffing",
    "lines": "Monthly lines, whole programme (yuan)",
    "totals": "Totals (yuan)",
    "metrics": "Unit metrics (yuan)",
}


def render_text(c: Comparison) -> str:
    base = c.names[0]
    headers = ["", *c.names, *(f"Δ {n}" for n in c.names[1:])]
    rows: list[list[str] | str] = []
    section = None
    for r in c.rows:
        if r.section != section:
            section = r.section
            rows.append([_SECTION_TITLES[section]])
        fmt = money.money if r.kind == "money" else money.count
        sfmt = money.signed_money if r.kind == "money" else money.signed_count
        rows.append(["  " + r.label, *(fmt(v) for v in r.values), *(sfmt(d) for d in r.differences)])
    body = table.render(rows, headers=headers, align="<" + ">" * (len(headers) - 1))
    return body + f"\n  Δ = difference from {base}; — = not in that scenario\n"


def _json_value(kind: str, v: Decimal | None) -> Any:
    return money.json_money(v) if kind == "money" else money.json_count(v)


def to_dict(c: Comparison) -> dict[str, Any]:
    return {
        "scenarios": list(c.names),
        "baseline": c.names[0],
        "section_titles": dict(_SECTION_TITLES),
        "rows": [{"section": r.section, "key": r.key, "label": r.label, "label_zh": r.label_zh,
                  "kind": r.kind,
                  "values": [_json_value(r.kind, v) for v in r.values],
                  "differences": [_json_value(r.kind, d) for d in r.differences]}
                 for r in c.rows],
    }


def render_json(c: Comparison) -> str:
    return json.dumps(to_dict(c), ensure_ascii=False, indent=2) + "\n"


def render_csv(c: Comparison) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    base = c.names[0]
    w.writerow(["section", "key", "label", *c.names, *(f"{n} - {base}" for n in c.names[1:])])
    for r in c.rows:
        w.writerow([r.section, r.key, r.label,
                    *("" if v is None else format(v, "f") for v in (*r.values, *r.differences))])
    return buf.getvalue()
