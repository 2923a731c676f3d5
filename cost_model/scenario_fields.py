"""The words of a scenario file: its sections, their fields, and the choices they allow.

One definition for the parser (which names an unknown or missing field with what it
is), for the ``--set``/``--vary`` parameter names (which are these fields) and for the
id of a line, fee or tax (given, or made from the item's name).
"""

from __future__ import annotations

import re

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
#: the sections whose fields are parameters by their own name (``daily_visits``, ``districts``)
SECTIONS = {"demand": DEMAND_FIELDS, "staffing": STAFFING_FIELDS, "outcome": OUTCOME_FIELDS}
#: the fields of each list of items
ITEM_FIELDS = {"lines": LINE_FIELDS, "fees": FEE_FIELDS, "taxes": TAX_FIELDS}
ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def slug(text: str) -> str:
    """The id an item without one gets from its name (``Test equipment`` → ``test_equipment``)."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
