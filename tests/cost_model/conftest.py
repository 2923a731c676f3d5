"""Shared helpers for the cost_model tests."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable

import pytest

from cost_model import scenario
from cost_model.model import Evaluation, evaluate

RECOMMENDED = "xian-2010-recommended"
VENDOR = "xian-2010-vendor-quote"


@pytest.fixture(scope="session")
def recommended() -> Evaluation:
    return evaluate(scenario.load(RECOMMENDED))


@pytest.fixture(scope="session")
def vendor() -> Evaluation:
    return evaluate(scenario.load(VENDOR))


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write dedented YAML text to a file in tmp_path and return its path."""

    def write(text: str, name: str = "my.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def minimal_yaml() -> str:
    """A small valid scenario (dedented), to break one field at a time."""
    return textwrap.dedent(MINIMAL)


MINIMAL = """\
    demand:
      daily_visits: 23
      visits_per_person_per_day: 6
    staffing:
      followup_per_district: 2
      districts: 4
      support_staff: 3
    lines:
      - item: labour
        unit_price: 2000
        quantity: total_staff
    fees:
      - item: management fee
        percent: 20
    """
