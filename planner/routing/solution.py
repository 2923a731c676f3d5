"""The routing core's output: routes with every time spelled out, and reasons.

Why every time is stored (arrival, wait, start, end, travel): a plan is a
document that must be checkable later without the solver.  The invariants,
which ``planner.routing.validate`` re-checks, are:

* ``arrival = previous.end + travel_s``; ``start = arrival + wait_s``;
  ``end = start + service_s``;
* a ``break`` step is taken where the worker is: at the previous step's
  location with ``travel_s == 0`` (the drive comes after it);
* the ``start`` step's ``end`` is the departure from the base, the ``end``
  step's ``arrival`` the return.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

#: Reason codes for visits left out, most fundamental first.
UNASSIGNED_REASONS = (
    "no_coordinates",  # the visit has no location
    "no_skilled_staff",  # no routable worker (with a base) has the skills
    "window_outside_shift",  # the window misses every eligible shift
    "window_unreachable",  # cannot get there in the window and back by shift end
    "exceeds_visit_budget",  # travel+service > budget from every possible predecessor
    "over_capacity",  # the day is full: the solver left it out (lowest priority)
    "no_solution",  # the solver found no plan at all within its limits
)

STEP_KINDS = ("start", "job", "break", "end")


@dataclass(frozen=True)
class Step:
    """One step of a route; times in seconds from the day origin."""

    kind: str
    location: int
    arrival: int
    start: int
    end: int
    travel_s: int = 0
    wait_s: int = 0
    service_s: int = 0
    job_id: str | None = None


@dataclass(frozen=True)
class Route:
    """One worker's day, ``start`` first and ``end`` last."""

    worker_id: str
    steps: tuple[Step, ...]

    @property
    def job_ids(self) -> list[str]:
        return [s.job_id for s in self.steps if s.kind == "job" and s.job_id is not None]

    @property
    def travel_s(self) -> int:
        return sum(s.travel_s for s in self.steps)

    @property
    def finish(self) -> int:
        return self.steps[-1].arrival

    @property
    def departure(self) -> int:
        return self.steps[0].end


@dataclass(frozen=True)
class Unassigned:
    """A visit left out, with one of :data:`UNASSIGNED_REASONS` and a human sentence."""

    job_id: str
    reason: str
    detail: str = ""


@dataclass
class Solution:
    """What :func:`planner.routing.solve` returns.

    ``status``: ``complete`` (every visit served), ``partial`` (some visits
    unassigned, each explained), ``no_solution`` (the solver found no plan in
    its limits: every routable visit is unassigned with ``no_solution``).
    ``stopped_by``: ``time_limit``, ``solution_limit``, ``optimal``,
    ``nothing_to_route``.  ``time_to_best_s`` is when the returned plan was
    first found (GLS and ruin-and-recreate always run to the limit).
    """

    routes: list[Route]
    unassigned: list[Unassigned]
    status: str
    stopped_by: str
    objective: int = 0
    served_by_priority: dict[int, int] = field(default_factory=dict)
    total_travel_s: int = 0
    finish_spread_s: int = 0
    solve_seconds: float = 0.0
    time_to_best_s: float | None = None
    first_solution_strategy: str | None = None
    lns_iterations: int = 0
    warnings: list[str] = field(default_factory=list)

    def route_of(self, worker_id: str) -> Route | None:
        for r in self.routes:
            if r.worker_id == worker_id:
                return r
        return None

    @property
    def served(self) -> list[str]:
        return [j for r in self.routes for j in r.job_ids]

    def reasons(self) -> dict[str, str]:
        """job id -> reason code for every unassigned visit."""
        return {u.job_id: u.reason for u in self.unassigned}

    def to_dict(self) -> dict:
        """A JSON-ready dict (for plan.json and ``--json``)."""
        return asdict(self)
