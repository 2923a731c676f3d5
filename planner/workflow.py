"""The dispatcher's actions as functions: import a file, triage a day, override a ticket.

The CLI and the web app call these and nothing below them, so a rule never
lives in a view or a command.  Each takes the caller's session (one per command or
request, :mod:`planner.store.db`); each action runs in one transaction with its
audit row, naming the :class:`~planner.actor.Actor`: it happens entirely or not at all.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.orm import Session

from planner.actor import Actor
from planner.cases.carry import cases_on
from planner.errors import InvalidFileError, UserError
from planner.intake import IntakeContext, IntakeResult, load_file, load_gazetteer
from planner.intake.load import MAX_BAD_ROWS
from planner.intake.ownership import foreign_rows
from planner.plan.document import PlanDocument
from planner.store import accounts
from planner.store import cases as case_store
from planner.store import repository as repo
from planner.store.db import transaction
from planner.store.locks import import_lock, serialise
from planner.store.repository import UpsertReport
from planner.triage import TriageResult, triage
from planner.triage.engine import shift_start_of
from planner.triage.gc_pause import collector_paused
from planner.triage.gifts import gifts_on_plans
from planner.triage.limits import check_evidence, check_open_tickets
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


@dataclass
class ImportCheck:
    """A file checked against the store without writing: its rows (ownership refusals
    among the errors) and what importing it would change (``report.warnings``: what
    it would lose).  The web preview shows this before the dispatcher confirms."""

    result: IntakeResult
    report: UpsertReport


class LosingUpdate(UserError):
    """An import would lower a VIP tier, clear a filled field or move a row to another
    district, and the caller did not allow it; nothing was imported."""

    def __init__(self, name: str, report: UpsertReport, limit: int = 50):
        self.report = report
        items = sorted(report.warnings.items())
        shown = "\n".join(f"  {key}: {'; '.join(lost)}" for key, lost in items[:limit])
        more = f"\n  … and {len(items) - limit} more" if len(items) > limit else ""
        super().__init__(
            f"{name}: {len(items)} update(s) would lose stored values; nothing was imported.\n{shown}{more}\n"
            "Check the file (a missing or emptied column, a cut row?); if these changes are meant, "
            "import again with --allow-downgrade.")


class MisplacedFile(UserError):
    """A file given where another kind of file belongs: a gazetteer as the file to import
    (it goes beside a ticket file), or a roster or network plan as history.  ``found`` is
    what the file holds, so each interface can say where it belongs in its own words."""

    def __init__(self, path: str | Path, found: str, message: str):
        self.path, self.found = str(path), found
        super().__init__(message)


def intake_context(rules: Rules, gazetteer: str | Path | None = None, history: bool = False,
                   max_bad_rows: int | None = None) -> IntakeContext:
    ctx = IntakeContext(tz=rules.tz, district_areas=rules.district_areas, history=history,
                        max_bad_rows=max_bad_rows)
    if gazetteer:
        ctx.gazetteer = load_gazetteer(gazetteer, ctx)
    return ctx


def _validated(path: str | Path, kind: str | None, history: bool, gazetteer: str | Path | None,
               rules: Rules, max_bad_rows: int | None = MAX_BAD_ROWS) -> IntakeResult:
    result = load_file(path, kind, intake_context(rules, gazetteer, history, max_bad_rows))
    if result.kind == "gazetteer":
        raise MisplacedFile(path, result.kind,
                            f"{path}: this is an address gazetteer; pass it to an import with --gazetteer {path}")
    if history and result.kind != "tickets":
        raise MisplacedFile(path, result.kind,
                            f"{path}: --history applies to ticket files, and this file holds {result.kind}")
    return result


def _refuse_foreign(result: IntakeResult, districts: Collection[str] | None) -> None:
    """Move the rows of districts the user does not hold to the row errors."""
    result.refuse(foreign_rows(result, districts))


def _upsert(session, result: IntakeResult, source: str, dry_run: bool) -> UpsertReport:
    present, blanks = result.present, [result.blanks(i) for i in range(len(result.records))]
    if result.kind == "tickets":
        return repo.upsert_tickets(session, result.records, source, present=present, blanks=blanks, dry_run=dry_run)
    if result.kind == "staff":
        return repo.upsert_staff(session, result.records, present=present, blanks=blanks, dry_run=dry_run)
    return repo.upsert_sites(session, result.records, present=present, blanks=blanks, dry_run=dry_run)


def check_file(session: Session, path: str | Path, *, kind: str | None = None, history: bool = False,
               gazetteer: str | Path | None = None, rules: Rules,
               districts: Collection[str] | None = None, name: str | None = None) -> ImportCheck:
    """What :func:`import_file` would do with this file, without writing anything: the
    same validation and ownership refusals, and the same report (from a dry run of the
    same upsert, so the preview cannot promise other changes than the import makes)."""
    result = _validated(path, kind, history, gazetteer, rules)
    with transaction(session):
        _refuse_foreign(result, districts)
        report = _upsert(session, result, name or str(path), dry_run=True)
    return ImportCheck(result, report)


def import_file(session: Session, path: str | Path, *, actor: Actor, rules: Rules, kind: str | None = None,
                history: bool = False, skip_invalid: bool = False, rejects_path: str | Path | None = None,
                gazetteer: str | Path | None = None, districts: Collection[str] | None = None,
                allow_downgrade: bool = False, allowed_losses: Mapping[str, Collection[str]] | None = None,
                name: str | None = None, audit_details: Mapping | None = None) -> ImportOutcome:
    """Validate a whole file, then write it in one transaction (or nothing, if any row is bad
    and ``skip_invalid`` is off).

    ``districts``: the districts the importing user holds (None: any — the operator's
    ``cvp import`` on the server, and admins).  A row of another district is a row error
    (:mod:`planner.intake.ownership`): the file is refused, or with ``skip_invalid`` that
    row goes to the rejects CSV.  A row is the stored record of the same district and id.

    A column the file does not have leaves the stored field alone; a new row gets the
    default.  An update that lowers a VIP tier or clears a filled field is listed in
    ``report.warnings``, and refused (:class:`LosingUpdate`, nothing written) unless
    ``allow_downgrade``: at the command line nothing is shown before the write, so the
    operator who looked at the list says so with ``--allow-downgrade``.  The web app's
    confirm passes ``allowed_losses``, the list its preview showed (id → loss texts):
    those are allowed, and any other loss (the store changed since) refuses the file.

    ``name`` is what messages, the import log, the audit row and the tickets' source show
    instead of ``path`` (the file's own name, not where the server keeps an upload).
    The audit row ("import", by ``actor``, with ``audit_details``) is written in the
    import's transaction.
    """
    shown = name or str(path)
    # a file with any bad row imports nothing, so checking stops after the first many;
    # --skip-invalid writes every rejected row, so it checks them all
    result = _validated(path, kind, history, gazetteer, rules, None if skip_invalid else MAX_BAD_ROWS)
    with transaction(session):
        serialise(session, import_lock())  # two imports at once: the second waits, then finds the first's rows
        _refuse_foreign(result, districts)
        header_errors = [e for e in result.errors if e.line == 1 and e.column != "(row)"]
        if result.errors and (not skip_invalid or header_errors or not result.records):
            raise InvalidFileError(shown, result.errors)
        report = _upsert(session, result, shown, dry_run=False)
        if report.warnings and not allow_downgrade and not _only(report.warnings, allowed_losses):
            raise LosingUpdate(shown, report)  # the session rolls back: nothing is written
        written_rejects = None
        if result.errors:
            written_rejects = str(rejects_path or Path.cwd() / f"{Path(path).stem}-rejects.csv")
            _write_rejects(written_rejects, result)
        what = "history" if history else result.kind
        repo.log_import(session, shown, what, report, len(result.rejected_lines), actor.username)
        accounts.audit(session, actor.username, "import", shown,
                       {"kind": what, "added": len(report.added), "updated": len(report.updated),
                        "unchanged": len(report.unchanged), "losing": report.warnings, **(audit_details or {})})
    return ImportOutcome(shown, result.kind, history, report, len(result.rejected_lines), written_rejects,
                         result.ignored_columns, result.encoding)


def _only(warnings: Mapping[str, list], allowed: Mapping[str, Collection[str]] | None) -> bool:
    """Whether every loss of ``warnings`` is among ``allowed`` (None: none is)."""
    return allowed is not None and all(str(w) in allowed.get(key, ()) for key, lost in warnings.items()
                                       for w in lost)


def _write_rejects(target: str, result: IntakeResult) -> None:
    """The rejected rows as they were, with line numbers and reasons, for fixing and
    re-importing; written like the plan exports, so a cell such as ``=cmd|…`` (customer
    text) is never run as a formula by the spreadsheet that opens it."""
    from planner.tables import safe_text, write_csv

    by_line: dict[int, list[str]] = {}
    for e in result.errors:
        by_line.setdefault(e.line, []).append(f"{e.column}: {e.reason}")
    headers: list[str] = []
    for values in result.rejected_lines.values():
        headers += [h for h in values if h not in headers and h != "__extra__"]
    rows = [[line, "; ".join(by_line.get(line, [])), *[values.get(h, "") for h in headers]]
            for line, values in sorted(result.rejected_lines.items())]
    write_csv(target, [safe_text(h) for h in ["line", "reasons", *headers]], rows)


def triage_day(session: Session, day: date, district: str, rules: Rules, *, as_of: datetime | None = None,
               allow_empty: bool = False) -> TriageResult:
    """The district's open tickets received before the shift starts (or ``as_of``), triaged
    by the rules.  No open tickets is a user error unless ``allow_empty``; more than the
    rules' ``limits.max_open_tickets`` is refused before any ticket is loaded."""
    with collector_paused():  # a big district: no cycles to find, many full passes (planner.triage.gc_pause)
        return _triage_day(session, day, district, rules, as_of, allow_empty)


def _triage_day(session: Session, day: date, district: str, rules: Rules, as_of: datetime | None,
                allow_empty: bool) -> TriageResult:
    start = as_of or shift_start_of(rules, day)
    repeat_since, cluster_since = rules.selection.evidence_since(start)
    with transaction(session):
        check_open_tickets(repo.count_open_tickets(session, district, start), rules, district, start)
        keywords = list(rules.selection.cluster.network_keywords)
        check_evidence(repo.count_triage_evidence(session, district, start, repeat_since, cluster_since, keywords),
                       rules, district, start)
        open_tickets = repo.open_tickets(session, district, start, rules.tz)
        evidence = repo.triage_evidence(session, district, start, repeat_since, cluster_since, keywords, rules.tz)
        sites = repo.sites_for(session, district)
        # the month's earlier plans, for the gifts already given this month
        plans = [PlanDocument.of(doc) for doc in repo.earlier_plans(session, district, day, since=day.replace(day=1))]
        on_day = cases_on(day, case_store.load_cases(session, district, open_tickets_only=True))
        settled = on_day.settled | _followed_up_before_cases(session, district)
        # tickets settled by their cases are not triaged again, but still count as evidence
        evidence += [t for t in open_tickets if t.ticket_id in settled]
        open_tickets = [t for t in open_tickets if t.ticket_id not in settled]
        overrides = repo.overrides_for(session, district, [t.ticket_id for t in open_tickets])
    if not open_tickets and not allow_empty:
        raise UserError(_no_open_tickets(session, district, start, rules))
    return triage(open_tickets, evidence, sites, rules, day, district, overrides, as_of=start,
                  gifts_before=gifts_on_plans(plans, day), carried=on_day.carried)


def _followed_up_before_cases(session: Session, district: str) -> frozenset[str]:
    """Tickets of visits recorded as needing follow-up before cases were kept (a store from
    before migration 0013): they are on the follow-up list, not to be visited again."""
    from planner.store import outcomes as outcome_store

    followed = {t for o in outcome_store.open_follow_ups(session, district) for t in o.ticket_ids}
    if not followed:
        return frozenset()
    return frozenset(followed - case_store.tickets_with_cases(session, district, followed))


def _no_open_tickets(session: Session, district: str, start: datetime, rules: Rules) -> str:
    """Why a day has nothing to triage, and which days do: the open tickets' received dates
    by district, the first day each could be planned, or that earlier plans already have them."""
    from sqlalchemy import func, select

    from planner.store.models import TicketRow

    with transaction(session):
        spans = session.execute(
            select(TicketRow.district, func.count(), func.min(TicketRow.received_at), func.max(TicketRow.received_at))
            .where(TicketRow.status == "open", TicketRow.is_history.is_(False)).group_by(TicketRow.district)).all()
    by_district = {d: (n, _local(lo, rules), _local(hi, rules)) for d, n, lo, hi in spans}
    head = f"no open tickets for district {district!r} received before {start:%Y-%m-%d %H:%M}"
    if not by_district:
        return f"{head}. The store has no open tickets yet: run `cvp import FILE` first."

    def span(n: int, lo: datetime, hi: datetime) -> str:
        days = f"{lo:%Y-%m-%d}" if lo.date() == hi.date() else f"{lo:%Y-%m-%d} to {hi:%Y-%m-%d}"
        return f"{n} received {days}"

    if district in by_district:
        n, lo, hi = by_district[district]
        if lo < start:
            return (f"{head}: its {n} open tickets received by then are already on earlier days' plans "
                    f"(open the plan of the day they were scheduled for, or re-plan it)")
        first = lo.date() if lo < shift_start_of(rules, lo.date()) else lo.date() + timedelta(days=1)
        return (f"{head}: its open tickets were received later ({span(n, lo, hi)}); the first day they can be "
                f"planned is {first:%Y-%m-%d}")
    # other districts by name only: their counts and dates are theirs (a typo in --district is the usual cause)
    return (f"{head}: {district!r} has no open tickets at all. Districts with open tickets: "
            f"{', '.join(sorted(by_district))}.")


def _local(dt: datetime, rules: Rules) -> datetime:
    return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).astimezone(rules.tz)


