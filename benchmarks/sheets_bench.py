"""Route-sheet benchmark: how long `cvp sheets` takes, and how much memory a batch needs.

A benchmark, not a test: it measures on this machine.  Run it alone if you can (the
box has 2 cores; anything else running distorts it: the load average is printed
before and after).  Usage::

    .venv/bin/python benchmarks/sheets_bench.py              # 1, 4, 16 sheets + 100-sheet memory
    .venv/bin/python benchmarks/sheets_bench.py --repeat 5   # each timing 5 times: median, min, max
    .venv/bin/python benchmarks/sheets_bench.py --quick      # 1 and 4 sheets only

The fixture day (Xi'an South, 2010-08-05) is imported into a throwaway store and
planned deterministically; a city's 16 sheets and a 100-sheet batch reuse its 4
routes under other staff ids (plan files written beside the store).  Every scenario
runs the real command, ``cvp sheets PLAN --out DIR`` (one worker's sheet: ``--staff``),
in a fresh process: the times include starting Python, the imports, reading the
plan's records from the store, importing WeasyPrint and loading the CJK font, as a
user's run does.  Memory is the peak of the summed PSS (proportional set size:
shared pages counted once) of the command and its rendering workers, sampled every
100 ms.  CPU seconds (user + system, workers included) help read a run on a busy
machine: wall time is what the user waits.  "warm" is one sheet rendered again in a
process that has already rendered one (the web app's case).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIXTURE_DAY = ROOT / "fixtures" / "xian-south-2010-08-05"
TARGETS = {1: 1.5, 4: 5.0, 16: 15.0}
MEMORY_TARGET_MB = 500
CVP = Path(sys.executable).with_name("cvp")


def prepare(folder: Path) -> dict:
    """Import the fixture day into a store in ``folder``, plan it, and write plan files of
    4, 16 and 100 routes; returns {routes: plan path} and the 6-stop worker for one sheet."""
    os.environ["CVP_DATABASE_URL"] = f"sqlite:///{folder / 'store.sqlite3'}"
    from planner.actor import Actor
    from planner.cli.plan_cmd import write_json
    from planner.plan.day import SolverSettings, plan_day
    from planner.store.db import session_scope
    from planner.triage.rules import load_rules
    from planner.workflow import import_file

    rules, actor = load_rules(), Actor.cli()
    with session_scope() as s:
        import_file(s, FIXTURE_DAY / "history.csv", history=True, actor=actor, rules=rules)
        import_file(s, FIXTURE_DAY / "tickets.csv", gazetteer=FIXTURE_DAY / "gazetteer.csv", actor=actor, rules=rules)
        import_file(s, FIXTURE_DAY / "staff.csv", actor=actor, rules=rules)
        import_file(s, FIXTURE_DAY / "network.csv", actor=actor, rules=rules)
        doc = plan_day(s, date(2010, 8, 5), "南区", solver=SolverSettings(time_limit_s=30, seed=1, solution_limit=200),
                       actor=actor, rules=rules)
    routes = doc["routes"]
    plans = {}
    for n in (len(routes), 16, 100):
        batch = []
        for i in range(n):
            r = copy.deepcopy(routes[i % len(routes)])
            if i >= len(routes):
                r["staff_id"] = f"{r['staff_id']}-{i // len(routes)}"
            batch.append(r)
        plans[n] = folder / f"plan-{n}.json"
        write_json(plans[n], {**doc, "routes": batch})
    longest = max(routes, key=lambda r: r["visits"])  # the 1-sheet case is a full 6-stop route
    return {"plans": plans, "one": longest["staff_id"], "one_stops": longest["visits"],
            "stops": {n: sum(r["visits"] for r in json.loads(p.read_text(encoding="utf-8"))["routes"])
                      for n, p in plans.items()}}


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return pids


def _pss_mb(pid: int) -> float:
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total / 1024


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_command(args: list[str], out: Path) -> dict:
    """Run ``cvp sheets ARGS --out OUT``; wall seconds, CPU seconds (workers included), peak PSS."""
    cmd = [str(CVP), "sheets", *args, "--out", str(out)]
    cpu, t = _children_cpu(), time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, _pss_mb(proc.pid))
        time.sleep(0.1)
    seconds = time.perf_counter() - t
    _, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    return {"seconds": seconds, "cpu_seconds": _children_cpu() - cpu, "peak_pss_mb": peak,
            "sheets": len(list(out.glob("*.pdf")))}


def warm_child(plan: str, staff_id: str, out: str) -> None:
    """In its own process: render one sheet, then time rendering it again."""
    from planner.cli.plan_cmd import read_plan
    from planner.day_outputs import load_plan_inputs
    from planner.sheets import render_sheets
    from planner.store.db import session_scope
    from planner.triage.rules import load_rules

    rules = load_rules()
    doc = read_plan(plan)
    with session_scope() as s:
        inputs = load_plan_inputs(s, doc, rules)
    args = (doc, inputs.tickets, inputs.history, rules, out)
    render_sheets(*args, staff=inputs.staff, only=[staff_id])
    c, t = time.process_time(), time.perf_counter()
    render_sheets(*args, staff=inputs.staff, only=[staff_id])
    print(json.dumps({"seconds": time.perf_counter() - t, "cpu_seconds": time.process_time() - c}))


def run_warm(plan: Path, staff_id: str, workdir: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--warm-child", str(plan), staff_id, str(workdir / "warm")],
                         check=True, capture_output=True, text=True, env=os.environ.copy()).stdout
    return json.loads(out.strip().splitlines()[-1])


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--warm-child", nargs=3, metavar=("PLAN", "STAFF", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help="only 1 and 4 sheets")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each timing (median reported)")
    ap.add_argument("--jobs", type=int, default=0, help="rendering processes (0: the default, one per CPU up to 2)")
    args = ap.parse_args()
    if args.warm_child:
        warm_child(*args.warm_child)
        return
    load_before = _load()
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    rows = []
    with tempfile.TemporaryDirectory(prefix="cvp-sheets-bench-") as tmp:
        work = Path(tmp)
        setup = prepare(work)
        plans, four = setup["plans"], min(setup["plans"])
        scenarios = [(1, setup["one_stops"], [str(plans[four]), "--staff", setup["one"]]),
                     (four, setup["stops"][four], [str(plans[four])])]
        if not args.quick:
            scenarios.append((16, setup["stops"][16], [str(plans[16])]))
        for n, stops, cmd in scenarios:
            runs = [run_command(cmd + jobs, work / f"out-{n}-{i}") for i in range(args.repeat)]
            assert all(r["sheets"] == n for r in runs), runs
            rows.append(("time", n, stops, args.jobs or "auto", runs))
        warm = [run_warm(plans[four], setup["one"], work) for _ in range(args.repeat)]
        if not args.quick:
            for j in (["--jobs", "1"], jobs):
                r = run_command([str(plans[100]), *j], work / f"out-100-{j[-1] if j else 'auto'}")
                rows.append(("memory", 100, setup["stops"][100], j[-1] if j else "auto", [r]))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"\nRoute sheets (`cvp sheets`, PDF), {cpus} CPUs, load average {load_before:.2f} before and "
          f"{_load():.2f} after; {args.repeat} run(s) per timing (median, min–max)\n")
    print("| sheets | stops | jobs | seconds | CPU seconds | target | peak PSS, all processes |")
    print("|---:|---:|---:|---:|---:|---|---:|")
    for kind, n, stops, j, runs in rows:
        secs = [r["seconds"] for r in runs]
        med = statistics.median(secs)
        spread = f" ({min(secs):.2f}–{max(secs):.2f})" if len(runs) > 1 else ""
        cpu = statistics.median(r["cpu_seconds"] for r in runs)
        pss = max(r["peak_pss_mb"] for r in runs)
        if kind == "time":
            target = f"< {TARGETS[n]} s {'✓' if med < TARGETS[n] else '✗'}" if n in TARGETS else ""
        else:
            target = f"< {MEMORY_TARGET_MB} MB {'✓' if pss < MEMORY_TARGET_MB else '✗'}"
        print(f"| {n} | {stops} | {j} | {med:.2f}{spread} | {cpu:.1f} | {target} | {pss:.0f} MB |")
    w = [r["seconds"] for r in warm]
    print(f"\nwarm (one sheet again in a running process): {statistics.median(w):.2f} s "
          f"({statistics.median(r['cpu_seconds'] for r in warm):.2f} CPU s)")


if __name__ == "__main__":
    main()
