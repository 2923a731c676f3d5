"""Solomon files: reading, DIMACS distances, and the bench path through the core."""

import json

import pytest
from routing_helpers import SOLOMON, needs_data

from planner.cli import main
from planner.routing import Solution, validate
from planner.routing.schedule import schedule_route
from planner.routing.vrplib import dimacs_matrix, read_instance, read_solution, route_distance, to_problem


@needs_data
def test_read_c101():
    inst = read_instance(SOLOMON / "C101.vrp")
    assert inst.name == "C101" and len(inst.coords) == 101
    assert inst.coords[0] == (40, 50) and inst.capacity == 200 and inst.vehicles == 25
    assert inst.service[0] == 0 and inst.service[1] == 90
    assert inst.windows[0] == (0, 1236) and inst.demand[0] == 0


@needs_data
def test_every_sol_cost_is_reproduced_exactly():
    files = sorted(SOLOMON.glob("*.vrp"))
    assert len(files) == 56
    for f in files:
        inst = read_instance(f)
        routes, cost = read_solution(f.with_suffix(".sol"))
        assert route_distance(dimacs_matrix(inst), routes) == round(cost * 10), f.name


@needs_data
@pytest.mark.parametrize("name", ["C101", "R101", "RC208", "R211"])
def test_bks_routes_are_feasible_in_our_problem(name):
    """The best-known routes schedule and validate under the same rules the solver uses."""
    inst = read_instance(SOLOMON / f"{name}.vrp")
    problem = to_problem(inst)
    routes, cost = read_solution(SOLOMON / f"{name}.sol")
    out = []
    for w, r in zip(problem.workers, routes, strict=False):
        route = schedule_route(problem, w, [str(c) for c in r], 0, 0)
        assert route is not None, r
        out.append(route)
    sol = Solution(out, [], "complete", "n/a", total_travel_s=sum(x.travel_s for x in out))
    assert validate(problem, sol) == []
    assert sol.total_travel_s == round(cost * 10)


def _small_instance(tmp_path, n=12):
    """The first n customers of C101 (its depot window and capacity)."""
    lines = (SOLOMON / "C101.vrp").read_text().splitlines()
    out, section = [], None
    for line in lines:
        t = line.strip()
        if t.endswith("_SECTION"):
            section = t
            out.append(line)
            continue
        if section in ("NODE_COORD_SECTION", "DEMAND_SECTION", "TIME_WINDOW_SECTION") and t \
                and t[0].isdigit() and int(t.split()[0]) > n + 1:
            continue
        out.append(line.replace("DIMENSION : 101", f"DIMENSION : {n + 1}"))
    path = tmp_path / "C101-12.vrp"
    path.write_text("\n".join(out) + "\n")
    return path


def _feasible_cost(path, routes) -> int:
    """Schedule each route under the instance's windows, service and capacity, validate the
    whole with the independent validator, and return its DIMACS distance (tenths)."""
    problem = to_problem(read_instance(path))
    assert len(routes) <= len(problem.workers)
    scheduled = []
    for w, r in zip(problem.workers, routes, strict=False):  # fewer routes than vehicles is fine
        route = schedule_route(problem, w, [str(c) for c in r], 0, 0)
        assert route is not None, f"route {r} breaks a time window or the capacity"
        scheduled.append(route)
    sol = Solution(scheduled, [], "complete", "n/a", total_travel_s=sum(x.travel_s for x in scheduled))
    assert validate(problem, sol) == []
    return sol.total_travel_s


@needs_data
def test_cli_json(tmp_path, capsys):
    """`cvp bench vrptw --json` serves every customer once on routes that keep every window
    and the capacity, and reports their true distance and vehicle count."""
    path = _small_instance(tmp_path)
    assert main(["bench", "vrptw", str(path), "--time-limit", "1", "--seed", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"instance", "routes", "vehicles", "distance", "seconds"}
    served = sorted(c for r in data["routes"] for c in r)
    assert served == list(range(1, 13))
    assert all(data["routes"])  # no empty route counted as a vehicle
    assert data["vehicles"] == len(data["routes"])
    cost = _feasible_cost(path, data["routes"])
    assert data["distance"] * 10 == pytest.approx(cost)
    # the first 12 customers of C101 fit one vehicle's 200 units and 3 tours at most
    inst = read_instance(path)
    assert sum(inst.demand[1:]) <= inst.capacity and data["vehicles"] <= 3


@needs_data
def test_cli_text_prints_the_routes_and_their_cost(tmp_path, capsys):
    """The plain output is the Solomon .sol shape (``Route #i: …``, ``Cost …``): the file
    that ``read_solution`` reads back, feasible and costing what it says."""
    path = _small_instance(tmp_path)
    assert main(["bench", "vrptw", str(path), "--time-limit", "1", "--seed", "3"]) == 0
    res = capsys.readouterr()
    sol = tmp_path / "C101-12.sol"
    sol.write_text(res.out)
    routes, cost = read_solution(sol)
    assert sorted(c for r in routes for c in r) == list(range(1, 13))
    assert _feasible_cost(path, routes) == round(cost * 10)
    assert "UNSERVED" not in res.err and f"{len(routes)} vehicles" in res.err


def test_cli_rejects_a_non_vrp_file(tmp_path, capsys):
    """A file that is not a VRPLIB instance is a user error naming the file, not a traceback."""
    bad = tmp_path / "x.vrp"
    bad.write_text("hello\n")
    assert main(["bench", "vrptw", str(bad)]) == 2
    res = capsys.readouterr()
    assert f"error: {bad}: not a VRPTW instance in VRPLIB format" in res.err
    assert res.out == ""
