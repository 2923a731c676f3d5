"""Every command that applies rules takes them from ``cvp --rules FILE`` (or ``CVP_RULES``)."""

from __future__ import annotations

import re

import pytest

from planner.cli import main
from planner.triage.rules import DEFAULT_RULES

DAY = ["--date", "2010-08-05", "--district", "南区"]


@pytest.fixture
def broken(tmp_path):
    """The shipped rules with one wrong value, and the line it is on."""
    text = DEFAULT_RULES.read_text(encoding="utf-8").replace("  break_minutes: 60", "  break_minutes: 0", 1)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if re.match(r"  break_minutes: 0", t))
    return path, f"rules file {path}: line {line}: field day.break_minutes: must be a positive whole number"


@pytest.mark.parametrize("args", [
    ["info"],
    ["triage", *DAY],
    ["plan", *DAY, "--no-outputs"],
    ["cost", "simulate", "--district", "南区", "--days", "1"],
], ids=lambda a: " ".join(a[:2]))
def test_each_command_applies_the_rules_of_rules(broken, fixture_day, capsys, args):
    path, message = broken
    assert main(["--rules", str(path), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_import_applies_the_rules_of_cvp_rules(broken, fixture_day, capsys, monkeypatch):
    path, message = broken
    monkeypatch.setenv("CVP_RULES", str(path))
    assert main(["import", str(fixture_day / "staff.csv")]) == 2
    assert message in capsys.readouterr().err
