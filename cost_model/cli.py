"""``cvp cost``: staffing and monthly budget of complaint-visit scenarios.

The click group :data:`cost` is registered under the main ``cvp`` command
(``planner.cli``).  Each command parses options, calls one library function
and prints its result; problems the user can fix are raised as
:class:`~planner.errors.UserError`, which ``planner.cli.main`` prints as one
message with exit status 2.  Run on its own (``python -m cost_model.cli``, or
click's test runner), the group does the same itself.
"""

from __future__ import annotations

import re
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import click

from cost_model import compare as compare_mod
from cost_model import report
from cost_model import scenario as scenario_mod
from cost_model import sweep as sweep_mod
from cost_model.model import evaluate
from cost_model.scenario_params import parameters, parse_sets, shown
from planner.errors import UserError


class _CostGroup(click.Group):
    """A group that, when it is the top-level command, reports UserError like ``cvp`` does."""

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        except UserError as exc:
            if not standalone_mode:
                raise
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)


@click.group("cost", cls=_CostGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cost() -> None:
    """Staffing and monthly budget of complaint-visit scenarios (人员与成本测算).

    SCENARIO is a built-in name (see `cvp cost list`) or a YAML file you wrote
    (start one with `cvp cost init my.yaml`).
    """


def _load(spec: str, sets: tuple[str, ...] = ()) -> scenario_mod.Scenario:
    sc = scenario_mod.load(spec)
    changes = parse_sets(sets)
    return sc.with_values(changes) if changes else sc


def _emit(text: str | bytes, output: str | None, *, csv: bool = False) -> None:
    if output is None:
        assert isinstance(text, str)
        click.echo(text, nl=False)
        return
    try:
        if isinstance(text, bytes):
            Path(output).write_bytes(text)
        else:
            Path(output).write_text(text, encoding="utf-8-sig" if csv else "utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"wrote {output}", err=True)


def _format(fmt: str, as_json: bool) -> str:
    return "json" if as_json else fmt


_FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json", "csv", "xlsx"]),
                       default="text", show_default=True, help="Output format.")
_FORMAT_NO_XLSX = click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]),
                               default="text", show_default=True, help="Output format.")
_JSON = click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
_OUTPUT = click.option("-o", "--output", type=click.Path(dir_okay=False),
                       help="Write to this file instead of the screen.")
_SET = click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
                    help="Change a parameter for this run (repeatable); "
                         "`cvp cost params SCENARIO` lists the names.")


@cost.command("run")
@click.argument("scenario")
@_SET
@_JSON
@_FORMAT
@_OUTPUT
def run_cmd(scenario: str, sets: tuple[str, ...], as_json: bool, fmt: str,
            output: str | None) -> None:
    """Staffing and the monthly budget, line by line with each formula."""
    ev = evaluate(_load(scenario, sets))
    fmt = _format(fmt, as_json)
    if fmt == "xlsx":
        _emit(report.render_xlsx(ev), output or f"{ev.scenario.name}.xlsx")
    elif fmt == "csv":
        _emit(report.render_csv(ev), output, csv=True)
    elif fmt == "json":
        _emit(report.render_json(ev), output)
    else:
        _emit(report.render_text(ev), output)


@cost.command("compare")
@click.argument("scenarios", nargs=-1, required=True)
@_JSON
@_FORMAT_NO_XLSX
@_OUTPUT
def compare_cmd(scenarios: tuple[str, ...], as_json: bool, fmt: str, output: str | None) -> None:
    """Scenarios side by side, with differences from the first."""
    if len(scenarios) < 2:
        raise click.UsageError("give at least two scenarios to compare")
    result = compare_mod.compare([evaluate(_load(s)) for s in scenarios])
    fmt = _format(fmt, as_json)
    render = {"text": compare_mod.render_text, "json": compare_mod.render_json,
              "csv": compare_mod.render_csv}[fmt]
    _emit(render(result), output, csv=fmt == "csv")


def _default_stem(name: str, param: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", f"cost-sweep-{name}-{param}")


@cost.command("sweep")
@click.argument("scenario")
@click.option("--vary", "vary", required=True, metavar="NAME=START:STOP:STEP",
              help="The parameter to vary, e.g. daily_visits=10:40:5 or districts=2,4,6.")
@click.option("--chart", "chart", metavar="PATH",
              help="Write the chart to PATH.png and PATH.svg "
                   "[default: ./cost-sweep-SCENARIO-NAME].")
@click.option("--no-chart", is_flag=True, help="Do not write the chart.")
@_SET
@_JSON
@_FORMAT_NO_XLSX
@_OUTPUT
def sweep_cmd(scenario: str, vary: str, chart: str | None, no_chart: bool, sets: tuple[str, ...],
              as_json: bool, fmt: str, output: str | None) -> None:
    """Vary one parameter: table and chart of staff and cost."""
    param, values = sweep_mod.parse_vary(vary)
    result = sweep_mod.sweep(_load(scenario, sets), param, values)
    fmt = _format(fmt, as_json)
    render = {"text": sweep_mod.render_text, "json": sweep_mod.render_json,
              "csv": sweep_mod.render_csv}[fmt]
    _emit(render(result), output, csv=fmt == "csv")
    if not no_chart:
        from cost_model.chart import write_chart

        paths = write_chart(result, chart or _default_stem(result.scenario.name, param))
        click.echo("chart: " + ", ".join(str(p) for p in paths), err=True)


@cost.command("init")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--from", "from_", metavar="NAME",
              help="Start from a built-in scenario instead of the commented template.")
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
def init_cmd(path: str, from_: str | None, force: bool) -> None:
    """Write a commented scenario template to PATH, ready to edit."""
    if from_ is not None:
        if from_ not in scenario_mod.builtin_names():
            raise UserError(f"--from {from_}: not a built-in scenario; built-in: "
                            + ", ".join(scenario_mod.builtin_names()))
        text = scenario_mod.builtin_text(from_)
    else:
        text = (resources.files("cost_model.templates") / "scenario.yaml").read_text("utf-8")
    target = Path(path)
    if target.exists() and not force:
        raise UserError(f"{path} already exists; choose another name or use --force")
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}") from None
    click.echo(f"wrote {path}; edit it, then run: cvp cost run {path}")


