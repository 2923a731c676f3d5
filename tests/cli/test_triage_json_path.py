"""``cvp triage --json PATH`` with a path that cannot be written: a clear error before any
work (no traceback, no override stored, no file), and a good path still gets the JSON."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from planner.cli import main
from planner.store import repository as repo
from planner.store.db import session_scope
from tests.conftest import import_fixture_day

TZ = ZoneInfo("Asia/Shanghai")
DAY = ["--date", "2010-08-05", "--district", "南区"]


def test_a_json_path_in_a_missing_folder_is_a_clear_error_and_nothing_is_done(tmp_path, capsys):
    import_fixture_day()
    with session_scope() as s:
        ticket = repo.open_tickets(s, "南区", datetime(2010, 8, 5, 9, tzinfo=TZ), TZ)[0].ticket_id
    target = tmp_path / "no" / "such" / "dir" / "x.json"
    code = main(["triage", *DAY, "--json", str(target), "--set", f"{ticket} type=irate"])
    out = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in out.err + out.out
    assert f"the folder {target.parent} does not exist" in out.err
    assert not target.exists()
    with session_scope() as s:
        assert repo.overrides_for(s, "南区", [ticket]) == {}  # refused before the override was stored


def test_the_literal_path_from_the_report_fails_cleanly(capsys):
    import_fixture_day()
    assert main(["triage", *DAY, "--json", "/no/such/dir/x.json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: /no/such/dir/x.json: the folder /no/such/dir does not exist")


def test_a_json_path_under_a_file_is_a_clear_error(tmp_path, capsys):
    import_fixture_day()
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["triage", *DAY, "--json", str(blocker / "x.json")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_good_path_gets_the_whole_json_and_no_temporary_file_is_left(tmp_path, capsys):
    import_fixture_day()
    target = tmp_path / "triage.json"
    assert main(["triage", *DAY, "--json", str(target)]) == 0
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["district"] == "南区" and doc["visits"]
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".triage.json")]
