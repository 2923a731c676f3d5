"""The validator itself must catch broken plans (else every other test is hollow)."""

from dataclasses import replace

from routing_helpers import LUNCH, SHIFT, hm, line_matrix, solve_checked

from planner.routing import Job, Problem, Unassigned, Worker, validate


def _solved():
    jobs = (Job("A", 1, 1800, (hm(10), hm(10, 30))), Job("B", 2, 1800))
    w = Worker("w", 0, 0, shift=SHIFT, break_window=LUNCH, max_jobs=None)
    p = Problem(jobs, (w,), {"default": line_matrix([0, 10, 20])}, visit_budget_s=5400)
    return p, solve_checked(p)


def _with_step(sol, k, **changes):
    r = sol.routes[0]
    steps = list(r.steps)
    steps[k] = replace(steps[k], **changes)
    return replace(sol, routes=[replace(r, steps=tuple(steps))])


def test_catches_time_inconsistency():
    p, sol = _solved()
    assert validate(p, _with_step(sol, 1, arrival=sol.routes[0].steps[1].arrival + 1))


def test_catches_window_violation():
    p, sol = _solved()
    s = sol.routes[0].steps
    k = [i for i, x in enumerate(s) if x.job_id == "A"][0]
    late = s[k].start + 3600
    errs = validate(p, _with_step(sol, k, start=late, wait_s=late - s[k].arrival,
                                  end=late + 1800))
    assert any("outside" in e for e in errs)


def test_catches_budget_violation():
    p, sol = _solved()
    tight = replace(p, visit_budget_s=10 * 60)
    assert any("budget" in e for e in validate(tight, sol))


def test_catches_missing_break_and_missing_jobs():
    p, sol = _solved()
    r = sol.routes[0]
    no_break = tuple(s for s in r.steps if s.kind != "break")
    errs = validate(p, replace(sol, routes=[replace(r, steps=no_break)]))
    assert any("breaks" in e for e in errs)
    errs = validate(p, replace(sol, routes=[]))
    assert any("neither served nor unassigned" in e for e in errs)


def test_catches_double_listing():
    p, sol = _solved()
    both = replace(sol, unassigned=[Unassigned("A", "over_capacity")])
    assert any("both served and unassigned" in e for e in validate(p, both))
