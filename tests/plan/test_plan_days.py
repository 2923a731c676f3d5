"""Several districts of one day planned side by side (`cvp plan --district A --district B`)."""

from __future__ import annotations

import json

import pytest

from planner.check import check_plan
from planner.cli import main
from planner.plan.day import plan_day, plan_days
from planner.workflow import import_file
from tests.conftest import import_fixture_day
from tests.plan.conftest import DAY, DETERMINISTIC

FILES = ("history.csv", "tickets.csv", "staff.csv")


@pytest.fixture
def two_districts(fixture_day, tmp_path):
    """The fixture's 南区 and a 东区 made from it: same streets, its own tickets and staff."""
    import_fixture_day(fixture_day)
    east = tmp_path / "east"
    east.mkdir()
    for name in FILES:
        raw = (fixture_day / name).read_bytes()
        text = raw.decode("gb18030") if name == "tickets.csv" else raw.decode("utf-8-sig")
        for a, b in (("南区", "东区"), ("XA-NQ-", "XA-DQ-"), (",S", ",N"), ("\nS", "\nN")):
            text = text.replace(a, b)
        (east / name).write_text(text, encoding="utf-8")
    import_file(east / "history.csv", history=True)
    import_file(east / "tickets.csv", gazetteer=fixture_day / "gazetteer.csv")
    import_file(east / "staff.csv")
    return ["南区", "东区"]


def visits_and_staff(doc):
    return ({s["visit_id"] for r in doc["routes"] for s in r["steps"] if s["type"] == "visit"},
            {r["staff_id"] for r in doc["routes"]})


def test_districts_planned_together_get_the_plans_they_get_alone(two_districts):
    together = plan_days(DAY, two_districts, solver=DETERMINISTIC, processes=2)
    assert [d["district"] for d in together] == two_districts
    for doc in together:
        assert check_plan(doc) == []
        alone = plan_day(DAY, doc["district"], solver=DETERMINISTIC)
        assert alone["routes"] == doc["routes"] and alone["unassigned"] == doc["unassigned"]
    south, east = (visits_and_staff(d) for d in together)
    assert all("-NQ-" in v for v in south[0]) and all("-DQ-" in v for v in east[0])
    assert south[1] <= {"S1", "S2", "S3", "S4"} and east[1] <= {"N1", "N2", "N3", "N4"}


def test_cli_writes_one_folder_per_district(two_districts, tmp_path, capsys):
    out = tmp_path / "plans"
    code = main(["plan", "--date", "2010-08-05", "--district", "南区", "--district", "东区",
                 "--out", str(out), "--absent", "N2", "--no-outputs", "--seed", "1",
                 "--solution-limit", "100"])
    assert code == 0
    for district in two_districts:
        doc = json.loads((out / f"2010-08-05-{district}" / "plan.json").read_text(encoding="utf-8"))
        assert doc["district"] == district
    east = json.loads((out / "2010-08-05-东区" / "plan.json").read_text(encoding="utf-8"))
    assert "N2" not in {r["staff_id"] for r in east["routes"]}
    assert "东区" in capsys.readouterr().out


def test_an_absent_name_on_no_roster_is_refused(two_districts, capsys):
    code = main(["plan", "--date", "2010-08-05", "--district", "南区", "--district", "东区",
                 "--absent", "X9", "--no-outputs"])
    assert code != 0
    assert "X9" in capsys.readouterr().err
