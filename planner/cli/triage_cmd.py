"""``cvp triage``: the day's visits and phone follow-ups for one district."""

from __future__ import annotations

from datetime import date

import click

from planner.cli import actor_of, cvp, rules_of, session_of
from planner.cli.params import DAY


@cvp.command("triage")
@click.option("--date", "day", required=True, type=DAY, help="Visit day, YYYY-MM-DD.")
@click.option("--district", required=True, help="District as written in the tickets, e.g. 南区.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), help="Also write the result as JSON here.")
@click.option("--set", "overrides", multiple=True, metavar="'TICKET field=value'",
              help="Override a ticket before triaging: type=irate, scenario=planned, select=yes|no. Repeatable.")
@click.pass_context
def triage_command(ctx, day, district, json_out, overrides):
    """Select, group and classify the district's open tickets for a visit day."""
    from planner.triage.age import old_tickets_note
    from planner.triage.report import check_output_path, triage_text, write_triage_json  # loaded when run
    from planner.workflow import parse_override, set_overrides, triage_day

    rules = rules_of(ctx)
    if json_out:
        check_output_path(json_out)  # before storing overrides or triaging: nothing done for nothing
    parsed = [parse_override(text) for text in overrides]
    if parsed:
        set_overrides(session_of(ctx), district, parsed, actor=actor_of(ctx), rules=rules)
        for ticket_id, field, value in parsed:
            click.echo(f"override stored: {ticket_id} {field}={value}")
    result = triage_day(session_of(ctx), day.date() if hasattr(day, "date") else date.fromisoformat(day), district,
                        rules)
    click.echo(triage_text(result, rules))
    note = old_tickets_note(result, rules)
    if note:
        click.echo(f"\nnote: {note}: is --date right?")
    if json_out:
        write_triage_json(result, rules, json_out)
        click.echo(f"\nwrote {json_out}")
