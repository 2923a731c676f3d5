"""``cvp replan``: the rest of the day, after something changed."""

from __future__ import annotations

from pathlib import Path

import click

from planner.cli import actor_of, cvp, rules_of, session_of
from planner.cli.plan_cmd import read_plan, solver_options, write_json


@cvp.command("replan")
@click.argument("plan_file", type=click.Path(dir_okay=False, exists=True))
@click.option("--now", "now", required=True, type=click.DateTime(["%H:%M"]), help="Time of day, HH:MM.")
@click.option("--add", "add_file", type=click.Path(dir_okay=False, exists=True),
              help="New urgent tickets to import and insert.")
@click.option("--gazetteer", type=click.Path(dir_okay=False, exists=True), help="Gazetteer for --add.")
@click.option("--absent", multiple=True, metavar="STAFF_ID",
              help="Worker gone from now on (those the day's roster marks absent are too). Repeatable.")
@click.option("--out", type=click.Path(dir_okay=False), help="Where to write the new plan (default: beside it, "
              "as plan-vN.json).")
@solver_options
@click.pass_context
def replan_command(ctx, plan_file, now, add_file, gazetteer, absent, out, time_limit, seed, solution_limit):
    """Re-plan the rest of the day: begun stops stay, the rest move as little as the rules allow."""
    from planner.plan.day import SolverSettings  # the solver loads only when this command runs
    from planner.plan.replan import replan
    from planner.plan.summary import changes_text, plan_text

    doc = replan(session_of(ctx), read_plan(plan_file), now.time(), add_file=add_file, gazetteer=gazetteer,
                 absent=tuple(absent), solver=SolverSettings(time_limit, seed, solution_limit), actor=actor_of(ctx),
                 rules=rules_of(ctx))
    target = Path(out) if out else Path(plan_file).with_name(f"plan-v{doc['version']}.json")
    write_json(target, doc)
    click.echo(plan_text(doc))
    for line in changes_text(doc):
        click.echo(line)
    click.echo(f"\nwrote {target} (version {doc['version']})")
