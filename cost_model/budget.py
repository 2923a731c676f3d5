"""The monthly budget: line amounts, subtotal, fees, taxes and totals.

Rules, as in the Xi'an pilot's tables:

* a line costs ``quantity × unit price + fixed``, rounded to the cent;
* fees are percentages of the subtotal; taxes are percentages of the subtotal
  plus fees (or of the subtotal alone, ``of: subtotal``); each rounded to the
  cent;
* a scenario on a ``per_district`` basis (the vendor quote) prices one district
  and multiplies the district's *total* by the number of districts;
* a one-off item (test equipment) is counted in full in the month, as the pilot
  did (``total_monthly``), and also spread over its life in months
  (``total_monthly_amortised``: amount ÷ life, to the cent).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cost_model import money
from cost_model.scenario import Scenario
from cost_model.scenario_parts import LineItem, Percentage, ScenarioError
from cost_model.staffing import Staffing
from planner.yamldoc import FieldProblem


@dataclass(frozen=True)
class LineAmount:
    """One priced line, in the scenario's scope (one district or the whole programme)."""

    line: LineItem
    quantity: Decimal
    formula: str
    amount: Decimal
    amortised: Decimal
    amortised_formula: str | None

    @property
    def one_off(self) -> bool:
        return self.line.recurrence == "one_off"


@dataclass(frozen=True)
class Charge:
    """A fee or tax: a percentage of a base."""

    spec: Percentage
    base: Decimal
    base_formula: str
    amount: Decimal

    @property
    def formula(self) -> str:
        return f"{money.num(self.spec.percent)}% × {self.base_formula}"


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    fees: tuple[Charge, ...]
    taxes: tuple[Charge, ...]

    @property
    def fees_total(self) -> Decimal:
        return sum((f.amount for f in self.fees), Decimal(0))

    @property
    def taxes_total(self) -> Decimal:
        return sum((t.amount for t in self.taxes), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.fees_total + self.taxes_total

    @property
    def total_formula(self) -> str:
        parts = [self.subtotal, *(f.amount for f in self.fees), *(t.amount for t in self.taxes)]
        return " + ".join(money.plain_cents(p) for p in parts)


@dataclass(frozen=True)
class Scaled:
    """A district's totals multiplied by the number of districts."""

    per_district: Totals
    districts: int

    @property
    def subtotal(self) -> Decimal:
        return self.per_district.subtotal * self.districts

    @property
    def fees_total(self) -> Decimal:
        return self.per_district.fees_total * self.districts

    @property
    def taxes_total(self) -> Decimal:
        return self.per_district.taxes_total * self.districts

    @property
    def total(self) -> Decimal:
        return self.per_district.total * self.districts

    @property
    def total_formula(self) -> str:
        return f"{money.plain_cents(self.per_district.total)} × {self.districts}"


@dataclass(frozen=True)
class Budget:
    basis: str
    districts: int
    lines: tuple[LineAmount, ...]
    counted: Totals      # in the lines' scope, one-off items counted in the month
    amortised: Totals    # in the lines' scope, one-off items spread over their life

    @property
    def per_district(self) -> Totals | None:
        """One district's totals, where the scenario is priced per district."""
        return self.counted if self.basis == "per_district" else None

    @property
    def per_district_amortised(self) -> Totals | None:
        return self.amortised if self.basis == "per_district" else None

    @property
    def whole(self) -> Totals | Scaled:
        """The whole programme, counted the scenario's own way."""
        return Scaled(self.counted, self.districts) if self.basis == "per_district" else self.counted

    @property
    def whole_amortised(self) -> Totals | Scaled:
        if self.basis == "per_district":
            return Scaled(self.amortised, self.districts)
        return self.amortised

    @property
    def total_monthly(self) -> Decimal:
        return self.whole.total

    @property
    def total_monthly_amortised(self) -> Decimal:
        return self.whole_amortised.total

    @property
    def scale(self) -> int:
        """Multiply a line amount by this to get its whole-programme amount."""
        return self.districts if self.basis == "per_district" else 1

    @property
    def has_one_off(self) -> bool:
        return any(la.one_off for la in self.lines)


def price_line(line: LineItem, counts: dict[str, Decimal], source: str) -> LineAmount:
    qty = line.quantity.evaluate(counts)
    if qty < 0:  # cannot happen with the allowed operations; kept as a guard
        raise ScenarioError(source, [FieldProblem(f"{line.id}.quantity", f"evaluates to {qty}")])
    amount = money.cents(qty * line.unit_price + line.fixed)
    qty_text = line.quantity.render(counts)
    if line.quantity.is_sum:
        qty_text = f"({qty_text})"
    price = money.num(line.unit_price)
    if line.quantity.is_constant and qty == 1 and line.fixed == 0:
        formula = price
    else:
        formula = f"{qty_text} × {price}"
    if line.fixed:
        formula += f" + {money.num(line.fixed)}"
    amortised, am_formula = amount, None
    if line.recurrence == "one_off":
        assert line.life_months
        amortised = money.cents(amount / line.life_months)
        am_formula = f"{money.plain_cents(amount)} ÷ {line.life_months}"
    return LineAmount(line, qty, formula, amount, amortised, am_formula)


def totals(subtotal: Decimal, fees: tuple[Percentage, ...], taxes: tuple[Percentage, ...]) -> Totals:
    fee_charges = tuple(
        Charge(f, subtotal, money.plain_cents(subtotal),
               money.cents(subtotal * f.percent / money.HUNDRED))
        for f in fees)
    fees_total = sum((f.amount for f in fee_charges), Decimal(0))
    tax_charges = []
    for t in taxes:
        if t.of == "subtotal":
            base, text = subtotal, money.plain_cents(subtotal)
        else:
            base = subtotal + fees_total
            text = "(" + " + ".join(money.plain_cents(x) for x in
                                    (subtotal, *(f.amount for f in fee_charges))) + ")"
            if not fee_charges:
                text = money.plain_cents(subtotal)
        tax_charges.append(Charge(t, base, text, money.cents(base * t.percent / money.HUNDRED)))
    return Totals(subtotal, fee_charges, tuple(tax_charges))


def compute(scenario: Scenario, staffing: Staffing) -> Budget:
    counts = staffing.counts()
    lines = tuple(price_line(line, counts, scenario.path) for line in scenario.lines)
    counted = totals(sum((la.amount for la in lines), Decimal(0)), scenario.fees, scenario.taxes)
    amortised = totals(sum((la.amortised for la in lines), Decimal(0)), scenario.fees,
                       scenario.taxes)
    return Budget(scenario.basis, staffing.districts, lines, counted, amortised)
