"""The one place where records become rows and rows become records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import time
from zoneinfo import ZoneInfo

from planner.records import NetworkSite, StaffMember, Ticket
from planner.store.models import SiteRow, StaffRow, TicketRow

TICKET_FIELDS = (
    "received_at", "phone", "district", "address", "lat", "lon", "customer_name", "vip_level", "category",
    "description", "window_start", "window_end", "tenure_years", "arpu", "escalation", "core_customer",
    "comm_style", "status", "is_history",
)
STAFF_FIELDS = ("name", "district", "base_lat", "base_lon", "base_name", "phone", "shift_start", "shift_end", "break_start",
                "break_end", "skills", "transport", "max_visits", "active")
SITE_FIELDS = ("lat", "lon", "status", "expected_date", "district", "name")


def _clock_text(t: time | None) -> str | None:
    return t.strftime("%H:%M") if t else None


def _clock(text: str | None) -> time | None:
    return time.fromisoformat(text) if text else None


def ticket_values(t: Ticket) -> dict:
    return {f: getattr(t, f) for f in TICKET_FIELDS}


def staff_values(s: StaffMember) -> dict:
    values = {f: getattr(s, f) for f in STAFF_FIELDS}
    for f in ("shift_start", "shift_end", "break_start", "break_end"):
        values[f] = _clock_text(values[f])
    values["skills"] = ";".join(s.skills)
    return values


def site_values(s: NetworkSite) -> dict:
    return {f: getattr(s, f) for f in SITE_FIELDS}


def ticket_record(row: TicketRow, tz: ZoneInfo) -> Ticket:
    def local(dt):
        return dt.astimezone(tz) if dt else None

    return Ticket(
        ticket_id=row.ticket_id, received_at=local(row.received_at), phone=row.phone, district=row.district,
        address=row.address, lat=row.lat, lon=row.lon, customer_name=row.customer_name, vip_level=row.vip_level,
        category=row.category, description=row.description, window_start=local(row.window_start),
        window_end=local(row.window_end), tenure_years=row.tenure_years, arpu=row.arpu,
        escalation=row.escalation, core_customer=row.core_customer, comm_style=row.comm_style,
        status=row.status, is_history=row.is_history,
    )


TICKET_COLUMNS = ("ticket_id", *TICKET_FIELDS)  # the order of the plain rows ``ticket_records`` reads
_LOCAL_TIMES = tuple(TICKET_COLUMNS.index(f) for f in ("received_at", "window_start", "window_end"))
assert set(TICKET_COLUMNS) == {f.name for f in fields(Ticket)}, "a ticket field the store does not keep"


def ticket_records(rows: Iterable[Sequence], tz: ZoneInfo) -> list[Ticket]:
    """Tickets from plain rows of ``TICKET_COLUMNS`` (as :func:`ticket_record` makes them
    from ORM rows), for the tens of thousands a big district's triage reads.

    Each record is filled in directly: every field comes from the row (there are no
    defaults to apply and no ``__post_init__``), and going through the frozen
    dataclass's ``__init__`` (a guarded ``setattr`` per field) was most of the cost."""
    new = object.__new__
    out = []
    for row in rows:
        values = list(row)
        for k in _LOCAL_TIMES:
            if values[k] is not None:
                values[k] = values[k].astimezone(tz)
        record = new(Ticket)
        record.__dict__.update(zip(TICKET_COLUMNS, values, strict=True))
        out.append(record)
    return out


def staff_record(row: StaffRow) -> StaffMember:
    return StaffMember(
        staff_id=row.staff_id, name=row.name, district=row.district, base_lat=row.base_lat, base_lon=row.base_lon,
        phone=row.phone, shift_start=_clock(row.shift_start), shift_end=_clock(row.shift_end),
        break_start=_clock(row.break_start), break_end=_clock(row.break_end),
        skills=tuple(s for s in row.skills.split(";") if s), transport=row.transport, max_visits=row.max_visits,
        active=row.active, base_name=row.base_name or "",
    )


def site_record(row: SiteRow) -> NetworkSite:
    return NetworkSite(site_id=row.site_id, lat=row.lat, lon=row.lon, status=row.status,
                       expected_date=row.expected_date, district=row.district, name=row.name or "")
