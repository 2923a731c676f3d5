"""Reading a scenario's YAML text: bounded, with exact decimals and the line of every field.

The loader is also what reads a ``--set NAME=VALUE`` value and what the planner page's
form edits, so a number means the same wherever it is typed.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from cost_model import bounds
from cost_model.scenario_parts import ScenarioError
from planner import safeyaml, yamldoc
from planner.yamldoc import FieldProblem


class Loader(safeyaml.SafeLoader):
    """The bounded SafeLoader (no aliases; see :mod:`planner.safeyaml`) reading decimals
    exactly (``0.8`` → ``Decimal('0.8')``)."""

    # a scenario is a few KB with a few hundred values (the shipped ones: 3.4 KB); a
    # planner's 600 KB list of 99,000 values took 21 s to read, several times a request
    max_bytes = bounds.MAX_SCENARIO_CHARS
    max_nodes = bounds.MAX_SCENARIO_VALUES


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return yaml.SafeLoader.construct_yaml_float(loader, node)
    return value if value.is_finite() else float("nan")


Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def marks(text: str) -> tuple[dict[tuple, int], list[FieldProblem]]:
    """Line number of every field, and duplicate keys (which YAML silently drops)."""
    return yamldoc.marks_of(text, Loader)


def read(text: str, source: str) -> tuple[Any, dict[tuple, int]]:
    """``(data, line of every field)``; a syntax error or a key given twice is a
    :class:`ScenarioError` naming ``source``."""
    try:
        data, lines, dups = yamldoc.read(text, Loader)
    except yaml.YAMLError as exc:
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(source, [FieldProblem("(syntax)", f"not valid YAML: {what}",
                                                  safeyaml.line_of(exc))]) from None
    if dups:
        raise ScenarioError(source, dups)
    return data, lines
