"""Vary one parameter of a scenario and tabulate staff and cost.

``--vary daily_visits=10:40:5`` runs the scenario for 10, 15, …, 40 (the stop
value included when the steps land on it); ``--vary districts=2,4,6`` takes a
list.  Any parameter that :func:`cost_model.scenario_params.parameters` lists can be
varied; each value is validated like a scenario file.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from cost_model import bounds, money, table
from cost_model.model import Evaluation, evaluate
from cost_model.scenario import Scenario
from cost_model.scenario_params import param_path
from planner.errors import UserError

MAX_POINTS = bounds.MAX_SWEEP_POINTS


class SweepError(UserError):
    """A ``--vary`` specification that cannot be used."""


@dataclass(frozen=True)
class SweepPoint:
    value: Any
    evaluation: Evaluation


@dataclass(frozen=True)
class SweepResult:
    scenario: Scenario
    param: str
    points: tuple[SweepPoint, ...]

    @property
    def per_district(self) -> bool:
        return any(p.evaluation.budget.per_district is not None for p in self.points)

    @property
    def numeric(self) -> bool:
        return all(isinstance(p.value, (int, Decimal)) for p in self.points)


def _number(text: str, spec: str) -> Decimal:
    """A finite number within :data:`cost_model.bounds.MAX_NUMBER`, never expanded:
    ``1E+999999`` is refused here instead of becoming a million-digit head count."""
    shown = text.strip() if len(text.strip()) <= 40 else text.strip()[:37] + "…"
    try:
        d = Decimal(text.strip())
    except InvalidOperation:
        raise SweepError(f"--vary {_short(spec)}: {shown!r} is not a number") from None
    why = bounds.problem(d)
    if why is not None:
        raise SweepError(f"--vary {_short(spec)}: {shown!r} {why}")
    return d


def _short(spec: str) -> str:
    return spec if len(spec) <= 80 else spec[:77] + "…"


def _value(d: Decimal) -> int | Decimal:
    return int(d) if d == d.to_integral_value() else d


def parse_vary(spec: str) -> tuple[str, list[Any]]:
    """``name=start:stop[:step]`` or ``name=v1,v2,…`` → (name, values)."""
    if "=" not in spec:
        raise SweepError(f"--vary {spec}: write NAME=START:STOP:STEP or NAME=V1,V2,… "
                         "(e.g. daily_visits=10:40:5)")
    name, _, rhs = spec.partition("=")
    name, rhs = name.strip(), rhs.strip()
    if not name or not rhs:
        raise SweepError(f"--vary {_short(spec)}: give a parameter name and values")
    if len(rhs) > 20_000:
        raise SweepError(f"--vary {_short(spec)}: {len(rhs)} characters of values; too long")
    if ":" in rhs:
        parts = rhs.split(":")
        if len(parts) not in (2, 3):
            raise SweepError(f"--vary {spec}: a range is START:STOP or START:STOP:STEP")
        start, stop = _number(parts[0], spec), _number(parts[1], spec)
        step = _number(parts[2], spec) if len(parts) == 3 else Decimal(1)
        if step <= 0:
            raise SweepError(f"--vary {spec}: the step must be more than 0")
        if stop < start:
            raise SweepError(f"--vary {spec}: the stop value is below the start value")
        n = int((stop - start) / step) + 1  # all three are bounded: n is a small integer
        if n > MAX_POINTS:
            raise SweepError(f"--vary {_short(spec)}: {n} values; at most {MAX_POINTS}")
        return name, [_value(start + i * step) for i in range(n)]
    items = [item.strip() for item in rhs.split(",") if item.strip()]
    if not items:
        raise SweepError(f"--vary {_short(spec)}: no values")
    if len(items) > MAX_POINTS:
        raise SweepError(f"--vary {_short(spec)}: {len(items)} values; at most {MAX_POINTS}")
    values: list[Any] = []
    for item in items:
        try:
            Decimal(item)
        except InvalidOperation:
            values.append(item)  # a word, e.g. basis=whole,per_district
            continue
        values.append(_value(_number(item, spec)))
    return name, values


def sweep(scenario: Scenario, param: str, values: list[Any]) -> SweepResult:
    """Evaluate ``scenario`` once per value of ``param``."""
    param_path(scenario.raw, param, scenario.path)  # unknown names fail before any work
    points = tuple(SweepPoint(v, evaluate(scenario.with_values({param: v}))) for v in values)
    return SweepResult(scenario, param, points)


@dataclass(frozen=True)
class Column:
    """One column of the sweep table: its key (CSV/JSON), its English header (the web
    page translates it) and its kind, ``count`` or ``money`` — the one place that
    decides how the column's values are shown."""

    key: str
    label: str
    kind: str
    get: Callable[[Evaluation], Any]