@cost.command("list")
def list_cmd() -> None:
    """The built-in scenarios."""
    for name in scenario_mod.builtin_names():
        sc = scenario_mod.load(name)
        click.echo(f"{name}\t{sc.title or ''}")


@cost.command("params")
@click.argument("scenario")
def params_cmd(scenario: str) -> None:
    """Parameters that --set and --vary accept, with values."""
    sc = scenario_mod.load(scenario)
    for name, value in parameters(sc):
        text = "" if value is None else (
            value if isinstance(value, str) else shown(value))
        click.echo(f"{name} = {text}")


if __name__ == "__main__":  # pragma: no cover
    cost(prog_name="cvp cost")


@cost.command("simulate")
@click.option("--district", required=True, help="District whose ticket history gives the customer locations.")
@click.option("--days", type=click.IntRange(min=1), default=60, show_default=True, help="Days to sample.")
@click.option("--demand", default="poisson:23", show_default=True, help="Visits a day: poisson:MEAN or fixed:N.")
@click.option("--vip-share", type=float, default=0.26, show_default=True, help="Share of visits that are VIP.")
@click.option("--staff", "staff_range", default="3:7", show_default=True, help="Staff counts to try: 3:7 or 4,6.")
@click.option("--locations", type=click.Path(dir_okay=False, exists=True),
              help="A ticket file to draw customer locations from instead of the store's history.")
@click.option("--window-share", type=click.FloatRange(0, 1), default=0.4, show_default=True,
              help="Share of visits with a confirmed appointment window.")
@click.option("--overtime", "overtime_min", type=click.IntRange(min=0), default=0, show_default=True,
              help="Minutes a worker may stay past the shift end.")
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=1.5, show_default=True,
              help="Solver seconds per planned day.")
@click.option("--vip-level", type=click.FloatRange(0, 1), default=0.95, show_default=True,
              help="Service level: share of days on which every VIP is visited the same day.")
@click.option("--all-level", type=click.FloatRange(0, 1), default=0.90, show_default=True,
              help="Service level: share of all visits made the same day.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--processes", type=click.IntRange(min=1), default=2, show_default=True)
@click.option("--json", "json_out", type=click.Path(dir_okay=False), help="Also write the result as JSON here.")
def simulate_cmd(district, days, demand, vip_share, staff_range, locations, window_share, overtime_min,
                 time_limit, vip_level, all_level, seed, processes, json_out) -> None:
    """Staffing by simulation: plan sampled days with the routing core for each staff count."""
    import json as json_mod

    from cost_model import simulate as sim
    from planner.cli import rules_of, session_of
    from planner.plan.day import travel_model_of

    ctx = click.get_current_context()
    rules = rules_of(ctx)
    found, base, transport = _simulation_places(session_of(ctx), district, locations, rules)
    settings = sim.SimulationSettings(
        district=district, days=days, demand=sim.DemandDistribution.parse(demand), vip_share=vip_share,
        staff_counts=sim.parse_staff_range(staff_range), locations=found, base=base, transport=transport,
        window_share=window_share, overtime_allowance_min=overtime_min, time_limit_s=time_limit, seed=seed,
        vip_level_target=vip_level, all_level_target=all_level)
    total = days * len(settings.staff_counts)
    with click.progressbar(length=total, label=f"planning {total} days", file=sys.stderr) as bar:
        result = sim.simulate(settings, rules, travel_model_of(rules), processes=processes, progress=bar.update)
    click.echo(sim.result_text(result))
    if json_out:
        with open(json_out, "w", encoding="utf-8") as fh:
            json_mod.dump(result.as_dict(), fh, ensure_ascii=False, indent=2)


def _simulation_places(session, district: str, locations: str | None, rules) -> tuple[tuple, tuple[float, float], str]:
    """Customer locations (a file, or the district's tickets in the store), the office and
    the roster's usual transport."""
    from datetime import datetime, timezone

    from cost_model.simulate import locations_from
    from planner.errors import UserError
    from planner.intake import load_file
    from planner.store import repository as repo
    from planner.store.db import transaction
    from planner.workflow import intake_context

    with transaction(session):
        staff = [s for s in repo.staff_for(session, district) if s.base_lat is not None]
        tickets = [] if locations else [
            t for t in repo.tickets_since(session, datetime(1990, 1, 1, tzinfo=timezone.utc),
                                          datetime(2100, 1, 1, tzinfo=timezone.utc), rules.tz)
            if t.district == district]
    if locations:
        result = load_file(locations, "tickets", intake_context(rules))
        tickets = result.records
    found = locations_from(tickets)
    office = next(((s.base_lat, s.base_lon) for s in staff if s.base_lat is not None and s.base_lon is not None), None)
    if office is None:
        raise UserError(f"no roster for {district}: import one (`cvp import staff.csv`) so the office is known")
    transports = [s.transport for s in staff]
    return found, office, max(set(transports), key=transports.count)
