"""Clustered complaints (集中投诉): several customers complaining about the
network from the same few hundred metres within a few days.

Members must be within ``radius_m`` of *each other* (not merely chained), so a
cluster never stretches across a district.  Clusters are grown greedily from
the ticket with the most free neighbours (ties: the earliest ticket), which is
deterministic.  Several complaints from one phone count once: that is a repeat
complainant, not a cluster.

Why it is built this way: a district can hold 20,000 open tickets.  Neighbours
come from a grid index whose cells are the rule's radius
(:class:`planner.triage.spatial.GridIndex`), so only nearby pairs are measured;
the next seed comes from a heap of free-neighbour counts kept current as
tickets join clusters, instead of rescanning every ticket per cluster.  Every
distance decision equals the WGS-84 geodesic's (see ``spatial``), so the
clusters are the ones comparing all pairs by geodesic would give.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Sequence
from functools import partial

from planner.records import Ticket
from planner.triage.spatial import GridIndex, Measure, TooManyPairs, exact_order, local_neighbours


def network_complaint_test(keywords: Sequence[str]) -> Callable[[Ticket], bool]:
    """Whether a ticket's category or description holds one of ``keywords`` (a network
    complaint), as one compiled scan: triage asks it of tens of thousands of tickets."""
    if not keywords:
        return lambda ticket: False
    search = re.compile("|".join(re.escape(str(k)) for k in keywords)).search
    return lambda ticket: search(f"{ticket.category} {ticket.description}") is not None


def neighbour_lists(points: Sequence[tuple[float, float]], radius_m: float, measure: Measure,
                    max_pairs: int | None = None) -> list[list[int]]:
    """For each point, the indexes of the other points within ``radius_m`` (geodesic), ascending.

    Pairs from neighbouring grid cells are screened with the tangent-plane distance
    (``local_neighbours``); only a pair within a centimetre-wide shell around the
    radius is measured more exactly."""
    grid = GridIndex(points, radius_m)
    if max_pairs is not None and (count := grid.pair_count()) > max_pairs:
        raise TooManyPairs(count, max_pairs)
    neighbours = local_neighbours(grid, lambda i, j: measure.within(i, j, radius_m))
    if neighbours is None:
        neighbours = [[] for _ in points]
        for i, j in grid.candidate_pairs():
            if measure.within(i, j, radius_m):
                neighbours[i].append(j)
                neighbours[j].append(i)
        for row in neighbours:
            row.sort()
    return neighbours


def find_clusters(tickets: Sequence[Ticket], radius_m: float, min_customers: int,
                  max_pairs: int | None = None) -> list[list[Ticket]]:
    """Groups of tickets from at least ``min_customers`` phones, pairwise within ``radius_m``;
    :class:`TooManyPairs` when more than ``max_pairs`` pairs would have to be compared."""
    placed = sorted(((t, p) for t in tickets if (p := t.position) is not None),
                    key=lambda tp: (tp[0].received_at, tp[0].ticket_id))
    pts = [t for t, _ in placed]
    n = len(pts)
    points = [p for _, p in placed]
    measure = Measure(points)
    neighbours = neighbour_lists(points, radius_m, measure, max_pairs)
    near: dict[int, set[int]] = {}  # neighbour sets, made for the points a seed adds
    phone = [t.phone for t in pts]
    free = [True] * n
    degree = [len(row) for row in neighbours]  # free neighbours; only ever decreases
    # a max-heap of (free neighbours, earliest) whose counts may be stale (too high):
    # a popped entry that is out of date goes back with its current count
    heap = [(-degree[i], i) for i in range(n) if degree[i] + 1 >= min_customers]
    heapq.heapify(heap)

    def leave(k: int) -> None:
        free[k] = False
        for j in neighbours[k]:
            degree[j] -= 1

    clusters: list[list[Ticket]] = []
    while heap:
        neg_degree, seed = heapq.heappop(heap)
        if not free[seed]:
            continue
        if -neg_degree != degree[seed]:
            if degree[seed] + 1 >= min_customers:
                heapq.heappush(heap, (-degree[seed], seed))
            continue
        around = [j for j in neighbours[seed] if free[j]]
        if len({phone[seed], *(phone[j] for j in around)}) < min_customers:
            continue  # the free neighbourhood only shrinks: never a seed again
        members = [seed]
        allowed: set[int] | None = None  # candidates within the radius of every member but the seed
        for j in exact_order(around, partial(measure.approx, seed), partial(measure.exact, seed)):
            if allowed is not None and j not in allowed:
                continue
            members.append(j)
            close = near.get(j)
            if close is None:
                close = near[j] = set(neighbours[j])
            allowed = close if allowed is None else allowed & close
        if len({phone[m] for m in members}) >= min_customers:
            clusters.append(sorted((pts[m] for m in members), key=lambda t: (t.received_at, t.ticket_id)))
            for m in members:
                leave(m)
        else:
            leave(seed)
    return clusters
