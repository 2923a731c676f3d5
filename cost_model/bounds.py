"""The range of every number a cost scenario, ``--set`` or ``--vary`` may give.

One definition, used by the scenario checker, the sweep and quantity expressions.
Why bounds at all: Python's ``Decimal`` reads ``1E+999999`` as a finite number, and
turning it into an ``int`` (a head count) or formatting it as money takes minutes of
CPU and megabytes of digits; a planner's typo must be an error message instead.
The maxima are far above any real programme (the Xi'an pilot has 30 visits a day
in each of 4 districts) and far below anything costly to compute.
"""

from __future__ import annotations

from decimal import Decimal

#: upper bound of each field, by its name in the scenario file (parts of a field,
#: such as ``daily_visits.vip``, share the field's bound)
MAXIMA: dict[str, int] = {
    "daily_visits": 100_000,
    "visits_per_person_per_day": 1_000,
    "minutes_per_visit": 1_440,
    "working_minutes_per_day": 1_440,
    "working_days_per_month": 31,
    "followup_per_district": 10_000,
    "districts": 10_000,
    "support_staff": 100_000,
    "unit_price": 1_000_000_000,
    "fixed": 10_000_000_000,
    "quantity": 10_000_000,
    "life_months": 1_200,
    "percent": 100,
    "satisfaction_before_percent": 100,
    "satisfaction_after_percent": 100,
}
#: the unit of each field (same keys as :data:`MAXIMA`): the planner's form shows it
#: beside the value, and a sweep column is money exactly when its unit is yuan
UNITS: dict[str, str] = {
    "daily_visits": "visits a day",
    "visits_per_person_per_day": "visits a day",
    "minutes_per_visit": "minutes",
    "working_minutes_per_day": "minutes",
    "working_days_per_month": "days",
    "followup_per_district": "people",
    "districts": "",
    "support_staff": "people",
    "unit_price": "yuan",
    "fixed": "yuan",
    "quantity": "units",
    "life_months": "months",
    "percent": "%",
    "satisfaction_before_percent": "%",
    "satisfaction_after_percent": "%",
}
#: fields that are head counts or whole months (the scenario checker refuses fractions)
WHOLE = frozenset({"daily_visits", "followup_per_district", "districts", "support_staff",
                   "life_months"})
#: any other number (a constant in a quantity expression, a sweep value)
MAX_NUMBER = 1_000_000_000_000
#: decimal places a number may have (yuan have 2; percentages and rates a few more)
MAX_PLACES = 6
#: values in one sweep (``--vary``); each one is a full evaluation and a chart point
MAX_SWEEP_POINTS = 200
#: characters and values (YAML nodes) of one scenario's text: the shipped ones have 3.4 KB
#: and about 150 values; PyYAML reads some 5,000 values a second, and a page posts four
#: scenarios, each read two or three times (a 600 KB list of 99,000 values was 21 s a read)
MAX_SCENARIO_CHARS = 64 * 1024
MAX_SCENARIO_VALUES = 5_000
#: NAME=VALUE changes in one run (``--set``, the planner form's changes, the API's
#: ``set``): a scenario has a few dozen parameters; each change is a YAML parse, and a
#: 1 MB form field of ``a=1`` lines was 250,000 of them (about a minute of CPU a slot)
MAX_SETS = 200
#: characters in one quantity expression
MAX_EXPRESSION = 500


def maximum_for(path: tuple) -> int:
    """The bound of the field at ``path`` (the deepest named key that has one)."""
    for key in reversed(path):
        if isinstance(key, str) and key in MAXIMA:
            return MAXIMA[key]
    return MAX_NUMBER


def _field(path: tuple) -> str | None:
    for key in reversed(path):
        if isinstance(key, str) and key in MAXIMA:
            return key
    return None


def unit_for(path: tuple) -> str:
    """The unit of the field at ``path`` ("" for a number without one)."""
    key = _field(path)
    return UNITS[key] if key else ""


def kind_for(path: tuple) -> str:
    """How a value of the field at ``path`` is shown: ``money`` (yuan, two decimals),
    ``count`` (a whole number) or ``number``."""
    key = _field(path)
    if key is not None and UNITS[key] == "yuan":
        return "money"
    return "count" if key in WHOLE else "number"


def problem(d: Decimal, maximum: int = MAX_NUMBER) -> str | None:
    """Why ``d`` is not an acceptable number, or None.  Checks finiteness, size and
    decimal places without ever expanding the number's digits."""
    if not d.is_finite():
        return "must be a finite number"
    if d.adjusted() > len(str(maximum)) or abs(d) > maximum:
        return f"must be at most {maximum:,}".replace(",", " ")
    if d != 0 and d.adjusted() < -MAX_PLACES:
        return f"has more than {MAX_PLACES} decimal places"
    exponent = d.as_tuple().exponent  # an int: d is finite here
    if isinstance(exponent, int) and exponent < -MAX_PLACES and d != d.quantize(Decimal(1).scaleb(-MAX_PLACES)):
        return f"has more than {MAX_PLACES} decimal places"
    return None
