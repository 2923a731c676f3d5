"""A stored fixture day, and a plan of it made deterministically (solution limit + seed)."""

from __future__ import annotations

import copy
import shutil
from datetime import date

import pytest

from planner.plan.day import SolverSettings, plan_day
from tests.conftest import import_fixture_day, store_at
from tests.store_calls import in_store

DAY = date(2010, 8, 5)
DETERMINISTIC = SolverSettings(time_limit_s=120, seed=1, solution_limit=200)  # the clock never binds


@pytest.fixture(scope="session")
def _stored_day_template(tmp_path_factory):
    """The fixture day imported once per session (seconds of parsing and geocoding) into a
    SQLite file that each test copies, as the web tests copy their seeded store."""
    from planner.store import db

    path = tmp_path_factory.mktemp("stored-day") / "store.sqlite3"
    url = f"sqlite:///{path}"
    with store_at(url):
        import_fixture_day()
        db.engine_for(url).dispose()
    return path


@pytest.fixture
def stored_day(fixture_day, _stored_day_template, tmp_path):
    """The test's own store (tmp_path/store.sqlite3, see _isolated_store) holding the fixture day."""
    shutil.copyfile(_stored_day_template, tmp_path / "store.sqlite3")
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
