"""How old the tickets of a triage are, when that matters.

Triage takes every open ticket received before the day's shift, however old:
a day chosen far after the data (``cvp triage --date 2030-01-01`` on a store of
2010) would otherwise silently plan visits for complaints of years ago.  The
threshold is the rules' ``old_ticket_days``.
"""

from __future__ import annotations

from collections.abc import Iterable

from planner.records import Ticket
from planner.triage.engine import TriageResult
from planner.triage.rules import Rules


def old_tickets_note(result: TriageResult, rules: Rules) -> str | None:
    """``42 tickets are older than 30 days, the oldest received 2010-08-04, 7,090 days before
    2030-01-01`` for the open tickets the triage took; None when none is that old."""
    limit = rules.old_ticket_days
    tickets: Iterable[Ticket] = result.tickets.values()
    old = [t for t in tickets if (result.date - t.received_at.astimezone(rules.tz).date()).days > limit]
    if not old:
        return None
    oldest = min(old, key=lambda t: t.received_at)
    days = (result.date - oldest.received_at.astimezone(rules.tz).date()).days
    n = len(old)
    return (f"{n} ticket{'s are' if n != 1 else ' is'} older than {limit} days, the oldest received "
            f"{oldest.received_at.astimezone(rules.tz):%Y-%m-%d}, {days:,} days before {result.date:%Y-%m-%d}")