OVERRIDABLE = {"type": TYPES, "scenario": SCENARIOS, "select": ("yes", "no")}
# The rules-file section whose Chinese labels a dispatcher may type instead of a code.
OVERRIDE_LABELS = {"type": "customer_types", "scenario": "scenarios"}
SELECT_NAMES = {"yes": "yes", "no": "no", "是": "yes", "否": "no"}


def override_value(field: str, value: str, rules: Rules) -> str | None:
    """The stored code for a value typed as a code or as the label the tool prints
    (``激愤暴躁型`` → ``irate``), or ``None`` if it is neither."""
    if field in OVERRIDE_LABELS:
        return rules.code_of(OVERRIDE_LABELS[field], value)
    return SELECT_NAMES.get(value.strip())


def override_names(field: str, rules: Rules) -> list[str]:
    """What an error lists as the accepted values: each code with its Chinese label."""
    if field in OVERRIDE_LABELS:
        return rules.names(OVERRIDE_LABELS[field])
    return ["yes (是)", "no (否)"]


def parse_override(text: str) -> tuple[str, str, str]:
    """``TICKET type=irate`` / ``TICKET scenario=planned`` / ``TICKET select=no``."""
    try:
        ticket_id, assignment = text.strip().split(None, 1)
        field, value = (s.strip() for s in assignment.split("=", 1))
    except ValueError:
        raise UserError(f"override {text[:100]!r}: expected 'TICKET field=value', e.g. 'XA-001 type=irate'") from None
    _check_ticket_id(ticket_id)
    return ticket_id, field, value


