"""The ruin-and-recreate loop's own pieces: insertion feasibility and the objective.

The loop accepts or rejects plans on ``Routes.objective`` and builds them with
``Routes.insert``; both must agree with the OR-Tools model, or the loop would
chase a different cost or keep plans the model forbids.
"""

import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from routing_helpers import SHIFT, SOLOMON, needs_data, random_day

from planner.routing import Job, Problem, Solution, Unassigned, Worker, validate
from planner.routing import diagnose as dg
from planner.routing.insertion import Fleet, Routes
from planner.routing.lns import node_routes
from planner.routing.model import build
from planner.routing.schedule import schedule_route
from planner.routing.solve import SolveOptions, _params
from planner.routing.vrplib import read_instance, to_problem


def _model(problem):
    diag = dg.diagnose(problem)
    return build(problem, diag), diag


def _greedy(problem, seed=0):
    """Insert every visit, in a random order, into empty routes."""
    b, diag = _model(problem)
    fleet = Fleet.of(problem, b)
    routes = Routes(fleet, [[] for _ in b.workers])
    rnd = random.Random(seed)
    order = list(fleet.job_nodes)
    rnd.shuffle(order)
    for u in order:
        routes.insert(u, rnd)
    return b, routes, diag


def _as_solution(problem, b, routes, diag):
    """The routes as a Solution, every visit not in them listed as unassigned."""
    out = []
    for v, nodes in enumerate(routes.visits):
        if not nodes:
            continue
        w = b.workers[v]
        ids = [b.jobs[x - b.n_depots].id for x in nodes]
        route = schedule_route(problem, w, ids, *dg.base_of(w))
        assert route is not None, f"{w.id}: {ids} is not schedulable"
        out.append(route)
    served = {j for r in out for j in r.job_ids}
    left = list(diag.unassigned) + [Unassigned(j.id, "over_capacity", "")
                                    for j in b.jobs if j.id not in served]
    return Solution(out, left, "partial", "n/a", total_travel_s=sum(r.travel_s for r in out))


@given(seed=st.integers(0, 10_000), n_jobs=st.integers(4, 30), n_workers=st.integers(1, 4),
       budget=st.sampled_from([5400, 3600, None]))
@settings(max_examples=60, deadline=None)
def test_greedy_insertion_only_builds_plans_the_validator_accepts(seed, n_jobs, n_workers, budget):
    problem = random_day(seed, n_jobs, n_workers, budget)
    assume(build(problem, dg.diagnose(problem)) is not None)  # something is routable
    b, routes, diag = _greedy(problem, seed)
    sol = _as_solution(problem, b, routes, diag)
    assert validate(problem, sol) == []
    for v, nodes in enumerate(routes.visits):  # the pilot's cap and the VIP skill hold too
        assert len(nodes) <= b.workers[v].max_jobs
        for x in nodes:
            assert b.jobs[x - b.n_depots].required_skills <= b.workers[v].skills


@needs_data
@pytest.mark.parametrize("name", ["RC101", "R101", "C101"])
def test_insertion_bounds_alone_respect_tight_windows_and_capacity(name):
    """No lunch, no budget: the O(1) window and capacity tests are the only check."""
    problem = to_problem(read_instance(SOLOMON / f"{name}.vrp"))
    b, routes, diag = _greedy(problem)
    assert Fleet.of(problem, b).exact is None
    served = routes.served()
    assert len(served) > len(problem.jobs) // 2  # a real test of the bounds, not an empty plan
    sol = _as_solution(problem, b, routes, diag)
    assert validate(problem, sol) == []
    for v, nodes in enumerate(routes.visits):
        assert sum(b.jobs[x - b.n_depots].demand for x in nodes) <= b.workers[v].capacity


def test_insertion_picks_the_cheapest_position():
    # a line: base at 0, visits at 10 and 30 minutes; 20 belongs between them
    m = [[abs(a - b) * 60 for b in (0, 10, 20, 30)] for a in (0, 10, 20, 30)]
    jobs = (Job("a", 1, 600), Job("b", 3, 600), Job("c", 2, 600))
    problem = Problem(jobs, (Worker("w", 0, 0, shift=SHIFT, max_jobs=None),), {"default": m},
                      visit_budget_s=None, balance_weight=0)
    b, _ = _model(problem)
    fleet = Fleet.of(problem, b)
    node = {j.id: b.n_depots + k for k, j in enumerate(b.jobs)}
    routes = Routes(fleet, [[node["a"], node["b"]]])
    assert routes.insert(node["c"], random.Random(0))
    assert routes.visits[0] == [node["a"], node["c"], node["b"]]


@pytest.mark.parametrize("limit", [{"max_jobs": 1}, {"max_jobs": None, "capacity": 1}])
def test_insertion_refuses_a_full_worker(limit):
    m = [[0, 600, 600], [600, 0, 600], [600, 600, 0]]
    jobs = (Job("a", 1, 600), Job("b", 2, 600))
    problem = Problem(jobs, (Worker("w", 0, 0, shift=SHIFT, **limit),), {"default": m}, visit_budget_s=None)
    b, _ = _model(problem)
    first, second = b.n_depots, b.n_depots + 1
    routes = Routes(Fleet.of(problem, b), [[first]])
    assert not routes.insert(second, random.Random(0))
    assert routes.visits == [[first]]


@pytest.mark.parametrize("seed", range(4))
def test_python_objective_equals_the_models(seed):
    """Travel, drop penalties by priority, and the balance term, to the unit."""
    problem = random_day(seed, n_jobs=22, n_workers=3)  # more than 3 x 6 visits: some dropped
    b, _ = _model(problem)
    # the equality holds for any solution; 50 of them take the search past the first one
    # (moves, drops, balance) at a sixth of the time of 300
    opts = SolveOptions(time_limit_s=30, solution_limit=50)
    assignment = b.routing.SolveWithParameters(_params(opts, "PARALLEL_CHEAPEST_INSERTION", 30))
    assert assignment is not None
    fleet = Fleet.of(problem, b)
    nodes = [[b.manager.IndexToNode(i) for i in r] for r in node_routes(b, assignment)]
    routes = Routes(fleet, nodes)
    assert len(routes.served()) < len(problem.jobs)
    assert fleet.balance_weight > 0
    assert routes.objective() == assignment.ObjectiveValue()
