"""The years this planner works in: one definition for imported times and for days
named in a URL.

A ticket received outside them is refused at import (a typo such as 2100 for 2010, or
a spreadsheet's serial number read as a year), so no day outside them can hold a
ticket, a roster change or a plan.  A page or API call naming such a day is "not
found"; before this bound, 0001-01-01 or 9999-12-31 overflowed the date arithmetic of
triage's month of evidence (a 500) and stored absences and appointments no one could
plan.
"""

from __future__ import annotations

from datetime import date

FIRST_YEAR = 1990
LAST_YEAR = 2100


def in_range(day: date) -> bool:
    """Whether ``day`` (a date or datetime) lies in the years this planner works in."""
    return FIRST_YEAR <= day.year <= LAST_YEAR
