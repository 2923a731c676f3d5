"""Solomon VRPTW files (VRPLIB format) onto the same ``Problem`` as a day's plan.

Why here: the benchmark must measure the very core that plans visits, so a
VRPTW instance becomes jobs (customers) and identical workers (vehicles) with
capacity, windows and service times; no lunch, no visit budget, no balance.

DIMACS convention (shared/bench/solomon/BKS.md): distance = floor(10 * euclid)
in tenths, travel time = distance, windows bound the start of service,
vehicles leave at the depot's window start and return by its due time, the
objective is total distance.  Everything is stored x10 as integers, so the
``.sol`` costs are reproduced exactly.  Customer ids are the numbers the
``.sol`` files use (the depot is 0).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from planner.routing.problem import Job, Problem, Worker

SCALE = 10


@dataclass(frozen=True)
class Instance:
    """A parsed VRPTW instance (coordinates and data as in the file)."""

    name: str
    coords: list[tuple[float, float]]  # node 0 = depot
    demand: list[int]
    windows: list[tuple[int, int]]
    service: list[int]
    capacity: int
    vehicles: int


def read_instance(path: str | Path) -> Instance:
    """Parse NODE_COORD, DEMAND, TIME_WINDOW, SERVICE_TIME, CAPACITY, VEHICLES, DEPOT."""
    text = Path(path).read_text()
    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        m = re.match(r"^([A-Z_]+)\s*:\s*(.*)$", line)
        if m and not line.endswith("_SECTION"):
            header[m.group(1)] = m.group(2).strip()
            current = None
            continue
        if line.endswith("_SECTION"):
            current = line[: -len("_SECTION")]
            sections[current] = []
            continue
        if current is not None:
            sections[current].append(line.split())
    n = int(header["DIMENSION"])
    depot_rows = [r for r in sections.get("DEPOT", []) if r[0] != "-1"]
    depot = int(depot_rows[0][0]) if depot_rows else 1
    order = [depot] + [i for i in range(1, n + 1) if i != depot]  # file ids, depot first

    def col(section: str, default=None):
        rows = {int(r[0]): r[1:] for r in sections.get(section, [])}
        return [rows.get(i, default) for i in order]

    coords = [(float(r[0]), float(r[1])) for r in col("NODE_COORD")]
    demand = [int(r[0]) for r in col("DEMAND", ["0"])]
    windows = [(int(float(r[0])), int(float(r[1]))) for r in col("TIME_WINDOW")]
    if "SERVICE_TIME" in sections:
        service = [int(float(r[0])) for r in col("SERVICE_TIME", ["0"])]
    else:
        s = int(float(header.get("SERVICE_TIME", "0")))
        service = [0] + [s] * (n - 1)
    service[0] = 0
    return Instance(header.get("NAME", Path(path).stem), coords, demand, windows, service,
                    int(header["CAPACITY"]), int(header.get("VEHICLES", n - 1)))


def read_solution(path: str | Path) -> tuple[list[list[int]], float | None]:
    """Routes (customer numbers, depot excluded) and the ``Cost`` line of a .sol."""
    routes, cost = [], None
    for line in Path(path).read_text().splitlines():
        if line.startswith("Route"):
            routes.append([int(x) for x in line.split(":", 1)[1].split()])
        elif line.lower().startswith("cost"):
            cost = float(line.split()[1])
    return routes, cost


def dimacs_matrix(inst: Instance) -> list[list[int]]:
    """floor(10 * euclid) between every pair of nodes (tenths of a unit)."""
    c = inst.coords
    return [[int(SCALE * math.hypot(a[0] - b[0], a[1] - b[1])) for b in c] for a in c]


def route_distance(matrix: list[list[int]], routes: list[list[int]]) -> int:
    """Total DIMACS distance of routes in tenths (depot 0 added at both ends)."""
    total = 0
    for r in routes:
        path = [0] + list(r) + [0]
        total += sum(matrix[a][b] for a, b in pairwise(path))
    return total


def to_problem(inst: Instance, fleet: int | None = None) -> Problem:
    """The VRPTW instance as a routing ``Problem`` (x10 integer units).

    The fleet defaults to the file's VEHICLES (25 for every Solomon file; no
    best-known solution needs more than 20).  A 100-vehicle fleet gave the same
    or worse distances in the same time (RC101 30 s: 1674.8 vs 1656.1), since
    every idle vehicle adds moves to each local-search round.
    """
    n_veh = fleet if fleet is not None else inst.vehicles
    jobs = tuple(
        Job(str(k), k, SCALE * inst.service[k],
            (SCALE * inst.windows[k][0], SCALE * inst.windows[k][1]), 1, frozenset(),
            inst.demand[k])
        for k in range(1, len(inst.coords)))
    shift = (SCALE * inst.windows[0][0], SCALE * inst.windows[0][1])
    workers = tuple(Worker(f"v{i + 1}", 0, 0, shift, None, frozenset(), None, inst.capacity)
                    for i in range(n_veh))
    return Problem(jobs, workers, {"default": dimacs_matrix(inst)}, visit_budget_s=None,
                   travel_weight=1, balance_weight=0)
