"""YAML files written by people, checked field by field with the line of each field.

The rules file (``planner/triage/rules.yaml``) and the cost scenarios
(``cost_model/scenarios``) are both edited by hand and both must answer a mistake
with *where* it is: ``line 27: field day.break_minutes: must be more than 0``,
never a traceback and never the first problem only.  This module is the part they
share:

* :func:`read` parses the text with the bounded loader of :mod:`planner.safeyaml`
  and records the line of every field (and the keys given twice, which YAML would
  silently drop);
* :class:`FieldProblem` is one thing wrong with one field;
* :class:`Checker` collects problems while a loader walks the data, each with the
  line of the field (or of its nearest parent when the field is missing).

Each loader keeps its own vocabulary (fields, numbers as ``Decimal`` for money or
plain numbers for minutes) and its own error class.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import yaml

from planner import safeyaml

Path = tuple  # a field's place in the data: ("day", "shift_start"), ("gift", "groups", 0, "when")


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field of a file."""

    field: str
    reason: str
    line: int | None = None

    def render(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        return f"{where}: {self.field}: {self.reason}"


def fmt(path: Path) -> str:
    """``("gift", "groups", 0, "when")`` → ``gift.groups[0].when``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def marks_of(text: str, loader: type[safeyaml.SafeLoader] = safeyaml.SafeLoader
             ) -> tuple[dict[Path, int], list[FieldProblem]]:
    """The 1-based line of every field, and the keys given twice (YAML keeps the last)."""
    try:
        root = safeyaml.compose(text, loader=loader)
    except yaml.YAMLError:
        return {}, []
    return _marks_of_nodes(root)


def _marks_of_nodes(root: yaml.Node | None) -> tuple[dict[Path, int], list[FieldProblem]]:
    marks: dict[Path, int] = {}
    dups: list[FieldProblem] = []

    def walk(node: yaml.Node, path: Path) -> None:
        marks[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                k = key.value if isinstance(key, yaml.ScalarNode) else str(key)
                if k in seen:
                    dups.append(FieldProblem(fmt(path + (k,)), "given twice; keep one", key.start_mark.line + 1))
                seen.add(k)
                walk(value, path + (k,))
                marks[path + (k,)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))

    if root is not None:
        walk(root, ())
    return marks, dups


def read(text: str, loader: type[safeyaml.SafeLoader] = safeyaml.SafeLoader
         ) -> tuple[Any, dict[Path, int], list[FieldProblem]]:
    """``(data, marks, duplicate keys)`` of one document.

    A syntax error (or a refusal of :mod:`planner.safeyaml`: aliases, size, depth)
    is raised as the :class:`yaml.YAMLError` it is; :func:`planner.safeyaml.describe`
    words it with its line."""
    data, root = safeyaml.load_with_nodes(text, loader)
    marks, dups = _marks_of_nodes(root)
    return data, marks, dups


def describe(value: Any) -> str:
    """What a wrong value is, in words (never expanded: long text is cut short)."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, str):
        return f"the text {short(value)!r}"
    return short(repr(value))


def short(value: Any) -> str:
    """A value as the user wrote it, cut short (never expanded)."""
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


class Checker:
    """Collects the problems of one file while its loader walks the data."""

    def __init__(self, marks: Mapping[Path, int]):
        self.marks = marks
        self.problems: list[FieldProblem] = []

    def line(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest parent that the file has."""
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path)

    def add(self, path: Path, reason: str) -> None:
        problem = FieldProblem(fmt(path), reason, self.line(path))
        if problem not in self.problems:  # a missing section is reported once, not per field read from it
            self.problems.append(problem)

    def mapping(self, path: Path, value: Any, fields: Mapping[str, str] | None = None,
                required: Iterable[str] = ()) -> dict | None:
        """``value`` if it is a mapping; with ``fields``, an unknown key is a problem too
        (with the closest known name), and each ``required`` key must have a value."""
        if not isinstance(value, dict):
            known = f" ({', '.join(fields)})" if fields else ""
            self.add(path, f"must be a mapping of fields{known}, got {describe(value)}")
            return None
        if fields is not None:
            for key in value:
                if isinstance(key, bool) or key is None:
                    self.add(path + (str(key).lower(),),
                             "unknown field (YAML reads on/off/yes/no/null as values: quote the name)")
                elif key not in fields:
                    close = difflib.get_close_matches(str(key), list(fields), n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else f"; known fields: {', '.join(fields)}"
                    self.add(path + (key,), f"unknown field{hint}")
            for key in required:
                if value.get(key) is None:
                    self.add(path + (key,), f"missing required value ({fields[key]})")
        return value

    def text(self, path: Path, value: Any, *, required: bool = False) -> str | None:
        if value is None:
            if required:
                self.add(path, "missing required value")
            return None
        if isinstance(value, (dict, list)):
            self.add(path, f"must be text, got {describe(value)}")
            return None
        return str(value)

    def choice(self, path: Path, value: Any, options: tuple[str, ...], default: str) -> str | None:
        if value is None:
            return default
        norm = str(value).strip().replace("-", "_").lower()
        if norm not in options:
            self.add(path, f"must be one of {', '.join(options)}, got {describe(value)}")
            return None
        return norm
