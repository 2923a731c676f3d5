"""The number of NAME=VALUE changes in one cost run is bounded, on every path.

Each change is parsed as YAML on its own.  A planner's form field (up to 1 MB) of
``daily_visits=23`` lines, four scenarios on the form, or the API's ``set`` object
with tens of thousands of keys, was hundreds of thousands of parses: minutes of
CPU for one request.  A scenario has a few dozen parameters, so more than
``cost_model.bounds.MAX_SETS`` changes is refused before any is parsed.
"""

from __future__ import annotations

import pytest

from cost_model import bounds
from cost_model import scenario as scenario_mod
from tests.security.helpers import run_cvp
from tests.web.conftest import Client

TOO_MANY = bounds.MAX_SETS + 1


def test_the_planner_form_refuses_too_many_changes(app, seeded):
    planner = Client(app, "plan")
    text = scenario_mod.builtin_text("xian-2010-recommended")
    r = planner.post("/planner/run", data={"yaml1": text, "sets1": "\n".join(["daily_visits=23"] * TOO_MANY)})
    assert r.status_code == 422
    assert f"at most {bounds.MAX_SETS}" in r.get_data(as_text=True)
    # as many as allowed still run
    r = planner.post("/planner/run", data={"yaml1": text, "sets1": "\n".join(["daily_visits=23"] * bounds.MAX_SETS)})
    assert r.status_code == 200


def test_the_api_refuses_too_many_changes(app, seeded):
    planner = Client(app, "plan")
    sets = {f"daily_visits.{i}": 23 for i in range(TOO_MANY)}  # refused by their number before any is looked up
    r = planner.http.post("/api/cost/run", json={"scenario": "xian-2010-recommended", "set": sets},
                          headers={"X-CSRF-Token": planner.csrf})
    assert r.status_code == 422
    assert f"at most {bounds.MAX_SETS}" in r.get_json()["error"]["message"]


@pytest.mark.slow
def test_the_command_line_refuses_too_many_changes():
    args = [a for _ in range(TOO_MANY) for a in ("--set", "daily_visits=23")]
    done = run_cvp("cost", "run", "xian-2010-recommended", *args, timeout=60)
    assert done.code != 0
    assert f"at most {bounds.MAX_SETS}" in done.err
    assert "Traceback" not in done.err
