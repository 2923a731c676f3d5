"""The routing core's input: plain, frozen values in integer seconds.

Why integers: the OR-Tools routing solver only takes integer transits, and a
plan must re-check exactly (no float drift between the model, the reported
times and the independent validator).  All times are seconds from a *day
origin* the caller picks (e.g. local midnight); all places are indices into the
travel-time matrices, which the caller builds (``planner.geo`` for real days,
hand-made matrices in tests, DIMACS distances for the VRPTW benchmark).

Nothing here knows about tickets, staff rosters, the rules file or OR-Tools: the
plan builder maps triaged visits, the roster and the rules' working day onto these
values, and the solver maps these values onto OR-Tools.  So the core has no
working day of its own: a worker's shift is a required value, and the lunch, the
visit cap and the per-visit budget are off unless given (the pilot's numbers live
in the rules file only; :func:`planner.plan.build.pilot_worker_values` turns them
into these values for callers of the core such as benchmarks).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Skills a VIP tier needs by default (the plan builder applies this mapping).
VIP_SKILL = "vip"


@dataclass(frozen=True)
class BreakSpec:
    """One break (lunch): it must *start* in [earliest_start, latest_start].

    The worker takes it where they are (at a visit's address after the visit,
    or at the base before leaving): no travel happens during the break.
    """

    earliest_start: int
    latest_start: int
    duration_s: int


@dataclass(frozen=True)
class Job:
    """One visit (or one VRPTW customer).

    ``time_window`` bounds the *start* of service (VROOM and DIMACS convention);
    ``None`` means any time in the worker's shift.  ``location`` is ``None`` when
    the visit has no usable coordinates: it is then reported, never routed.
    ``priority`` 1 is the most important level; larger numbers matter less.
    """

    id: str
    location: int | None
    service_s: int
    time_window: tuple[int, int] | None = None
    priority: int = 1
    required_skills: frozenset[str] = frozenset()
    demand: int = 1
    allowed_workers: frozenset[str] | None = None  # a pin: only these workers may take it

    def routed_location(self) -> int:
        """The location of a job that reaches routing: only located jobs do (the
        others are reported as unassigned first), so a missing one is a bug here."""
        if self.location is None:
            raise ValueError(f"job {self.id} has no location and cannot be routed")
        return self.location


@dataclass(frozen=True)
class Worker:
    """One field worker on duty = one vehicle.

    ``start_location``/``end_location`` ``None`` means the roster gave no base:
    the worker cannot be routed and is reported in ``Solution.warnings``.
    ``profile`` names the travel-time matrix (walk/bus/taxi/car...).
    ``max_jobs`` caps the visits a day (the rules' ``day.max_visits_per_worker``;
    ``None`` = no cap); ``capacity`` caps the sum of job demands (used by VRPTW;
    ``None`` = unlimited).
    """

    id: str
    start_location: int | None
    end_location: int | None
    shift: tuple[int, int]
    break_window: BreakSpec | None = None
    skills: frozenset[str] = frozenset()
    max_jobs: int | None = None
    capacity: int | None = None
    profile: str = "default"


@dataclass(frozen=True)
class Problem:
    """A day to plan.

    ``matrices[profile][a][b]`` is the travel time in seconds from location a to
    b for workers of that profile.  ``visit_budget_s``: for every visit,
    travel from the previous stop + waiting + service must not exceed it (the
    rules' ``day.visit_budget_min``, the pilot's 1.5 h; ``None`` switches it off).  The lunch break itself is not
    counted in that budget.

    Objective weights (see ``planner.routing.model`` for why they are safe):
    ``travel_weight`` cost units per second of travel; ``balance_weight`` cost
    units per (working minute)^2 of each worker, which evens out the day; 0
    turns balancing off.
    """

    jobs: tuple[Job, ...]
    workers: tuple[Worker, ...]
    matrices: dict[str, list[list[int]]] = field(hash=False)
    visit_budget_s: int | None = None
    travel_weight: int = 1000
    balance_weight: int = 1

    def matrix_for(self, worker: Worker) -> list[list[int]]:
        """The travel-time matrix of a worker's transport profile."""
        return self.matrices[worker.profile]

    def job(self, job_id: str) -> Job:
        """Look a job up by id (linear; fine for a day's size)."""
        for j in self.jobs:
            if j.id == job_id:
                return j
        raise KeyError(job_id)

    def worker(self, worker_id: str) -> Worker:
        """Look a worker up by id."""
        for w in self.workers:
            if w.id == worker_id:
                return w
        raise KeyError(worker_id)
