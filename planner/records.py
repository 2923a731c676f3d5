"""The product's plain values: one definition per concept.

Every stage (intake, store, triage, routing, sheets) passes these frozen
dataclasses around instead of ORM rows or dicts, so each stage can be tested
without a database or a solver.  The ORM models in :mod:`planner.store` are
derived from these, field for field, in one place (``store.convert``).

Coordinates are always WGS-84 here: conversion from GCJ-02/BD-09 happens at
intake.  Datetimes are timezone-aware (Asia/Shanghai unless the file said
otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

VIP_LEVELS = ("diamond", "gold", "silver", "premium", "none")
COORD_SYSTEMS = ("wgs84", "gcj02", "bd09")
COMM_STYLES = ("peaceful", "lively", "perfectionist", "forceful")
TRANSPORTS = ("walk", "bus", "taxi", "car")
SITE_STATUSES = ("planned", "under_construction", "live")
TICKET_STATUSES = ("open", "visited", "phoned", "closed")


@dataclass(frozen=True)
class Ticket:
    """One complaint ticket (工单) as the operator's system exported it."""

    ticket_id: str
    received_at: datetime
    phone: str
    district: str
    address: str
    lat: float | None
    lon: float | None
    customer_name: str = ""
    vip_level: str = "none"
    category: str = ""
    description: str = ""
    window_start: datetime | None = None
    window_end: datetime | None = None
    tenure_years: float | None = None
    arpu: float | None = None
    escalation: bool = False
    core_customer: bool = False
    comm_style: str | None = None
    status: str = "open"
    is_history: bool = False

    @property
    def position(self) -> tuple[float, float] | None:
        """(lat, lon) when the ticket has both, else None."""
        return (self.lat, self.lon) if self.lat is not None and self.lon is not None else None


@dataclass(frozen=True)
class StaffMember:
    """A field worker on the district roster; times are local wall-clock."""

    staff_id: str
    name: str
    district: str
    base_lat: float | None
    base_lon: float | None
    phone: str = ""
    shift_start: time | None = None
    shift_end: time | None = None
    break_start: time | None = None
    break_end: time | None = None
    skills: tuple[str, ...] = ()
    transport: str = "bus"
    max_visits: int | None = None
    active: bool = True
    #: the base's name (the district office, 南区优化维护分部); "" when the roster gives none
    base_name: str = ""


@dataclass(frozen=True)
class NetworkSite:
    """A base station from the network plan; decides the 规划在建型 scenario."""

    site_id: str
    lat: float
    lon: float
    status: str
    expected_date: date | None = None
    district: str = ""
    name: str = ""  # the site's name in the network plan ("" when it gives none)


@dataclass(frozen=True)
class SiteRef:
    """A network-plan site as a visit relies on it (规划在建型): which site, its status and when
    it is expected live; what the worker tells the customer and the callback waits for."""

    site_id: str
    status: str
    expected_date: date | None = None
    name: str = ""

    @classmethod
    def of(cls, site: NetworkSite) -> "SiteRef":
        return cls(site.site_id, site.status, site.expected_date, site.name)

    @property
    def label(self) -> str:
        """How the site is named to people: its name and id, or the id alone."""
        return f"{self.name} ({self.site_id})" if self.name else self.site_id


@dataclass(frozen=True)
class FiredRule:
    """Which rule of the rules file applied to a ticket, and why."""

    rule: str
    ticket_id: str
    detail: str


@dataclass(frozen=True)
class Visit:
    """One stop to plan: a single customer, or a cluster of nearby complainants."""

    visit_id: str
    ticket_ids: tuple[str, ...]
    district: str
    reasons: tuple[str, ...]
    customer_type: str
    scenario: str
    priority: int
    service_min: int
    lat: float | None
    lon: float | None
    address: str
    time_window: tuple[datetime, datetime] | None
    gift: bool
    closable_on_site: bool
    fired_rules: tuple[FiredRule, ...] = ()
    overrides: tuple[str, ...] = ()
    vip_level: str = "none"
    required_skills: tuple[str, ...] = ()
    carried_over_days: int = 0
    back_because: str = ""  # why an open case is on the list again ("planned 2010-08-05, no outcome recorded")
    case_id: int | None = None  # the open case the visit continues (None: selected for the first time)
    planned_site: SiteRef | None = None  # the planned/building site its scenario relies on (规划在建型)
    extra: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class CarriedCase:
    """An open case whose tickets a day's triage selects again (:mod:`planner.cases.carry`)."""

    case_id: int
    kind: str                 # "visit" or "phone"
    reasons: tuple[str, ...]  # why it was selected in the first place
    times_back: int           # days it came back unresolved: its priority rises with them
    why: str                  # why it is back ("" for a case selected for this very day)
    window: tuple[time, time] | None = None  # the window agreed with the customer for this day
    opened_on: date | None = None  # the day the case was opened (a phone follow-up: "open since")
    calls: int = 0                 # calls to the customer recorded on the case


def window_text(window: tuple[datetime, datetime] | None) -> str:
    """An appointment window as an override value: ``start/end`` in ISO 8601, ``""`` for none."""
    return f"{window[0].isoformat()}/{window[1].isoformat()}" if window else ""


def parse_window_text(value: str) -> tuple[datetime, datetime] | None:
    if not value:
        return None
    start, end = value.split("/", 1)
    return datetime.fromisoformat(start), datetime.fromisoformat(end)
