"""ORM tables.  Field names follow :mod:`planner.records`; conversion is in
:mod:`planner.store.convert` and nowhere else.

Datetimes are stored as UTC (SQLite has no time zones) through
:class:`UTCDateTime` and come back timezone-aware.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: the largest value an ``Integer`` column holds on every store (PostgreSQL's INTEGER is
#: 32 bits): an id or a version past it names no row, and is refused before any query
INTEGER_MAX = 2 ** 31 - 1


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware (UTC) datetimes out, on every database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    pass


class TicketRow(Base):
    """A complaint ticket.  Its id is unique within its district, not store-wide: a
    district's ids are its own, so no other district can take one first."""

    __tablename__ = "tickets"
    __table_args__ = (UniqueConstraint("district", "ticket_id", name="uq_tickets_district_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(64), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    phone: Mapped[str] = mapped_column(String(32), index=True)
    district: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(Text)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    customer_name: Mapped[str] = mapped_column(String(128), default="")
    vip_level: Mapped[str] = mapped_column(String(16), default="none")
    category: Mapped[str] = mapped_column(String(128), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tenure_years: Mapped[float | None] = mapped_column(Float)
    arpu: Mapped[float | None] = mapped_column(Float)
    escalation: Mapped[bool] = mapped_column(Boolean, default=False)
    core_customer: Mapped[bool] = mapped_column(Boolean, default=False)
    comm_style: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    is_history: Mapped[bool] = mapped_column(Boolean, default=False)
    source_file: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StaffRow(Base):
    """A field worker of one district; the id is unique within the district."""

    __tablename__ = "staff"
    __table_args__ = (UniqueConstraint("district", "staff_id", name="uq_staff_district_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(128))
    district: Mapped[str] = mapped_column(String(64), index=True)
    base_lat: Mapped[float | None] = mapped_column(Float)
    base_lon: Mapped[float | None] = mapped_column(Float)
    base_name: Mapped[str] = mapped_column(String(128), default="", server_default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    shift_start: Mapped[str | None] = mapped_column(String(5))
    shift_end: Mapped[str | None] = mapped_column(String(5))
    break_start: Mapped[str | None] = mapped_column(String(5))
    break_end: Mapped[str | None] = mapped_column(String(5))
    skills: Mapped[str] = mapped_column(String(256), default="")
    transport: Mapped[str] = mapped_column(String(16), default="bus")
    max_visits: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SiteRow(Base):
    """A network-plan site of one district (district "" serves every district); the id is
    unique within its district."""

    __tablename__ = "sites"
    __table_args__ = (UniqueConstraint("district", "site_id", name="uq_sites_district_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(String(64), index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(32))
    expected_date: Mapped[date | None] = mapped_column(Date)
    district: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(128), default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OverrideRow(Base):
    """A dispatcher's decision that beats the rules for one ticket (type, scenario, selection)."""

    __tablename__ = "overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district: Mapped[str] = mapped_column(String(64), index=True, default="", server_default="")
    ticket_id: Mapped[str] = mapped_column(String(64), index=True)
    field: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ImportRow(Base):
    """One import run: what file, what kind, and what it changed."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    author: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PlanRow(Base):
    """One version of a district's day plan; earlier versions are kept, never overwritten."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("day", "district", "version", name="uq_plan_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    district: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    author: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    document: Mapped[dict] = mapped_column(JSON)


class UserRow(Base):
    """A person who signs in: dispatcher (tied to a district), field worker (tied to a staff
    member), planner, or admin.  Passwords are stored only as hashes."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[str | None] = mapped_column(String(64))
    district: Mapped[str | None] = mapped_column(String(64))
    api_token_hash: Mapped[str | None] = mapped_column(String(128), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebSessionRow(Base):
    """One signed-in browser session.  The cookie carries a random id; the store keeps
    only its SHA-256 digest, so a session ends for good when its row is revoked
    (sign-out, password change, deactivation, "sign out everywhere") whatever copies
    of the cookie exist."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditRow(Base):
    """Who imported, overrode, planned, published or downloaded what, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32), index=True)
    target: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class LoginFailureRow(Base):
    """One failed sign-in under one key (user name and address, or address): what the
    login rate limit counts, shared by every server process on the store."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AbsenceRow(Base):
    """A staff member off duty on one day (the dispatcher's roster for the day)."""

    __tablename__ = "absences"
    __table_args__ = (UniqueConstraint("day", "district", "staff_id", name="uq_absence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    district: Mapped[str] = mapped_column(String(64), default="", server_default="")
    staff_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(128), default="")
    author: Mapped[str] = mapped_column(String(64), default="")


class OutcomeRow(Base):
    """What happened at a stop, recorded by the field worker (the sheet's boxes, online)."""

    __tablename__ = "outcomes"
    __table_args__ = (UniqueConstraint("day", "district", "visit_id", name="uq_outcome_visit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    district: Mapped[str] = mapped_column(String(64), index=True)
    visit_id: Mapped[str] = mapped_column(String(96))
    ticket_ids: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    staff_id: Mapped[str] = mapped_column(String(64))
    plan_version: Mapped[int] = mapped_column(Integer)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the field worker's record (planner.field_record): typed columns for what reports count,
    # the measurements (operator × technology: dBm, call, data) as JSON
    visit_result: Mapped[str | None] = mapped_column(String(16), index=True)  # None: before results were kept
    satisfaction: Mapped[str | None] = mapped_column(String(32))  # only when the customer was met
    measurements: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    problem: Mapped[str] = mapped_column(Text, default="", server_default="")
    requests: Mapped[str] = mapped_column(Text, default="", server_default="")
    measure: Mapped[str] = mapped_column(Text, default="", server_default="")
    gift_given: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    gift_item: Mapped[str] = mapped_column(String(64), default="", server_default="")
    promised_date: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # 需要后期闭环: the dispatcher records when the follow-up closed the case
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followed_up_by: Mapped[str | None] = mapped_column(String(64))
    follow_up_notes: Mapped[str] = mapped_column(Text, default="", server_default="")


ACTIVE_JOB = "status IN ('queued', 'running')"  # the job statuses that hold a job's lock_key


class JobRow(Base):
    """A background job (planning a day): queued, running, done or failed, with its result.

    ``lock_key`` names the work a job does that must not run twice at once (a
    district's day being planned); the partial unique index lets at most one
    queued or running job hold each key, so two requests at the same moment give
    one job, decided by the database rather than by a check before the insert.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("uq_jobs_active_lock_key", "lock_key", unique=True,
                            sqlite_where=text(ACTIVE_JOB), postgresql_where=text(ACTIVE_JOB)),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the process responsible for the job ("host:pid"; empty while an external queue holds it)
    # and its last sign of life while running: what tells a stuck job from a slow one
    worker: Mapped[str] = mapped_column(String(128), default="", server_default="")
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lock_key: Mapped[str | None] = mapped_column(String(200))


class ScenarioRow(Base):
    """A planner's saved cost scenario (the YAML text, validated by cost_model).

    Owned by the account that saved it: the name is unique per owner, so two planners'
    "mine" are two rows and neither can overwrite or delete the other's.  ``shared``
    publishes it read-only to every planner; only the owner changes or deletes it."""

    __tablename__ = "cost_scenarios"
    __table_args__ = (UniqueConstraint("owner", "name", name="uq_cost_scenarios_owner_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(128))
    yaml_text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)


class CaseRow(Base):
    """A case: one customer (or one cluster) selected for a visit, or one phone follow-up.

    Only its identity lives here; what has happened to it is its events
    (:class:`CaseEventRow`) and its state is derived from them
    (:mod:`planner.cases.lifecycle`)."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    opened_day: Mapped[date] = mapped_column(Date, index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseTicketRow(Base):
    """The tickets of a case (a cluster's members; a customer's tickets of the day)."""

    __tablename__ = "case_tickets"
    __table_args__ = (UniqueConstraint("case_id", "ticket_id", name="uq_case_ticket"),
                      Index("ix_case_tickets_district_ticket", "district", "ticket_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, ForeignKey("cases.id"), index=True)
    district: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[str] = mapped_column(String(64))


class CaseEventRow(Base):
    """One event of a case's history, appended and never changed.  ``seq`` numbers a
    case's events; the unique (case, seq) makes two writers appending at once collide
    instead of both deciding on the same state."""

    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_event_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(Integer, ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    day: Mapped[date | None] = mapped_column(Date, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
