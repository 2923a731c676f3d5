"""Triage of a big district: wall time and peak memory of ``triage_day``.

Target: 20,000 open tickets in one district triaged in under 5 s (the triage
page, ``cvp triage`` and the planning job all call ``triage_day``).

The districts are random but seeded, written straight into an SQLite store
(direct store writes with the store's own row conversion, not the file import
path, which has its own benchmark): a 15 x 15 km district south of Xi'an with
N open tickets received in the 5 days before the shift; 40 % of them around
N/100 hot spots (150 m spread), the rest spread evenly; 55 % network
complaints; one open ticket in ten from a phone that already has an open one.
History: N closed tickets over the 30 days before (repeat evidence; a third
of them from open tickets' phones, network complaints among them count for
clusters in the last 7 days), N/4 open tickets of a neighbouring district in
the same days, 400 network-plan sites, and 30 earlier days of plans (two
versions a day, 25 visits and 5 left over each).  Usage::

    .venv/bin/python benchmarks/triage_bench.py                     # 2k, 5k, 20k, 3 repeats
    .venv/bin/python benchmarks/triage_bench.py --sizes 20000 --repeats 1 --no-record

Each repeat runs in a fresh process (peak RSS is per process; wall and CPU
seconds are both kept, the machine being shared) on a store built once per size.
Raw rows go to ``benchmarks/results/triage-<date>.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2010, 8, 5)
DISTRICT = "南区"
CENTER = (34.16, 108.95)
SIZE_KM = 15.0
NETWORK = [("网络覆盖", "室内信号弱"), ("信号差", "家里没有信号，打电话断线"), ("上网慢", "手机上网网速很慢"),
           ("通话质量", "通话有杂音")]
OTHER = [("话费查询", "咨询话费"), ("业务办理", "套餐变更"), ("服务态度", "营业员态度恶劣，非常生气"),
         ("费用争议", "要求赔偿并退费"), ("话费查询", "多次投诉还是没解决"), ("服务", "已向工信部投诉")]


def _point(rnd: random.Random, hotspots: list[tuple[float, float]]) -> tuple[float, float]:
    if hotspots and rnd.random() < 0.4:
        lat, lon = rnd.choice(hotspots)
        return lat + rnd.gauss(0, 150) / 111_000, lon + rnd.gauss(0, 150) / 92_000
    return (CENTER[0] + rnd.uniform(-0.5, 0.5) * SIZE_KM * 1000 / 111_000,
            CENTER[1] + rnd.uniform(-0.5, 0.5) * SIZE_KM * 1000 / 92_000)


def synthetic_district(n_open: int, seed: int = 1):
    """(tickets, sites, plan documents) of one seeded district day; tickets include history."""
    from planner.records import NetworkSite, Ticket

    rnd = random.Random(seed)
    start = datetime.combine(DAY, datetime.min.time(), tzinfo=TZ).replace(hour=9)
    hotspots = [_point(rnd, []) for _ in range(max(1, n_open // 100))]
    tickets: list[Ticket] = []
    open_phones: list[str] = []

    def make(k: int, prefix: str, district: str, days_back: float, phone: str, history: bool) -> Ticket:
        lat, lon = _point(rnd, hotspots)
        category, description = rnd.choice(NETWORK) if rnd.random() < 0.55 else rnd.choice(OTHER)
        received = start - timedelta(days=rnd.uniform(0.01, days_back))
        window = None
        if not history and rnd.random() < 0.1:
            w0 = datetime.combine(DAY, datetime.min.time(), tzinfo=TZ).replace(hour=rnd.choice([9, 10, 14, 15]))
            window = (w0, w0 + timedelta(hours=2))
        r = rnd.random()
        vip = "diamond" if r < 0.005 else "gold" if r < 0.02 else "silver" if r < 0.04 else \
            "premium" if r < 0.05 else "none"
        return Ticket(ticket_id=f"{prefix}-{k:06d}", received_at=received, phone=phone, district=district,
                      address=f"雁塔区某路{k}号", lat=lat, lon=lon, customer_name="", vip_level=vip,
                      category=category, description=description,
                      window_start=window[0] if window else None, window_end=window[1] if window else None,
                      tenure_years=round(rnd.uniform(0, 15), 1), arpu=round(rnd.uniform(20, 400), 1),
                      escalation=rnd.random() < 0.02, core_customer=rnd.random() < 0.04,
                      status="closed" if history else "open", is_history=history)

    for k in range(n_open):
        phone = rnd.choice(open_phones) if open_phones and rnd.random() < 0.1 else f"139{seed:02d}{k:06d}"
        open_phones.append(phone)
        tickets.append(make(k, "NQ", DISTRICT, 5, phone, False))
    for k in range(n_open):
        phone = rnd.choice(open_phones) if rnd.random() < 1 / 3 else f"138{seed:02d}{k:06d}"
        tickets.append(make(k, "H", DISTRICT, 30, phone, True))
    for k in range(n_open // 4):
        tickets.append(make(k, "BQ", "北区", 5, f"137{seed:02d}{k:06d}", False))
    statuses = ["live"] * 7 + ["planned"] * 2 + ["under_construction"]
    sites = [NetworkSite(site_id=f"S{k:04d}", lat=p[0], lon=p[1], status=rnd.choice(statuses), district=DISTRICT)
             for k, p in enumerate(_point(rnd, []) for _ in range(400))]
    history_ids = [t.ticket_id for t in tickets if t.is_history]
    plans = []
    for back in range(30, 0, -1):
        for version in (1, 2):
            ids = rnd.sample(history_ids, min(30, len(history_ids)))
            plans.append(_earlier_plan(DAY - timedelta(days=back), version, ids[:25], ids[25:]))
    return tickets, sites, plans


def _earlier_plan(day: date, version: int, scheduled: list[str], left_over: list[str]) -> dict:
    """A stored plan of an earlier day (cvp.plan/1, as triage reads it) that schedules one visit
    per ticket of ``scheduled`` and leaves ``left_over`` unassigned; times and places are
    placeholders (triage reads only which tickets were planned)."""
    from planner.plan.document import PlanDocument

    at = f"{day.isoformat()}T09:00:00+08:00"
    visit = {"time_window": None, "priority": 5, "customer_type": "repeat", "scenario": "short_term",
             "reasons": ["repeat"]}

    def step(kind: str, ticket: str | None = None) -> dict:
        return {"type": kind, "visit_id": f"V-{ticket}" if ticket else None, "ticket_ids": [ticket] if ticket else [],
                "lat": 34.25, "lon": 108.95, "arrival": at, "start": at, "end": at, "travel_min": 0.0,
                "wait_min": 0.0, "service_min": 0.0, **(visit if ticket else {})}

    steps = [step("start")] + [step("visit", t) for t in scheduled] + [step("end")]
    doc = {
        "schema": "cvp.plan/1", "date": day.isoformat(), "district": DISTRICT, "timezone": "Asia/Shanghai",
        "created_at": at, "author": "bench", "rules_version": None,
        "settings": {"visit_budget_min": None, "travel_model": {}, "max_visits_per_worker": 25, "break_minutes": 60,
                     "solver": {}},
        "routes": [{"staff_id": "S1", "staff_name": "", "transport": "car", "skills": [], "max_visits": 25,
                    "base_lat": 34.25, "base_lon": 108.95, "shift": [at, at], "break_window": None,
                    "visits": len(scheduled), "travel_min": 0.0, "steps": steps}],
        "unassigned": [{"visit_id": f"V-{t}", "ticket_ids": [t], **visit, "service_min": 45, "reason": "over_capacity",
                        "explanation": "", "carried_over_to": (day + timedelta(days=1)).isoformat()}
                       for t in left_over],
        "summary": {"visits": len(scheduled) + len(left_over), "assigned": len(scheduled),
                    "unassigned": len(left_over), "carried_over": len(left_over), "travel_min": 0.0, "wait_min": 0.0,
                    "service_min": 0.0, "served_by_priority": {}, "status": "partial", "stopped_by": "time_limit",
                    "solve_seconds": 0.0, "time_to_best_seconds": None, "warnings": []},
        "version": version,
    }
    return PlanDocument.from_json(doc).to_json()  # the shape every reader of a stored plan expects


def write_store(url: str, n_open: int, seed: int = 1) -> None:
    """The synthetic district written with the store's row conversion, in one transaction."""
    from planner.store import convert
    from planner.store.db import session_scope
    from planner.store.models import PlanRow, SiteRow, TicketRow

    tickets, sites, plans = synthetic_district(n_open, seed)
    now = datetime.now(timezone.utc)
    with session_scope(url) as session:
        conn = session.connection()
        conn.execute(TicketRow.__table__.insert(), [
            {**convert.ticket_values(t), "ticket_id": t.ticket_id, "source_file": "bench",
             "imported_at": now, "updated_at": now} for t in tickets])
        conn.execute(SiteRow.__table__.insert(), [
            {**convert.site_values(s), "site_id": s.site_id, "updated_at": now} for s in sites])
        for doc in plans:
            session.add(PlanRow(day=date.fromisoformat(doc["date"]), district=DISTRICT, version=doc["version"],
                                author="bench", created_at=now, document=doc, status="draft"))


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across exec
    from the parent that built the store)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_once(url: str) -> dict:
    """One ``triage_day`` in a fresh process, as the CLI or a planning job runs it: wall
    seconds (first call, lazy imports included) and the process's peak RSS before and after."""
    from planner.store.db import session_scope
    from planner.triage import load_rules
    from planner.workflow import triage_day

    rules = load_rules()
    with session_scope(url):
        pass  # the engine and the schema check: not part of triage
    rss_before = _peak_rss_mb()
    t0 = time.perf_counter()
    c0 = time.process_time()
    with session_scope(url) as s:
        result = triage_day(s, DAY, DISTRICT, rules)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "peak_rss_before_mb": round(rss_before, 1),
            "peak_rss_mb": round(_peak_rss_mb(), 1),
            "visits": len(result.visits), "phone_followups": len(result.phone_followups),
            "cluster_visits": sum(1 for v in result.visits if v.visit_id.startswith("C-"))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="2000,5000,20000")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-record", action="store_true", help="print rows only, write nothing to results/")
    ap.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)  # one repeat, in a child process
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(measure_once(args.measure)))
        return 0
    rows = []
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            url = f"sqlite:///{tmp}/triage-{n}.sqlite3"
            t0 = time.perf_counter()
            write_store(url, n, args.seed)
            build = time.perf_counter() - t0
            for rep in range(args.repeats):
                out = subprocess.run([sys.executable, __file__, "--measure", url], capture_output=True, text=True,
                                     cwd=ROOT, check=True)
                row = {"open_tickets": n, "repeat": rep + 1, "seed": args.seed, **json.loads(out.stdout),
                       "store_build_s": round(build, 1), "loadavg_before": [round(x, 2) for x in load],
                       "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}
                rows.append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)
                load = os.getloadavg()
    if not args.no_record:
        out_dir = ROOT / "benchmarks" / "results"
        out_dir.mkdir(parents=True, exist_ok=True)
        with open(out_dir / f"triage-{date.today().isoformat()}.jsonl", "a", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
