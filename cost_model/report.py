"""Rendering one evaluated scenario: text, JSON, CSV and XLSX.

All renderers take an :class:`~cost_model.model.Evaluation` and return text or
bytes; they never compute anything the model did not.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any, cast

from cost_model import money, table
from cost_model.budget import Charge, LineAmount, Scaled, Totals
from cost_model.model import Evaluation
from cost_model.staffing import RULES

RECURRENCE_LABEL = {"monthly": "monthly", "one_off": "one-off"}


def _breakdown(parts: tuple[tuple[str, Decimal], ...]) -> str:
    return " + ".join(f"{k} {money.num(v)}" for k, v in parts)


def line_details(la: LineAmount) -> list[str]:
    """Extra explanation printed under a line (price parts, fixed parts, amortisation)."""
    out = []
    line = la.line
    if line.price_components:
        out.append(f"{money.num(line.unit_price)} = {_breakdown(line.price_components)}")
    if line.fixed_components:
        out.append(f"{money.num(line.fixed)} = {_breakdown(line.fixed_components)}")
    if la.amortised_formula:
        out.append(f"one-off; over a life of {line.life_months} months: "
                   f"{la.amortised_formula} = {money.money(la.amortised)} a month")
    return out


# --------------------------------------------------------------------------- text


def _charge_rows(charges: tuple[Charge, ...]) -> list[list[str]]:
    return [[c.spec.label, "", c.formula, money.money(c.amount), ""] for c in charges]


def render_text(ev: Evaluation) -> str:
    sc, st, b, m = ev.scenario, ev.staffing, ev.budget, ev.metrics
    out: list[str] = []
    out.append(f"{sc.name}" + (f" — {sc.title}" if sc.title else ""))
    if sc.source_note:
        out.append(f"source: {sc.source_note}")
    out.append("")

    # staffing
    out.append("Staffing")
    dv = str(st.daily_visits)
    if st.daily_visits_breakdown:
        dv += " = " + " + ".join(f"{k} {v}" for k, v in st.daily_visits_breakdown)
    rule = RULES.get(st.rule)
    rows: list[list[str] | str] = [
        ["daily visits per district", dv],
        ["staffing rule", f"{st.rule} ({rule.summary})" if rule else st.rule],
    ]
    rows += list(st.explanation)
    rows += [f"({alt})" for alt in st.alternatives]
    rows += [
        ["visitors per district", str(st.visitors_per_district)],
        ["follow-up per district", str(st.followup_per_district)],
        ["districts", str(st.districts)],
        ["field visitors", f"{st.field_visitors} = {st.visitors_per_district} × {st.districts}"],
        ["support staff", str(st.support_staff)],
        ["total staff", f"{st.total_staff} = {st.total_formula}"],
    ]
    out.append(table.render(rows))
    out.append("")

    # budget
    per_district = b.basis == "per_district"
    scope = "one district, as quoted" if per_district else "whole programme"
    out.append(f"Monthly budget, {scope} (yuan)")
    rows = []
    for la in b.lines:
        rec = RECURRENCE_LABEL[la.line.recurrence]
        rows.append([la.line.label, la.line.quantity.text, la.formula, money.money(la.amount), rec])
        rows += line_details(la)
    c = b.counted
    rows.append(["subtotal", "", "", money.money(c.subtotal), ""])
    rows += _charge_rows(c.fees)
    rows += _charge_rows(c.taxes)
    if per_district:
        rows.append(["total per district", "", c.total_formula, money.money(c.total), ""])
        w = b.whole
        assert isinstance(w, Scaled)
        rows.append([f"total, {b.districts} districts", "", w.total_formula,
                     money.money(w.total), ""])
    else:
        rows.append(["total", "", c.total_formula, money.money(c.total), ""])
    out.append(table.render(rows, headers=["item", "quantity", "formula", "amount", "recurrence"],
                            align="<<<><"))
    out.append("")
    if b.has_one_off:
        out.append(f"  total monthly, one-off items counted in the month (the pilot's way): "
                   f"{money.money(b.total_monthly)}")
        a = b.whole_amortised
        formula = a.total_formula
        out.append(f"  total monthly, one-off items amortised over their life:            "
                   f"{money.money(b.total_monthly_amortised)}  ({formula})")
    else:
        out.append(f"  total monthly: {money.money(b.total_monthly)} "
                   "(no one-off items, so the amortised total is the same)")
    notes = [f"{la.line.item}: {la.line.note}" for la in b.lines if la.line.note]
    notes += [f"{p.item}: {p.note}" for p in (*sc.fees, *sc.taxes) if p.note]
    notes += list(sc.notes)
    if notes:
        out.append("")
        out.append("Notes")
        out += [f"  - {n}" for n in notes]

    # unit metrics
    out.append("")
    if m.working_days_per_month is None:
        out.append("Unit metrics: give demand.working_days_per_month to compute them")
    else:
        out.append(f"Unit metrics ({money.num(m.working_days_per_month)} working days a month: "
                   f"{money.num(m.visits_per_month)} visits, "
                   f"{money.num(m.visitor_days_per_month)} visitor-days)")
        rows = [
            ["cost per visit", money.money(m.cost_per_visit),
             f"amortised {money.money(m.cost_per_visit_amortised)}"],
            ["cost per visitor-day", money.money(m.cost_per_visitor_day),
             f"amortised {money.money(m.cost_per_visitor_day_amortised)}"],
        ]
        if m.extra_satisfied_per_month is not None:
            rows.append(["cost per extra satisfied customer", money.money(m.cost_per_extra_satisfied),
                         f"amortised {money.money(m.cost_per_extra_satisfied_amortised)}"])
            rows.append(f"satisfied {money.num(m.satisfaction_before_percent)}% → "
                        f"{money.num(m.satisfaction_after_percent)}%: "
                        f"{money.num(m.extra_satisfied_per_month)} extra satisfied customers a month")
        else:
            rows.append("cost per extra satisfied customer: give outcome.satisfaction_before_percent "
                        "and satisfaction_after_percent")
        out.append(table.render(rows, align="<>"))
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- JSON


def _charges_json(charges: tuple[Charge, ...]) -> list[dict[str, Any]]:
    return [{"id": c.spec.id, "item": c.spec.item, "item_zh": c.spec.item_zh,
             "percent": money.json_count(c.spec.percent), "base": money.json_money(c.base),
             "formula": c.formula, "amount": money.json_money(c.amount)} for c in charges]


def _totals_json(t: Totals, amortised: Totals) -> dict[str, Any]:
    return {"subtotal": money.json_money(t.subtotal), "fees": money.json_money(t.fees_total),
            "taxes": money.json_money(t.taxes_total), "total_monthly": money.json_money(t.total),
            "total_monthly_amortised": money.json_money(amortised.total)}


def to_dict(ev: Evaluation) -> dict[str, Any]:
    """The JSON document of ``cvp cost run --json``.

    Amounts are JSON numbers in yuan, exact to the cent when read back as
    decimals (``json.loads(text, parse_float=decimal.Decimal)``).
    """
    sc, st, b, m = ev.scenario, ev.staffing, ev.budget, ev.metrics
    scope = "per_district" if b.basis == "per_district" else "whole"
    lines = []
    for la in b.lines:
        lines.append({
            "id": la.line.id, "item": la.line.item, "item_zh": la.line.item_zh,
            "formula": la.formula, "amount": money.json_money(la.amount),
            "recurrence": la.line.recurrence, "life_months": la.line.life_months,
            "amount_monthly_amortised": money.json_money(la.amortised),
            "unit_price": money.json_count(la.line.unit_price),
            "quantity": money.json_count(la.quantity), "quantity_expression": la.line.quantity.text,
            "scope": scope, "amount_whole": money.json_money(la.amount * b.scale),
            "details": line_details(la), "note": la.line.note,
        })
    w = b.whole
    return {
        "scenario": sc.name,
        "title": sc.title,
        "source": sc.source_note,
        "basis": b.basis,
        "staffing": {
            "visitors_per_district": st.visitors_per_district,
            "followup_per_district": st.followup_per_district,
            "districts": st.districts,
            "support_staff": st.support_staff,
            "total_staff": st.total_staff,
            "field_visitors": st.field_visitors,
            "daily_visits": st.daily_visits,
            "daily_visits_breakdown": dict(st.daily_visits_breakdown) or None,
            "visits_per_person_per_day": money.json_count(st.visits_per_person_per_day),
            "rule": st.rule,
            "rule_explanation": list(st.explanation),
            "alternatives": list(st.alternatives),
        },
        "lines": lines,
        "subtotal": money.json_money(w.subtotal),
        "fees": money.json_money(w.fees_total),
        "taxes": money.json_money(w.taxes_total),
        "total_monthly": money.json_money(b.total_monthly),
        "total_monthly_amortised": money.json_money(b.total_monthly_amortised),
        "per_district": (_totals_json(b.per_district, b.amortised)
                         if b.per_district is not None else None),
        "fee_details": _charges_json(b.counted.fees),
        "tax_details": _charges_json(b.counted.taxes),
        "unit_metrics": {
            "working_days_per_month": money.json_count(m.working_days_per_month),
            "visits_per_month": money.json_count(m.visits_per_month),
            "visitor_days_per_month": money.json_count(m.visitor_days_per_month),
            "satisfaction_before_percent": money.json_count(m.satisfaction_before_percent),
            "satisfaction_after_percent": money.json_count(m.satisfaction_after_percent),
            "extra_satisfied_per_month": money.json_count(m.extra_satisfied_per_month),
            "cost_per_visit": money.json_money(m.cost_per_visit),
            "cost_per_visit_amortised": money.json_money(m.cost_per_visit_amortised),
            "cost_per_visitor_day": money.json_money(m.cost_per_visitor_day),
            "cost_per_visitor_day_amortised": money.json_money(m.cost_per_visitor_day_amortised),
            "cost_per_extra_satisfied_customer": money.json_money(m.cost_per_extra_satisfied),
            "cost_per_extra_satisfied_customer_amortised":
                money.json_money(m.cost_per_extra_satisfied_amortised),
        },
    }


def render_json(ev: Evaluation) -> str:
    return json.dumps(to_dict(ev), ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- CSV / XLSX

COLUMNS = ["section", "key", "item", "item_zh", "quantity", "formula", "value", "unit",
           "recurrence", "life_months", "monthly_amortised"]


def rows(ev: Evaluation) -> list[dict[str, Any]]:
    """The spreadsheet rows shared by CSV and XLSX; values are Decimal/int or None."""
    st, b, m = ev.staffing, ev.budget, ev.metrics
    out: list[dict[str, Any]] = []

    def add(section: str, key: str, value: Any, unit: str, **kw: Any) -> None:
        out.append({"section": section, "key": key, "value": value, "unit": unit, **kw})

    add("staffing", "daily_visits", st.daily_visits, "visits/day/district")
    add("staffing", "visits_per_person_per_day", st.visits_per_person_per_day, "visits/day",
        formula=st.explanation[0], item=f"rule: {st.rule}")
    add("staffing", "visitors_per_district", st.visitors_per_district, "people",
        formula=st.explanation[-1])
    add("staffing", "followup_per_district", st.followup_per_district, "people")
    add("staffing", "districts", st.districts, "districts")
    add("staffing", "field_visitors", st.field_visitors, "people",
        formula=f"{st.visitors_per_district} × {st.districts}")
    add("staffing", "support_staff", st.support_staff, "people")
    add("staffing", "total_staff", st.total_staff, "people", formula=st.total_formula)
    scope = "budget_per_district" if b.basis == "per_district" else "budget"
    for la in b.lines:
        add(scope, la.line.id, la.amount, "yuan", item=la.line.item, item_zh=la.line.item_zh,
            quantity=la.quantity, formula=la.formula, recurrence=la.line.recurrence,
            life_months=la.line.life_months, monthly_amortised=la.amortised)
    c, a = b.counted, b.amortised
    add(scope, "subtotal", c.subtotal, "yuan", monthly_amortised=a.subtotal)
    for ch, ach in zip(c.fees + c.taxes, a.fees + a.taxes, strict=True):
        add(scope, ch.spec.id, ch.amount, "yuan", item=ch.spec.item, item_zh=ch.spec.item_zh,
            formula=ch.formula, monthly_amortised=ach.amount)
    add(scope, "total_monthly", c.total, "yuan", formula=c.total_formula,
        monthly_amortised=a.total)
    if b.basis == "per_district":
        w, wa = b.whole, b.whole_amortised
        add("budget", "subtotal", w.subtotal, "yuan", formula=f"× {b.districts}",
            monthly_amortised=wa.subtotal)
        add("budget", "fees", w.fees_total, "yuan", formula=f"× {b.districts}",
            monthly_amortised=wa.fees_total)
        add("budget", "taxes", w.taxes_total, "yuan", formula=f"× {b.districts}",
            monthly_amortised=wa.taxes_total)
        add("budget", "total_monthly", w.total, "yuan", formula=w.total_formula,
            monthly_amortised=wa.total)
    add("budget", "total_monthly_amortised", b.total_monthly_amortised, "yuan")
    for key, val in [
        ("visits_per_month", m.visits_per_month), ("visitor_days_per_month", m.visitor_days_per_month),
        ("extra_satisfied_per_month", m.extra_satisfied_per_month),
    ]:
        add("metrics", key, val, "per month")
    for key, val, am in [
        ("cost_per_visit", m.cost_per_visit, m.cost_per_visit_amortised),
        ("cost_per_visitor_day", m.cost_per_visitor_day, m.cost_per_visitor_day_amortised),
        ("cost_per_extra_satisfied_customer", m.cost_per_extra_satisfied,
         m.cost_per_extra_satisfied_amortised),
    ]:
        add("metrics", key, val, "yuan", monthly_amortised=am)
    return out


def _csv_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return money.num(v) if v == v.to_integral_value() else format(v, "f")
    return str(v)


def render_csv(ev: Evaluation) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows(ev):
        writer.writerow({k: _csv_value(row.get(k)) for k in COLUMNS})
    return buf.getvalue()


def render_xlsx(ev: Evaluation) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    ws = cast(Worksheet, wb.active)  # a new workbook has its one worksheet active (the stubs say Optional)
    ws.title = "Budget"
    ws.append([f"{ev.scenario.name}" + (f" — {ev.scenario.title}" if ev.scenario.title else "")])
    ws["A1"].font = Font(bold=True)
    ws.append(COLUMNS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows(ev):
        values = []
        for k in COLUMNS:
            v = row.get(k)
            if isinstance(v, Decimal):
                v = int(v) if v == v.to_integral_value() else float(v)
            values.append(v)
        ws.append(values)
        if row["unit"] == "yuan":
            for col in ("G", "K"):
                ws[f"{col}{ws.max_row}"].number_format = "#,##0.00"
    for col, w in zip("ABCDEFGHIJK", (20, 30, 22, 12, 10, 34, 14, 18, 11, 11, 18), strict=True):
        ws.column_dimensions[col].width = w
    ws.freeze_panes = "A3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
