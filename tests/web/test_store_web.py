"""The store modules behind the web app: accounts, audit, jobs, absences, outcomes,
appointments, saved scenarios (SQLite here; accounts and jobs on PostgreSQL too)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from planner.cases.events import VisitResult
from planner.errors import UserError
from planner.field_record import FieldRecord, NetworkTest, Satisfaction, TestResult
from planner.store import absences, accounts, appointments, jobs, outcomes, scenarios
from planner.store.db import session_scope
from planner.store.models import JobRow, TicketRow, UserRow
from tests.store_calls import in_store
from tests.web.conftest import DAY, DISTRICT, PASSWORD

TZ = ZoneInfo("Asia/Shanghai")


def test_passwords_are_stored_hashed_and_checked(seeded):
    with session_scope() as s:
        row = s.scalars(select(UserRow).where(UserRow.username == "disp")).one()
        assert PASSWORD not in row.password_hash and row.password_hash.startswith(("scrypt:", "pbkdf2:"))
        assert accounts.authenticate(s, "disp", PASSWORD).role == "dispatcher"
        assert accounts.authenticate(s, "disp", PASSWORD + "x") is None
        assert accounts.authenticate(s, "nobody", PASSWORD) is None


def test_account_rules(seeded):
    with session_scope() as s:
        with pytest.raises(UserError, match="at least 8"):
            accounts.add_user(s, "short", "1234567", "planner")
        with pytest.raises(UserError, match="role"):
            accounts.add_user(s, "x", PASSWORD, "boss")
        with pytest.raises(UserError, match="--staff"):
            accounts.add_user(s, "x", PASSWORD, "field")
        with pytest.raises(UserError, match="no such staff member"):
            accounts.add_user(s, "x", PASSWORD, "field", staff_id="S99")
        with pytest.raises(UserError, match="--district"):
            accounts.add_user(s, "x", PASSWORD, "dispatcher")
        with pytest.raises(UserError, match="already exists"):
            accounts.add_user(s, "disp", PASSWORD, "planner")
        with pytest.raises(UserError, match="no spaces"):
            accounts.add_user(s, "a b", PASSWORD, "planner")
        field = accounts.add_user(s, "f3", PASSWORD, "field", staff_id="S3")
    assert field.district == DISTRICT  # a field account takes its district from the roster


def test_a_new_store_has_no_accounts():
    with session_scope() as s:
        assert accounts.list_users(s) == []


def test_deactivated_users_and_changed_passwords(seeded):
    with session_scope() as s:
        before = accounts.get_user_by_name(s, "disp").stamp
        accounts.set_password(s, "disp", "another-password")
        assert accounts.get_user_by_name(s, "disp").stamp != before
        accounts.set_active(s, "disp", False)
        assert accounts.authenticate(s, "disp", "another-password") is None


def test_api_tokens_are_stored_as_digests(seeded):
    with session_scope() as s:
        token = accounts.issue_token(s, "disp")
        row = s.scalars(select(UserRow).where(UserRow.username == "disp")).one()
        assert token.startswith("cvp_") and token not in (row.api_token_hash or "")
        assert accounts.user_for_token(s, token).username == "disp"
        assert accounts.user_for_token(s, token + "x") is None
        assert accounts.user_for_token(s, "") is None
        accounts.revoke_token(s, "disp")
        assert accounts.user_for_token(s, token) is None


def test_audit_log_newest_first_and_filtered():
    with session_scope() as s:
        t0 = datetime(2010, 8, 5, 1, tzinfo=timezone.utc)
        accounts.audit(s, "disp", "import", "tickets.csv", {"added": 3}, at=t0)
        accounts.audit(s, "disp", "publish", "2010-08-05 南区 v1", at=t0 + timedelta(minutes=5))
        accounts.audit(s, "f1", "download", "sheet", at=t0 + timedelta(minutes=9))
    with session_scope() as s:
        assert [e.action for e in accounts.audit_log(s)] == ["download", "publish", "import"]
        assert [e.action for e in accounts.audit_log(s, username="disp")] == ["publish", "import"]
        [entry] = accounts.audit_log(s, action="import")
        assert entry.details == {"added": 3} and entry.at == t0


def test_job_lifecycle():
    with session_scope() as s:
        job_id = jobs.create_job(s, "plan_day", {"day": "2010-08-05"}, "disp")
    with session_scope() as s:
        assert jobs.get_job(s, job_id).status == "queued"
        assert jobs.claim_job(s, job_id).status == "running"
    with session_scope() as s:
        assert jobs.claim_job(s, job_id) is None  # taken once only
        jobs.finish_job(s, job_id, {"version": 1})
    with session_scope() as s:
        job = jobs.get_job(s, job_id)
        assert (job.status, job.result) == ("done", {"version": 1}) and job.finished_at is not None
        assert job.to_dict()["status"] == "done"
        assert jobs.recent_jobs(s, kind="plan_day")[0].id == job_id


def test_absences(seeded):
    with session_scope() as s:
        absences.set_absent(s, DAY, DISTRICT, "S2", "sick", "disp")
        absences.set_absent(s, DAY, DISTRICT, "S2", "leave", "disp")  # again: the reason changes
        with pytest.raises(UserError):
            absences.set_absent(s, DAY, DISTRICT, "S9")
        with pytest.raises(UserError):
            absences.set_absent(s, DAY, "北区", "S1")
    with session_scope() as s:
        assert {k: v.reason for k, v in absences.absences_on(s, DAY, DISTRICT).items()} == {"S2": "leave"}
        assert absences.absences_on(s, DAY, "北区") == {}
        assert absences.absences_on(s, DAY + timedelta(days=1), DISTRICT) == {}
        assert (absences.clear_absent(s, DAY, DISTRICT, "S2")
                and not absences.clear_absent(s, DAY, DISTRICT, "S2"))


def test_outcomes_are_one_per_visit():
    args = dict(day=DAY, district=DISTRICT, visit_id="V-1", staff_id="S1", plan_version=1, recorded_by="f1")
    mobile = NetworkTest("china_mobile", "GSM", -97, TestResult.FAILED)
    with session_scope() as s:
        outcomes.record_outcome(s, **args, record=FieldRecord(VisitResult.FOLLOW_UP, tests=(mobile,)))
        outcomes.record_outcome(s, **args, record=FieldRecord(
            VisitResult.CLOSED_ON_SITE, Satisfaction.SATISFIED, datetime(2010, 8, 5, 10, 5, tzinfo=TZ),
            (replace(mobile, call=TestResult.OK),), notes="fixed"))
        with pytest.raises(UserError, match="time zone"):
            outcomes.record_outcome(s, **args, record=FieldRecord(VisitResult.FOLLOW_UP,
                                                                  arrived_at=datetime(2010, 8, 5, 10)))
    with session_scope() as s:
        [o] = outcomes.outcomes_for(s, DAY, DISTRICT).values()
        assert (o.record.tests, o.closed_on_site, o.notes) == ((replace(mobile, call=TestResult.OK),), True, "fixed")
        assert o.arrived_at == datetime(2010, 8, 5, 2, 5, tzinfo=timezone.utc)


def test_appointments(seeded):
    a, b = datetime(2010, 8, 5, 14, tzinfo=TZ), datetime(2010, 8, 5, 15, 30, tzinfo=TZ)
    with session_scope() as s:
        tid = s.scalar(select(TicketRow.ticket_id).where(TicketRow.is_history.is_(False),
                                                         TicketRow.district == DISTRICT).limit(1))
        appointments.set_appointment(s, DISTRICT, tid, a, b)
        with pytest.raises(UserError, match="after the start"):
            appointments.set_appointment(s, DISTRICT, tid, b, a)
        with pytest.raises(UserError, match="both"):
            appointments.set_appointment(s, DISTRICT, tid, a, None)
        with pytest.raises(UserError, match="no ticket"):
            appointments.set_appointment(s, DISTRICT, "nope", a, b)
        with pytest.raises(UserError, match="no ticket"):  # another district's ticket is not found
            appointments.set_appointment(s, "北区", tid, a, b)
    from planner.records import parse_window_text
    from planner.store import repository as repo

    with session_scope() as s:
        assert parse_window_text(repo.overrides_for(s, DISTRICT, [tid])[tid]["window"]) == (a, b)
        assert repo.overrides_for(s, "北区", [tid]) == {}
        appointments.set_appointment(s, DISTRICT, tid, None, None)
    with session_scope() as s:
        assert repo.overrides_for(s, DISTRICT, [tid])[tid]["window"] == ""


def test_a_confirmed_appointment_survives_reimporting_the_export(fixture_day):
    from datetime import date

    from planner.workflow import import_file, triage_day
    from tests.conftest import import_fixture_day

    import_fixture_day(fixture_day)
    tid = "XA-NQ-20100804-0071"  # no window in the export
    a, b = datetime(2010, 8, 5, 14, tzinfo=TZ), datetime(2010, 8, 5, 15, 30, tzinfo=TZ)
    with session_scope() as s:
        appointments.set_appointment(s, DISTRICT, tid, a, b)
    in_store(import_file, fixture_day / "tickets.csv", gazetteer=fixture_day / "gazetteer.csv")
    [visit] = [v for v in in_store(triage_day, date(2010, 8, 5), "南区").visits if tid in v.ticket_ids]
    assert visit.time_window == (a, b)


def test_saved_scenarios_are_validated():
    from cost_model.scenario import builtin_text
    from web.cost import parse_saved as parse

    text = builtin_text("xian-2010-recommended")
    with session_scope() as s:
        scenarios.save_scenario(s, "mine", text, "plan", validate=parse)
        scenarios.save_scenario(s, "mine", text.replace("districts: 4", "districts: 5"), "plan", validate=parse)
        with pytest.raises(UserError):
            scenarios.save_scenario(s, "broken", "lines: [", "plan", validate=parse)
        with pytest.raises(UserError):
            scenarios.save_scenario(s, "", text, "plan", validate=parse)
    owner = scenarios.Viewer("plan")
    with session_scope() as s:
        assert [x.name for x in scenarios.list_scenarios(s, owner)] == ["mine"]
        assert "districts: 5" in scenarios.get_scenario(s, "mine", owner).yaml_text
        assert scenarios.delete_scenario(s, "mine", owner) and scenarios.get_scenario(s, "mine", owner) is None


@pytest.mark.postgres
def test_accounts_audit_and_jobs_on_postgres(fresh_postgres, fixture_day):
    from planner.workflow import import_file

    url = fresh_postgres
    in_store(import_file, fixture_day / "staff.csv", database=url)
    with session_scope(url) as s:
        accounts.add_user(s, "f1", PASSWORD, "field", staff_id="S1")
        token = accounts.issue_token(s, "f1")
        accounts.audit(s, "f1", "login", "127.0.0.1")
        job_id = jobs.create_job(s, "plan_day", {"day": "2010-08-05"}, "disp")
        absences.set_absent(s, DAY, DISTRICT, "S2", "sick")
    with session_scope(url) as s:
        assert accounts.authenticate(s, "f1", PASSWORD).staff_id == "S1"
        assert accounts.user_for_token(s, token).username == "f1"
        assert accounts.audit_log(s)[0].action == "login"
        assert jobs.claim_job(s, job_id) is not None
        assert list(absences.absences_on(s, DAY, DISTRICT)) == ["S2"]
        outcomes.record_outcome(s, day=DAY, district=DISTRICT, visit_id="V-1", staff_id="S1", plan_version=1,
                                recorded_by="f1", record=FieldRecord(VisitResult.FOLLOW_UP), ticket_ids=["T-1"])
        outcomes.record_outcome(s, day=DAY, district=DISTRICT, visit_id="V-2", staff_id="S1", plan_version=1,
                                recorded_by="f1", record=FieldRecord(VisitResult.CLOSED_ON_SITE), ticket_ids=["T-2"])
    with session_scope(url) as s:
        assert [o.visit_id for o in outcomes.open_follow_ups(s, DISTRICT)] == ["V-1"]
        assert outcomes.mark_followed_up(s, DAY, DISTRICT, "V-1", "disp", "called back").ticket_ids == ("T-1",)
    with session_scope(url) as s:
        assert outcomes.open_follow_ups(s, DISTRICT) == []
    with session_scope(url) as s:  # a job whose worker went silent is marked failed
        stuck = jobs.create_job(s, "plan_day", {"day": "2010-08-05"}, "disp")
        jobs.claim_job(s, stuck, "worker-9.example:77")
        s.execute(update(JobRow).where(JobRow.id == stuck)
                  .values(heartbeat_at=datetime.now(timezone.utc) - timedelta(minutes=10)))
    with session_scope(url) as s:
        [marked] = jobs.fail_stale_jobs(s, jobs.Limits(stale_after_s=120), lambda worker: None)
        assert marked.id == stuck and "stopped answering" in marked.error
