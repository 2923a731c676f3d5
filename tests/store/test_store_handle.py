"""One store session per command, re-entrant transactions, and every action written with
its audit row in one transaction, by the actor, from every shell.

A command opens the store once (``session_of`` in the click context) and closes it when
it ends (the web request's session: tests/web/test_request_session.py).  An action
that fails writes neither its change nor its audit row.  The store cases run on SQLite
and on PostgreSQL.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from planner.actor import Actor
from planner.cases.events import VisitResult
from planner.cli import main
from planner.errors import UserError
from planner.field_record import FieldRecord
from planner.store import accounts
from planner.store.db import open_session, session_scope, transaction
from planner.store.models import AuditRow, OverrideRow
from planner.workflow import LosingUpdate, import_file, set_overrides
from tests.conftest import FIXTURE_DAY
from tests.security.import_helpers import STORES, fingerprint, row_of, rows_of, store_for, write_csv
from tests.store_calls import SessionsSeen, in_store

DAY = date(2010, 8, 5)
DISTRICT = "南区"
DIAMOND = "XA-NQ-20100804-0012"
QUICK = ["--seed", "1", "--solution-limit", "60", "--time-limit", "30"]


@pytest.fixture(params=STORES)
def store(request):
    return store_for(request)


def _count(url, model, *where) -> int:
    with session_scope(url) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _audit(url=None, **filters) -> list[accounts.AuditEntry]:
    with session_scope(url) as s:
        return accounts.audit_log(s, **filters)


# -- transactions ---------------------------------------------------------------------------

def test_an_inner_transaction_commits_nothing_and_an_error_rolls_back_the_outer(store):
    """Only the outermost ``transaction`` commits; an error anywhere inside rolls back all."""
    s = open_session(store)
    try:
        with transaction(s):
            accounts.audit(s, "t", "outer")
            with transaction(s):
                accounts.audit(s, "t", "inner")
            assert _count(store, AuditRow, AuditRow.username == "t") == 0  # not committed yet
        assert _count(store, AuditRow, AuditRow.username == "t") == 2
        with pytest.raises(UserError), transaction(s):
            accounts.audit(s, "u", "outer")
            with transaction(s):
                accounts.audit(s, "u", "inner")
                raise UserError("refused")
        assert _count(store, AuditRow, AuditRow.username == "u") == 0
        with transaction(s):  # the session is usable again after the rollback
            accounts.audit(s, "v", "after")
        assert _count(store, AuditRow, AuditRow.username == "v") == 1
    finally:
        s.close()


# -- one session per command ----------------------------------------------

def test_a_cvp_command_opens_the_store_once_and_closes_it(tmp_path, capsys):
    """``cvp import`` then ``cvp triage --set``: each command, however many library calls
    it makes (import and audit; overrides, triage and the reasons it found nothing), runs
    on one session, and leaves it closed (no transaction, nothing held)."""
    for name in ("staff.csv", "network.csv"):
        assert main(["import", str(FIXTURE_DAY / name)]) == 0
    with SessionsSeen() as importing:
        assert main(["import", str(FIXTURE_DAY / "tickets.csv"), "--gazetteer", str(FIXTURE_DAY / "gazetteer.csv")]) == 0
    with SessionsSeen() as triaging:
        assert main(["triage", "--date", str(DAY), "--district", DISTRICT, "--set", f"{DIAMOND} type=irate",
                     "--set", f"{DIAMOND} select=yes"]) == 0
    for seen in (importing, triaging):
        [session] = seen.sessions
        assert not session.in_transaction() and not session.identity_map  # closed at the command's end
    assert "override stored" in capsys.readouterr().out


# -- the command line's actions are audited as the web's are ------------------------------

def test_the_command_lines_actions_are_audited_with_the_cli_actor(tmp_path, capsys):
    """Import, override, plan, publish, outcome and follow-up: the same audit actions as
    the web app writes, by ``cli:<OS user>`` (publish and outcome have no command: the
    library actions the pages call, with the command line's actor)."""
    from planner import closure, plans

    cli = Actor.cli()
    assert cli.username.startswith("cli:") and cli.districts is None
    for name in ("history.csv", "staff.csv", "network.csv"):
        assert main(["import", str(FIXTURE_DAY / name)] + (["--history"] if name == "history.csv" else [])) == 0
    assert main(["import", str(FIXTURE_DAY / "tickets.csv"), "--gazetteer", str(FIXTURE_DAY / "gazetteer.csv")]) == 0
    assert main(["triage", "--date", str(DAY), "--district", DISTRICT, "--set", f"{DIAMOND} type=irate"]) == 0
    assert main(["plan", "--date", str(DAY), "--district", DISTRICT, "--out", str(tmp_path / "p"), "--no-outputs",
                 *QUICK]) == 0
    in_store(plans.publish, DAY, DISTRICT, 1, cli)
    doc, _status = in_store(plans.get_plan, DAY, DISTRICT, 1)
    route, step = doc.visit_steps()[0]
    done = in_store(closure.record_outcome, day=DAY, district=DISTRICT, visit_id=step.visit_id, actor=cli,
                    record=FieldRecord(VisitResult.FOLLOW_UP))
    assert done.outcome.needs_follow_up
    assert main(["outcomes", "close", step.visit_id, "--date", str(DAY), "--district", DISTRICT]) == 0

    entries = _audit(username=cli.username)
    assert [e.action for e in reversed(entries)] == ["import"] * 4 + ["override", "plan", "publish", "outcome",
                                                                        "follow_up"]
    by_action = {e.action: e for e in reversed(entries)}  # the newest of each action
    assert by_action["import"].target == str(FIXTURE_DAY / "tickets.csv")
    assert by_action["import"].details["kind"] == "tickets" and by_action["import"].details["added"] > 0
    assert by_action["override"].target == DIAMOND and by_action["override"].details["value"] == "irate"
    assert by_action["plan"].target == by_action["publish"].target == f"{DAY} {DISTRICT} v1"
    assert by_action["outcome"].target == by_action["follow_up"].target == f"{DAY} {DISTRICT} {step.visit_id}"
    assert by_action["outcome"].details["staff"] == route.staff_id


# -- a failed action writes neither its change nor its audit row --------------------------

def test_an_import_refused_after_its_rows_were_written_leaves_nothing(store, tmp_path):
    """A losing update is found by the upsert itself, after the rows were written in the
    transaction: the rollback takes the rows, the import log and the audit row."""
    header, _ = rows_of("tickets.csv")
    row = {**row_of("tickets.csv", DIAMOND), "VIP等级": "普通"}
    fresh = {**row_of("tickets.csv", DIAMOND), "工单号": "XA-NEW-1"}  # would be added before the refusal
    path = write_csv(tmp_path / "t.csv", header, [fresh, row])
    before, audited = fingerprint(store), len(_audit(store, action="import"))
    with pytest.raises(LosingUpdate):
        in_store(import_file, path, database=store)
    assert fingerprint(store) == before
    assert len(_audit(store, action="import")) == audited


def test_an_override_list_with_an_unknown_ticket_writes_no_override_and_no_audit_row(store):
    before = _count(store, OverrideRow), len(_audit(store, action="override"))
    with pytest.raises(UserError, match="no ticket 'XA-NOPE'"):
        in_store(set_overrides, DISTRICT, [(DIAMOND, "type", "irate"), ("XA-NOPE", "type", "irate")],
                 database=store)
    assert (_count(store, OverrideRow), len(_audit(store, action="override"))) == before
    in_store(set_overrides, DISTRICT, [(DIAMOND, "type", "irate")], database=store, author="disp")
    [entry] = _audit(store, action="override")
    assert (entry.username, entry.target, entry.details["field"]) == ("disp", DIAMOND, "type")


def test_publishing_a_missing_version_writes_no_audit_row(store):
    from planner import plans

    with pytest.raises(UserError, match="no plan version 7"):
        in_store(plans.publish, DAY, DISTRICT, 7, Actor("disp", "dispatcher", frozenset({DISTRICT})),
                 database=store)
    assert not _audit(store, action="publish")
