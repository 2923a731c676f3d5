"""A stored fixture day, and a plan of it made deterministically (solution limit + seed)."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from planner.plan.day import SolverSettings, plan_day
from planner.workflow import import_file

DAY = date(2010, 8, 5)
DETERMINISTIC = SolverSettings(time_limit_s=30, seed=1, solution_limit=200)


@pytest.fixture
def stored_day(fixture_day):
    import_file(fixture_day / "history.csv", history=True)
    import_file(fixture_day / "tickets.csv", gazetteer=fixture_day / "gazetteer.csv")
    import_file(fixture_day / "staff.csv")
    import_file(fixture_day / "network.csv")
    return fixture_day


@pytest.fixture(scope="session")
def _fixture_plan(tmp_path_factory):
    """Planning takes seconds: plan the fixture day once per session in its own store."""
    import os

    from planner.store import db
    from tests.conftest import FIXTURE_DAY

    url = f"sqlite:///{tmp_path_factory.mktemp('plan') / 'store.sqlite3'}"
    old = os.environ.get("CVP_DATABASE_URL")
    os.environ["CVP_DATABASE_URL"] = url
    try:
        import_file(FIXTURE_DAY / "history.csv", history=True)
        import_file(FIXTURE_DAY / "tickets.csv", gazetteer=FIXTURE_DAY / "gazetteer.csv")
        import_file(FIXTURE_DAY / "staff.csv")
        import_file(FIXTURE_DAY / "network.csv")
        return plan_day(DAY, "南区", solver=DETERMINISTIC)
    finally:
        if old is None:
            os.environ.pop("CVP_DATABASE_URL", None)
        else:
            os.environ["CVP_DATABASE_URL"] = old
        db.engine_for.cache_clear()


@pytest.fixture
def fixture_plan(_fixture_plan):
    return copy.deepcopy(_fixture_plan)
