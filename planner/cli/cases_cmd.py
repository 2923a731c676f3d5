"""``cvp cases …``, ``cvp calls list|record`` and ``cvp day close``: the case ledger at the command line."""

from __future__ import annotations

from datetime import date, datetime

import click

from planner.cli import actor_of, cvp, rules_of, session_of
from planner.cli.params import DAY


def _today(ctx: click.Context, day: datetime | None) -> date:
    return day.date() if day else datetime.now(rules_of(ctx).tz).date()


@cvp.group("cases")
def cases_group() -> None:
    """Every selected customer as a case, from selection until it is closed."""


@cases_group.command("list")
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--date", "day", type=DAY, help="As on this day (default: today).")
@click.option("--all", "show_all", is_flag=True, help="Closed cases too.")
@click.pass_context
def cases_list(ctx, district, day, show_all):
    """The district's open cases, oldest first: state, age, tickets, what is next, and why a case is back."""
    from planner.cases.ledger import ledger

    lines = ledger(session_of(ctx), district, _today(ctx, day), open_only=not show_all)
    if lines:
        click.echo("case\tkind\tstate\tage\ttickets\tnext\twhy back")
    for line in lines:
        s = line.state
        click.echo("\t".join([str(line.case.case_id), s.kind.value, s.status.value, f"{line.age_days}d",
                              ",".join(line.case.ticket_ids), ("OVERDUE " if line.overdue else "") + line.next_action,
                              str(s.back_because or "")]).rstrip("\t"))
    if not lines:
        click.echo(f"no {'' if show_all else 'open '}cases in {district}")


@cases_group.command("show")
@click.argument("case_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--date", "day", type=DAY, help="Where it stands on this day (default: today).")
@click.pass_context
def cases_show(ctx, case_id, district, day):
    """A case's whole history, one event a line, and where it stands."""
    from planner.cases.carry import as_seen_on
    from planner.cases.ledger import next_action
    from planner.cases.lifecycle import derive
    from planner.errors import UserError
    from planner.store.cases import get_case

    case = get_case(session_of(ctx), district, case_id)
    if case is None:
        raise UserError(f"no case {case_id} in {district}")
    tz = rules_of(ctx).tz
    on = _today(ctx, day)
    state = as_seen_on(derive(case.events), on)
    click.echo(f"case {case.case_id} ({case.district}, {case.kind.value}): {state.status.value}; "
               f"tickets {', '.join(case.ticket_ids)}")
    for e in case.events:
        values = " ".join(f"{k}={v}" for k, v in e.data.items() if k not in ("kind", "ticket_ids"))
        click.echo("\t".join([str(e.seq), f"{e.at.astimezone(tz):%Y-%m-%d %H:%M}", e.actor, e.kind.value,
                              f"{e.day:%Y-%m-%d}" if e.day else "", values, " ".join(e.note.split())]).rstrip("\t"))
    click.echo(f"next: {next_action(state, on)[0]}")


@cases_group.command("close")
@click.argument("case_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--reason", required=True, help="Why the case is closed (kept in its history).")
@click.pass_context
def cases_close(ctx, case_id, district, reason):
    """Close a case with a written reason: it leaves the ledger and is not selected again."""
    from planner.cases.actions import close_case

    close_case(session_of(ctx), actor_of(ctx), district, case_id, reason, day=_today(ctx, None))
    click.echo(f"case {case_id}: closed")


@cases_group.command("reopen")
@click.argument("case_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--reason", required=True, help="Why the case is open again (kept in its history).")
@click.pass_context
def cases_reopen(ctx, case_id, district, reason):
    """Open a closed case again: the next triage selects it."""
    from planner.cases.actions import reopen_case

    reopen_case(session_of(ctx), actor_of(ctx), district, case_id, reason, day=_today(ctx, None))
    click.echo(f"case {case_id}: open again")


@cases_group.command("convert")
@click.argument("case_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--reason", required=True, help="Why the customer needs a visit after all (kept in its history).")
@click.pass_context
def cases_convert(ctx, case_id, district, reason):
    """Turn an open phone follow-up into a visit: the next triage selects it, saying it was converted."""
    from planner.cases.actions import convert_to_visit

    step = convert_to_visit(session_of(ctx), actor_of(ctx), district, case_id, reason, day=_today(ctx, None))
    click.echo(f"case {case_id}: converted to a visit ({step.state.back_because})")


@cvp.group("calls")
def calls_group() -> None:
    """Calls to customers (agreeing a visit, phone follow-ups)."""