def _check_ticket_id(ticket_id: str) -> None:
    """A ticket id as intake accepts it (length of the store's column, no control
    characters or line breaks): checked before anything is written, so a CRLF id is
    refused instead of being stored and then breaking the page that names it."""
    from planner.intake.lengths import max_length, text_problem

    if not isinstance(ticket_id, str) or not ticket_id.strip():
        raise UserError("override: the ticket id is empty")
    found = text_problem("ticket_id", ticket_id, max_length("ticket_id"))
    if found is not None:
        msgid, values = found
        raise UserError(f"override of {ticket_id[:70]!r}: ticket id: {msgid.format(**values)}")


def _dispatches(actor: Actor, district: str) -> None:
    """A change to the district's tickets is a dispatcher's (:meth:`Actor.dispatches`)."""
    if not actor.dispatches(district):
        raise UserError(f"{actor.username} may not change the tickets of {district}")


def set_overrides(session: Session, district: str, items: list[tuple[str, str, str]], *, actor: Actor,
                  rules: Rules, audit_details: Mapping | None = None) -> None:
    """Store dispatchers' decisions on the district's tickets (all or none), each with its
    audit row ("override": the ticket, the field and value as typed, ``audit_details``)
    in the same transaction; triage applies them and shows them as overrides.  A type or
    scenario may be given by its code or by the Chinese name the tool prints."""
    _dispatches(actor, district)
    typed = list(items)
    normalised = []
    for ticket_id, field, value in items:
        _check_ticket_id(ticket_id)
        if field not in OVERRIDABLE:
            raise UserError(f"override of {ticket_id}: field {field!r} cannot be overridden "
                            f"(choose one of: {', '.join(OVERRIDABLE)})")
        code = override_value(field, value, rules)
        if code is None:
            raise UserError(f"override of {ticket_id}: {field}={value!r} is not one of "
                            f"{', '.join(override_names(field, rules))}")
        normalised.append((ticket_id, field, code))
    with transaction(session):
        known = repo.existing_ticket_ids(session, district, [ticket_id for ticket_id, _, _ in normalised])
        for (ticket_id, field, code), (_, _, value) in zip(normalised, typed, strict=True):
            if ticket_id not in known:
                raise UserError(f"override: no ticket {ticket_id!r} in {district}")
            repo.add_override(session, district, ticket_id, field, code, actor.username)
            accounts.audit(session, actor.username, "override", ticket_id,
                           {"field": field, "value": value, "district": district, **(audit_details or {})})


