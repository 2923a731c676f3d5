"""Quantity expressions: how many of a line item, written over the staffing counts.

A line's ``quantity`` is a number or a small expression such as
``field_visitors × 3`` or ``ceil(field_visitors ÷ 2)``.  Only operations that can
never make a quantity fall when a count rises are allowed (``+``, ``×``, ``÷`` by
a number, ``ceil``, ``floor``, ``max``, ``min``), so every total stays monotone
in every count.  ``*`` and ``/`` may be typed for ``×`` and ``÷``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from cost_model import bounds, money

#: Names a quantity may use, with what they mean (shown in errors and docs).
NAMES: dict[str, str] = {
    "visitors_per_district": "field visitors in one district",
    "followup_per_district": "follow-up staff in one district",
    "district_staff": "visitors + follow-up staff in one district",
    "districts": "number of districts",
    "field_visitors": "visitors in all districts (visitors_per_district × districts)",
    "followup_staff": "follow-up staff in all districts",
    "support_staff": "support-centre staff",
    "total_staff": "everyone: district_staff × districts + support_staff",
    "daily_visits": "visits a day in one district",
}

_FUNCS: dict[str, Callable[..., Decimal]] = {"ceil": money.ceil, "floor": money.floor, "max": max, "min": min}
_OPS = {ast.Add: "+", ast.Mult: "×", ast.Div: "÷"}
_PRECEDENCE = {ast.Add: 1, ast.Mult: 2, ast.Div: 2}


class ExprError(ValueError):
    """The expression is not allowed; ``str(self)`` says why."""


@dataclass(frozen=True)
class Quantity:
    """A parsed quantity: a constant or an expression over :data:`NAMES`."""

    text: str
    _tree: ast.expr
    _source: str

    @property
    def is_constant(self) -> bool:
        return not any(isinstance(n, ast.Name) for n in ast.walk(self._tree))

    @property
    def is_sum(self) -> bool:
        return isinstance(self._tree, ast.BinOp) and isinstance(self._tree.op, ast.Add)

    def names(self) -> set[str]:
        return {n.id for n in ast.walk(self._tree) if isinstance(n, ast.Name)} - set(_FUNCS)

    def evaluate(self, counts: Mapping[str, Decimal]) -> Decimal:
        return _eval(self._tree, self._source, counts)

    def render(self, counts: Mapping[str, Decimal] | None = None) -> str:
        """``field_visitors × 3``, or with ``counts`` given, ``16 × 3``."""
        return _render(self._tree, self._source, counts)


def constant(value: Decimal) -> Quantity:
    text = money.num(value)
    return parse(text)


def parse(text: str) -> Quantity:
    """Parse and check a quantity expression; :class:`ExprError` if not allowed."""
    if len(text) > bounds.MAX_EXPRESSION:
        raise ExprError(f"the expression has {len(text)} characters; at most {bounds.MAX_EXPRESSION}")
    source = text.replace("×", "*").replace("÷", "/").replace("（", "(").replace("）", ")")
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ExprError(f"cannot read the expression {text!r}") from None
    source = source.strip()
    _check(tree, source, text)
    return Quantity(text=text.strip(), _tree=tree, _source=source)


def _const(node: ast.Constant, source: str) -> Decimal:
    return Decimal(ast.get_source_segment(source, node) or str(node.value))


#: what an expression may hold, said in every refusal
_ALLOWED = (
    "only numbers, the names " + ", ".join(NAMES) + ", +, ×, ÷ by a number, "
    "ceil(), floor(), max() and min() are allowed"
)


def _check(node: ast.expr, source: str, text: str) -> None:
    if isinstance(node, ast.Constant):
        _check_number(node, source, text)
        return
    if isinstance(node, ast.Name):
        if node.id not in NAMES:
            raise ExprError(f"{text!r}: unknown name {node.id!r}; {_ALLOWED}")
        return
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        _check_operation(node, source, text)
        return
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS:
        _check_call(node, node.func.id, source, text)
        return
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) or (
            isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)):
        raise ExprError(f"{text!r}: subtraction and negative numbers are not allowed "
                        "(a quantity must never fall when a count rises); " + _ALLOWED)
    raise ExprError(f"{text!r}: {_ALLOWED}")


def _check_number(node: ast.Constant, source: str, text: str) -> None:
    """A plain number (not a bool, not text) within the cost model's bounds."""
    if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
        raise ExprError(f"{text!r}: {node.value!r} is not a number; {_ALLOWED}")
    try:
        value = _const(node, source)
    except InvalidOperation:
        raise ExprError(f"{text!r}: cannot read the number") from None
    why = bounds.problem(value)
    if why is not None:
        raise ExprError(f"{text!r}: a number {why}")


def _check_operation(node: ast.BinOp, source: str, text: str) -> None:
    """Both sides, and a division only by a non-zero number (never by a count)."""
    _check(node.left, source, text)
    _check(node.right, source, text)
    if isinstance(node.op, ast.Div):
        if any(isinstance(n, ast.Name) for n in ast.walk(node.right)):
            raise ExprError(f"{text!r}: divide only by a number, not by a count")
        if _eval(node.right, source, {}) == 0:
            raise ExprError(f"{text!r}: division by zero")


def _check_call(node: ast.Call, name: str, source: str, text: str) -> None:
    """ceil() and floor() of one argument, max() and min() of one or more, no keywords."""
    if node.keywords or not node.args:
        raise ExprError(f"{text!r}: {name}() takes one or more plain arguments")
    if name in ("ceil", "floor") and len(node.args) != 1:
        raise ExprError(f"{text!r}: {name}() takes exactly one argument")
    for arg in node.args:
        _check(arg, source, text)


def _eval(node: ast.expr, source: str, counts: Mapping[str, Decimal]) -> Decimal:
    if isinstance(node, ast.Constant):
        return _const(node, source)
    if isinstance(node, ast.Name):
        return Decimal(counts[node.id])
    if isinstance(node, ast.BinOp):
        left = _eval(node.left, source, counts)
        right = _eval(node.right, source, counts)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Mult):
            return left * right
        return left / right
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    args = [_eval(a, source, counts) for a in node.args]
    fn = _FUNCS[node.func.id]
    return fn(*args) if node.func.id in ("max", "min") else fn(args[0])


def _render(node: ast.expr, source: str, counts: Mapping[str, Decimal] | None) -> str:
    if isinstance(node, ast.Constant):
        return money.num(_const(node, source))
    if isinstance(node, ast.Name):
        return node.id if counts is None else money.num(counts[node.id])
    if isinstance(node, ast.BinOp):
        prec = _PRECEDENCE[type(node.op)]
        parts = []
        for side, child in (("left", node.left), ("right", node.right)):
            text = _render(child, source, counts)
            if isinstance(child, ast.BinOp):
                child_prec = _PRECEDENCE[type(child.op)]
                if child_prec < prec or (side == "right" and child_prec == prec
                                         and not isinstance(node.op, ast.Add)):
                    text = f"({text})"
            parts.append(text)
        return f"{parts[0]} {_OPS[type(node.op)]} {parts[1]}"
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    args = ", ".join(_render(a, source, counts) for a in node.args)
    return f"{node.func.id}({args})"
