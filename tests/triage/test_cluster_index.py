"""The indexed clustering finds exactly the clusters of the all-pairs geodesic rule.

The reference below is the rule as the pilot states it, computed the slow way:
every pair measured by geodesic, the seed with the most free neighbours (ties:
the earliest ticket) grown nearest-first while every member stays within the
radius of every other.  Random districts, some with tickets piled on a few
spots and several from one phone, must give the same clusters, in the same
order, with the same members.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.geo.distance import metres
from planner.triage.cluster import find_clusters
from planner.triage.spatial import GridIndex, local_m
from tests.triage.helpers import YESTERDAY, network


def brute_force_clusters(tickets, radius_m, min_customers):
    pts = sorted((t for t in tickets if t.lat is not None), key=lambda t: (t.received_at, t.ticket_id))
    n = len(pts)
    dist = {(i, j): metres((pts[i].lat, pts[i].lon), (pts[j].lat, pts[j].lon))
            for i in range(n) for j in range(n) if i != j}
    neighbours = [[j for j in range(n) if j != i and dist[(i, j)] <= radius_m] for i in range(n)]
    free = set(range(n))
    clusters = []
    while True:
        def phones(idx):
            return {pts[k].phone for k in idx}

        seeds = [i for i in free if len(phones([i, *[j for j in neighbours[i] if j in free]])) >= min_customers]
        if not seeds:
            return clusters
        seed = max(seeds, key=lambda i: (len([j for j in neighbours[i] if j in free]), -i))
        members = [seed]
        for j in sorted((j for j in neighbours[seed] if j in free), key=lambda j: (dist[(seed, j)], j)):
            if all(dist[(j, m)] <= radius_m for m in members):
                members.append(j)
        if len(phones(members)) >= min_customers:
            clusters.append(sorted((pts[m] for m in members), key=lambda t: (t.received_at, t.ticket_id)))
            free -= set(members)
        else:
            free.discard(seed)


# A district-sized square anywhere in China; offsets in metres from its corner.
corner = st.tuples(st.floats(18.0, 53.0), st.floats(74.0, 134.0))
offset = st.tuples(st.floats(0, 3000), st.floats(0, 3000))


@st.composite
def districts(draw):
    lat0, lon0 = draw(corner)
    spots = draw(st.lists(offset, min_size=1, max_size=4))
    tickets = []
    for _ in range(draw(st.integers(0, 45))):
        if draw(st.booleans()):  # piled around a spot (same building, same street)
            base = draw(st.sampled_from(spots))
            dy, dx = base[0] + draw(st.floats(-400, 400)), base[1] + draw(st.floats(-400, 400))
        else:
            dy, dx = draw(offset)
        phone = f"1390000{draw(st.integers(0, 60)):04d}"
        tickets.append(network(at=(lat0 + dy / 111_000, lon0 + dx / 92_000), phone=phone,
                               received_at=YESTERDAY - timedelta(hours=draw(st.integers(0, 6)))))
    return tickets


def ids(clusters):
    return [[t.ticket_id for t in c] for c in clusters]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tickets=districts(), radius_m=st.sampled_from([150.0, 500.0, 800.0]), min_customers=st.integers(2, 4))
def test_indexed_clusters_equal_the_all_pairs_geodesic_clusters(tickets, radius_m, min_customers):
    assert ids(find_clusters(tickets, radius_m, min_customers)) == \
        ids(brute_force_clusters(tickets, radius_m, min_customers))


def _at_distance(origin, direction, metres_wanted):
    """The point ``metres_wanted`` (geodesic) from ``origin`` along a (dlat, dlon) direction."""
    lo, hi = 0.0, 2 * metres_wanted / 60_000
    for _ in range(80):
        mid = (lo + hi) / 2
        q = (origin[0] + direction[0] * mid, origin[1] + direction[1] * mid)
        lo, hi = (mid, hi) if metres(origin, q) < metres_wanted else (lo, mid)
    return (origin[0] + direction[0] * lo, origin[1] + direction[1] * lo)


def test_pairs_just_inside_the_radius_are_neighbours_at_any_latitude():
    """Complaints 499.9 m apart due north or due east are one cluster with a third
    between them, in Hainan as in Heilongjiang (a fixed degree box once dropped
    the north-south pair in the south of China)."""
    for lat in (18.3, 34.2, 52.9):
        for direction in ((1.0, 0.0), (0.0, 1.0)):
            origin = (lat, 110.0)
            far = _at_distance(origin, direction, 499.9)
            a, b = network(at=origin), network(at=far)
            c = network(at=((origin[0] + far[0]) / 2, (origin[1] + far[1]) / 2))
            [cluster] = find_clusters([a, b, c], 500, 3)
            assert {t.ticket_id for t in cluster} == {a.ticket_id, b.ticket_id, c.ticket_id}


@settings(max_examples=200, deadline=None)
@given(p=corner, offsets=st.lists(offset, min_size=2, max_size=30), radius_m=st.floats(50, 5000))
def test_the_grid_offers_every_point_within_the_radius(p, offsets, radius_m):
    points = [(p[0] + dy / 111_000, p[1] + dx / 92_000) for dy, dx in offsets]
    grid = GridIndex(points, radius_m)
    offered = set(grid.candidate_pairs())
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            if metres(points[i], points[j]) <= radius_m:
                assert (i, j) in offered
                assert j in grid.candidates(points[i])


@settings(max_examples=300, deadline=None)
@given(p=corner, d=offset)
def test_the_local_distance_stays_within_its_stated_bound(p, d):
    from planner.triage.spatial import bound_m

    q = (p[0] + d[0] / 111_000, p[1] + d[1] / 92_000)
    approx = local_m(p, q)
    assert approx is not None
    assert abs(approx - metres(p, q)) <= bound_m(approx)


def test_a_crowded_spot_is_screened_in_slices_with_the_same_clusters(monkeypatch):
    """More tickets in one grid cell than a block holds: the same clusters as one big batch."""
    import random

    from planner.triage import spatial

    rnd = random.Random(7)
    tickets = [network(at=(34.2 + rnd.uniform(0, 900) / 111_000, 108.9 + rnd.uniform(0, 900) / 92_000),
                       phone=f"1380000{rnd.randint(0, 200):04d}") for _ in range(120)]
    whole = ids(find_clusters(tickets, 500, 3))
    monkeypatch.setattr(spatial, "BLOCK_ROWS", 7)
    monkeypatch.setattr(spatial, "BATCH_PAIRS", 50)  # the crowded cells in slices, the rest in small batches
    assert ids(find_clusters(tickets, 500, 3)) == whole
    assert whole == ids(brute_force_clusters(tickets, 500, 3))
