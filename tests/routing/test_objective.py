"""The objective's order: priority levels, then count, then travel, then balance."""

from dataclasses import replace

from routing_helpers import hm, line_matrix, solve_checked

from planner.routing import Job, Problem, Worker
from planner.routing.model import level_penalties

MORNING = (hm(9), hm(13))


def _day(jobs, positions, shift=MORNING, workers=1, **pkw):
    ws = tuple(Worker(f"w{i}", 0, 0, shift=shift, max_jobs=None) for i in range(workers))
    return Problem(tuple(jobs), ws, {"default": line_matrix(positions)},
                   visit_budget_s=None, **pkw)


def test_one_high_priority_beats_two_low():
    # 4 h shift: either the 3.5 h high-priority visit or both 1.5 h low ones
    jobs = [Job("high", 1, 210 * 60, priority=1), Job("low1", 2, 90 * 60, priority=2),
            Job("low2", 3, 90 * 60, priority=2)]
    p = _day(jobs, [0, 5, 5, 5])
    sol = solve_checked(p)
    assert sol.served == ["high"]
    assert sol.served_by_priority == {1: 1}
    same = replace(p, jobs=tuple(replace(j, priority=1) for j in jobs))
    assert sorted(solve_checked(same).served) == ["low1", "low2"]


def test_serving_more_beats_travel():
    # two far visits (50 min away) versus one near one (1 min): two visits win
    jobs = [Job("near", 1, 150 * 60), Job("far1", 2, 30 * 60), Job("far2", 2, 30 * 60)]
    p = _day(jobs, [0, 1, 50])
    sol = solve_checked(p)
    assert sorted(sol.served) == ["far1", "far2"]
    assert sol.total_travel_s == 100 * 60


def test_lexicographic_penalties_dominate():
    pens = level_penalties([1, 2, 2, 3, 3, 3], max_cost=1000)
    assert pens[3] > 1000
    assert pens[2] > 3 * pens[3] + 1000
    assert pens[1] > 2 * pens[2] + 3 * pens[3] + 1000


def test_balance_spreads_equal_travel_work():
    # four 1 h visits at the base itself: travel is 0 whoever serves them
    jobs = [Job(f"v{k}", 0, 3600) for k in range(4)]
    p = _day(jobs, [0], shift=(hm(9), hm(17)), workers=2)
    sol = solve_checked(p)
    assert sorted(len(r.job_ids) for r in sol.routes) == [2, 2]
    assert sol.finish_spread_s == 0
    off = solve_checked(replace(p, balance_weight=0))
    assert sorted(len(r.job_ids) for r in off.routes) != [2, 2]


def test_balance_never_buys_travel():
    # a second worker would even the day out but costs a 2 x 30 min trip
    jobs = [Job("a", 1, 3600), Job("b", 1, 3600)]
    p = _day(jobs, [0, 30], shift=(hm(9), hm(17)), workers=2)
    sol = solve_checked(p)
    assert len(sol.routes) == 1 and sol.total_travel_s == 3600
