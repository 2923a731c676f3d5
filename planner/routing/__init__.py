"""The routing core: plain values in, a checked plan out (OR-Tools inside).

Public API::

    from planner.routing import (Problem, Job, Worker, BreakSpec,
                                 SolveOptions, solve, validate)
    sol = solve(problem, SolveOptions(time_limit_s=5, solution_limit=None, seed=0))
    assert validate(problem, sol) == []

``planner.routing.vrplib`` maps Solomon/VRPLIB VRPTW files onto the same
``Problem`` so the benchmark measures the very core that plans visits.
"""

from planner.routing.problem import BreakSpec, Job, Problem, Worker
from planner.routing.solution import UNASSIGNED_REASONS, Route, Solution, Step, Unassigned
from planner.routing.solve import SolveOptions, recommended_options, solve
from planner.routing.validate import validate

__all__ = ["BreakSpec", "Job", "Problem", "Worker", "UNASSIGNED_REASONS", "Route", "Solution", "Step",
           "Unassigned", "SolveOptions", "recommended_options", "solve", "validate"]
