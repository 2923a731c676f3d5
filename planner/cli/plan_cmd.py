"""``cvp plan`` and ``cvp check``: make the day's routes, and verify a plan file.

The planner (OR-Tools), the checker and the importers are imported inside the
commands: every ``cvp`` command loads this module, and ``cvp sheets`` should not
pay for the solver it does not run.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from planner.cli import actor_of, cvp, rules_of, session_of
from planner.cli.params import DAY
from planner.errors import UserError


def solver_options(f):
    f = click.option("--time-limit", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
                     help="Seconds the solver may search.")(f)
    f = click.option("--seed", type=int, help="Fix the search order, for reproducible plans.")(f)
    f = click.option("--solution-limit", type=click.IntRange(min=1),
                     help="Stop after this many improving solutions instead of on the clock (deterministic).")(f)
    return f


def write_json(path: Path, doc: dict) -> None:
    """plan.json, whole or not at all; :class:`planner.outputs_io.OutputError` when it
    cannot be written (a full disk)."""
    from planner.outputs_io import atomic_write_text, write_all

    text = json.dumps(doc, ensure_ascii=False, indent=2)
    write_all([([Path(path)], lambda: atomic_write_text(path, text))])


def read_plan(path: str):
    """The plan file as a :class:`planner.plan.document.PlanDocument`; a file that is not one
    is a UserError naming the file and where in it."""
    from planner.jsondoc import ROOT, ShapeError
    from planner.plan.document import FILE, read_plan_file

    try:
        return read_plan_file(path)
    except ShapeError as exc:
        if exc.path == FILE:
            raise UserError(f"{path}: not a readable plan file ({exc.reason})") from None
        where = "" if exc.path == ROOT else f"{exc.path}: "
        raise UserError(f"{path}: not a plan document: {where}{exc.reason}") from None


@cvp.command("plan")
@click.option("--date", "day", required=True, type=DAY)
@click.option("--district", "districts", required=True, multiple=True,
              help="The district to plan. Repeatable: several districts are planned side by side.")
@click.option("--out", type=click.Path(file_okay=False),
              help="Folder for plan.json (default plans/DATE-DISTRICT); with several districts, "
                   "the folder that gets one DATE-DISTRICT folder each (default plans).")
@click.option("--tickets", type=click.Path(dir_okay=False, exists=True), help="Import this ticket file first.")
@click.option("--staff", type=click.Path(dir_okay=False, exists=True), help="Import this roster first.")
@click.option("--network", type=click.Path(dir_okay=False, exists=True), help="Import this network plan first.")
@click.option("--gazetteer", type=click.Path(dir_okay=False, exists=True), help="Gazetteer for --tickets.")
@click.option("--absent", multiple=True, metavar="STAFF_ID",
              help="Staff member off today, besides those the day's roster marks absent. Repeatable.")
@click.option("--no-outputs", is_flag=True, help="Write only plan.json (no sheets, map or export).")
@solver_options
@click.pass_context
def plan_command(ctx, day, districts, out, tickets, staff, network, gazetteer, absent, no_outputs, time_limit, seed,
                 solution_limit):
    """Plan the district's visits for the day and store the plan (a new version each time)."""
    from planner.day_outputs import load_plan_inputs, write_day_outputs
    from planner.outputs_io import OutputError
    from planner.plan.day import SolverSettings, plan_day, plan_days
    from planner.plan.summary import plan_text
    from planner.workflow import import_file

    rules, session, actor = rules_of(ctx), session_of(ctx), actor_of(ctx)
    if not no_outputs:
        require_outputs_possible()
    for path, kind in ((tickets, "tickets"), (staff, "staff"), (network, "sites")):
        if path:
            click.echo(import_file(session, path, actor=actor, kind=kind, rules=rules,
                                   gazetteer=gazetteer if kind == "tickets" else None).summary())
    solver = SolverSettings(time_limit, seed, solution_limit)
    if len(districts) == 1:
        docs = [plan_day(session, day.date(), districts[0], solver=solver, absent=tuple(absent), actor=actor,
                         rules=rules)]
        folders = [Path(out or Path("plans") / f"{day.date()}-{districts[0]}")]
    else:
        docs = plan_days(session, day.date(), list(dict.fromkeys(districts)), solver=solver, absent=tuple(absent),
                         actor=actor, rules=rules)
        folders = [Path(out or "plans") / f"{day.date()}-{d['district']}" for d in docs]
    # the plan versions are stored first: the store is the record (the web app shows them);
    # files are written after, each whole or not at all, and a full disk is reported, not raised
    for i, (doc, folder) in enumerate(zip(docs, folders, strict=True)):
        plan_file = folder / "plan.json"
        try:
            try:
                write_json(plan_file, doc)
            except OutputError as exc:
                raise OutputError(exc.written, exc.not_written + ([] if no_outputs else day_outputs(doc, folder)),
                                  exc.why) from None
            click.echo(plan_text(doc))
            click.echo(f"\nwrote {plan_file} (version {doc['version']})")
            if not no_outputs:
                echo_outputs(write_day_outputs(doc, rules, folder, inputs=load_plan_inputs(session, doc, rules)))
        except OutputError as exc:
            plan_file_written = plan_file not in exc.not_written
            raise OutputError([plan_file] * plan_file_written + exc.written, exc.not_written + folders[i + 1:],
                              exc.why, stored_note(docs, plan_file, plan_file_written)) from None
    if not no_outputs:
        from planner.cli.outputs_cmd import warn_if_loopback

        warn_if_loopback(None)


