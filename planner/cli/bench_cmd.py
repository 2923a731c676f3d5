"""``cvp bench ...``: benchmarks of the planning core (not tests).

Registered by the ``cvp`` group (``cvp.add_command(bench_cmd.bench)``).
"""

from __future__ import annotations

import json

import click

from planner.errors import UserError


@click.group("bench")
def bench() -> None:
    """Benchmarks of the routing core on public instances."""


@bench.command("vrptw")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--time-limit", "time_limit", type=float, default=10.0, show_default=True,
              help="Seconds of search (the solver always uses all of it).")
@click.option("--seed", type=int, default=None, help="Permutes the customer order.")
@click.option("--fleet", type=int, default=None,
              help="Vehicles available (default: the file's VEHICLES, 25 for Solomon).")
@click.option("--processes", type=click.IntRange(min=1), default=1, show_default=True,
              help="Searches from consecutive seeds side by side (one per core); the best is kept.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def vrptw(file: str, time_limit: float, seed: int | None, fleet: int | None, processes: int,
          as_json: bool) -> None:
    """Solve a VRPTW instance (VRPLIB/Solomon, DIMACS distances) with the planner's core."""
    from planner.routing.bench import run_vrptw

    try:
        res = run_vrptw(file, time_limit, seed, fleet, processes=processes)
    except (KeyError, ValueError, IndexError) as exc:
        raise UserError(f"{file}: not a VRPTW instance in VRPLIB format ({exc})") from exc
    if as_json:
        keys = ("instance", "routes", "vehicles", "distance", "seconds")
        click.echo(json.dumps({k: res[k] for k in keys}))
        return
    for i, r in enumerate(res["routes"], 1):
        click.echo(f"Route #{i}: {' '.join(map(str, r))}")
    click.echo(f"Cost {res['distance']:.1f}")
    click.echo(f"{res['instance']}: {res['vehicles']} vehicles, distance {res['distance']:.1f}, "
               f"{res['seconds']:.1f} s (best found at {res['time_to_best']} s)"
               + ("" if not res["unserved"] else f", UNSERVED {res['unserved']}"), err=True)
