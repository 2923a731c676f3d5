from __future__ import annotations

import pytest

from tests.outputs.sheets.browser import session_playwright  # noqa: F401 - a fixture of the browser tests
from tests.outputs.sheets.outputs_day import planned_fixture_day


@pytest.fixture(scope="session")
def _outputs_day():
    return planned_fixture_day()


@pytest.fixture
def day(_outputs_day):
    """The planned fixture day (a copy: a test may change it)."""
    return _outputs_day.copy()
