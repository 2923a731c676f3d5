"""The web app fixtures (a seeded store, an app, signed-in clients) for the security tests."""

from tests.web.conftest import (app, client_for, planned, planned_template, seeded,  # noqa: F401
                                seeded_template)
