"""``cvp followups …``: the follow-up staff's queue and the steps of a follow-up (the
pilot's steps 4–5), each one call of :mod:`planner.cases.queue` or
:mod:`planner.cases.actions` (resolving through :func:`planner.closure.resolve_follow_up`,
which closes the case's tickets with it)."""

from __future__ import annotations

from datetime import date, datetime

import click

from planner.cli import actor_of, cvp, rules_of, session_of
from planner.cli.params import DAY

CASE_ID = click.IntRange(1, 2**31 - 1)
STATUSES = ("open", "in_progress")  # escalated: `escalate`; resolved: `resolve`


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def print_queue(ctx: click.Context, district: str, owner: str | None = None, day: date | None = None) -> None:
    """The queue of :func:`planner.cases.queue.follow_up_queue`, one case a line (tab-separated)."""
    from planner.cases.queue import follow_up_queue

    queue = follow_up_queue(session_of(ctx), district, rules_of(ctx), day=day, owner=owner)
    if not queue.lines:
        click.echo(f"no follow-ups open in {district}" + (f" for {owner}" if owner else ""))
        return
    click.echo("case\tline\tdue\tsince\ttickets\tcustomer\tsolution\towner\tpromised\tstatus\tescalated to")
    for line in queue.lines:
        late = f"OVERDUE {line.overdue_days}d " if line.overdue else ""
        click.echo("\t".join([
            str(line.case_id), line.kind.value, late + str(line.due), f"{line.since:%Y-%m-%d}",
            ",".join(line.ticket_ids), ", ".join(c.name or c.ticket_id for c in line.customers), line.solution or "",
            line.owner or "", f"{line.promised:%Y-%m-%d}" if line.promised else "",
            line.status.value if line.status else "", line.escalated_to or ""]).rstrip("\t"))
    if queue.left_off:
        click.echo(f"… and {queue.left_off} more (the queue shows the first {len(queue.lines)})")


@cvp.group("followups")
def followups_group() -> None:
    """The follow-up queue: visited customers whose problem is being followed up, and callbacks due."""


@followups_group.command("list")
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--owner", help="Only the follow-ups this account owns.")
@click.option("--date", "day", type=DAY, help="As on this day (default: today in the district's time zone).")
@click.pass_context
def followups_list(ctx, district, owner, day):
    """The district's follow-ups and callbacks due: overdue first (by how many days), then by the
    date due; follow-ups nobody owns yet are listed "to_assign"."""
    print_queue(ctx, district, owner, _day(day))


@followups_group.command("assign")
@click.argument("case_id", type=CASE_ID)
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--solution", required=True, help="How the problem is solved: one of the rules file's follow-up solutions.")
@click.option("--owner", required=True, help="The dispatcher or follow-up account of the district that owns it.")
@click.option("--promised", required=True, type=DAY, help="The date promised to the customer, YYYY-MM-DD.")
@click.option("--note", default="", help="What was decided (kept in the case's history).")
@click.pass_context
def followups_assign(ctx, case_id, district, solution, owner, promised, note):
    """Decide the follow-up of visited CASE_ID: solution, owner and the date promised to the customer."""
    from planner.cases.actions import assign_follow_up

    step = assign_follow_up(session_of(ctx), actor_of(ctx), district, case_id, solution=solution, owner=owner,
                            promised=promised.date(), rules=rules_of(ctx), note=note)
    fu = step.state.follow_up
    click.echo(f"case {case_id}: {fu.solution if fu else solution}, owned by {owner}, promised {promised:%Y-%m-%d}")


@followups_group.command("update")
@click.argument("case_id", type=CASE_ID)
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--status", type=click.Choice(STATUSES), help="Where the follow-up stands.")
@click.option("--promised", type=DAY, help="A new date promised to the customer, YYYY-MM-DD.")
@click.option("--note", default="", help="What was done (kept in the case's history).")
@click.pass_context
def followups_update(ctx, case_id, district, status, promised, note):
    """Progress on the follow-up of CASE_ID: its status, a new promised date, what was done."""
    from planner.cases.actions import update_follow_up

    step = update_follow_up(session_of(ctx), actor_of(ctx), district, case_id, rules=rules_of(ctx), status=status,
                            promised=_day(promised), note=note)
    fu = step.state.follow_up
    click.echo(f"case {case_id}: follow-up {fu.status.value if fu else status}"
               + (f", promised {fu.promised:%Y-%m-%d}" if fu and fu.promised else ""))


@followups_group.command("escalate")
@click.argument("case_id", type=CASE_ID)
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--to", "to", required=True, help="The level it goes to, e.g. 市公司网优中心.")
@click.option("--owner", help="A new owner (a dispatcher or follow-up account of the district).")
@click.option("--promised", type=DAY, help="A new date promised to the customer, YYYY-MM-DD.")
@click.option("--note", default="", help="Why (kept in the case's history).")
@click.pass_context
def followups_escalate(ctx, case_id, district, to, owner, promised, note):
    """Hand the follow-up of CASE_ID to a named next level."""
    from planner.cases.actions import escalate_follow_up

    step = escalate_follow_up(session_of(ctx), actor_of(ctx), district, case_id, to=to, rules=rules_of(ctx),
                              owner=owner, promised=_day(promised), note=note)
    fu = step.state.follow_up
    click.echo(f"case {case_id}: escalated to {fu.escalated_to if fu else to}")


@followups_group.command("resolve")
@click.argument("case_id", type=CASE_ID)
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--note", required=True, help="How the problem was solved (kept in the case's history).")
@click.pass_context
def followups_resolve(ctx, case_id, district, note):
    """The follow-up of CASE_ID solved the problem: the case and its tickets are closed."""
    from planner.closure import resolve_follow_up

    resolve_follow_up(session_of(ctx), actor_of(ctx), district, case_id, note, rules=rules_of(ctx))
    click.echo(f"case {case_id}: follow-up resolved; the case is closed")


@followups_group.command("callback")
@click.argument("case_id", type=CASE_ID)
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--reached/--not-reached", required=True, help="Whether the customer answered.")
@click.option("--answer", type=click.Choice(["satisfied", "basically_satisfied", "unsatisfied"]),
              help="What the customer said of the handling (满意 / 基本满意 / 不满意), when asked.")
@click.option("--date", "day", type=DAY, help="The day of the call (default: today in the district's time zone).")
@click.option("--note", default="", help="What was said (kept in the case's history).")
@click.pass_context
def followups_callback(ctx, case_id, district, reached, answer, day, note):
    """The callback due on CASE_ID was made: reached (with the answer) it is done; not
    reached it stays due."""
    from planner.cases.actions import record_callback

    on = _day(day) or datetime.now(rules_of(ctx).tz).date()
    step = record_callback(session_of(ctx), actor_of(ctx), district, case_id, reached=reached, answer=answer,
                           day=on, note=note)
    due = step.state.callback_due
    click.echo(f"case {case_id}: " + (f"called back ({answer or 'no answer asked'})" if reached else
                                      f"not reached ({step.state.callback_attempts} attempt(s)); still due from {due}"))
