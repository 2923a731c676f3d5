"""The most open tickets one district's triage takes on, and the refusal above it.

Why: triage reads every open ticket of the district and a month of evidence and
compares nearby complaints; the triage page, ``cvp triage`` and the planning job
all run it.  One upload can hold tens of thousands of tickets, and without a
bound such a district ties up a worker for minutes and gigabytes.  The limit is
data (``limits.max_open_tickets`` in the rules file); the open tickets are
counted in the database before any is loaded, so a refusal costs almost nothing.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from planner.errors import Reason, UserError
from planner.triage.rules import Rules

FIELD = "limits.max_open_tickets"

TOO_MANY = ("district {district} has {count} open tickets received before {before}, more than the {limit} "
            "one triage takes on ({field} in the rules file {rules}). Close or merge the tickets that need "
            "no visit, split the district, or raise the limit in the rules file.")


class TooManyOpenTickets(UserError):
    """A district with more open tickets than the rules allow one triage to handle."""


def max_open_tickets(rules: Rules) -> int:
    """The rules' limit (checked when the rules were loaded; the shipped value when the file has none)."""
    return rules.limits.max_open_tickets


EVIDENCE_FIELD = "limits.max_evidence_tickets"
TOO_MUCH_EVIDENCE = ("district {district} has {count} earlier tickets to weigh (repeat and cluster evidence) before "
                     "{before}, more than the {limit} one triage takes on ({field} in the rules file {rules}). "
                     "Import less history, or raise the limit in the rules file.")
PAIRS_FIELD = "limits.max_nearby_pairs"
TOO_DENSE = ("{count} pairs of complaints lie close enough to be compared for clusters, more than the {limit} one "
             "triage takes on ({field} in the rules file {rules}): thousands of complaints at one place. Close or "
             "merge the tickets of one incident, or raise the limit in the rules file.")


class TooDense(UserError):
    """So many complaints at one place that comparing them for clusters would take minutes and gigabytes."""


def check_evidence(count: int, rules: Rules, district: str, before: datetime) -> None:
    """Refuse a triage that would read more evidence rows than the rules allow (counted, not loaded)."""
    limit = rules.limits.max_evidence_tickets
    if count > limit:
        raise TooManyOpenTickets(Reason(TOO_MUCH_EVIDENCE, district=district, count=count,
                                        before=f"{before:%Y-%m-%d %H:%M}", limit=limit, field=EVIDENCE_FIELD,
                                        rules=Path(rules.path).name))


def max_nearby_pairs(rules: Rules) -> int:
    return rules.limits.max_nearby_pairs


def too_dense(count: int, limit: int, rules_path: str) -> TooDense:
    return TooDense(Reason(TOO_DENSE, count=count, limit=limit, field=PAIRS_FIELD, rules=Path(rules_path).name))


def check_open_tickets(count: int, rules: Rules, district: str, before: datetime) -> None:
    """Refuse a triage of more open tickets than the limit, naming the count, the limit and the ways out
    (the rules file by its name: pages and the API do not show where the server keeps it)."""
    limit = max_open_tickets(rules)
    if count > limit:
        raise TooManyOpenTickets(Reason(TOO_MANY, district=district, count=count, before=f"{before:%Y-%m-%d %H:%M}",
                                        limit=limit, field=FIELD, rules=Path(rules.path).name))