@calls_group.command("list")
@click.option("--date", "day", required=True, type=DAY, help="The visits' day, YYYY-MM-DD.")
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.pass_context
def calls_list(ctx, day, district):
    """Whom to call to agree the day's visits: from the day's newest plan version (a suggested
    slot around each visit's planned start) or, with no plan yet, from the triage; still to
    agree first.  Full phone numbers: the dispatcher dials them.  Then the open phone
    follow-up cases, and the call tips."""
    from planner.cases.call_list import call_list

    rules = rules_of(ctx)
    listed = call_list(session_of(ctx), day.date(), district, rules)
    where = (f"plan v{listed.version} ({listed.plan_status})" if listed.source == "plan"
             else f"triage ({listed.note['en'] if listed.note else ''})")
    click.echo(f"{district} {day:%Y-%m-%d}: {len(listed.lines)} visit(s) to call, from the {where}")
    if listed.lines:
        click.echo("visit\ttickets\tcustomer\taddress\tvip\ttype\tscenario\tslot\tcase\tcalls\tagreed\tnote")
    for line in listed.lines:
        click.echo(_row(line, [line.vip_level, line.customer_type or "", line.scenario or "", _window(line.slot)],
                        rules.tz))
    if listed.phone_cases:
        click.echo(f"phone follow-ups: {len(listed.phone_cases)}")
        click.echo("case\ttickets\tcustomer\tcalls")
    for line in listed.phone_cases:
        click.echo("\t".join([str(line.case_id), ",".join(line.ticket_ids), _customers(line), _calls(line, rules.tz)]))
    shown = dict.fromkeys(line.customer_type for line in listed.lines if line.customer_type)
    tips = [t["en"] or t["zh"] for t in listed.general_tips]
    tips += [f"{code}: {tip['en'] or tip['zh']}" for code in shown if (tip := rules.cases.call_tips.for_type(code))]
    click.echo("tips:\n" + "\n".join(f"  - {t}" for t in tips))


def _window(window) -> str:
    return f"{window[0]:%H:%M}-{window[1]:%H:%M}" if window else ""


def _customers(line) -> str:
    return "; ".join(f"{c.name} {c.phone}".strip() for c in line.contacts)


def _calls(line, tz) -> str:
    last = line.last_call
    return f"{line.calls} (last {last.result.value} {last.at.astimezone(tz):%m-%d %H:%M})" if last else "0"


def _row(line, middle: list[str], tz) -> str:
    agreed = ""
    if line.agreed:
        agreed = _window((line.agreed.start, line.agreed.end))
        agreed += f" reconfirmed {line.reconfirmed_at.astimezone(tz):%H:%M}" if line.reconfirmed_at else ""
    elif line.moved_to:
        agreed = f"moved to {line.moved_to.day:%Y-%m-%d} {_window((line.moved_to.start, line.moved_to.end))}"
    notes = [n["en"] for n in (line.needs_new_appointment, line.unassigned) if n]
    return "\t".join([line.visit_id, ",".join(line.ticket_ids), _customers(line), " ".join(line.address.split()),
                      *middle, str(line.case_id or ""), _calls(line, tz), agreed, "; ".join(notes)]).rstrip("\t")


@calls_group.command("record")
@click.argument("case_id", required=False, type=click.IntRange(1, 2**31 - 1))
@click.option("--ticket", "tickets", multiple=True,
              help="Instead of CASE_ID: a ticket of a visit on the call list, whose case the first call opens.")
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--result", required=True,
              type=click.Choice(["unreached", "refused", "rescheduled", "confirmed", "resolved"]),
              help="What the call came to (resolved: a phone follow-up settled on the phone, which closes it).")
@click.option("--date", "day", type=DAY, help="The visit's date agreed (confirmed, rescheduled); default today.")
@click.option("--list-date", "list_day", type=DAY,
              help="With --ticket: the day of the call list the visit is on (default: --date).")
@click.option("--start", help="Agreed window start, HH:MM (a confirmed call without one confirms the window agreed).")
@click.option("--end", help="Agreed window end, HH:MM.")
@click.option("--note", default="", help="What was said.")
@click.pass_context
def calls_record(ctx, case_id, tickets, district, result, day, list_day, start, end, note):
    """Record one call to the customer of CASE_ID, or of the visit holding --ticket."""
    from planner.cases.actions import record_call
    from planner.cases.call_list import call_about
    from planner.errors import UserError

    if (case_id is None) == (not tickets):
        raise UserError("name the case (CASE_ID) or the visit's ticket (--ticket), one of them")
    on = _today(ctx, day)
    if case_id is None:
        step = call_about(session_of(ctx), actor_of(ctx), district, list_day.date() if list_day else on, tickets,
                          result, rules=rules_of(ctx), on=on, start=start, end=end, note=note)
    else:
        step = record_call(session_of(ctx), actor_of(ctx), district, case_id, result, day=on, start=start, end=end,
                           note=note)
    click.echo(f"case {step.case.case_id}: call {result}; the case is {step.state.status.value}")


@cvp.group("day")
def day_group() -> None:
    """A district's working day."""


@day_group.command("close")
@click.option("--date", "day", required=True, type=DAY, help="The day to close, YYYY-MM-DD.")
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.pass_context
def day_close(ctx, day, district):
    """End the day: every visit planned for it with no outcome is recorded as not done and is
    back on tomorrow's list, saying so.  Safe to run twice."""
    from planner.cases.actions import close_day

    marked = close_day(session_of(ctx), actor_of(ctx), district, day.date())
    click.echo(f"{district} {day:%Y-%m-%d}: {len(marked)} planned visit(s) without an outcome marked not done"
               + (f" (cases {', '.join(map(str, marked))})" if marked else ""))
