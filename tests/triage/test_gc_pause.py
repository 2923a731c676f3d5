"""Triage pauses the cyclic garbage collector and always gives it back."""

from __future__ import annotations

import gc
from datetime import date

import pytest

from planner.errors import UserError
from planner.triage.gc_pause import collector_paused
from planner.workflow import triage_day
from tests.store_calls import in_store


def test_the_collector_is_back_on_after_a_triage_even_a_refused_one():
    assert gc.isenabled()
    with pytest.raises(UserError):
        in_store(triage_day, date(2010, 8, 5), "南区")  # an empty store: no open tickets
    assert gc.isenabled()


def test_overlapping_runs_keep_the_pause_until_the_last_ends():
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_caller_stays_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
