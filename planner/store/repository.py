"""Reading and writing the store in the terms the planner uses.

Imports are upserts keyed by the district and the business id (ticket_id,
staff_id, site_id: each district owns its ids): importing the same file twice
changes nothing, and a changed row is updated and reported field by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from planner.errors import Reason
from planner.records import NetworkSite, StaffMember, Ticket
from planner.store import changes, convert
from planner.store.locks import plan_lock, serialise
from planner.store.models import CaseEventRow, CaseRow, ImportRow, OverrideRow, PlanRow, SiteRow, StaffRow, TicketRow


@dataclass
class UpsertReport:
    """What an import did (or, for a dry run, would do), per business id.  ``warnings``
    lists the updates that lose information (:func:`planner.store.changes.losses`)."""

    added: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    warnings: dict[str, list[Reason]] = field(default_factory=dict)  # English texts, translatable

    def summary(self) -> str:
        text = f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged"
        if self.warnings:
            text += f", {len(self.warnings)} losing stored values"
        return text


#: one incoming record: its business id, its stored values, and the fields whose cell was empty
Incoming = tuple[str, dict, frozenset]


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) < 1e-9
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a.astimezone(timezone.utc) == b.astimezone(timezone.utc)
    return a == b


def _upsert(session: Session, model, key_field: str, items: list[Incoming], report: UpsertReport,
            now: datetime, present: frozenset[str] | None = None, keep_when_present: tuple[str, ...] = (),
            dry_run: bool = False, kept_by_row=None) -> None:
    """Add new rows with all their values; update an existing row's ``present`` fields only
    (None: all), so a column the file does not have keeps its stored value.  A row is the
    same record when its district and id are.  A dry run fills the report and changes
    nothing (the web preview).  ``kept_by_row(row)``: more fields this stored row keeps,
    whatever the file says."""
    keys = [k for k, _, _ in items]
    districts_of: dict[str, set] = {}
    for key, values, _ in items:
        districts_of.setdefault(key, set()).add(values["district"])
    existing = {}
    for chunk in range(0, len(keys), 500):
        part = keys[chunk:chunk + 500]
        for row in session.scalars(select(model).where(getattr(model, key_field).in_(part))):
            existing[(row.district, getattr(row, key_field))] = row
    for key, values, blanks in items:
        row = existing.get((values["district"], key))
        # an id the file holds for several districts is reported per district, so that no
        # district's entry (a loss above all) hides another's
        label = f"{key} ({values['district']})" if len(districts_of[key]) > 1 else key
        if row is None:
            extra = {"imported_at": now} if hasattr(model, "imported_at") else {}
            if not dry_run:
                session.add(model(**{key_field: key, **values, "updated_at": now, **extra}))
            report.added.append(label)
            continue
        kept = keep_when_present + (kept_by_row(row) if kept_by_row else ())
        changed = [f for f, val in values.items() if f not in kept
                   and (present is None or f in present) and not _same(getattr(row, f), val)]
        lost = [w for f in changed if (w := changes.losses(f, getattr(row, f), values[f], f in blanks))]
        if lost:
            report.warnings[label] = lost
        if changed:
            if not dry_run:
                for f in changed:
                    setattr(row, f, values[f])
                row.updated_at = now
            report.updated[label] = changed
        else:
            report.unchanged.append(label)


def _incoming(records: list, values_of, key_of, blanks: list[frozenset] | None) -> list[Incoming]:
    return [(key_of(r), values_of(r), blanks[i] if blanks else frozenset()) for i, r in enumerate(records)]


def upsert_tickets(session: Session, tickets: list[Ticket], source: str, *, present: frozenset[str] | None = None,
                   blanks: list[frozenset] | None = None, dry_run: bool = False) -> UpsertReport:
    """Insert new tickets, update changed ones; a ticket's workflow status is kept
    unless the file itself carries history, and a history file never turns a current
    ticket into history (it would vanish from triage without a word)."""
    report = UpsertReport()
    now = datetime.now(timezone.utc)
    items = _incoming(tickets, lambda t: {**convert.ticket_values(t), "source_file": source},
                      lambda t: t.ticket_id, blanks)
    history = bool(tickets) and tickets[0].is_history
    keep = ("source_file",) if history else ("status", "source_file")
    _upsert(session, TicketRow, "ticket_id", items, report, now, present, keep_when_present=keep, dry_run=dry_run,
            kept_by_row=(lambda row: () if row.is_history else ("status", "is_history")) if history else None)
    return report


def upsert_staff(session: Session, staff: list[StaffMember], *, present: frozenset[str] | None = None,
                 blanks: list[frozenset] | None = None, dry_run: bool = False) -> UpsertReport:
    """Insert new workers, update changed ones; ``active`` is never a column of a roster
    file, so an update keeps it unless ``present`` says otherwise."""
    report = UpsertReport()
    items = _incoming(staff, convert.staff_values, lambda s: s.staff_id, blanks)
    _upsert(session, StaffRow, "staff_id", items, report, datetime.now(timezone.utc), present, dry_run=dry_run)
    return report


def upsert_sites(session: Session, sites: list[NetworkSite], *, present: frozenset[str] | None = None,
                 blanks: list[frozenset] | None = None, dry_run: bool = False) -> UpsertReport:
    report = UpsertReport()
    items = _incoming(sites, convert.site_values, lambda s: s.site_id, blanks)
    _upsert(session, SiteRow, "site_id", items, report, datetime.now(timezone.utc), present, dry_run=dry_run)
    return report


def log_import(session: Session, path: str, kind: str, report: UpsertReport, rejected: int, author: str = "") -> None:
    session.add(ImportRow(path=path, kind=kind, added=len(report.added), updated=len(report.updated),
                          unchanged=len(report.unchanged), rejected=rejected,
                          details={"updated": report.updated, "warnings": report.warnings}, author=author,
                          created_at=datetime.now(timezone.utc)))


def _open_in(district: str, before: datetime):
    """The conditions of a district's open tickets received before ``before``."""
    return (TicketRow.district == district, TicketRow.status == "open", TicketRow.is_history.is_(False),
            TicketRow.received_at < before)


