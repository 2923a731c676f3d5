"""Checking a scenario file section by section, into its typed parts.

Each function reads one section of the loaded data, adds every problem it finds to
the checker (with the field's line) and returns the section's part, or ``None`` when
a problem keeps it from being built; :func:`cost_model.scenario.parse` calls them in
the file's order and raises one :class:`~cost_model.scenario_parts.ScenarioError`
listing every problem of every section.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping

from cost_model import expr, money
from cost_model.scenario_checker import ScenarioChecker
from cost_model.scenario_fields import (
    BASES,
    DEMAND_FIELDS,
    ID_RE,
    LINE_FIELDS,
    OUTCOME_FIELDS,
    RECURRENCES,
    STAFFING_FIELDS,
    TAX_BASES,
    slug,
)
from cost_model.scenario_parts import DemandParams, LineItem, Percentage, Satisfaction, StaffingParams
from cost_model.staffing import RULES
from planner.yamldoc import describe, fmt


def header(c: ScenarioChecker, top: dict, default_name: str | None
           ) -> tuple[str, str | None, str | None, tuple[str, ...], str | None]:
    """``(name, title, source, notes, basis)`` from the top-level fields."""
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
    return name, title, source_note, notes, basis


def _rule(c: ScenarioChecker, d: dict, mpv: Decimal | None, wmin: Decimal | None) -> str | None:
    """The staffing rule, given or implied by the fields present, with the values it needs."""
    p = ("demand",)
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
    return None if rule is None else str(rule)


def demand(c: ScenarioChecker, d: Any) -> DemandParams | None:
    """The ``demand`` section: daily visits (a number or named parts) and the staffing rule."""
    if d is None or c.mapping(("demand",), d, DEMAND_FIELDS, required=("daily_visits",)) is None:
        return None
    p: tuple[Any, ...] = ("demand",)
    dv: Decimal | None = None
    dv_parts: tuple[tuple[str, Decimal], ...] = ()
    if d.get("daily_visits") is not None:
        dv, dv_parts = c.parts(p + ("daily_visits",), d["daily_visits"], whole=True)
    positive = {}
    for key in ("visits_per_person_per_day", "minutes_per_visit", "working_minutes_per_day",
                "working_days_per_month"):
        positive[key] = c.number(p + (key,), d[key], positive=True) if d.get(key) is not None else None
    rule = _rule(c, d, positive["minutes_per_visit"], positive["working_minutes_per_day"])
    sim = d.get("simulation")
    if sim is not None and not isinstance(sim, dict):
        c.add(p + ("simulation",), f"must be a mapping, got {describe(sim)}")
    if dv is None or rule is None:
        return None
    return DemandParams(
        daily_visits=int(dv),
        daily_visits_breakdown=tuple((k, int(v)) for k, v in dv_parts),
        rule=rule,
        visits_per_person_per_day=positive["visits_per_person_per_day"],
        minutes_per_visit=positive["minutes_per_visit"],
        working_minutes_per_day=positive["working_minutes_per_day"],
        working_days_per_month=positive["working_days_per_month"],
        simulation=sim if isinstance(sim, dict) else None,
        note=c.text(p + ("note",), d.get("note")),
    )


def staffing(c: ScenarioChecker, s: Any) -> StaffingParams | None:
    """The ``staffing`` section: follow-up staff per district, districts, support staff."""
    if s is None or c.mapping(("staffing",), s, STAFFING_FIELDS,
                              required=("followup_per_district", "districts")) is None:
        return None
    p = ("staffing",)
    fu = c.number(p + ("followup_per_district",), s.get("followup_per_district"), whole=True) \
        if s.get("followup_per_district") is not None else None
    dist = c.number(p + ("districts",), s.get("districts"), whole=True, positive=True) \
        if s.get("districts") is not None else None
    sup = c.number(p + ("support_staff",), s.get("support_staff", 0), whole=True)
    if fu is None or dist is None or sup is None:
        return None
    return StaffingParams(int(fu), int(dist), int(sup), c.text(p + ("note",), s.get("note")))


class Ids:
    """The ids of lines, fees and taxes seen so far: one namespace, as ``--set`` names
    an item by its id whatever list it is in."""

    def __init__(self, c: ScenarioChecker):
        self.c = c
        self.seen: dict[str, tuple] = {}

    def claim(self, path: tuple, entry: dict) -> str | None:
        """The entry's id (given, or made from its name); a problem if it is bad or taken."""
        c = self.c
        given = entry.get("id")
        if given is not None:
            ident = str(given)
            if not ID_RE.match(ident):
                c.add(path + ("id",), f"must be lower-case letters, digits and _, "
                                      f"starting with a letter, got {ident!r}")
                return None
        else:
            ident = slug(str(entry.get("item") or ""))
            if not ident or not ID_RE.match(ident):
                c.add(path + ("id",), "missing: give an id (letters, digits, _) for this item")
                return None
        if ident in self.seen:
            c.add(path + ("id",), f"{ident!r} is used twice (also at {fmt(self.seen[ident])}); "
                                  "give each item its own id")
            return None
        self.seen[ident] = path
        return ident


