"""A scenario, and the ways to get one: a built-in name, a file, YAML text, or another
scenario with some parameters changed.

A scenario is a YAML file a planner writes (see ``docs/cost_model.md`` and the
template written by ``cvp cost init``).  Its parts are in
:mod:`cost_model.scenario_parts`, the checking of each section in
:mod:`cost_model.scenario_sections`, parameter names in
:mod:`cost_model.scenario_params`.

Anything wrong with a file is reported as a :class:`ScenarioError` that names
the file, the line where known, the field and what is wrong, for every problem
found, never as a traceback.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

from cost_model import scenario_sections as sections
from cost_model import scenario_yaml
from cost_model.scenario_checker import ScenarioChecker
from cost_model.scenario_fields import FEE_FIELDS, TAX_FIELDS, TOP_FIELDS
from cost_model.scenario_params import set_param, shown
from cost_model.scenario_parts import (
    DemandParams,
    LineItem,
    Percentage,
    Satisfaction,
    ScenarioError,
    StaffingParams,
)
from planner.yamldoc import FieldProblem


@dataclass(frozen=True, eq=False)
class Scenario:
    """A checked scenario: its parameters, the data it was read from (which
    :meth:`with_values` and the planner page's form change) and the line of every field."""

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

        Names are those listed by :func:`cost_model.scenario_params.parameters`; the
        result is validated like a file, and errors name the file and the changed values.
        """
        items = list(values.items() if isinstance(values, Mapping) else values)
        raw = copy.deepcopy(self.raw)
        for name, value in items:
            set_param(raw, name, value, source=self.path)
        changed = ", ".join(f"{k} = {shown(v)}" for k, v in items)
        label = f"{self.path} (with {changed})" if items else self.path
        return parse(raw, label, default_name=self.name, marks=self.marks)


def parse(data: Any, source: str, *, default_name: str | None = None,
          marks: Mapping[tuple, int] | None = None) -> Scenario:
    """Validate already-loaded scenario data; raise :class:`ScenarioError` listing problems."""
    c = ScenarioChecker(marks or {})
    if data is None:
        raise ScenarioError(source, [FieldProblem("(top level)", "the file is empty")])
    top = c.mapping((), data, TOP_FIELDS, required=("demand", "staffing", "lines"))
    if top is None:
        raise ScenarioError(source, c.problems)
    name, title, source_note, notes, basis = sections.header(c, top, default_name)
    demand = sections.demand(c, top.get("demand"))
    staffing = sections.staffing(c, top.get("staffing"))
    ids = sections.Ids(c)
    lines = sections.lines(c, ids, top.get("lines"))
    fees = sections.percentages(c, ids, "fees", FEE_FIELDS, top.get("fees"))
    taxes = sections.percentages(c, ids, "taxes", TAX_FIELDS, top.get("taxes"))
    outcome = sections.satisfaction(c, top.get("outcome"))
    if c.problems:
        raise ScenarioError(source, c.problems)
    assert demand and staffing and basis
    return Scenario(
        name=name, title=title, source_note=source_note, notes=notes, path=source, basis=basis,
        demand=demand, staffing=staffing, lines=tuple(lines), fees=tuple(fees),
        taxes=tuple(taxes), outcome=outcome, raw=data, marks=dict(marks or {}),
    )


def loads(text: str, source: str = "<scenario>", name: str | None = None) -> Scenario:
    """Parse and validate scenario YAML text; ``source`` names it in errors."""
    data, marks = scenario_yaml.read(text, source)
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
