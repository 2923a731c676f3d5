"""Small hand-made days for the routing tests (times in seconds)."""

from __future__ import annotations

from planner.routing import Problem, SolveOptions, solve, validate

H = 3600
M = 60


def hm(h: int, m: int = 0) -> int:
    return h * H + m * M


def line_matrix(positions_min: list[float]) -> list[list[int]]:
    """Locations on a line; travel time = distance in minutes."""
    return [[int(abs(a - b) * M) for b in positions_min] for a in positions_min]


#: deterministic: stops on a solution count, never on the clock
DET = SolveOptions(time_limit_s=60, solution_limit=2000, seed=0)


def solve_checked(problem: Problem, opts: SolveOptions = DET):
    """Solve and assert the independent validator finds nothing wrong."""
    sol = solve(problem, opts)
    errs = validate(problem, sol)
    assert errs == [], errs
    assert not [w for w in sol.warnings if w.startswith("internal")], sol.warnings
    return sol
