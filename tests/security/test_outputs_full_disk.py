"""A full disk while writing a plan's outputs: every file is whole or absent, and the
user is told what was and was not written, with no traceback.

Two real ways to run out of room: a per-process file size limit (RLIMIT_FSIZE;
writes past it fail with EFBIG, Python ignores SIGXFSZ) needs no privileges; a
small tmpfs (ENOSPC, the real "disk full") needs root to mount and is skipped
otherwise.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import ROOT, import_fixture_day
from tests.store_calls import in_store

DAY, DISTRICT = "2010-08-05", "南区"
CVP = [sys.executable, "-c", "import sys; from planner.cli import main; sys.exit(main())"]
BOUND_S = 300  # a safety bound on one command


def cvp(args: list[str], fsize: int | None = None) -> subprocess.CompletedProcess:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(CVP + args, cwd=ROOT, capture_output=True, text=True, timeout=BOUND_S,
                          preexec_fn=limit if fsize else None)


def assert_whole_or_absent(folder: Path) -> list[Path]:
    """No temporary file is left, and every PDF present is complete; the files present."""
    present = [p for p in folder.rglob("*") if p.is_file()]
    assert not [p for p in present if p.name.endswith(".part")], present
    for pdf in (p for p in present if p.suffix == ".pdf"):
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF"), f"{pdf} is truncated"
    return present


@pytest.fixture
def planned(tmp_path, rules) -> Path:
    """A stored plan of the fixture day and its plan.json."""
    from planner.cli.plan_cmd import write_json
    from planner.plan.day import SolverSettings, plan_day

    import_fixture_day()
    doc = in_store(plan_day, date.fromisoformat(DAY), DISTRICT, solver=SolverSettings(seed=1, solution_limit=1), rules=rules)
    write_json(tmp_path / "plan" / "plan.json", doc)
    return tmp_path / "plan" / "plan.json"


@pytest.mark.slow  # two cvp processes loading WeasyPrint
@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="no file size limit on this system")
def test_sheets_and_map_past_the_file_size_limit_are_not_left_half_written(planned, tmp_path):
    doc = json.loads(planned.read_text(encoding="utf-8"))
    workers = [r["staff_id"] for r in doc["routes"]]
    out = tmp_path / "sheets"
    done = cvp(["sheets", str(planned), "--out", str(out)], fsize=100_000)  # a sheet is ~400 KB (fonts)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "could not write the outputs (File too large)" in done.stderr
    assert "written: nothing" in done.stderr
    assert all(f"{DAY}_{w}.pdf" in done.stderr.split("not written:")[1] for w in workers), done.stderr
    assert assert_whole_or_absent(out) == []

    map_file = tmp_path / "map.html"  # ~250 KB
    done = cvp(["map", str(planned), "--out", str(map_file)], fsize=100_000)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"not written: {map_file}" in done.stderr
    assert assert_whole_or_absent(tmp_path / "plan") == [planned] and not map_file.exists()


@pytest.fixture
def small_disk(tmp_path):
    """A 600 KB file system: room for plan.json and one route sheet, not for the others."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if not shutil.which("mount"):
        pytest.skip("no mount command")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(disk)], capture_output=True,
                             text=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.slow
def test_cvp_plan_on_a_full_disk_keeps_the_stored_version_and_says_what_is_missing(small_disk):
    from planner.store import repository as repo
    from planner.store.db import session_scope

    import_fixture_day()
    out = small_disk / "out"
    done = cvp(["plan", "--date", DAY, "--district", DISTRICT, "--solution-limit", "1", "--seed", "1",
                "--out", str(out)])
    assert done.returncode == 2, done.stdout + done.stderr
    err = done.stderr
    assert "Traceback" not in err and "could not write the outputs (No space left on device" in err
    # the store is the record: the version is kept, and the message says how to make the files again
    with session_scope() as s:
        assert [v for v, *_ in repo.plan_versions(s, date.fromisoformat(DAY), DISTRICT)] == [1]
    assert f"the plan is stored in the database ({DISTRICT} {DAY} version 1)" in err
    assert f"`cvp sheets {out / 'plan.json'}`" in err
    written, not_written = err.split("\nwritten: ")[1].split("\nnot written: ")
    present = assert_whole_or_absent(out)
    assert sorted(map(str, present)) == sorted(written.strip().split(", "))
    assert str(out / "map.html") in not_written and not (out / "map.html").exists()
    assert json.loads((out / "plan.json").read_text(encoding="utf-8"))["version"] == 1
