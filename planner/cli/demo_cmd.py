"""``cvp demo``: the fixture day end to end, for a new user's first look.

The planner and the importers are imported when the demo runs, not when ``cvp``
starts (see :mod:`planner.cli.plan_cmd`).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from planner.cli import cvp, rules_of, session_of
from planner.cli.outputs_cmd import warn_if_loopback
from planner.cli.plan_cmd import echo_outputs, require_outputs_possible, write_json
from planner.outputs_io import atomic_write_text

REPO_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "xian-south-2010-08-05"
DAY, DISTRICT = date(2010, 8, 5), "南区"
DEMO_SOLVER = dict(time_limit_s=10, seed=1, solution_limit=200)  # the same plan on every machine


def reset_store(session, yes: bool, force: bool) -> None:
    from planner.store.db import database_url, describe
    from planner.store.reset import empty_store, is_default_store

    if not force and not is_default_store():  # refuse before asking
        empty_store(session, force=False)
    if not yes:
        click.confirm(f"Empty the store {describe(database_url())}? Every ticket, plan, outcome and account in it "
                      f"is deleted", abort=True)
    click.echo(f"emptied the store {empty_store(session, force=force)}")


@cvp.command("demo")
@click.option("--fixtures", "folder", type=click.Path(file_okay=False, exists=True), default=str(REPO_FIXTURES),
              show_default="fixtures/xian-south-2010-08-05 of this installation", help="Folder of the sample day.")
@click.option("--out", type=click.Path(file_okay=False), default="out/demo", show_default=True,
              help="Where the day's outputs are written.")
@click.option("--reset", is_flag=True,
              help="Empty the store first (tickets, plans, outcomes, accounts), so the demo's figures are the "
                   "README's again after the web app was used. Only the default embedded store, unless --force.")
@click.option("--yes", is_flag=True, help="With --reset: do not ask for confirmation.")
@click.option("--force", is_flag=True, help="With --reset: also empty a store named by CVP_DATABASE_URL.")
@click.pass_context
def demo_command(ctx, folder, out, reset, yes, force):
    """Import the Xi'an South district sample day (2010-08-05), triage and plan it, and write
    the route sheets, the map and the export.

    Run on a store already used, the figures differ from the README's (earlier plans
    schedule tickets, imports add to them): `cvp demo --reset` starts from an empty store."""
    from planner.actor import OPERATOR, Actor
    from planner.day_outputs import load_plan_inputs, write_day_outputs
    from planner.plan.day import SolverSettings, plan_day
    from planner.plan.summary import plan_text
    from planner.workflow import import_file

    rules, session = rules_of(ctx), session_of(ctx)
    actor = Actor("demo", OPERATOR, None)  # the demo's plan says who made it as the README shows
    require_outputs_possible()
    if reset:
        reset_store(session, yes, force)
    src = Path(folder)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    steps = [("history.csv", {"history": True}), ("tickets.csv", {"gazetteer": src / "gazetteer.csv"}),
             ("staff.csv", {}), ("network.csv", {})]
    for name, options in steps:
        click.echo(import_file(session, src / name, actor=actor, rules=rules, **options).summary())
    triage_and_write(session, DAY, rules, out_dir)
    click.echo("")
    doc = plan_day(session, DAY, DISTRICT, solver=SolverSettings(**DEMO_SOLVER), actor=actor, rules=rules)
    write_json(out_dir / "plan.json", doc)
    click.echo(plan_text(doc))
    click.echo(f"\nwrote {out_dir / 'plan.json'} (version {doc['version']})")
    echo_outputs(write_day_outputs(doc, rules, out_dir, inputs=load_plan_inputs(session, doc, rules)))
    second_morning(session, actor, rules, doc, src, out_dir)
    warn_if_loopback(None)


def second_morning(session, actor, rules, doc, src: Path, out_dir: Path) -> None:
    """The loop closed over two days: the 08-05 plan published, the field team's outcomes
    recorded (``outcomes.json`` beside the sample day), the day closed, the 08-06 tickets
    imported, and the 08-06 triage, where the customers not met or with nothing recorded
    are back, saying why, and those closed on site are not."""
    from planner import plans
    from planner.cases.actions import close_day
    from planner.closure import record_outcome
    from planner.outcomes_file import read_outcomes_file
    from planner.plan.document import PlanDocument
    from planner.workflow import import_file

    day2_tickets = src.parent / "xian-south-2010-08-06" / "tickets.csv"
    outcomes_file = src / "outcomes.json"
    if not (day2_tickets.exists() and outcomes_file.exists()):
        return  # a folder of one's own day: no second morning to show
    plan = PlanDocument.from_json(doc)
    plans.publish(session, DAY, DISTRICT, int(doc["version"]), actor)
    by_ticket = {step.ticket_ids[0]: step.visit_id for _route, step in plan.visit_steps()}
    recorded = read_outcomes_file(outcomes_file, rules, DAY)  # the whole file checked before any is recorded
    for ticket_id, record in recorded:
        visit_id = by_ticket.get(ticket_id)
        if visit_id is None:
            continue  # not on a route of this plan (a store that planned differently)
        record_outcome(session, day=DAY, district=DISTRICT, visit_id=str(visit_id), actor=actor, record=record, rules=rules)
    marked = close_day(session, actor, DISTRICT, DAY)
    click.echo(f"\n== the second morning: 2010-08-06 ==\npublished version {doc['version']}; "
               f"{len(recorded)} outcomes recorded; day 2010-08-05 closed: {len(marked)} planned visit(s) "
               f"without an outcome marked not done")
    click.echo(import_file(session, day2_tickets, actor=actor, rules=rules).summary())
    day2 = DAY.fromordinal(DAY.toordinal() + 1)
    triage_and_write(session, day2, rules, out_dir)


def triage_and_write(session, day: date, rules, out_dir: Path) -> None:
    """The district's triage of ``day``, printed and written as ``triage-DAY-南区.json``."""
    from planner.triage.report import triage_json, triage_text
    from planner.workflow import triage_day

    result = triage_day(session, day, DISTRICT, rules)
    click.echo("")
    click.echo(triage_text(result, rules))
    target = out_dir / f"triage-{day:%Y-%m-%d}-{DISTRICT}.json"
    atomic_write_text(target, json.dumps(triage_json(result, rules), ensure_ascii=False, indent=2))
    click.echo(f"\nwrote {target}")
