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
    "planner/triage": ("planner.store", "planner.cases", "sqlalchemy"),
    "planner/cases/lifecycle.py": ("planner.store", "sqlalchemy", "planner.plan", "planner.triage"),
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


def _module_graph() -> dict[str, set[str]]:
    """Which of the product's modules each module imports at run time (imports inside
    functions included, ``if TYPE_CHECKING:`` blocks left out: they never run)."""
    modules: dict[str, Path] = {}
    for package in ("planner", "web", "cost_model"):
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                       and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
        found = set()
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    found.add(target if target in modules else node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def test_no_module_imports_one_that_imports_it_back():
    """No import cycles: each concept can be read (and changed) from its module down.  The
    one allowed is click's registration: ``planner.cli`` imports its command modules so they
    add their commands to the ``cvp`` group they import."""
    graph = _module_graph()
    index: dict[str, int] = {}
    cycles: list[list[str]] = []

    def strongly_connected(start: str) -> None:  # Tarjan's algorithm, iteratively
        low: dict[str, int] = {}
        stack: list[str] = []
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    members.append(member)
                    if member == node:
                        break
                if len(members) > 1:
                    cycles.append(sorted(members))

    for module in sorted(graph):
        if module not in index:
            strongly_connected(module)
    wrong = [c for c in cycles if not all(m == "planner.cli" or m.startswith("planner.cli.") for m in c)]
    assert not wrong, "modules that import each other:\n" + "\n".join(" ↔ ".join(c) for c in wrong)