_TICKET_COLUMNS = [getattr(TicketRow, f) for f in convert.TICKET_COLUMNS]


def _ticket_records(session: Session, query, tz: ZoneInfo) -> list[Ticket]:
    """Tickets from plain column rows: tens of thousands of rows are read without building
    (and tracking) an ORM object each, which cost triage most of its time."""
    return convert.ticket_records(session.execute(query), tz)


def count_open_tickets(session: Session, district: str, before: datetime) -> int:
    """How many open tickets the district has received before ``before`` (counted, not loaded)."""
    return session.execute(select(func.count(TicketRow.id)).where(*_open_in(district, before))).scalar_one()


def open_tickets(session: Session, district: str, before: datetime, tz: ZoneInfo) -> list[Ticket]:
    """The district's tickets still waiting for a visit or a call, received before ``before``."""
    return _ticket_records(session, select(*_TICKET_COLUMNS).where(*_open_in(district, before))
                           .order_by(TicketRow.received_at, TicketRow.ticket_id), tz)


def tickets_since(session: Session, since: datetime, until: datetime, tz: ZoneInfo) -> list[Ticket]:
    """Every ticket (history or not, any district) received in [since, until)."""
    return _ticket_records(session, select(*_TICKET_COLUMNS).where(TicketRow.received_at >= since,
                                                                   TicketRow.received_at < until)
                           .order_by(TicketRow.received_at, TicketRow.ticket_id), tz)


def triage_evidence(session: Session, district: str, until: datetime, repeat_since: datetime,
                    cluster_since: datetime, network_keywords: list[str], tz: ZoneInfo) -> list[Ticket]:
    """What a district's triage needs besides its open tickets (which it has already):
    any ticket since ``repeat_since`` from a phone with an open ticket here (repeat
    complainants), and any ticket since ``cluster_since`` whose category or description
    may hold a network keyword (cluster evidence; triage applies the exact keyword test).

    Why not every ticket of the month: in a city that is tens of thousands of rows,
    and reading rows was most of a big district's triage time."""
    where = _evidence_where(district, until, repeat_since, cluster_since, network_keywords)
    return _ticket_records(session, select(*_TICKET_COLUMNS).where(*where)
                           .order_by(TicketRow.received_at, TicketRow.ticket_id), tz)


def count_triage_evidence(session: Session, district: str, until: datetime, repeat_since: datetime,
                          cluster_since: datetime, network_keywords: list[str]) -> int:
    """How many rows :func:`triage_evidence` would read (counted, not loaded)."""
    where = _evidence_where(district, until, repeat_since, cluster_since, network_keywords)
    return session.execute(select(func.count(TicketRow.id)).where(*where)).scalar_one()


