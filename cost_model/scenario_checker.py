"""The field checker of scenario files: the shared one with the cost model's numbers.

Numbers are exact decimals within :mod:`cost_model.bounds` (checked before anything
formats them: ``1E+999999`` has a million digits), percentages may be written
``12 %``, and a total may be given as named parts that add up.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from cost_model import bounds, money
from planner import yamldoc


class ScenarioChecker(yamldoc.Checker):
    """:class:`planner.yamldoc.Checker` with the cost model's numbers."""

    def number(self, path: tuple, value: Any, *, whole: bool = False,
               positive: bool = False, percent: bool = False) -> Decimal | None:
        if percent and isinstance(value, str) and value.strip().endswith("%"):
            value = value.strip()[:-1].strip()
            try:
                value = Decimal(value)
            except InvalidOperation:
                pass
        if isinstance(value, bool) or not isinstance(value, (int, Decimal, float)):
            self.add(path, f"must be a number, got {yamldoc.describe(value)}")
            return None
        if isinstance(value, float):
            if not math.isfinite(value):
                self.add(path, "must be a finite number")
                return None
            value = Decimal(repr(value))
        d = Decimal(value)
        why = bounds.problem(d, bounds.MAX_NUMBER if percent else bounds.maximum_for(path))
        if why is not None:  # before anything formats the number: 1E+999999 has a million digits
            self.add(path, f"{why} (see cost_model/bounds.py), got {yamldoc.short(value)}")
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
