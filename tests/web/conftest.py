"""Web app fixtures: a seeded store (the fixture day, one account per role) built once per
session and copied for each test, an app on it, and signed-in test clients."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_DAY
from tests.store_calls import in_store

DAY = date(2010, 8, 5)
DISTRICT = "南区"
PASSWORD = "correct-horse-42"
#: short and reproducible (seed + solution limit), as the routing tests do
TEST_SOLVER = {"time_limit_s": 10.0, "seed": 1, "solution_limit": 20}
ACCOUNTS = {
    "disp": ("dispatcher", None, DISTRICT),
    "disp_north": ("dispatcher", None, "北区"),
    "f1": ("field", "S1", None),
    "f2": ("field", "S2", None),
    "plan": ("planner", None, None),
    "fu": ("followup", None, DISTRICT),
    "admin": ("admin", None, None),
}


def _seed(url: str) -> None:
    from planner.store import accounts
    from planner.store.db import session_scope
    from planner.workflow import import_file

    in_store(import_file, FIXTURE_DAY / "history.csv", history=True, database=url)
    in_store(import_file, FIXTURE_DAY / "tickets.csv", gazetteer=FIXTURE_DAY / "gazetteer.csv", database=url)
    in_store(import_file, FIXTURE_DAY / "staff.csv", database=url)
    in_store(import_file, FIXTURE_DAY / "network.csv", database=url)
    with session_scope(url) as s:
        for name, (role, staff, district) in ACCOUNTS.items():
            accounts.add_user(s, name, PASSWORD, role, staff_id=staff, district=district)


def _template(tmp_path_factory, name: str, plan: bool) -> Path:
    from planner.store import db

    path = tmp_path_factory.mktemp(name) / "store.sqlite3"
    url = f"sqlite:///{path}"
    _seed(url)
    if plan:
        from planner.plan.day import SolverSettings, plan_day
        from planner.store import repository as repo

        in_store(plan_day, DAY, DISTRICT, solver=SolverSettings(**TEST_SOLVER), author="disp", database=url)
        with db.session_scope(url) as s:
            repo.publish_plan(s, DAY, DISTRICT, 1)
    db.engine_for(url).dispose()
    db.engine_for.cache_clear()
    return path


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Path:
    return _template(tmp_path_factory, "seeded", plan=False)


@pytest.fixture(scope="session")
def planned_template(tmp_path_factory) -> Path:
    """Seeded, and version 1 of the fixture day planned and published."""
    return _template(tmp_path_factory, "planned", plan=True)


def _copy_store(template: Path, tmp_path: Path) -> None:
    # the autouse _isolated_store fixture points CVP_DATABASE_URL at tmp_path/store.sqlite3
    shutil.copyfile(template, tmp_path / "store.sqlite3")


@pytest.fixture
def seeded(seeded_template, tmp_path):
    _copy_store(seeded_template, tmp_path)


@pytest.fixture
def planned(planned_template, tmp_path):
    _copy_store(planned_template, tmp_path)


def make_app(tmp_path: Path, **overrides):
    from web.app import create_app

    config = {"SECRET_KEY": "test-secret", "TESTING": True, "WORK_DIR": str(tmp_path / "web"),
              "JOB_EXECUTOR": "inline", "SOLVER": dict(TEST_SOLVER), "PRERENDER_SHEETS": False,
              "URL_BASE": "http://cvp.test"}
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


class Client:
    """A test client that signs in and sends the CSRF token with every POST."""

    def __init__(self, app, username: str | None = None):
        self.app = app
        self.http = app.test_client()
        self.username = username
        if username:
            self.login(username)

    @property
    def csrf(self) -> str:
        with self.http.session_transaction() as s:
            return s.get("csrf", "")

    def login(self, username: str, password: str = PASSWORD):
        self.http.get("/login")
        return self.http.post("/login", data={"username": username, "password": password, "csrf_token": self.csrf})

    def get(self, url: str, **kw):
        return self.http.get(url, **kw)

    def post(self, url: str, data=None, csrf: bool = True, **kw):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf)
        return self.http.post(url, data=data, **kw)


@pytest.fixture
def client_for(app):
    def make(username: str | None = None) -> Client:
        return Client(app, username)
    return make


def text_of(response) -> str:
    """The page's visible text, roughly (tags removed), for assertions."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