def _evidence_where(district: str, until: datetime, repeat_since: datetime, cluster_since: datetime,
                    network_keywords: list[str]) -> tuple:
    """The conditions of a district's triage evidence: its own tickets only (history
    included).  Why not other districts': a district's triage would then be steered by
    rows another district's dispatcher can write, and would show that district's ticket
    ids and complaints on its pages and sheets."""
    own = _open_in(district, until)
    own_phones = select(TicketRow.phone).where(*own)
    maybe_network: list[ColumnElement[bool]] = [
        TicketRow.category.contains(k, autoescape=True) | TicketRow.description.contains(k, autoescape=True)
        for k in map(str, network_keywords)]
    if any(k.strip() != k or " " in k for k in map(str, network_keywords)):
        maybe_network = [TicketRow.id.isnot(None)]  # a keyword spanning both texts: no pre-filter
    when = or_(and_(TicketRow.received_at >= repeat_since, TicketRow.phone.in_(own_phones)),
               and_(TicketRow.received_at >= cluster_since, or_(*maybe_network) if maybe_network else false()))
    return (TicketRow.district == district, TicketRow.received_at < until, ~and_(*own), when)


def staff_for(session: Session, district: str) -> list[StaffMember]:
    rows = session.scalars(select(StaffRow).where(StaffRow.district == district).order_by(StaffRow.staff_id))
    return [convert.staff_record(r) for r in rows]


def sites_for(session: Session, district: str) -> list[NetworkSite]:
    """The network-plan sites a district's triage may use: its own and the shared ones
    (no district, written only by an administrator), never another district's, whose
    rows its dispatcher could otherwise use to steer this district's triage."""
    rows = session.scalars(select(SiteRow).where(or_(SiteRow.district == district, SiteRow.district == ""))
                           .order_by(SiteRow.site_id))
    return [convert.site_record(r) for r in rows]


def existing_ticket_ids(session: Session, district: str, ticket_ids: list[str]) -> set[str]:
    """Which of these ids the district has as tickets (one query per 500 ids)."""
    found: set[str] = set()
    for chunk in range(0, len(ticket_ids), 500):
        found.update(session.scalars(select(TicketRow.ticket_id).where(
            TicketRow.district == district, TicketRow.ticket_id.in_(ticket_ids[chunk:chunk + 500]))))
    return found


def add_override(session: Session, district: str, ticket_id: str, field_name: str, value: str,
                 author: str = "") -> None:
    session.add(OverrideRow(district=district, ticket_id=ticket_id, field=field_name, value=value, author=author,
                            created_at=datetime.now(timezone.utc)))


def overrides_for(session: Session, district: str, ticket_ids: list[str]) -> dict[str, dict[str, str]]:
    """The latest override per ticket of the district and field."""
    result: dict[str, dict[str, str]] = {}
    rows = session.scalars(select(OverrideRow).where(OverrideRow.district == district,
                                                     OverrideRow.ticket_id.in_(ticket_ids))
                           .order_by(OverrideRow.created_at, OverrideRow.id))
    for r in rows:
        result.setdefault(r.ticket_id, {})[r.field] = r.value
    return result


def save_plan(session: Session, document: dict, author: str = "") -> int:
    """Store a new version of the day's plan; the version number is written into the document.

    The next version is "the latest + 1", so two plans of the same district and day
    saved at once must not both read the same latest: the transaction first takes
    the (district, day) lock (:func:`planner.store.locks.serialise`), held until it
    commits, and reads the latest after it.  A second save waits for the first and
    gets the next number, so both plans are kept (no lost work, no duplicate
    version); the unique constraint ``uq_plan_version`` stays as the last guard.
    """
    day = date.fromisoformat(document["date"])
    serialise(session, plan_lock(day, document["district"]))
    latest = session.scalar(select(func.max(PlanRow.version)).where(PlanRow.day == day,
                                                                    PlanRow.district == document["district"]))
    version = (latest or 0) + 1
    document["version"] = version
    session.add(PlanRow(day=day, district=document["district"], version=version, author=author,
                        created_at=datetime.now(timezone.utc), document=document, status="draft"))
    return version


def plan_versions(session: Session, day, district: str) -> list[tuple[int, str, str, datetime]]:
    rows = session.scalars(select(PlanRow).where(PlanRow.day == day, PlanRow.district == district)
                           .order_by(PlanRow.version))
    return [(r.version, r.status, r.author, r.created_at) for r in rows]


