"""One small day per rule, built so the rule binds: the plan changes without it."""

from dataclasses import replace

from routing_helpers import LUNCH, SHIFT, hm, line_matrix, solve_checked

from planner.routing import BreakSpec, Job, Problem, Worker


def _one_worker(jobs, positions, **wkw):
    w = Worker("w", 0, 0, shift=wkw.pop("shift", SHIFT), max_jobs=None, **wkw)
    return Problem(tuple(jobs), (w,), {"default": line_matrix(positions)}, visit_budget_s=None)


def test_time_window_forces_order():
    # one-way streets: base -> A -> B -> base is 30 min, the other way round 90
    jobs = [Job("A", 1, 30 * 60), Job("B", 2, 30 * 60)]
    m = [[0, 600, 1800], [1800, 0, 600], [600, 1800, 0]]
    p = replace(_one_worker(jobs, [0, 0, 0], shift=(hm(9), hm(13))), matrices={"default": m})
    assert solve_checked(p).routes[0].job_ids == ["A", "B"]
    # A not before 12:00: A then B would end after the 13:00 shift end
    late_a = replace(p, jobs=(replace(jobs[0], time_window=(hm(12), hm(12, 30))), jobs[1]))
    sol = solve_checked(late_a)
    assert sol.routes[0].job_ids == ["B", "A"]
    a = [s for s in sol.routes[0].steps if s.job_id == "A"][0]
    assert hm(12) <= a.start <= hm(12, 30)


def test_shift_end_binds():
    jobs = [Job("A", 1, 60 * 60), Job("B", 2, 60 * 60)]
    p = _one_worker(jobs, [0, 10, 20], shift=(hm(9), hm(11)))
    sol = solve_checked(p)
    assert len(sol.served) == 1 and sol.reasons() == {sol.unassigned[0].job_id: "over_capacity"}
    assert sol.routes[0].finish <= hm(11)
    longer = replace(p, workers=(replace(p.workers[0], shift=(hm(9), hm(12))),))
    assert len(solve_checked(longer).served) == 2


def test_lunch_between_visits_without_travel():
    # A fixed at 11:00, B fixed at 13:00: lunch (start 11:30-13:00, 60 min) falls between
    jobs = [Job("A", 1, 30 * 60, (hm(11), hm(11))), Job("B", 2, 30 * 60, (hm(13), hm(13)))]
    p = _one_worker(jobs, [0, 10, 40], break_window=LUNCH)
    sol = solve_checked(p)
    steps = sol.routes[0].steps
    kinds = [s.kind for s in steps]
    assert kinds == ["start", "job", "break", "job", "end"]
    br = steps[2]
    assert hm(11, 30) <= br.start <= hm(13) and br.end - br.start == 3600
    nxt = steps[3]
    # eaten at A's address, then the 30-min drive: never inside the lunch
    assert br.location == steps[1].location and br.travel_s == 0
    assert nxt.arrival == br.end + 30 * 60


def test_lunch_window_binds():
    # a 90-min visit starting 11:30-12:00 ends 13:00 at the earliest; lunch must start
    # 11:30-12:30: neither before nor after the visit fits
    jobs = [Job("A", 1, 90 * 60, (hm(11, 30), hm(12)))]
    p = _one_worker(jobs, [0, 5], break_window=BreakSpec(hm(11, 30), hm(12, 30), 3600))
    sol = solve_checked(p)
    assert sol.served == [] and sol.reasons() == {"A": "over_capacity"}
    free = replace(p, workers=(replace(p.workers[0], break_window=None),))
    assert solve_checked(free).served == ["A"]


def test_max_visits():
    jobs = [Job(c, 1, 20 * 60) for c in "ABC"]
    p = _one_worker(jobs, [0, 1, 2, 3])
    capped = replace(p, workers=(replace(p.workers[0], max_jobs=2),))
    sol = solve_checked(capped)
    assert len(sol.served) == 2 and list(sol.reasons().values()) == ["over_capacity"]
    assert len(solve_checked(p).served) == 3


def test_skills_route_vip_to_skilled_worker():
    m = line_matrix([0, 100, 5])  # w1 base 0, w2 base 1 (100 min away), VIP visit at 5 min from w1
    vip = Job("V", 2, 30 * 60, required_skills=frozenset({"vip"}))
    w1 = Worker("w1", 0, 0, shift=SHIFT, max_jobs=None)
    w2 = Worker("w2", 1, 1, shift=SHIFT, max_jobs=None, skills=frozenset({"vip"}))
    p = Problem((vip,), (w1, w2), {"default": m}, visit_budget_s=None)
    assert solve_checked(p).routes[0].worker_id == "w2"
    plain = replace(p, jobs=(replace(vip, required_skills=frozenset()),))
    assert solve_checked(plain).routes[0].worker_id == "w1"


