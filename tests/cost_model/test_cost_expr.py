"""Quantity expressions over the staffing counts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cost_model import expr

COUNTS = {"field_visitors": Decimal(16), "total_staff": Decimal(27), "districts": Decimal(4),
          "support_staff": Decimal(3)}


@pytest.mark.parametrize("text, value, symbolic, rendered", [
    ("field_visitors × 3", 48, "field_visitors × 3", "16 × 3"),
    ("field_visitors * 3", 48, "field_visitors × 3", "16 × 3"),
    ("ceil(field_visitors ÷ 3)", 6, "ceil(field_visitors ÷ 3)", "ceil(16 ÷ 3)"),
    ("floor(field_visitors / 3)", 5, "floor(field_visitors ÷ 3)", "floor(16 ÷ 3)"),
    ("(districts + support_staff) * 2", 14, "(districts + support_staff) × 2", "(4 + 3) × 2"),
    ("max(districts, 5)", 5, "max(districts, 5)", "max(4, 5)"),
    ("0.5 * total_staff", Decimal("13.5"), "0.5 × total_staff", "0.5 × 27"),
    ("350", 350, "350", "350"),
])
def test_parse_evaluate_render(text, value, symbolic, rendered):
    q = expr.parse(text)
    assert q.evaluate(COUNTS) == Decimal(value)
    assert q.render() == symbolic
    assert q.render(COUNTS) == rendered


@pytest.mark.parametrize("text, fragment", [
    ("total_staff - 3", "subtraction"),
    ("-3", "negative"),
    ("field_visitors / districts", "divide only by a number"),
    ("field_visitors / 0", "division by zero"),
    ("staff * 2", "unknown name 'staff'"),
    ("__import__('os')", "allowed"),
    ("field_visitors ** 2", "allowed"),
    ("3 +", "cannot read"),
    ("'abc'", "not a number"),
])
def test_rejected(text, fragment):
    with pytest.raises(expr.ExprError) as err:
        expr.parse(text)
    assert fragment in str(err.value)


def test_constant():
    q = expr.constant(Decimal("80"))
    assert q.is_constant and q.evaluate({}) == 80
    assert not expr.parse("field_visitors").is_constant
