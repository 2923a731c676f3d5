"""Every reason code, and bad input that must not crash."""

from dataclasses import replace

from routing_helpers import DET, SHIFT, hm, line_matrix, solve_checked

from planner.routing import UNASSIGNED_REASONS, Job, Problem, SolveOptions, Worker, solve, validate


def _base_problem(jobs, workers=None, positions=(0, 10, 20, 30), **pkw):
    ws = workers or (Worker("w", 0, 0, shift=SHIFT, max_jobs=None),)
    kw = {"visit_budget_s": 90 * 60, **pkw}
    return Problem(tuple(jobs), tuple(ws), {"default": line_matrix(list(positions))}, **kw)


def test_each_reason_code():
    m = line_matrix([0, 10, 20])
    far = 6000  # a visit 200 km away: 100 h by any transport
    m = [row + [far * 60] for row in m] + [[far * 60] * 3 + [0]]
    jobs = [
        Job("ok", 1, 1800),
        Job("nocoord", None, 1800),
        Job("early", 1, 1800, (hm(7), hm(8, 30))),  # ends before the shift starts
        Job("tight", 2, 1800, (hm(9), hm(9, 5))),  # 20 min from the base
        Job("long", 1, 100 * 60),  # on-site alone exceeds the 90-min budget
        Job("vip", 1, 1800, required_skills=frozenset({"vip"})),
        Job("far", 3, 1800),
    ]
    p = Problem(tuple(jobs), (Worker("w", 0, 0, shift=SHIFT, max_jobs=1),), {"default": m},
                visit_budget_s=90 * 60)
    p2 = replace(p, jobs=p.jobs + (Job("full", 1, 1800),))
    sol = solve_checked(p2)
    r = sol.reasons()
    assert r["nocoord"] == "no_coordinates"
    assert r["early"] == "window_outside_shift"
    assert r["tight"] == "window_unreachable"
    assert r["long"] == "exceeds_visit_budget"
    assert r["vip"] == "no_skilled_staff"
    assert r["far"] == "window_unreachable"
    assert sorted([r.get("ok"), r.get("full")], key=str) == [None, "over_capacity"]
    assert set(r.values()) <= set(UNASSIGNED_REASONS)
    assert all(u.detail for u in sol.unassigned)


def test_far_visit_with_budget_only_is_budget():
    # reachable within the shift (80 min) but 80 + 30 min on site > 90
    p = _base_problem([Job("x", 1, 1800)], positions=(0, 80))
    assert solve_checked(p).reasons() == {"x": "exceeds_visit_budget"}


def test_zero_workers():
    p = _base_problem([Job("a", 1, 1800), Job("b", None, 600)], workers=())
    p = replace(p, workers=())
    sol = solve_checked(p)
    assert sol.reasons() == {"a": "no_skilled_staff", "b": "no_coordinates"}
    assert sol.routes == [] and sol.status == "partial"


def test_worker_without_base_is_reported_and_skipped():
    ws = (Worker("nobase", None, None, shift=SHIFT, max_jobs=None, skills=frozenset({"vip"})),
          Worker("w", 0, 0, shift=SHIFT, max_jobs=None))
    jobs = [Job("a", 1, 1800), Job("v", 2, 1800, required_skills=frozenset({"vip"}))]
    sol = solve_checked(_base_problem(jobs, ws))
    assert sol.served == ["a"] and sol.reasons() == {"v": "no_skilled_staff"}
    assert any("nobase" in w for w in sol.warnings)


def test_no_jobs():
    sol = solve_checked(_base_problem([]))
    assert sol.status == "complete" and sol.routes == [] and sol.unassigned == []


def test_no_time_to_search_returns_partial_plan_and_says_so():
    p = _base_problem([Job("a", 1, 1800), Job("n", None, 60)])
    sol = solve(p, SolveOptions(time_limit_s=0))
    assert validate(p, sol) == []
    assert sol.status == "no_solution"
    assert sol.reasons() == {"a": "no_solution", "n": "no_coordinates"}


def test_first_solution_fallback_order():
    p = _base_problem([Job("a", 1, 1800)])
    sol = solve_checked(p, replace(DET, first_solution=("SAVINGS", "ALL_UNPERFORMED")))
    assert sol.first_solution_strategy == "SAVINGS" and sol.served == ["a"]


def test_worker_with_unknown_profile_or_bad_base_is_reported():
    ws = (Worker("bike", 0, 0, shift=SHIFT, max_jobs=None, profile="bike"),
          Worker("lost", 99, 99, shift=SHIFT, max_jobs=None),
          Worker("w", 0, 0, shift=SHIFT, max_jobs=None))
    p = _base_problem([Job("a", 1, 1800)], ws)
    sol = solve(p, DET)
    assert sol.served == ["a"] and sol.routes[0].worker_id == "w"
    assert any("bike" in w for w in sol.warnings) and any("lost" in w for w in sol.warnings)


def test_recommended_options():
    from planner.routing import recommended_options

    small = _base_problem([Job(f"j{k}", 1, 1800) for k in range(25)])
    big = _base_problem([Job(f"j{k}", 1, 1800) for k in range(100)])
    assert recommended_options(small, 1.5).lns and not recommended_options(big, 8).lns