def earlier_plans(session: Session, district: str, before, since=None) -> list[dict]:
    """The latest plan of each earlier day (from ``since`` on, when given): what was
    planned, and what was left over.  Only the latest version of a day is read."""
    latest = (select(PlanRow.day, func.max(PlanRow.version).label("version"))
              .where(PlanRow.district == district, PlanRow.day < before)
              .group_by(PlanRow.day))
    if since is not None:
        latest = latest.where(PlanRow.day >= since)
    newest = latest.subquery()
    rows = session.scalars(select(PlanRow.document).join(
        newest, (PlanRow.day == newest.c.day) & (PlanRow.version == newest.c.version))
        .where(PlanRow.district == district).order_by(PlanRow.day))
    return list(rows)


def tickets_by_ids(session: Session, district: str, ticket_ids: list[str], tz: ZoneInfo) -> dict[str, Ticket]:
    """The district's tickets of these ids (ids it does not have are left out)."""
    rows = session.scalars(select(TicketRow).where(TicketRow.district == district,
                                                   TicketRow.ticket_id.in_(ticket_ids)))
    return {r.ticket_id: convert.ticket_record(r, tz) for r in rows}


def complaints_of_phones(session: Session, phones: list[str], before: datetime, tz: ZoneInfo,
                         district: str) -> dict[str, list[Ticket]]:
    """Each phone's earlier tickets in the district (history included), oldest first: the
    complaint history on a sheet (another district's complaints are not its to show)."""
    rows = session.scalars(select(TicketRow).where(TicketRow.phone.in_(phones), TicketRow.received_at < before,
                                                   TicketRow.district == district)
                           .order_by(TicketRow.received_at, TicketRow.ticket_id))
    result: dict[str, list[Ticket]] = {}
    for r in rows:
        result.setdefault(r.phone, []).append(convert.ticket_record(r, tz))
    return result


def get_plan(session: Session, day: date, district: str, version: int | None = None,
             published_only: bool = False) -> tuple[dict, str] | None:
    """A plan version (the latest when ``version`` is None) and its status."""
    q = select(PlanRow).where(PlanRow.day == day, PlanRow.district == district)
    if version is not None:
        q = q.where(PlanRow.version == version)
    if published_only:
        q = q.where(PlanRow.status == "published")
    row = session.scalars(q.order_by(PlanRow.version.desc()).limit(1)).first()
    return (row.document, row.status) if row else None


def publish_plan(session: Session, day: date, district: str, version: int) -> None:
    """Mark a version published: it becomes what field staff see, and is never changed again."""
    row = session.scalars(select(PlanRow).where(PlanRow.day == day, PlanRow.district == district,
                                                PlanRow.version == version)).first()
    if row is None:
        from planner.errors import UserError

        raise UserError(f"no plan version {version} for {district} on {day}")
    row.status = "published"


def known_districts(session: Session) -> list[str]:
    """Every district that has staff or current (non-history) tickets."""
    names = set(session.scalars(select(StaffRow.district))) | set(
        session.scalars(select(TicketRow.district).where(TicketRow.is_history.is_(False))))
    return sorted(n for n in names if n)


def triage_fingerprint(session: Session, district: str) -> tuple:
    """Changes whenever anything a district's triage reads changes: tickets (imports,
    appointments, closures), network sites, overrides, the district's plans
    (carry-over) and its cases' events (a call's agreed window, a close, a reopening).
    Rows are updated or added, never deleted, so counts and the latest change time are
    enough."""
    tickets = session.execute(select(func.count(TicketRow.id), func.max(TicketRow.updated_at))).one()
    sites = session.execute(select(func.count(SiteRow.id), func.max(SiteRow.updated_at))).one()
    overrides = session.scalar(select(func.max(OverrideRow.id)))
    plans = session.scalar(select(func.max(PlanRow.id)).where(PlanRow.district == district))
    events = session.scalar(select(func.max(CaseEventRow.id)).join(CaseRow, CaseRow.id == CaseEventRow.case_id)
                            .where(CaseRow.district == district))
    return (tuple(tickets), tuple(sites), overrides, plans, events)


def set_ticket_status(session: Session, district: str, ticket_ids: list[str] | tuple[str, ...], status: str,
                      only_from: tuple[str, ...]) -> list[str]:
    """Move the district's tickets that are in one of ``only_from`` to ``status`` (history
    tickets are never touched); the ids that changed.  ``updated_at`` moves too, so
    triage sees it."""
    rows = session.scalars(select(TicketRow).where(TicketRow.district == district,
                                                   TicketRow.ticket_id.in_(list(ticket_ids)),
                                                   TicketRow.is_history.is_(False), TicketRow.status.in_(only_from)))
    now = datetime.now(timezone.utc)
    changed = []
    for row in rows:
        row.status, row.updated_at = status, now
        changed.append(row.ticket_id)
    return sorted(changed)
