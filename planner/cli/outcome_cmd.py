"""``cvp outcomes``: the visits' recorded outcomes and the follow-ups that close the loop."""

from __future__ import annotations

import click

from planner.cli import actor_of, cvp, rules_of, session_of


@cvp.group("outcomes")
def outcomes_group():
    """What the field staff recorded; the cases that need later closure (需要后期闭环)."""


def _closure_text(closed_on_site, satisfaction=None) -> str:
    if satisfaction == "not_met":
        return "customer not met (planned again)"
    return {True: "closed on site", False: "needs later closure", None: "closure not recorded"}[closed_on_site]


@outcomes_group.command("list")
@click.option("--date", "day", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Visit day, YYYY-MM-DD.")
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.pass_context
def outcomes_list(ctx, day, district):
    """The day's recorded outcomes, one visit a line."""
    from planner.closure import outcomes_of

    found = outcomes_of(session_of(ctx), day.date(), district)
    for vid, o in sorted(found.items()):
        click.echo(f"{vid}\t{o.staff_id}\t{_closure_text(o.closed_on_site, o.satisfaction)}\t{o.satisfaction or ''}\t{o.notes}")
    if not found:
        click.echo(f"no outcomes recorded for {district} on {day:%Y-%m-%d}")


@outcomes_group.command("followups")
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.pass_context
def outcomes_followups(ctx, district):
    """The district's follow-up queue: the same list as `cvp followups list` (one definition)."""
    from planner.cli.followups_cmd import print_queue

    print_queue(ctx, district)


@outcomes_group.command("close")
@click.argument("visit_id")
@click.option("--date", "day", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Visit day, YYYY-MM-DD.")
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--notes", default="", help="What the follow-up did.")
@click.pass_context
def outcomes_close(ctx, visit_id, day, district, notes):
    """The follow-up of VISIT_ID is done: close its tickets and its case (by case: `cvp followups resolve`)."""
    from planner.closure import close_follow_up

    done = close_follow_up(session_of(ctx), day.date(), district, visit_id, actor_of(ctx), notes)
    click.echo(f"{visit_id}: follow-up closed; tickets closed: {', '.join(done.closed) or 'none (already closed)'}")


@outcomes_group.command("record")
@click.argument("visit_id")
@click.option("--date", "day", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Visit day, YYYY-MM-DD.")
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--result", required=True, type=click.Choice(["closed_on_site", "follow_up", "not_met"]),
              help="closed_on_site (现场闭环), follow_up (需要后期闭环) or not_met (the customer was not met).")
@click.option("--satisfaction", type=click.Choice(["satisfied", "basically_satisfied", "unsatisfied"]),
              help="What the customer said on site.")
@click.option("--notes", default="", help="What was found and done.")
@click.pass_context
def outcomes_record(ctx, visit_id, day, district, result, satisfaction, notes):
    """Record what happened at VISIT_ID of the day's published plan (as typed from a paper sheet)."""
    from planner.closure import record_outcome

    done = record_outcome(session_of(ctx), day=day.date(), district=district, visit_id=visit_id, actor=actor_of(ctx),
                          closed_on_site=result == "closed_on_site",
                          satisfaction="not_met" if result == "not_met" else satisfaction, notes=notes,
                          rules=rules_of(ctx))
    click.echo(f"{visit_id}: {_closure_text(done.outcome.closed_on_site, done.outcome.satisfaction)}"
               + (f"; tickets closed: {', '.join(done.closed)}" if done.closed else ""))
