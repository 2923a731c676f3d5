"""What each part may import (docs/architecture.md): the flow runs one way, so a part never
reaches up into what is built on it.  Read from the source with ``ast``, imports inside
functions included, so a lazy import cannot get round it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: package (a folder under the repository) -> top-level names it must never import
FORBIDDEN = {
    "planner/store": ("cost_model", "web", "flask", "planner.triage", "planner.routing", "planner.plan",
                      "planner.sheets", "planner.maps", "planner.cases.lifecycle"),
    "planner/routing": ("planner.store", "cost_model", "web", "flask", "sqlalchemy"),
    "planner/check.py": ("planner.routing", "planner.store", "web", "flask"),
    "planner": ("web", "flask"),
    "cost_model": ("web", "flask", "werkzeug"),
}
#: the shells: the command line starts the web app (``cvp serve``), so it is not held to ``planner``'s rule
SHELLS = ("planner/cli",)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _files(part: str) -> list[Path]:
    target = ROOT / part
    if target.suffix == ".py":
        return [target]
    return [p for p in sorted(target.rglob("*.py"))
            if not any(p.is_relative_to(ROOT / shell) for shell in SHELLS if shell != part)]


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_a_part_never_imports_what_is_built_on_it(part):
    files = _files(part)
    assert files, f"{part} has no Python files: is the layer table out of date?"
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {name}"
             for path in files for line, name in _imports(path)
             for banned in FORBIDDEN[part] if name == banned or name.startswith(banned + ".")]
    assert not wrong, "\n".join(wrong)
