"""A stored fixture day, and a plan of it made deterministically (solution limit + seed)."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from planner.plan.day import SolverSettings, plan_day
from tests.conftest import import_fixture_day, store_at
from tests.store_calls import in_store

DAY = date(2010, 8, 5)
DETERMINISTIC = SolverSettings(time_limit_s=120, seed=1, solution_limit=200)  # the clock never binds


@pytest.fixture
def stored_day(fixture_day):
    import_fixture_day(fixture_day)
    return fixture_day


@pytest.fixture(scope="session")
def _fixture_plan(tmp_path_factory):
    """Planning takes seconds: plan the fixture day once per session in its own store."""
    with store_at(f"sqlite:///{tmp_path_factory.mktemp('plan') / 'store.sqlite3'}"):
        import_fixture_day()
        return in_store(plan_day, DAY, "南区", solver=DETERMINISTIC)


@pytest.fixture
def fixture_plan(_fixture_plan):
    return copy.deepcopy(_fixture_plan)