def require_outputs_possible() -> None:
    """Refuse before planning, not after the plan is stored, when sheets cannot be printed."""
    from planner.sheets.fonts import require_cjk_font

    require_cjk_font()


def day_outputs(doc: dict, folder: Path) -> list[Path]:
    """The files :func:`planner.day_outputs.write_day_outputs` makes (the sheets as their folder)."""
    from planner.export import default_export_name

    return [folder / "sheets", folder / "map.html", folder / default_export_name(doc, "xlsx")]


def stored_note(docs: list[dict], plan_file: Path, plan_file_written: bool) -> str:
    """What a failed write leaves: the stored versions, and how to make the files again."""
    stored = ", ".join(f"{d['district']} {d['date']} version {d['version']}" for d in docs)
    again = (f"after freeing space, make the missing files again with `cvp sheets {plan_file}`, "
             f"`cvp map {plan_file}` and `cvp export {plan_file} --format xlsx`" if plan_file_written else
             f"{plan_file} was not written: the web app shows the stored version and makes its sheets")
    return f"the plan is stored in the database ({stored}); {again}"


def echo_outputs(written: dict) -> None:
    click.echo(f"wrote {len(written['sheets'])} route sheets in {Path(written['sheets'][0]).parent}"
               if written["sheets"] else "no route sheets (nobody has visits)")
    click.echo(f"wrote {written['map']}")
    click.echo(f"wrote {written['export']}")


@cvp.command("publish")
@click.option("--date", "day", required=True, type=DAY, help="Plan day, YYYY-MM-DD.")
@click.option("--district", required=True, help="District, e.g. 南区.")
@click.option("--version", required=True, type=click.IntRange(1, 2**31 - 1), help="The stored version to publish.")
@click.pass_context
def publish_command(ctx, day, district, version):
    """Publish a stored plan version: the field staff's routes and pages show it, and outcomes are
    recorded against it."""
    from planner import plans

    plans.publish(session_of(ctx), day.date(), district, version, actor_of(ctx))
    click.echo(f"{district} {day:%Y-%m-%d}: version {version} published")


@cvp.command("check")
@click.argument("plan_file", type=click.Path(dir_okay=False, exists=True))
def check_command(plan_file):
    """Re-derive every time in a plan and list each rule it breaks (exit 1 if any).
    A file that is not a plan document (not JSON, a wrong shape) is a violation too."""
    from planner.check import check_file

    violations = check_file(plan_file)
    if violations:
        for v in violations:
            click.echo(str(v))
        click.echo(f"{len(violations)} violation(s)")
        raise SystemExit(1)
    click.echo(f"{plan_file}: OK")
