"""Decimal arithmetic and number formatting for money and counts.

Money is always :class:`decimal.Decimal`; amounts are rounded to the cent with
ROUND_HALF_UP, and only where a bill would round (a line amount, a percentage
fee or tax, a one-off cost spread over its life).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)


def cents(value: Decimal) -> Decimal:
    """Round to the cent, halves away from zero (the accountant's rounding)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def ceil(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_CEILING)


def floor(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_FLOOR)


def num(value: Decimal | int | None) -> str:
    """A number as it is written in a formula: ``2000``, ``0.8``, ``5.5`` (``—`` when there is none)."""
    if value is None:
        return "—"
    d = Decimal(value)
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    return format(d.normalize(), "f")


def plain_cents(value: Decimal) -> str:
    """An amount in a formula, to the cent, no separators: ``59122.20``."""
    d = cents(Decimal(value))
    return num(d) if d == d.to_integral_value() else f"{d:.2f}"


def money(value: Decimal | None) -> str:
    """An amount in a table: ``140,520.00``."""
    if value is None:
        return "—"
    return f"{cents(Decimal(value)):,.2f}"


def signed_money(value: Decimal | None) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "0.00"
    return f"{'+' if value > 0 else '−'}{cents(abs(Decimal(value))):,.2f}"


def count(value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    return num(value)


def signed_count(value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "0"
    return f"{'+' if value > 0 else '−'}{num(abs(Decimal(value)))}"


def json_money(value: Decimal | None) -> float | None:
    """A JSON number that parses back to the same cents.

    ``float(d)`` of a decimal with at most 15 significant digits has that
    decimal as its shortest repr, so ``json.loads(..., parse_float=Decimal)``
    recovers the exact amount.
    """
    return None if value is None else float(cents(Decimal(value)))


def json_count(value: Decimal | int | None) -> int | float | None:
    """A count as a JSON integer when whole (``27``), else a number (``7.5``)."""
    if value is None:
        return None
    d = Decimal(value)
    return int(d) if d == d.to_integral_value() else float(d)
