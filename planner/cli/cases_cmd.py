"""``cvp cases …``, ``cvp calls record`` and ``cvp day close``: the case ledger at the command line."""

from __future__ import annotations

from datetime import date, datetime

import click

from planner.cli import actor_of, cvp, rules_of, session_of

DAY = click.DateTime(["%Y-%m-%d"])


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


@calls_group.command("record")
@click.argument("case_id", type=click.IntRange(1, 2**31 - 1))
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--result", required=True,
              type=click.Choice(["unreached", "refused", "rescheduled", "confirmed", "resolved"]),
              help="What the call came to (resolved: a phone follow-up settled on the phone, which closes it).")
@click.option("--date", "day", type=DAY, help="The visit's date agreed (confirmed, rescheduled); default today.")
@click.option("--start", help="Agreed window start, HH:MM.")
@click.option("--end", help="Agreed window end, HH:MM.")
@click.option("--note", default="", help="What was said.")
@click.pass_context
def calls_record(ctx, case_id, district, result, day, start, end, note):
    """Record one call to the customer of CASE_ID."""
    from planner.cases.actions import record_call

    step = record_call(session_of(ctx), actor_of(ctx), district, case_id, result, day=_today(ctx, day),
                       start=start, end=end, note=note)
    click.echo(f"case {case_id}: call {result}; the case is {step.state.status.value}")


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
