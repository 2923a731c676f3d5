"""Saved cost scenarios belong to the planner who saved them (issue #11, F6).

Scenarios used to be keyed by name alone: a second planner saving ``pl-private`` took
over the first planner's row, could delete it, and every planner saw and loaded every
saved scenario.  Now the name is unique per owner; only the owner lists, loads, changes
and deletes a scenario; an owner may share one read-only with every planner; an admin
sees all.  Each rule is shown on SQLite and PostgreSQL (``store_url``), through the
pages and the API as a planner would use them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cost_model.scenario import builtin_text
from planner.store import accounts
from planner.store.db import session_scope
from planner.store.models import ScenarioRow
from tests.web.conftest import PASSWORD, Client

MINE = builtin_text("xian-2010-recommended").replace("districts: 4", "districts: 5")
THEIRS = builtin_text("xian-2010-recommended").replace("districts: 4", "districts: 7")


@pytest.fixture
def clients(store_app, store_url):
    """``plan`` and a second planner ``pl2``, and the admin, signed in on the same store."""
    with session_scope(store_url) as s:
        accounts.add_user(s, "pl2", PASSWORD, "planner")
    return {who: Client(store_app, who) for who in ("plan", "pl2", "admin")}


def _save(client, name: str, text: str, share: bool = False):
    form = {"yaml1": text, "save_name1": name, "slot": "1"}
    if share:
        form["share1"] = "on"
    return client.post("/planner/scenarios", form)


def _rows(url: str) -> list[tuple[str, str, str]]:
    with session_scope(url) as s:
        return sorted((r.owner, r.name, r.yaml_text) for r in s.scalars(select(ScenarioRow)))


def test_another_planner_cannot_overwrite_delete_or_load(clients, store_url):
    plan, pl2 = clients["plan"], clients["pl2"]
    assert _save(plan, "pl-private", MINE).status_code == 302
    # the same name saved by pl2 is pl2's own scenario, beside plan's, not over it
    assert _save(pl2, "pl-private", THEIRS).status_code == 302
    assert _rows(store_url) == [("pl2", "pl-private", THEIRS), ("plan", "pl-private", MINE)]
    # pl2's delete removes pl2's own; plan's stays, and asking again by plan's name finds nothing
    pl2.post("/planner/scenarios/delete", {"name": "pl-private"})
    pl2.post("/planner/scenarios/delete", {"name": "plan/pl-private"})
    assert _rows(store_url) == [("plan", "pl-private", MINE)]
    # pl2 neither sees it listed nor loads it, by either name
    pl2.get("/planner/")  # shows (and so clears) the flashed "saved"/"deleted" messages
    page = pl2.get("/planner/").get_data(as_text=True)
    assert "pl-private" not in page
    for ref in ("pl-private", "plan/pl-private"):
        loaded = pl2.get(f"/planner/?s1={ref}").get_data(as_text=True)
        assert "districts: 5" not in loaded and "no scenario" in loaded
    # nor through the API
    token = _token(store_url, "pl2")
    r = store_app_client(clients).post("/api/cost/run", json={"scenario": "plan/pl-private"},
                                       headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422 and "no scenario" in r.get_json()["error"]["message"]


def test_own_save_load_and_delete_work(clients, store_url):
    plan = clients["plan"]
    assert _save(plan, "mine", MINE).status_code == 302
    assert _save(plan, "mine", MINE.replace("districts: 5", "districts: 6")).status_code == 302  # replaces own
    assert _rows(store_url) == [("plan", "mine", MINE.replace("districts: 5", "districts: 6"))]
    assert "districts: 6" in plan.get("/planner/?s1=mine").get_data(as_text=True)
    r = store_app_client(clients).post("/api/cost/run", json={"scenario": "mine"},
                                       headers={"Authorization": f"Bearer {_token(store_url, 'plan')}"})
    assert r.status_code == 200
    plan.post("/planner/scenarios/delete", {"name": "mine"})
    assert _rows(store_url) == []


def test_a_shared_scenario_is_read_only_for_other_planners(clients, store_url):
    plan, pl2 = clients["plan"], clients["pl2"]
    assert _save(plan, "published", MINE, share=True).status_code == 302
    page = pl2.get("/planner/").get_data(as_text=True)
    assert 'value="plan/published"' in page  # listed under its owner's name
    assert "districts: 5" in pl2.get("/planner/?s1=plan/published").get_data(as_text=True)
    # pl2 may not delete it (403, the page says why) ...
    r = pl2.post("/planner/scenarios/delete", {"name": "plan/published"})
    assert r.status_code == 403 and "只有其所有者可以修改或删除" in r.get_data(as_text=True)
    # ... and saving under that name makes pl2's own copy, leaving plan's as it was
    assert _save(pl2, "published", THEIRS).status_code == 302
    assert _rows(store_url) == [("plan", "published", MINE), ("pl2", "published", THEIRS)][::-1]
    # the owner un-shares it by saving without the box: pl2 no longer sees it
    assert _save(plan, "published", MINE).status_code == 302
    assert "districts: 5" not in pl2.get("/planner/?s1=plan/published").get_data(as_text=True)


def test_an_admin_sees_and_may_delete_every_scenario(clients, store_url):
    assert _save(clients["plan"], "pl-private", MINE).status_code == 302
    admin = clients["admin"]
    assert 'value="plan/pl-private"' in admin.get("/planner/").get_data(as_text=True)
    assert "districts: 5" in admin.get("/planner/?s1=plan/pl-private").get_data(as_text=True)
    admin.post("/planner/scenarios/delete", {"name": "plan/pl-private"})
    assert _rows(store_url) == []


def _token(url: str, who: str) -> str:
    with session_scope(url) as s:
        return accounts.issue_token(s, who)


def store_app_client(clients):
    return clients["plan"].app.test_client()


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_migration_gives_existing_scenarios_their_author_as_owner(store, tmp_path, request):
    """A store saved before 0010 keeps its scenarios, each owned by the account that saved
    it; a name that two owners later both use survives a downgrade as one row."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from planner.store import db

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}" if store == "sqlite" else request.getfixturevalue("fresh_postgres")
    engine = create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))

    def migrate(step, target):
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            step(cfg, target)

    migrate(command.upgrade, "0009")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO cost_scenarios (name, yaml_text, author, updated_at) VALUES "
                          "('pl-private', 'a', 'plan', '2026-12-01 08:00:00'), "
                          "('other', 'b', 'pl2', '2026-12-01 09:00:00')"))
    migrate(command.upgrade, "head")
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT owner, name, yaml_text, shared FROM cost_scenarios ORDER BY name")).all()
        assert [tuple(r) for r in rows] == [("pl2", "other", "b", False), ("plan", "pl-private", "a", False)]
        conn.execute(text("INSERT INTO cost_scenarios (owner, name, yaml_text, author, updated_at, shared) "
                          "VALUES ('pl2', 'pl-private', 'c', 'pl2', '2026-12-02 08:00:00', false)"))
    migrate(command.downgrade, "0009")
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT name, yaml_text FROM cost_scenarios ORDER BY name")).all()
        assert [tuple(r) for r in rows] == [("other", "b"), ("pl-private", "c")]
    migrate(command.upgrade, "head")
    engine.dispose()