def _columns(r: SweepResult) -> list[Column]:
    cols = [
        Column("visitors_per_district", "visitors per district", "count",
               lambda e: e.staffing.visitors_per_district),
        Column("total_staff", "total staff", "count", lambda e: e.staffing.total_staff),
        Column("total_monthly", "total per month", "money", lambda e: e.budget.total_monthly),
        Column("total_monthly_amortised", "total per month, amortised", "money",
               lambda e: e.budget.total_monthly_amortised),
    ]
    if r.per_district:
        cols.append(Column("per_district_total_monthly", "total per district", "money",
                           lambda e: e.budget.per_district.total if e.budget.per_district else None))
    cols.append(Column("cost_per_visit", "cost per visit", "money", lambda e: e.metrics.cost_per_visit))
    return cols


def parameter_kind(r: SweepResult) -> str:
    """The varied parameter's kind, by its unit (:mod:`cost_model.bounds`): a price is
    money, a head count a count; words (``basis=whole,per_district``) are text."""
    if not r.numeric:
        return "text"
    return bounds.kind_for(param_path(r.scenario.raw, r.param, r.scenario.path))


def _show(v: Any) -> str:
    return money.num(v) if isinstance(v, (int, Decimal)) else str(v)


def _format(kind: str, v: Any) -> str:
    if kind == "money":
        return money.money(v)
    return money.count(v) if isinstance(v, (int, Decimal)) or v is None else str(v)


def render_text(r: SweepResult) -> str:
    cols = _columns(r)
    rows = []
    for p in r.points:
        cells = [_format(parameter_kind(r), p.value)]
        for c in cols:
            cells.append(_format(c.kind, c.get(p.evaluation)))
        rows.append(cells)
    head = f"{r.scenario.name}: staff and monthly cost (yuan) as {r.param} varies\n"
    return head + table.render(rows, headers=[r.param, *(c.label for c in cols)],
                               align=">" * (len(cols) + 1)) + "\n"


def _raw_rows(r: SweepResult) -> list[dict[str, Any]]:
    cols = _columns(r)
    return [{r.param: p.value, **{c.key: c.get(p.evaluation) for c in cols}}
            for p in r.points]


def _kinds(r: SweepResult) -> dict[str, str]:
    return {r.param: parameter_kind(r), **{c.key: c.kind for c in _columns(r)}}


def to_dict(r: SweepResult) -> dict[str, Any]:
    """Rows keyed as in the CSV, and ``columns``: each column's key, English header and
    kind (``count``, ``money``, ``number`` or ``text``), the parameter first."""
    kinds = _kinds(r)

    def conv(key: str, v: Any) -> Any:
        if kinds[key] == "money":
            return money.json_money(v)
        return money.json_count(v) if isinstance(v, (int, Decimal)) else v

    rows = [{k: conv(k, v) for k, v in row.items()} for row in _raw_rows(r)]
    columns = [{"key": r.param, "label": r.param, "kind": kinds[r.param]},
               *({"key": c.key, "label": c.label, "kind": c.kind} for c in _columns(r))]
    return {"scenario": r.scenario.name, "parameter": r.param, "columns": columns, "rows": rows}


def render_json(r: SweepResult) -> str:
    return json.dumps(to_dict(r), ensure_ascii=False, indent=2) + "\n"


def render_csv(r: SweepResult) -> str:
    rows = _raw_rows(r)
    kinds = _kinds(r)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([r.param, *(c.key for c in _columns(r))])
    for row in rows:
        w.writerow([
            "" if v is None else (f"{money.cents(Decimal(v)):.2f}" if kinds[k] == "money" else _show(v))
            for k, v in row.items()])
    return buf.getvalue()