def _quantity(c: ScenarioChecker, path: tuple, raw: Any) -> expr.Quantity | None:
    """A number, or an expression of the staffing (``field_visitors × 3``)."""
    if isinstance(raw, str):
        try:
            return expr.parse(raw)
        except expr.ExprError as exc:
            c.add(path, str(exc))
            return None
    qn = c.number(path, raw)
    return expr.constant(qn) if qn is not None else None


def _line(c: ScenarioChecker, ids: Ids, p: tuple, entry: Any) -> LineItem | None:
    if c.mapping(p, entry, LINE_FIELDS, required=("item", "unit_price")) is None:
        return None
    ident = ids.claim(p, entry)
    price: Decimal | None = None
    price_parts: tuple[tuple[str, Decimal], ...] = ()
    if entry.get("unit_price") is not None:
        price, price_parts = c.parts(p + ("unit_price",), entry["unit_price"])
    qty = _quantity(c, p + ("quantity",), entry.get("quantity", 1))
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
        return None
    return LineItem(
        id=ident, item=item, item_zh=c.text(p + ("item_zh",), entry.get("item_zh")),
        unit_price=price, price_components=price_parts, quantity=qty,
        fixed=fixed, fixed_components=fixed_parts, recurrence=rec, life_months=life,
        note=c.text(p + ("note",), entry.get("note")),
    )


def lines(c: ScenarioChecker, ids: Ids, raw_lines: Any) -> list[LineItem]:
    """The ``lines`` list: at least one cost item, each with its own id."""
    if raw_lines is None:
        return []
    if not isinstance(raw_lines, list):
        c.add(("lines",), f"must be a list of items, got {describe(raw_lines)}")
        return []
    if not raw_lines:
        c.add(("lines",), "must list at least one cost item")
    out = [_line(c, ids, ("lines", i), entry) for i, entry in enumerate(raw_lines)]
    return [line for line in out if line is not None]


def percentages(c: ScenarioChecker, ids: Ids, key: str, fields: Mapping[str, str],
                raw: Any) -> list[Percentage]:
    """The ``fees`` or ``taxes`` list; only a tax says what it is a percentage ``of``."""
    out: list[Percentage] = []
    if raw is None:
        return out
    if not isinstance(raw, list):
        c.add((key,), f"must be a list, got {describe(raw)}")
        return out
    for i, entry in enumerate(raw):
        p = (key, i)
        if c.mapping(p, entry, fields, required=("item", "percent")) is None:
            continue
        ident = ids.claim(p, entry)
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


def satisfaction(c: ScenarioChecker, o: Any) -> Satisfaction | None:
    """The ``outcome`` section: satisfaction before and with the programme (optional)."""
    if o is None or c.mapping(("outcome",), o, OUTCOME_FIELDS) is None:
        return None
    vals = {}
    for k in ("satisfaction_before_percent", "satisfaction_after_percent"):
        vals[k] = c.number(("outcome", k), o[k], percent=True) if o.get(k) is not None else None
    return Satisfaction(vals["satisfaction_before_percent"], vals["satisfaction_after_percent"],
                        c.text(("outcome", "note"), o.get("note")))
