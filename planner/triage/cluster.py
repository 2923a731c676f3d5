"""Clustered complaints (集中投诉): several customers complaining about the
network from the same few hundred metres within a few days.

Members must be within ``radius_m`` of *each other* (not merely chained), so a
cluster never stretches across a district.  Clusters are grown greedily from
the ticket with the most neighbours, which is deterministic and, at a few
hundred tickets a week per district, instant.  Several complaints from one
phone count once: that is a repeat complainant, not a cluster.
"""

from __future__ import annotations

from collections.abc import Sequence

from planner.geo.distance import metres
from planner.records import Ticket


def is_network_complaint(ticket: Ticket, keywords: Sequence[str]) -> bool:
    text = f"{ticket.category} {ticket.description}"
    return any(k in text for k in keywords)


def find_clusters(tickets: Sequence[Ticket], radius_m: float, min_customers: int) -> list[list[Ticket]]:
    """Groups of tickets from at least ``min_customers`` phones, pairwise within ``radius_m``."""
    pts = [t for t in tickets if t.lat is not None and t.lon is not None]
    pts.sort(key=lambda t: (t.received_at, t.ticket_id))
    n = len(pts)
    deg_lat = radius_m / 111_000.0
    neighbours: list[list[int]] = [[] for _ in range(n)]
    dist: dict[tuple[int, int], float] = {}
    for i in range(n):
        for j in range(i + 1, n):
            if abs(pts[i].lat - pts[j].lat) > deg_lat or abs(pts[i].lon - pts[j].lon) > 2 * deg_lat:
                continue
            d = metres((pts[i].lat, pts[i].lon), (pts[j].lat, pts[j].lon))
            if d <= radius_m:
                neighbours[i].append(j)
                neighbours[j].append(i)
                dist[(i, j)] = dist[(j, i)] = d
    free = set(range(n))
    clusters: list[list[Ticket]] = []
    while True:
        def phones(idx):
            return {pts[k].phone for k in idx}

        seeds = [i for i in free if len(phones([i, *[j for j in neighbours[i] if j in free]])) >= min_customers]
        if not seeds:
            break
        seed = max(seeds, key=lambda i: (len([j for j in neighbours[i] if j in free]), -i))
        members = [seed]
        for j in sorted((j for j in neighbours[seed] if j in free), key=lambda j: (dist[(seed, j)], j)):
            if all(dist.get((j, m), radius_m + 1) <= radius_m for m in members):
                members.append(j)
        if len(phones(members)) >= min_customers:
            clusters.append(sorted((pts[m] for m in members), key=lambda t: (t.received_at, t.ticket_id)))
            free -= set(members)
        else:
            free.discard(seed)
    return clusters
