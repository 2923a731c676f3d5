"""Route-sheet benchmark: how long PDFs take, and how much memory a batch needs.

A benchmark, not a test: it measures on this machine.  Run it alone (the box has
2 cores; anything else running distorts it).  Usage::

    .venv/bin/python benchmarks/sheets_bench.py            # 1, 4, 16 sheets + 100-sheet memory
    .venv/bin/python benchmarks/sheets_bench.py --quick    # 1 and 4 sheets only

The fixture day (Xi'an South, 2010-08-05) is imported into a throwaway store and
planned deterministically; a city's 16 sheets and a 100-sheet batch reuse its 4
routes under other staff ids.  Each scenario runs in a fresh Python process, so
"cold" times include importing WeasyPrint and loading the CJK font, as a user's
`cvp sheets` does; memory is the peak of the summed PSS (proportional set size:
shared pages counted once) of that process and its rendering workers, sampled
every 100 ms, plus the peak RSS of the main process.  CPU seconds (user + system, workers
included) help read a run on a busy machine: wall time is what the user waits.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
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


def prepare(folder: Path) -> Path:
    """Import the fixture day into a store in ``folder`` and write its plan; returns plan.json."""
    os.environ["CVP_DATABASE_URL"] = f"sqlite:///{folder / 'store.sqlite3'}"
    from planner.cli.plan_cmd import write_json
    from planner.plan.day import SolverSettings, plan_day
    from planner.workflow import import_file

    import_file(FIXTURE_DAY / "history.csv", history=True)
    import_file(FIXTURE_DAY / "tickets.csv", gazetteer=FIXTURE_DAY / "gazetteer.csv")
    import_file(FIXTURE_DAY / "staff.csv")
    import_file(FIXTURE_DAY / "network.csv")
    doc = plan_day(date(2010, 8, 5), "南区", solver=SolverSettings(time_limit_s=30, seed=1, solution_limit=200))
    path = folder / "plan.json"
    write_json(path, doc)
    return path


def child(plan: str, sheets: int, jobs: int | None, out: str) -> None:
    """One scenario, in its own process: load the plan's records, then time render_sheets."""
    import resource

    from planner.cli.plan_cmd import read_plan
    from planner.export import load_plan_inputs
    from planner.triage import load_rules

    rules = load_rules()
    doc = read_plan(plan)
    inputs = load_plan_inputs(doc, rules)
    routes = sorted(doc["routes"], key=lambda r: -r["visits"])  # the 1-sheet case is a full 6-stop route
    batch = []
    for i in range(sheets):
        r = copy.deepcopy(routes[i % len(routes)])
        if i >= len(routes):
            r["staff_id"] = f"{r['staff_id']}-{i // len(routes)}"
        batch.append(r)
    doc = {**doc, "routes": batch}
    def cpu() -> float:
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    c, t = cpu(), time.perf_counter()
    from planner.sheets import render_sheets  # inside the timing: a cold start imports WeasyPrint

    paths = render_sheets(doc, inputs.tickets, inputs.history, rules, out, staff=inputs.staff, jobs=jobs)
    seconds, cpu_seconds = time.perf_counter() - t, cpu() - c
    print(json.dumps({"sheets": len(paths), "stops": sum(r["visits"] for r in batch), "seconds": seconds,
                      "cpu_seconds": cpu_seconds,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "children_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))


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


def run(plan: Path, sheets: int, jobs: int | None, workdir: Path) -> dict:
    out = workdir / f"out-{sheets}-{jobs}"
    cmd = [sys.executable, __file__, "--child", str(plan), str(sheets), str(jobs or 0), str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, _pss_mb(proc.pid))
        time.sleep(0.1)
    stdout = proc.stdout.read()
    if proc.returncode:
        raise SystemExit(f"scenario {sheets} sheets failed")
    result = json.loads(stdout.strip().splitlines()[-1])
    return {**result, "jobs": jobs or "auto", "peak_pss_mb": peak}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--child", nargs=4, metavar=("PLAN", "SHEETS", "JOBS", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help="only 1 and 4 sheets")
    ap.add_argument("--jobs", type=int, default=0, help="rendering processes (0: the default, one per CPU up to 2)")
    args = ap.parse_args()
    if args.child:
        plan, sheets, jobs, out = args.child
        child(plan, int(sheets), int(jobs) or None, out)
        return
    with tempfile.TemporaryDirectory(prefix="cvp-sheets-bench-") as tmp:
        work = Path(tmp)
        plan = prepare(work)
        jobs = args.jobs or None
        rows = []
        for n in (1, 4) if args.quick else (1, 4, 16):
            rows.append(("time", run(plan, n, jobs, work)))
        if not args.quick:
            rows.append(("memory", run(plan, 100, 1, work)))
            rows.append(("memory", run(plan, 100, jobs, work)))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nRoute sheets (PDF, WeasyPrint), {cpus} CPUs, load average {load:.2f} at the end; "
          "times include a cold start (importing WeasyPrint)\n")
    print("| sheets | stops | jobs | seconds | per sheet | CPU seconds | target | peak PSS, all processes "
          "| peak RSS, main |")
    print("|---:|---:|---:|---:|---:|---:|---|---:|---:|")
    for kind, r in rows:
        target = f"< {TARGETS[r['sheets']]} s" if kind == "time" and r["sheets"] in TARGETS else (
            f"< {MEMORY_TARGET_MB} MB" if kind == "memory" else "")
        ok = (r["seconds"] < TARGETS[r["sheets"]]) if kind == "time" else (r["peak_pss_mb"] < MEMORY_TARGET_MB)
        print(f"| {r['sheets']} | {r['stops']} | {r['jobs']} | {r['seconds']:.2f} | {r['seconds'] / r['sheets']:.2f} "
              f"| {r['cpu_seconds']:.1f} | {target} {'✓' if ok else '✗'} | {r['peak_pss_mb']:.0f} MB "
              f"| {r['rss_mb']:.0f} MB |")


if __name__ == "__main__":
    main()
