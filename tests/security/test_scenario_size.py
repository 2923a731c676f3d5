"""A cost scenario's text is bounded to what a scenario can need.

The YAML bounds of :mod:`planner.safeyaml` (1 MB, 100,000 values) are a rules file's.
A scenario needs a few KB, yet a planner's 600 KB scenario holding a list of 99,000
values took 21 s to read, and the planner page reads each of its four scenarios two
or three times: minutes of CPU for one request.  A scenario now has at most
``MAX_SCENARIO_CHARS`` characters and ``MAX_SCENARIO_VALUES`` values, on the page,
the API, saving and ``cvp cost``; an account holds at most ``MAX_PER_OWNER`` saved ones.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from cost_model import bounds
from cost_model import scenario as scenario_mod
from planner.errors import UserError
from planner.store import scenarios as saved
from planner.store.db import session_scope
from planner.store.models import ScenarioRow
from tests.web.conftest import Client

BASE = scenario_mod.builtin_text("xian-2010-recommended")
MANY_VALUES = BASE + "\nnotes:\n" + "  - 1\n" * (bounds.MAX_SCENARIO_VALUES + 1)
LONG = BASE + "\n# " + "x" * bounds.MAX_SCENARIO_CHARS + "\n"


def _api(client: Client, text: str):
    return client.http.post("/api/cost/run", json={"yaml": text}, headers={"X-CSRF-Token": client.csrf})


def test_the_api_refuses_a_scenario_with_too_many_values_or_characters(app, seeded):
    planner = Client(app, "plan")
    r = _api(planner, MANY_VALUES)
    assert r.status_code == 422
    assert f"more than {bounds.MAX_SCENARIO_VALUES} values" in r.get_json()["error"]["message"]
    r = _api(planner, LONG)
    assert r.status_code == 422
    assert f"at most {bounds.MAX_SCENARIO_CHARS}" in r.get_json()["error"]["message"]
    assert _api(planner, BASE).status_code == 200


def test_the_page_refuses_it_and_nothing_is_saved(app, seeded):
    planner = Client(app, "plan")
    r = planner.post("/planner/run", data={"yaml1": MANY_VALUES})
    assert r.status_code == 422
    r = planner.post("/planner/scenarios", data={"yaml1": MANY_VALUES, "save_name1": "big", "slot": "1"})
    assert r.status_code == 422
    with session_scope() as s:
        assert saved.get_scenario(s, "big", saved.Viewer("plan")) is None


def test_a_rules_file_keeps_its_own_larger_bound():
    from planner import safeyaml

    assert safeyaml.SafeLoader.max_nodes > bounds.MAX_SCENARIO_VALUES
    assert len(safeyaml.load("notes:\n" + "  - 1\n" * (bounds.MAX_SCENARIO_VALUES + 1))["notes"]) == (
        bounds.MAX_SCENARIO_VALUES + 1)


def test_an_account_holds_a_bounded_number_of_saved_scenarios(store_url):
    """Saving under ever new names is refused past ``MAX_PER_OWNER`` (SQLite and
    PostgreSQL); saving over one's own of the same name, and other accounts, still work."""
    from web.cost import parse_saved as parse

    with session_scope(store_url) as s:
        s.add_all([ScenarioRow(owner="plan", name=f"s{i}", yaml_text=BASE, author="plan",
                               updated_at=datetime.now(timezone.utc),
                               shared=False) for i in range(saved.MAX_PER_OWNER)])
    with pytest.raises(UserError, match=f"at most {saved.MAX_PER_OWNER}"):
        with session_scope(store_url) as s:
            saved.save_scenario(s, "one more", BASE, "plan", validate=parse)
    with session_scope(store_url) as s:
        saved.save_scenario(s, "s0", BASE, "plan", validate=parse)  # replaces its own
        saved.save_scenario(s, "one more", BASE, "admin", validate=parse)  # another account
    with session_scope(store_url) as s:
        assert saved.get_scenario(s, "one more", saved.Viewer("plan")) is None
