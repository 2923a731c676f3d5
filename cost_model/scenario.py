"""Scenario files: typed parameters, YAML loading and validation.

A scenario is a YAML file a planner writes (see ``docs/cost_model.md`` and the
template written by ``cvp cost init``).  It holds only *parameters* (demand,
head counts, unit prices, fee and tax percentages, one-off items with their
life); every amount is computed from them by :mod:`cost_model.budget`.

Anything wrong with a file is reported as a :class:`ScenarioError` that names
the file, the line where known, the field and what is wrong, for every problem
found, never as a traceback.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from cost_model import bounds, expr, money
from planner import safeyaml, yamldoc
from planner.errors import UserError
from planner.yamldoc import FieldProblem

BASES = ("whole", "per_district")
RECURRENCES = ("monthly", "one_off")
TAX_BASES = ("subtotal_and_fees", "subtotal")

# Field name → what it is (used in "missing" and "unknown field" messages).
TOP_FIELDS = {
    "scenario": "the scenario's short name (default: the file name)",
    "title": "a one-line title",
    "source": "where the numbers come from",
    "notes": "free text, one string or a list",
    "basis": "whole (the lines cost the whole programme) or per_district "
             "(the lines cost one district; the total is multiplied by districts)",
    "demand": "daily visits and the staffing rule",
    "staffing": "follow-up staff, districts, support staff",
    "lines": "the cost line items",
    "fees": "percentages of the subtotal (e.g. a management fee)",
    "taxes": "percentages of the subtotal plus fees",
    "outcome": "satisfaction before and after, for the unit metrics",
}
DEMAND_FIELDS = {
    "daily_visits": "visits a day in one district: a whole number, or named parts "
                    "that add up (vip: 6, repeat_or_clustered: 17)",
    "rule": "staffing rule: given (visits_per_person_per_day) or derived "
            "(floor(working_minutes_per_day ÷ minutes_per_visit))",
    "visits_per_person_per_day": "visits one person makes a day (rule: given)",
    "minutes_per_visit": "minutes per visit incl. travel and waiting (rule: derived)",
    "working_minutes_per_day": "working minutes in a day (rule: derived)",
    "working_days_per_month": "visiting days a month (for the unit metrics)",
    "simulation": "parameters for a simulation staffing rule (reserved)",
    "note": "free text",
}
STAFFING_FIELDS = {
    "followup_per_district": "follow-up / second-callback staff per district",
    "districts": "number of districts",
    "support_staff": "support-centre staff (not in any district)",
    "note": "free text",
}
LINE_FIELDS = {
    "id": "a short name for the line (letters, digits, _), default from item",
    "item": "the item's name (English)",
    "item_zh": "the item's name in Chinese",
    "unit_price": "yuan per unit: a number, or named parts that add up",
    "quantity": "how many: a number or an expression such as field_visitors × 3",
    "fixed": "a fixed amount added to the line (a number or named parts)",
    "recurrence": "monthly or one_off",
    "life_months": "for a one_off item: months over which it is amortised",
    "note": "free text shown under the budget",
}
FEE_FIELDS = {
    "id": "a short name (letters, digits, _)",
    "item": "the fee's name (English)",
    "item_zh": "the fee's name in Chinese",
    "percent": "percentage of the subtotal, 0–100",
    "note": "free text",
}
TAX_FIELDS = {
    **FEE_FIELDS,
    "percent": "percentage, 0–100",
    "of": "what the tax is a percentage of: subtotal_and_fees (default) or subtotal",
}
OUTCOME_FIELDS = {
    "satisfaction_before_percent": "satisfied share before the programme, 0–100",
    "satisfaction_after_percent": "satisfied share with the programme, 0–100",
    "note": "free text",
}
_SECTIONS = {"demand": DEMAND_FIELDS, "staffing": STAFFING_FIELDS, "outcome": OUTCOME_FIELDS}
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


# --------------------------------------------------------------------------- errors




class ScenarioError(UserError):
    """A scenario file that did not validate; lists every problem found."""

    def __init__(self, source: str, problems: list[FieldProblem]):
        self.source = source
        self.problems = problems
        lines = [p.render(source) for p in problems]
        if len(lines) == 1:
            text = lines[0]
        else:
            text = f"{source}: {len(lines)} problems:\n" + "\n".join(f"  {t}" for t in lines)
        super().__init__(text)

    @property
    def field(self) -> str:
        return self.problems[0].field

    @property
    def reason(self) -> str:
        return self.problems[0].reason


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class DemandParams:
    """The file's ``demand`` section: daily visits and the staffing rule's parameters.

    (A simulation's visits-a-day distribution is :class:`cost_model.simulate.DemandDistribution`.)"""

    daily_visits: int
    daily_visits_breakdown: tuple[tuple[str, int], ...]
    rule: str
    visits_per_person_per_day: Decimal | None
    minutes_per_visit: Decimal | None
    working_minutes_per_day: Decimal | None
    working_days_per_month: Decimal | None
    simulation: Mapping[str, Any] | None
    note: str | None


@dataclass(frozen=True)
class StaffingParams:
    followup_per_district: int
    districts: int
    support_staff: int
    note: str | None


@dataclass(frozen=True)
class LineItem:
    id: str
    item: str
    item_zh: str | None
    unit_price: Decimal
    price_components: tuple[tuple[str, Decimal], ...]
    quantity: expr.Quantity
    fixed: Decimal
    fixed_components: tuple[tuple[str, Decimal], ...]
    recurrence: str
    life_months: int | None
    note: str | None

    @property
    def label(self) -> str:
        return f"{self.item} {self.item_zh}" if self.item_zh else self.item


@dataclass(frozen=True)
class Percentage:
    """A fee or a tax: a percentage of the subtotal (or subtotal plus fees)."""

    id: str
    item: str
    item_zh: str | None
    percent: Decimal
    of: str
    note: str | None

    @property
    def label(self) -> str:
        return f"{self.item} {self.item_zh}" if self.item_zh else self.item


@dataclass(frozen=True)
class Satisfaction:
    """The file's ``outcome`` section: the satisfied share before and with the programme,
    for the unit metrics (a visit's recorded outcome is :class:`planner.store.outcomes.Outcome`)."""

    satisfaction_before_percent: Decimal | None
    satisfaction_after_percent: Decimal | None
    note: str | None


@dataclass(frozen=True, eq=False)
class Scenario:
    name: str
    title: str | None
    source_note: str | None
    notes: tuple[str, ...]
    path: str
    basis: str
    demand: DemandParams
    staffing: StaffingParams
    lines: tuple[LineItem, ...]
    fees: tuple[Percentage, ...]
    taxes: tuple[Percentage, ...]
    outcome: Satisfaction | None
    raw: dict = field(repr=False)
    marks: dict = field(repr=False, default_factory=dict)

    def with_values(self, values: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> "Scenario":
        """A copy with parameters changed (``{"daily_visits": 30, "labour.unit_price": 2500}``).

        Names are those listed by :func:`parameters`; the result is validated
        like a file, and errors name the file and the changed values.
        """
        items = list(values.items() if isinstance(values, Mapping) else values)
        raw = copy.deepcopy(self.raw)
        for name, value in items:
            set_param(raw, name, value, source=self.path)
        changed = ", ".join(f"{k} = {_show(v)}" for k, v in items)
        label = f"{self.path} (with {changed})" if items else self.path
        return parse(raw, label, default_name=self.name, marks=self.marks)


def _show(value: Any) -> str:
    """A changed value for the error label; out-of-range numbers as written (never expanded)."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool) and bounds.problem(Decimal(value)) is None:
        return money.num(value)
    return _short(str(value))


# --------------------------------------------------------------------------- YAML


class _Loader(safeyaml.SafeLoader):
    """The bounded SafeLoader (no aliases; see :mod:`planner.safeyaml`) reading decimals
    exactly (``0.8`` → ``Decimal('0.8')``)."""

    # a scenario is a few KB with a few hundred values (the shipped ones: 3.4 KB); a
    # planner's 600 KB list of 99,000 values took 21 s to read, several times a request
    max_bytes = bounds.MAX_SCENARIO_CHARS
    max_nodes = bounds.MAX_SCENARIO_VALUES


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return yaml.SafeLoader.construct_yaml_float(loader, node)
    return value if value.is_finite() else float("nan")


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def _marks(text: str) -> tuple[dict[tuple, int], list[FieldProblem]]:
    """Line number of every field, and duplicate keys (which YAML silently drops)."""
    return yamldoc.marks_of(text, _Loader)


def loads(text: str, source: str = "<scenario>", name: str | None = None) -> Scenario:
    """Parse and validate scenario YAML text; ``source`` names it in errors."""
    try:
        data, marks, dups = yamldoc.read(text, _Loader)
    except yaml.YAMLError as exc:
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(source, [FieldProblem("(syntax)", f"not valid YAML: {what}", safeyaml.line_of(exc))]) from None
    if dups:
        raise ScenarioError(source, dups)
    return parse(data, source, default_name=name, marks=marks)


def builtin_names() -> list[str]:
    """Names of the scenarios shipped in ``cost_model/scenarios``."""
    folder = resources.files("cost_model.scenarios")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def builtin_text(name: str) -> str:
    return (resources.files("cost_model.scenarios") / f"{name}.yaml").read_text(encoding="utf-8")


def _looks_like_path(spec: str) -> bool:
    return spec.endswith((".yaml", ".yml")) or "/" in spec or "\\" in spec


def load(spec: str | Path) -> Scenario:
    """Load a built-in scenario by name, or a scenario file by path."""
    spec_s = str(spec)
    if not isinstance(spec, Path) and not _looks_like_path(spec_s) and spec_s in builtin_names():
        return loads(builtin_text(spec_s), f"{spec_s}.yaml", name=spec_s)
    path = Path(spec_s)
    if not path.exists() and not _looks_like_path(spec_s):
        raise ScenarioError(spec_s, [FieldProblem(
            "(file)", "not a built-in scenario (" + ", ".join(builtin_names())
            + ") and no such file")])
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(spec_s, [FieldProblem("(file)", "no such file")]) from None
    except IsADirectoryError:
        raise ScenarioError(spec_s, [FieldProblem("(file)", "is a folder, not a scenario file")]) from None
    except UnicodeDecodeError:
        raise ScenarioError(spec_s, [FieldProblem("(file)", "is not UTF-8 text")]) from None
    except OSError as exc:
        raise ScenarioError(spec_s, [FieldProblem("(file)", f"cannot be read: {exc.strerror}")]) from None
    stem = path.name.rsplit(".", 1)[0] if path.name.endswith((".yaml", ".yml")) else path.name
    return loads(text, spec_s, name=stem)


# --------------------------------------------------------------------------- validation


_fmt = yamldoc.fmt


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


class _Checker(yamldoc.Checker):
    """The shared field checker (:mod:`planner.yamldoc`) with the cost model's numbers:
    exact decimals within :mod:`cost_model.bounds`, percentages, named parts."""

    def number(self, path: tuple, value: Any, *, whole: bool = False,
               positive: bool = False, percent: bool = False) -> Decimal | None:
        if percent and isinstance(value, str) and value.strip().endswith("%"):
            value = value.strip()[:-1].strip()
            try:
                value = Decimal(value)
            except InvalidOperation:
                pass
        if isinstance(value, bool) or not isinstance(value, (int, Decimal, float)):
            self.add(path, f"must be a number, got {_describe(value)}")
            return None
        if isinstance(value, float):
            if not math.isfinite(value):
                self.add(path, "must be a finite number")
                return None
            value = Decimal(repr(value))
        d = Decimal(value)
        why = bounds.problem(d, bounds.MAX_NUMBER if percent else bounds.maximum_for(path))
        if why is not None:  # before anything formats the number: 1E+999999 has a million digits
            self.add(path, f"{why} (see cost_model/bounds.py), got {_short(value)}")
            return None
        shown = money.num(d)
        if whole and d != d.to_integral_value():
            self.add(path, f"must be a whole number, got {shown}")
            return None
        if d < 0:
            self.add(path, f"must not be negative, got {shown}")
            return None
        if positive and d == 0:
            self.add(path, "must be more than 0, got 0")
            return None
        if percent and d > 100:
            self.add(path, f"must be a percentage between 0 and 100, got {shown}")
            return None
        return d

    def parts(self, path: tuple, value: Any, *,
              whole: bool = False) -> tuple[Decimal | None, tuple[tuple[str, Decimal], ...]]:
        """A number, or a mapping of named parts that add up."""
        if isinstance(value, dict):
            if not value:
                self.add(path, "must list at least one part")
                return None, ()
            parts: list[tuple[str, Decimal]] = []
            ok = True
            for k, v in value.items():  # every part is checked, so each bad one is reported
                d = self.number(path + (k,), v, whole=whole)
                if d is None:
                    ok = False
                else:
                    parts.append((str(k), d))
            if not ok:
                return None, ()
            return sum((d for _, d in parts), Decimal(0)), tuple(parts)
        return self.number(path, value, whole=whole), ()


_short = yamldoc.short
_describe = yamldoc.describe


def parse(data: Any, source: str, *, default_name: str | None = None,  # noqa: C901  (one validation pass, section by section)
          marks: Mapping[tuple, int] | None = None) -> Scenario:
    """Validate already-loaded scenario data; raise :class:`ScenarioError` listing problems."""
    from cost_model.staffing import RULES

    c = _Checker(marks or {})
    if data is None:
        raise ScenarioError(source, [FieldProblem("(top level)", "the file is empty")])
    top = c.mapping((), data, TOP_FIELDS, required=("demand", "staffing", "lines"))
    if top is None:
        raise ScenarioError(source, c.problems)

    name = c.text(("scenario",), top.get("scenario")) or default_name or "scenario"
    title = c.text(("title",), top.get("title"))
    source_note = c.text(("source",), top.get("source"))
    notes_raw = top.get("notes")
    notes: tuple[str, ...] = ()
    if isinstance(notes_raw, list):
        notes = tuple(str(n) for n in notes_raw)
    elif notes_raw is not None:
        notes = (str(notes_raw),)
    basis = c.choice(("basis",), top.get("basis"), BASES, "whole")

    # demand
    demand = None
    d = top.get("demand")
    if d is not None and c.mapping(("demand",), d, DEMAND_FIELDS, required=("daily_visits",)) is not None:
        p: tuple[Any, ...] = ("demand",)
        dv: Decimal | None = None
        dv_parts: tuple[tuple[str, Decimal], ...] = ()
        if d.get("daily_visits") is not None:
            dv, dv_parts = c.parts(p + ("daily_visits",), d["daily_visits"], whole=True)
        vppd = mpv = wmin = wdays = None
        if d.get("visits_per_person_per_day") is not None:
            vppd = c.number(p + ("visits_per_person_per_day",), d["visits_per_person_per_day"],
                            positive=True)
        if d.get("minutes_per_visit") is not None:
            mpv = c.number(p + ("minutes_per_visit",), d["minutes_per_visit"], positive=True)
        if d.get("working_minutes_per_day") is not None:
            wmin = c.number(p + ("working_minutes_per_day",), d["working_minutes_per_day"],
                            positive=True)
        if d.get("working_days_per_month") is not None:
            wdays = c.number(p + ("working_days_per_month",), d["working_days_per_month"],
                             positive=True)
        rule = d.get("rule")
        if rule is None:
            rule = "given" if "visits_per_person_per_day" in d else (
                "derived" if "minutes_per_visit" in d or "working_minutes_per_day" in d else None)
        if rule is None:
            c.add(p + ("rule",), "missing: give visits_per_person_per_day (rule: given), "
                                 "or minutes_per_visit and working_minutes_per_day (rule: derived)")
        elif str(rule) not in RULES:
            extra = (" (staffing by simulation needs the routing core, which is not available yet)"
                     if str(rule) == "simulation" else "")
            c.add(p + ("rule",), f"unknown staffing rule {rule!r}; use one of "
                                 f"{', '.join(RULES)}{extra}")
            rule = None
        else:
            for req in RULES[str(rule)].requires:
                if d.get(req) is None:
                    c.add(p + (req,), f"missing required value: rule {rule} needs it "
                                      f"({DEMAND_FIELDS.get(req, req)})")
        if rule == "derived" and mpv and wmin and mpv > wmin:
            c.add(p + ("minutes_per_visit",),
                  f"a visit of {money.num(mpv)} minutes does not fit in a working day of "
                  f"{money.num(wmin)} minutes")
        sim = d.get("simulation")
        if sim is not None and not isinstance(sim, dict):
            c.add(p + ("simulation",), f"must be a mapping, got {_describe(sim)}")
        if dv is not None and rule is not None:
            demand = DemandParams(
                daily_visits=int(dv),
                daily_visits_breakdown=tuple((k, int(v)) for k, v in dv_parts),
                rule=str(rule),
                visits_per_person_per_day=vppd,
                minutes_per_visit=mpv,
                working_minutes_per_day=wmin,
                working_days_per_month=wdays,
                simulation=sim if isinstance(sim, dict) else None,
                note=c.text(p + ("note",), d.get("note")),
            )

    # staffing
    staffing = None
    s = top.get("staffing")
    if s is not None and c.mapping(("staffing",), s, STAFFING_FIELDS,
                                   required=("followup_per_district", "districts")) is not None:
        p = ("staffing",)
        fu = c.number(p + ("followup_per_district",), s.get("followup_per_district"), whole=True) \
            if s.get("followup_per_district") is not None else None
        dist = c.number(p + ("districts",), s.get("districts"), whole=True, positive=True) \
            if s.get("districts") is not None else None
        sup = c.number(p + ("support_staff",), s.get("support_staff", 0), whole=True)
        if fu is not None and dist is not None and sup is not None:
            staffing = StaffingParams(int(fu), int(dist), int(sup), c.text(p + ("note",), s.get("note")))

    # lines, fees, taxes
    ids: dict[str, tuple] = {}

    def check_id(path: tuple, entry: dict) -> str | None:
        given = entry.get("id")
        if given is not None:
            ident = str(given)
            if not _ID_RE.match(ident):
                c.add(path + ("id",), f"must be lower-case letters, digits and _, "
                                      f"starting with a letter, got {ident!r}")
                return None
        else:
            ident = _slug(str(entry.get("item") or ""))
            if not ident or not _ID_RE.match(ident):
                c.add(path + ("id",), "missing: give an id (letters, digits, _) for this item")
                return None
        if ident in ids:
            c.add(path + ("id",), f"{ident!r} is used twice (also at {_fmt(ids[ident])}); "
                                  "give each item its own id")
            return None
        ids[ident] = path
        return ident

    lines: list[LineItem] = []
    raw_lines = top.get("lines")
    if raw_lines is not None and not isinstance(raw_lines, list):
        c.add(("lines",), f"must be a list of items, got {_describe(raw_lines)}")
    elif isinstance(raw_lines, list):
        if not raw_lines:
            c.add(("lines",), "must list at least one cost item")
        for i, entry in enumerate(raw_lines):
            p = ("lines", i)
            if c.mapping(p, entry, LINE_FIELDS, required=("item", "unit_price")) is None:
                continue
            ident = check_id(p, entry)
            price: Decimal | None = None
            price_parts: tuple[tuple[str, Decimal], ...] = ()
            if entry.get("unit_price") is not None:
                price, price_parts = c.parts(p + ("unit_price",), entry["unit_price"])
            qty_raw = entry.get("quantity", 1)
            qty = None
            if isinstance(qty_raw, str):
                try:
                    qty = expr.parse(qty_raw)
                except expr.ExprError as exc:
                    c.add(p + ("quantity",), str(exc))
            else:
                qn = c.number(p + ("quantity",), qty_raw)
                qty = expr.constant(qn) if qn is not None else None
            fixed, fixed_parts = c.parts(p + ("fixed",), entry.get("fixed", 0))
            rec = c.choice(p + ("recurrence",), entry.get("recurrence"), RECURRENCES, "monthly")
            life = None
            if entry.get("life_months") is not None:
                ln = c.number(p + ("life_months",), entry["life_months"], whole=True, positive=True)
                life = int(ln) if ln is not None else None
                if rec == "monthly":
                    c.add(p + ("life_months",), "only one_off items have a life; remove it "
                                                "or set recurrence: one_off")
            elif rec == "one_off":
                c.add(p + ("life_months",), "missing required value: a one_off item needs the "
                                            "months over which to amortise it")
            item = c.text(p + ("item",), entry.get("item"))
            if ident is None or price is None or qty is None or fixed is None or rec is None or item is None:
                continue
            lines.append(LineItem(
                id=ident, item=item, item_zh=c.text(p + ("item_zh",), entry.get("item_zh")),
                unit_price=price, price_components=price_parts, quantity=qty,
                fixed=fixed, fixed_components=fixed_parts, recurrence=rec, life_months=life,
                note=c.text(p + ("note",), entry.get("note")),
            ))

    def percentages(key: str, fields: Mapping[str, str]) -> list[Percentage]:
        out: list[Percentage] = []
        raw = top.get(key)
        if raw is None:
            return out
        if not isinstance(raw, list):
            c.add((key,), f"must be a list, got {_describe(raw)}")
            return out
        for i, entry in enumerate(raw):
            p = (key, i)
            if c.mapping(p, entry, fields, required=("item", "percent")) is None:
                continue
            ident = check_id(p, entry)
            pct = c.number(p + ("percent",), entry["percent"], percent=True) \
                if entry.get("percent") is not None else None
            of = c.choice(p + ("of",), entry.get("of"), TAX_BASES, "subtotal_and_fees") \
                if key == "taxes" else "subtotal"
            item = c.text(p + ("item",), entry.get("item"))
            if ident is None or pct is None or of is None or item is None:
                continue
            out.append(Percentage(ident, item, c.text(p + ("item_zh",), entry.get("item_zh")),
                                  pct, of, c.text(p + ("note",), entry.get("note"))))
        return out

    fees = percentages("fees", FEE_FIELDS)
    taxes = percentages("taxes", TAX_FIELDS)

    outcome = None
    o = top.get("outcome")
    if o is not None and c.mapping(("outcome",), o, OUTCOME_FIELDS) is not None:
        vals = {}
        for k in ("satisfaction_before_percent", "satisfaction_after_percent"):
            vals[k] = c.number(("outcome", k), o[k], percent=True) if o.get(k) is not None else None
        outcome = Satisfaction(vals["satisfaction_before_percent"], vals["satisfaction_after_percent"],
                          c.text(("outcome", "note"), o.get("note")))

    if c.problems:
        raise ScenarioError(source, c.problems)
    assert demand and staffing and basis
    return Scenario(
        name=name, title=title, source_note=source_note, notes=notes, path=source, basis=basis,
        demand=demand, staffing=staffing, lines=tuple(lines), fees=tuple(fees),
        taxes=tuple(taxes), outcome=outcome, raw=data, marks=dict(marks or {}),
    )


# --------------------------------------------------------------------------- parameters


def _find_item(raw: dict, ident: str) -> tuple[str, int] | None:
    for key in ("lines", "fees", "taxes"):
        entries = raw.get(key)
        if not isinstance(entries, list):
            continue
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            eid = entry.get("id")
            eid = str(eid) if eid is not None else _slug(str(entry.get("item") or ""))
            if eid == ident:
                return key, i
    return None


def param_path(raw: dict, name: str, source: str = "<scenario>") -> tuple:
    """Where parameter ``name`` lives in the scenario data.

    Accepted names: a field of demand, staffing or outcome (``daily_visits``,
    ``districts``, ``satisfaction_after_percent``), ``section.field``,
    ``daily_visits.<part>``, and for a line, fee or tax ``<id>.<field>`` or
    ``<id>.unit_price.<part>`` / ``<id>.fixed.<part>``.
    """
    parts = name.strip().split(".")
    if parts[0] == "lines" and len(parts) > 2:
        parts = parts[1:]
    if len(parts) == 1:
        for section, fields in _SECTIONS.items():
            if parts[0] in fields and parts[0] not in ("note", "simulation"):
                return (section, parts[0])
        if parts[0] == "basis":
            return ("basis",)
    elif parts[0] in _SECTIONS and len(parts) == 2 and parts[1] in _SECTIONS[parts[0]]:
        return tuple(parts)
    elif parts[0] == "daily_visits" and len(parts) == 2:
        return ("demand", "daily_visits", parts[1])
    else:
        found = _find_item(raw, parts[0])
        if found is not None:
            key, i = found
            fields = LINE_FIELDS if key == "lines" else (TAX_FIELDS if key == "taxes" else FEE_FIELDS)
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
            raise ScenarioError(source, [FieldProblem(name, f"{_fmt(path[:-1])} is a single value "
                                                       "here, not named parts")])
        node = nxt
    node[path[-1]] = value


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
