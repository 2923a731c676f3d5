"""The dispatcher's actions as functions: import a file, triage a day, override a ticket.

The CLI and the web app call these and nothing below them, so a rule never
lives in a view or a command.  Each action runs in one database transaction:
it happens entirely or not at all.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from planner.errors import InvalidFileError, UserError
from planner.intake import IntakeContext, load_file, load_gazetteer
from planner.store import repository as repo
from planner.store.db import session_scope
from planner.store.repository import UpsertReport
from planner.triage import TriageResult, load_rules, triage
from planner.triage.engine import shift_start_of
from planner.triage.limits import check_open_tickets
from planner.triage.rules import SCENARIOS, TYPES, Rules


@dataclass
class ImportOutcome:
    path: str
    kind: str
    history: bool
    report: UpsertReport
    rejected: int
    rejects_path: str | None
    ignored_columns: list[str]
    encoding: str | None

    def summary(self) -> str:
        what = "history tickets" if self.history else self.kind
        text = f"{self.path}: {what}: {self.report.summary()}"
        if self.rejected:
            text += f", {self.rejected} rejected (reasons in {self.rejects_path})"
        return text


def intake_context(rules: Rules, gazetteer: str | Path | None = None, history: bool = False) -> IntakeContext:
    ctx = IntakeContext(tz=rules.tz, district_areas=rules.data.get("district_areas") or {}, history=history)
    if gazetteer:
        ctx.gazetteer = load_gazetteer(gazetteer, ctx)
    return ctx


def import_file(path: str | Path, *, kind: str | None = None, history: bool = False, skip_invalid: bool = False,
                rejects_path: str | Path | None = None, gazetteer: str | Path | None = None,
                rules: Rules | None = None, author: str = "", database: str | None = None) -> ImportOutcome:
    """Validate a whole file, then write it in one transaction (or nothing, if any row is bad
    and ``skip_invalid`` is off)."""
    rules = rules or load_rules()
    ctx = intake_context(rules, gazetteer, history)
    result = load_file(path, kind, ctx)
    if result.kind == "gazetteer":
        raise UserError(f"{path}: this is an address gazetteer; pass it to an import with --gazetteer {path}")
    if history and result.kind != "tickets":
        raise UserError(f"{path}: --history applies to ticket files, and this file holds {result.kind}")
    header_errors = [e for e in result.errors if e.line == 1 and e.column != "(row)"]
    if result.errors and (not skip_invalid or header_errors or not result.records):
        raise InvalidFileError(str(path), result.errors)
    written_rejects = None
    if result.errors:
        written_rejects = str(rejects_path or Path.cwd() / f"{Path(path).stem}-rejects.csv")
        _write_rejects(written_rejects, result)
    with session_scope(database) as session:
        if result.kind == "tickets":
            report = repo.upsert_tickets(session, result.records, str(path))
        elif result.kind == "staff":
            report = repo.upsert_staff(session, result.records)
        else:
            report = repo.upsert_sites(session, result.records)
        repo.log_import(session, str(path), "history" if history else result.kind, report,
                        len(result.rejected_lines), author)
    return ImportOutcome(str(path), result.kind, history, report, len(result.rejected_lines), written_rejects,
                         result.ignored_columns, result.encoding)


def _write_rejects(target: str, result) -> None:
    """The rejected rows as they were, with line numbers and reasons, for fixing and re-importing."""
    by_line: dict[int, list[str]] = {}
    for e in result.errors:
        by_line.setdefault(e.line, []).append(f"{e.column}: {e.reason}")
    headers: list[str] = []
    for values in result.rejected_lines.values():
        headers += [h for h in values if h not in headers and h != "__extra__"]
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(["line", "reasons", *headers])
        for line, values in sorted(result.rejected_lines.items()):
            w.writerow([line, "; ".join(by_line.get(line, [])), *[values.get(h, "") for h in headers]])


def triage_day(day: date, district: str, rules: Rules | None = None, database: str | None = None, *,
               as_of: datetime | None = None, allow_empty: bool = False) -> TriageResult:
    """The district's open tickets received before the shift starts (or ``as_of``), triaged
    by the rules.  No open tickets is a user error unless ``allow_empty``; more than the
    rules' ``limits.max_open_tickets`` is refused before any ticket is loaded."""
    rules = rules or load_rules()
    start = as_of or shift_start_of(rules, day)
    sel = rules.data["selection"]
    repeat_since = start - timedelta(days=sel["repeat"]["lookback_days"])
    cluster_since = start - timedelta(days=sel["cluster"]["days"])
    with session_scope(database) as session:
        check_open_tickets(repo.count_open_tickets(session, district, start), rules, district, start)
        open_tickets = repo.open_tickets(session, district, start, rules.tz)
        evidence = repo.triage_evidence(session, district, start, repeat_since, cluster_since,
                                        sel["cluster"]["network_keywords"], rules.tz)
        sites = repo.all_sites(session)
        first = min((t.received_at for t in open_tickets), default=start).astimezone(rules.tz).date()
        # a plan of a day before the first open ticket arrived cannot name any open ticket
        scheduled, deferred = carried_over(repo.earlier_plans(session, district, day, since=first))
        # tickets already scheduled are not triaged again, but still count as evidence
        evidence += [t for t in open_tickets if t.ticket_id in scheduled]
        open_tickets = [t for t in open_tickets if t.ticket_id not in scheduled]
        overrides = repo.overrides_for(session, [t.ticket_id for t in open_tickets])
    if not open_tickets and not allow_empty:
        known = _known_districts(database)
        hint = f" Districts with open tickets: {', '.join(known)}." if known else " The store has no open tickets yet: run `cvp import FILE` first."
        raise UserError(f"no open tickets for district {district!r} received before {start:%Y-%m-%d %H:%M}.{hint}")
    return triage(open_tickets, evidence, sites, rules, day, district, overrides, deferred, as_of=start)


