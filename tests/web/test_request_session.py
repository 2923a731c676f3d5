"""A web request opens the store once and closes it at teardown (:mod:`web.db`, as the
Flask tutorial's ``flaskr/db.py``), whatever the views and services it goes through."""

from __future__ import annotations

from tests.store_calls import SessionsSeen
from tests.web.conftest import DAY

DIAMOND = "XA-NQ-20100804-0012"


def test_a_web_request_uses_one_session_closed_at_teardown(seeded, client_for):
    """A page that reads through several services, and a form that acts, each on one
    session (:mod:`web.db`), closed when the request ends."""
    c = client_for("disp")
    for request in (lambda: c.get(f"/dispatch/{DAY}/triage"),
                    lambda: c.post(f"/dispatch/{DAY}/overrides", {"ticket_id": DIAMOND, "field": "type",
                                                                  "value": "irate"})):
        with SessionsSeen() as seen:
            assert request().status_code in (200, 302)
        [session] = seen.sessions
        assert not session.in_transaction() and not session.identity_map
