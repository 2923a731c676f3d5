"""Several independent days solved at once, one process per core; or one day
searched from several seeds at once, one per core, keeping the best plan.

Why processes: a city's or a province's districts are independent problems
(each district's staff visit that district's customers), and both the
OR-Tools search and the ruin-and-recreate loop are single-threaded Python
callers that hold the GIL, so threads would not run them side by side.
The pool is started with ``forkserver``: safe from a multi-threaded caller
(the web server), and cheaper than ``spawn`` for every task after the first.
The fork server and the workers die with the process that started them
(:mod:`planner.orphans`), so a killed planner leaves no search running.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

from planner import orphans
from planner.routing.problem import Problem
from planner.routing.solution import Solution
from planner.routing.solve import SolveOptions, solve


def default_processes() -> int:
    """One process per core this process may use."""
    return max(1, len(os.sched_getaffinity(0)))


def _solve(args: tuple[Problem, SolveOptions]) -> Solution:
    return solve(*args)


def _context():
    """The forkserver context, its server armed to die with this process and its workers
    with the server (:mod:`planner.orphans`): no solver outlives a killed planner."""
    ctx = multiprocessing.get_context("forkserver")
    orphans.mark_planner()
    ctx.set_forkserver_preload(["__main__", orphans.PRELOAD])
    return ctx


def solve_all(problems: Sequence[Problem], options: Sequence[SolveOptions],
              processes: int | None = None) -> list[Solution]:
    """``solve`` for each problem with its options; results in the same order."""
    tasks = list(zip(problems, options, strict=True))
    processes = min(processes or default_processes(), len(tasks))
    if processes <= 1:
        return [_solve(t) for t in tasks]
    with ProcessPoolExecutor(max_workers=processes, mp_context=_context(), initializer=orphans.arm_worker) as pool:
        return list(pool.map(_solve, tasks, chunksize=1))


def solve_best_of(problem: Problem, options: Sequence[SolveOptions],
                  processes: int | None = None) -> Solution:
    """The same problem searched once per options (e.g. seeds) side by side; the best plan.

    Why: the search's result varies from run to run (measured ±1-3 % on hard
    Solomon instances at 30 s); two searches on two cores in the same wall time
    keep the better one.  "Best" is the model's objective: served priorities
    first, then travel.
    """
    sols = solve_all([problem] * len(options), options, processes)
    return min(sols, key=lambda s: (s.status == "no_solution", s.objective))


def solve_on_all_cores(problem: Problem, opts: SolveOptions, processes: int | None = None) -> Solution:
    """One day searched from consecutive seeds, one search per core; the best plan.

    Why: on district days one search can stay in one basin for its whole
    limit (+2.5 % travel on a benchmark day at 1.5 s, whatever the settings)
    while another seed escapes it; a second core costs no extra wall time but
    the process start (about 0.25 s).  A search stopped by a solution limit
    (deterministic) runs once, in this process.
    """
    n = processes or default_processes()
    if n <= 1 or opts.solution_limit is not None:
        return solve(problem, opts)
    base = opts.seed or 0
    return solve_best_of(problem, [replace(opts, seed=(base + k) or None) for k in range(n)], n)