def test_profiles_use_their_own_matrix():
    walk = line_matrix([0, 60])
    car = line_matrix([0, 10])
    jobs = (Job("A", 1, 30 * 60),)
    ws = (Worker("walker", 0, 0, shift=SHIFT, max_jobs=None, profile="walk"),
          Worker("driver", 0, 0, shift=SHIFT, max_jobs=None, profile="car"))
    p = Problem(jobs, ws, {"walk": walk, "car": car}, visit_budget_s=None)
    sol = solve_checked(p)
    assert sol.routes[0].worker_id == "driver" and sol.total_travel_s == 20 * 60


def test_visit_budget_drops_long_wait_and_explains():
    # A fixed 9:10 (ends 9:40), B fixed 11:00, 10 min apart: 10 travel + 70 wait + 30 = 110 > 90
    jobs = [Job("A", 1, 30 * 60, (hm(9, 10), hm(9, 10)), priority=1),
            Job("B", 2, 30 * 60, (hm(11), hm(11)), priority=2)]
    p = _one_worker(jobs, [0, 10, 20])
    assert sorted(solve_checked(p).served) == ["A", "B"]  # no budget: both
    budget = replace(p, visit_budget_s=90 * 60)
    sol = solve_checked(budget)
    assert sol.served == ["A"]
    assert sol.reasons() == {"B": "exceeds_visit_budget"}
    # another order makes it fit: C at 10:15 in between splits the wait
    more = replace(budget, jobs=budget.jobs + (Job("C", 3, 30 * 60, (hm(10, 15), hm(10, 15))),),
                   matrices={"default": line_matrix([0, 10, 20, 15])})
    sol = solve_checked(more)
    assert sol.routes[0].job_ids == ["A", "C", "B"]


def test_lunch_does_not_count_in_the_visit_budget():
    # A ends 11:30, lunch 11:30-12:30, B at 12:50, 10 min away:
    # 110 min between A and B, but only 50 of them are travel+wait (+30 service = 80)
    jobs = [Job("A", 1, 30 * 60, (hm(11), hm(11))), Job("B", 2, 30 * 60, (hm(12, 50), hm(12, 50)))]
    p = _one_worker(jobs, [0, 10, 20], break_window=LUNCH)
    p = replace(p, visit_budget_s=90 * 60)
    sol = solve_checked(p)
    assert sorted(sol.served) == ["A", "B"]
    assert [s.kind for s in sol.routes[0].steps] == ["start", "job", "break", "job", "end"]


def test_budget_applies_to_first_visit_from_base():
    jobs = [Job("far", 1, 30 * 60)]
    p = _one_worker(jobs, [0, 70], )
    assert solve_checked(p).served == ["far"]
    sol = solve_checked(replace(p, visit_budget_s=90 * 60))  # 70 + 30 > 90
    assert sol.reasons() == {"far": "exceeds_visit_budget"}


def test_departure_is_just_in_time():
    jobs = [Job("A", 1, 30 * 60, (hm(14), hm(14)))]
    sol = solve_checked(_one_worker(jobs, [0, 20]))
    start = sol.routes[0].steps[0]
    assert start.end == hm(13, 40) and sol.routes[0].steps[1].wait_s == 0


def test_lunch_is_never_split_by_a_drive():
    # A 10:30-11:00, B fixed 12:35 ten minutes away, lunch must start 11:30-13:00.
    # Only "drive at 11:00, eat 11:30-12:30 somewhere on the way" would fit both:
    # not allowed (lunch where the worker is, then drive), so one visit stays out.
    jobs = [Job("A", 1, 30 * 60, (hm(10, 30), hm(10, 30)), priority=1),
            Job("B", 2, 30 * 60, (hm(12, 35), hm(12, 35)), priority=2)]
    p = _one_worker(jobs, [0, 5, 15], break_window=LUNCH)
    sol = solve_checked(p)
    assert sol.served == ["A"] and sol.reasons() == {"B": "over_capacity"}
    later = replace(p, jobs=(jobs[0], replace(jobs[1], time_window=(hm(12, 40), hm(12, 40)))))
    assert sorted(solve_checked(later).served) == ["A", "B"]


def test_lunch_is_over_by_the_return():
    # off at 12:30 with a lunch that must start at 11:30: the lunch can only be
    # taken at the base before leaving or at the last visit before the drive home;
    # neither leaves time for a visit, so nothing is planned rather than a lunch
    # after the day's work that no route sheet could show
    lunch = BreakSpec(hm(11, 30), hm(11, 30), 3600)
    p = _one_worker([Job("A", 1, 30 * 60)], [0, 10], shift=(hm(9), hm(12, 30)), break_window=lunch)
    sol = solve_checked(p)
    assert sol.served == [] and sol.reasons() == {"A": "over_capacity"}
    # half an hour more and the visit fits: there, lunch, then home by 13:00
    longer = replace(p, workers=(replace(p.workers[0], shift=(hm(9), hm(13))),))
    assert solve_checked(longer).served == ["A"]