def carried_over(earlier_plans: list[dict]) -> tuple[set[str], dict[str, int]]:
    """From earlier days' plans: tickets already scheduled for a visit (not triaged
    again), and for each ticket left unassigned, on how many days it was (aging)."""
    scheduled: set[str] = set()
    deferred: dict[str, int] = {}
    for doc in earlier_plans:
        for route in doc.get("routes", []):
            for step in route.get("steps", []):
                scheduled.update(step.get("ticket_ids") or [])
        for u in doc.get("unassigned", []):
            for tid in u.get("ticket_ids", []):
                deferred[tid] = deferred.get(tid, 0) + 1
    return scheduled, {t: n for t, n in deferred.items() if t not in scheduled}


def _known_districts(database: str | None) -> list[str]:
    from sqlalchemy import select

    from planner.store.models import TicketRow

    with session_scope(database) as session:
        return sorted(set(session.scalars(select(TicketRow.district).where(TicketRow.status == "open",
                                                                           TicketRow.is_history.is_(False)))))


OVERRIDABLE = {"type": TYPES, "scenario": SCENARIOS, "select": ("yes", "no")}


def parse_override(text: str) -> tuple[str, str, str]:
    """``TICKET type=irate`` / ``TICKET scenario=planned`` / ``TICKET select=no``."""
    try:
        ticket_id, assignment = text.strip().split(None, 1)
        field, value = (s.strip() for s in assignment.split("=", 1))
    except ValueError:
        raise UserError(f"override {text!r}: expected 'TICKET field=value', e.g. 'XA-001 type=irate'") from None
    return ticket_id, field, value


def set_overrides(items: list[tuple[str, str, str]], author: str = "", database: str | None = None) -> None:
    """Store dispatchers' decisions on tickets (all or none); triage applies them and shows them as overrides."""
    for ticket_id, field, value in items:
        if field not in OVERRIDABLE:
            raise UserError(f"override of {ticket_id}: field {field!r} cannot be overridden "
                            f"(choose one of: {', '.join(OVERRIDABLE)})")
        if value not in OVERRIDABLE[field]:
            raise UserError(f"override of {ticket_id}: {field}={value!r} is not one of "
                            f"{', '.join(OVERRIDABLE[field])}")
    with session_scope(database) as session:
        for ticket_id, field, value in items:
            if not repo.ticket_exists(session, ticket_id):
                raise UserError(f"override: no ticket {ticket_id!r} in the store")
            repo.add_override(session, ticket_id, field, value, author)


def plan_tickets(doc: dict, rules: Rules | None = None, database: str | None = None) -> tuple[dict, dict]:
    """The tickets behind a plan's stops, and each customer's complaint history: what
    route sheets, maps and exports show beside the plan document."""
    from datetime import datetime

    rules = rules or load_rules()
    ids = [t for r in doc.get("routes", []) for s in r.get("steps", []) for t in s.get("ticket_ids") or []]
    ids += [t for u in doc.get("unassigned", []) for t in u.get("ticket_ids", [])]
    with session_scope(database) as session:
        tickets = repo.tickets_by_ids(session, ids, rules.tz)
        missing = sorted(set(ids) - set(tickets))
        if missing:
            raise UserError(f"the plan names tickets that are not in the store: {', '.join(missing[:10])}"
                            + (" …" if len(missing) > 10 else "") + " (import them, or use the store the plan was made with)")
        before = datetime.fromisoformat(doc["created_at"]) if doc.get("created_at") else None
        phones = sorted({t.phone for t in tickets.values()})
        history = repo.complaints_of_phones(session, phones, before or datetime.now(rules.tz), rules.tz)
    return tickets, history
