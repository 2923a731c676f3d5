"""The documentation covers every command, option and setting, in Datasette's manner
(its tests/test_docs.py): the tests walk the code, so a new `cvp` command or option, or a
new `CVP_*` variable, fails here until it is documented."""

from __future__ import annotations

import re

import pytest

from planner.cli.reference import DOC, commands, option_names, reference
from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SETTINGS = ROOT / "docs" / "settings.md"
CODE = ("planner", "web", "cost_model")
VARIABLE = re.compile(r"\bCVP_[A-Z][A-Z0-9_]*")

COMMANDS = list(commands())


def sections(text: str) -> dict[str, str]:
    """docs/cli.md's ``## heading`` → the text under it."""
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


@pytest.fixture(scope="module")
def cli_doc() -> dict[str, str]:
    return sections(DOC.read_text(encoding="utf-8"))


def test_the_command_tree_is_walked_whole():
    paths = {path for path, _, _ in COMMANDS}
    # the lazily loaded cost group and the nested groups are reached
    assert {"cvp", "cvp plan", "cvp replan", "cvp cost simulate", "cvp users passwd", "cvp bench vrptw",
            "cvp outcomes close"} <= paths
    assert len(paths) == len(COMMANDS) >= 30


@pytest.mark.parametrize("path", [path for path, _, _ in COMMANDS])
def test_every_command_has_a_section_in_the_cli_reference(cli_doc, path):
    assert path in cli_doc, f"docs/cli.md has no '## {path}': run python -m planner.cli.reference"


@pytest.mark.parametrize("path, option", [(path, option) for path, cmd, _ in COMMANDS
                                          for option in option_names(cmd)])
def test_every_option_is_documented_under_its_command(cli_doc, path, option):
    section = cli_doc.get(path, "")
    assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", section), \
        f"docs/cli.md '## {path}' does not mention {option}: run python -m planner.cli.reference"


def test_the_cli_reference_is_what_the_commands_say_now():
    """docs/cli.md is each command's --help as it is today (help texts and defaults too)."""
    assert DOC.read_text(encoding="utf-8") == reference(), \
        "docs/cli.md is out of date: run python -m planner.cli.reference"


def test_every_command_is_named_in_the_readme_or_the_guides():
    """The reference lists everything; each top-level command is also explained in prose."""
    prose = "\n".join(p.read_text(encoding="utf-8") for p in DOCS if p != DOC)
    top = {path.split()[1] for path, _, _ in COMMANDS if len(path.split()) == 2}
    missing = sorted(c for c in top if f"cvp {c}" not in prose)
    assert not missing, f"commands never explained outside docs/cli.md: {missing}"


def read_variables() -> dict[str, list[str]]:
    """Every ``CVP_*`` name in the product's code → the files that mention it."""
    found: dict[str, list[str]] = {}
    for package in CODE:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix in (".py", ".yaml", ".yml", ".html", ".js") and path.is_file():
                for name in set(VARIABLE.findall(path.read_text(encoding="utf-8", errors="replace"))):
                    found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


def test_the_code_reads_the_variables_this_test_looks_for():
    found = read_variables()
    assert {"CVP_DATABASE_URL", "CVP_RULES", "CVP_URL_BASE", "CVP_TILES", "CVP_SECRET_KEY"} <= set(found)


@pytest.mark.parametrize("name", sorted(read_variables()))
def test_every_variable_is_in_the_settings_table(name):
    rows = [line for line in SETTINGS.read_text(encoding="utf-8").splitlines() if line.startswith(f"| `{name}` |")]
    assert len(rows) == 1, f"docs/settings.md has no row for {name} (read in {', '.join(read_variables()[name])})"
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert len(cells) == 4 and all(cells), f"{name}: the row needs who reads it, the default and what it sets"