def plan_tickets(session: Session, doc, rules: Rules) -> tuple[dict, dict]:
    """The tickets behind a plan's stops (``doc`` a :class:`planner.plan.document.PlanDocument`
    or its JSON form), and each customer's complaint history: what route sheets, maps and
    exports show beside the plan document."""
    plan = PlanDocument.of(doc)
    ids = [t for r in plan.routes for s in r.steps for t in s.ticket_ids]
    ids += [t for u in plan.unassigned for t in u.ticket_ids]
    with transaction(session):
        tickets = repo.tickets_by_ids(session, plan.district, ids, rules.tz)
        missing = sorted(set(ids) - set(tickets))
        if missing:
            raise UserError(f"the plan names tickets that are not in the store: {', '.join(missing[:10])}"
                            + (" …" if len(missing) > 10 else "") + " (import them, or use the store the plan was made with)")
        before = datetime.fromisoformat(plan.created_at)
        phones = sorted({t.phone for t in tickets.values()})
        history = repo.complaints_of_phones(session, phones, before, rules.tz, plan.district)
    return tickets, history


def set_appointment(session: Session, district: str, ticket_id: str, start: datetime | None,
                    end: datetime | None, *, actor: Actor, audit_details: Mapping | None = None) -> None:
    """Store the window agreed on the phone with the customer (both None: clear it), audited
    ("appointment": the ticket, the window or ``cleared``, the district) in the same
    transaction.  Triage takes the window into the visit."""
    from planner.store import appointments

    _dispatches(actor, district)
    with transaction(session):
        appointments.set_appointment(session, district, ticket_id, start, end, actor.username)
        window = {"start": start.isoformat(), "end": end.isoformat()} if start and end else {"cleared": True}
        accounts.audit(session, actor.username, "appointment", ticket_id,
                       {**window, "district": district, **(audit_details or {})})
