"""The map `cvp plan` writes is the map `cvp map` and the web app make of the same plan:
each visit's reasons counted from the complaint history ("第3次投诉"), not just
"repeat complainant"."""

from __future__ import annotations

import re

import pytest

from planner.cli import main
from tests.conftest import import_fixture_day
from tests.outputs.maps.test_map_html import json_strings

NTH = re.compile(r"第(\d+)次投诉")


@pytest.fixture
def planned(tmp_path, capsys):
    """`cvp plan` of the fixture day with all its outputs (sheets, map, export)."""
    import_fixture_day()
    out = tmp_path / "plan"
    assert main(["plan", "--date", "2010-08-05", "--district", "南区", "--out", str(out),
                 "--seed", "1", "--solution-limit", "60", "--time-limit", "30"]) == 0
    capsys.readouterr()
    return out


def nth_complaints(html: str) -> list[str]:
    """The "nth complaint" reasons the map's popups show, in page order."""
    return [m.group(0) for popup in json_strings(html) for m in NTH.finditer(popup)]


def test_cvp_plan_cvp_map_and_the_web_app_make_one_map_with_the_nth_complaint_reasons(planned, tmp_path):
    from planner.cli.plan_cmd import read_plan
    from planner.store.db import session_scope
    from planner.triage import load_rules
    from web.downloads import map_html

    written = (planned / "map.html").read_text(encoding="utf-8")
    assert main(["map", str(planned / "plan.json"), "--out", str(tmp_path / "again.html")]) == 0
    again = (tmp_path / "again.html").read_text(encoding="utf-8")
    reasons = nth_complaints(again)
    assert reasons and any(int(NTH.match(r).group(1)) >= 2 for r in reasons)  # the fixture day has repeat callers
    assert nth_complaints(written) == reasons
    assert json_strings(written) == json_strings(again)
    with session_scope() as session:
        web = map_html(session, read_plan(str(planned / "plan.json")), "zh", load_rules())
    assert json_strings(web) == json_strings(again)
