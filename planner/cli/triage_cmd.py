"""``cvp triage``: the day's visits and phone follow-ups for one district."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from planner.cli import cvp, rules_of


@cvp.command("triage")
@click.option("--date", "day", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Visit day, YYYY-MM-DD.")
@click.option("--district", required=True, help="District as written in the tickets, e.g. 南区.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), help="Also write the result as JSON here.")
@click.option("--set", "overrides", multiple=True, metavar="'TICKET field=value'",
              help="Override a ticket before triaging: type=irate, scenario=planned, select=yes|no. Repeatable.")
@click.pass_context
def triage_command(ctx, day, district, json_out, overrides):
    """Select, group and classify the district's open tickets for a visit day."""
    from planner.triage.report import triage_json, triage_text  # loaded when the command runs, not at start-up
    from planner.triage.age import old_tickets_note
    from planner.workflow import parse_override, set_overrides, triage_day

    rules = rules_of(ctx)
    parsed = [parse_override(text) for text in overrides]
    if parsed:
        set_overrides(parsed, author="cli", rules=rules)
        for ticket_id, field, value in parsed:
            click.echo(f"override stored: {ticket_id} {field}={value}")
    result = triage_day(day.date() if hasattr(day, "date") else date.fromisoformat(day), district, rules)
    click.echo(triage_text(result, rules))
    note = old_tickets_note(result, rules)
    if note:
        click.echo(f"\nnote: {note}: is --date right?")
    if json_out:
        from planner.outputs_io import atomic_write_text, write_all

        text = json.dumps(triage_json(result, rules), ensure_ascii=False, indent=2)
        write_all([([Path(json_out)], lambda: atomic_write_text(json_out, text))])
        click.echo(f"\nwrote {json_out}")
