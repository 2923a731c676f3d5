"""Numbers and days that an ordinary account types into a URL or a JSON body: none is
a 500, on SQLite or PostgreSQL.

A job id, a plan version or a stop number past what the store's INTEGER column holds
(``99999999999999999999999``; on PostgreSQL anything past 2**31 - 1) crashed the
database driver (SQLite: "Python int too large", PostgreSQL: "integer out of range");
a day such as 0001-01-01 or 9999-12-31 in a triage URL overflowed the date arithmetic
behind the month of evidence.  Such a record cannot exist, so the page is "not found"
(404) and a JSON field is a 422 naming it; a day outside the years a ticket may have
(:mod:`planner.days`) is not a day of this planner.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.web.conftest import Client

HUGE = "99999999999999999999999"
PG_PAST = str(2 ** 31)  # fits SQLite's INTEGER, not PostgreSQL's


@pytest.mark.parametrize("path", [
    "/api/jobs/{n}",
    "/api/days/2010-08-05/plans/{n}",
    "/api/days/2010-08-05/plans/{n}/sheets.pdf",
    "/api/days/2010-08-05/plans/{n}/export.csv",
    "/dispatch/jobs/{n}",
    "/dispatch/2010-08-05/plan/{n}",
    "/dispatch/2010-08-05/plan/{n}/map",
])
def test_a_number_past_the_store_is_not_found(store_app, path):
    disp = Client(store_app, "disp")
    for number in (HUGE, PG_PAST):
        r = disp.get(path.format(n=number))
        assert r.status_code == 404, (number, r.get_data(as_text=True)[:300])


def test_publishing_a_version_past_the_store_is_not_found(store_app):
    disp = Client(store_app, "disp")
    for number in (HUGE, PG_PAST):
        assert disp.post(f"/dispatch/2010-08-05/plan/{number}/publish").status_code == 404
        r = disp.http.post(f"/api/days/2010-08-05/plans/{number}/publish", headers={"X-CSRF-Token": disp.csrf})
        assert r.status_code == 404


def test_an_outcome_names_a_storable_version(store_app):
    disp = Client(store_app, "disp")
    for version in (10 ** 30, 2 ** 31, -1, 0, True):
        r = disp.http.post("/api/days/2010-08-05/outcomes", json={"visit_id": "V1", "plan_version": version},
                           headers={"X-CSRF-Token": disp.csrf})
        assert r.status_code == 422, version
        assert "plan_version" in r.get_json()["error"]["message"]


def test_a_field_stop_past_the_store_is_not_found(store_app):
    field = Client(store_app, "f1")
    assert field.get(f"/field/stops/2010-08-05/S1/{HUGE}").status_code == 404


@pytest.mark.parametrize("path", ["/api/days/{d}/triage", "/dispatch/{d}/triage", "/api/days/{d}/roster",
                                  "/dispatch/{d}/plan", "/api/days/{d}/outcomes"])
def test_a_day_outside_the_planners_years_is_not_found(store_app, path):
    disp = Client(store_app, "disp")
    for day in ("0001-01-01", "1989-12-31", "2101-01-01", "9999-12-31"):
        r = disp.get(path.format(d=day))
        # no such page (a rule of the same path for another method may answer 405): never a 500
        assert r.status_code in (404, 405), (day, r.get_data(as_text=True)[:300])


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_no_write_is_made_on_a_day_outside_the_planners_years(store_app, day):
    from planner.store import absences
    from planner.store.db import session_scope

    disp = Client(store_app, "disp")
    headers = {"X-CSRF-Token": disp.csrf}
    assert disp.http.post(f"/api/days/{day}/absences", json={"staff_id": "S1"}, headers=headers).status_code == 404
    assert disp.http.post(f"/api/days/{day}/appointments", headers=headers,
                          json={"ticket_id": "XA-NQ-20100802-0001", "start": "10:00", "end": "11:00"}).status_code == 404
    assert disp.http.post(f"/api/days/{day}/plans", json={}, headers=headers).status_code == 404
    assert disp.post(f"/dispatch/{day}/roster", data={"staff_id": "S1", "absent": "1"}).status_code in (404, 405)
    with session_scope() as s:
        assert absences.absences_on(s, date.fromisoformat(day), "南区") == {}


def test_the_home_pages_day_picker_refuses_a_day_outside_the_years(store_app):
    disp = Client(store_app, "disp")
    r = disp.get("/dispatch/?day=0001-01-01", follow_redirects=True)
    assert r.status_code == 200
    assert "/0001-01-01/" not in r.request.path


def test_the_years_are_those_a_ticket_may_have():
    """One definition: a ticket received outside these years is refused at import, and a
    URL's day outside them is not found."""
    from zoneinfo import ZoneInfo

    from planner import days
    from planner.intake import values

    assert days.in_range(date(days.FIRST_YEAR, 1, 1)) and days.in_range(date(days.LAST_YEAR, 12, 31))
    assert not days.in_range(date(days.FIRST_YEAR - 1, 12, 31))
    with pytest.raises(ValueError):
        values.moment(f"{days.LAST_YEAR + 1}-01-01 10:00", ZoneInfo("Asia/Shanghai"))
