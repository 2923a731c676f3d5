"""Staffing by simulation: plan sampled days with the real routing core.

The pilot's arithmetic (ceil(23 ÷ 6) = 4 visitors) assumes every visitor fills
six 1.5-hour slots.  Real days have appointment windows, a lunch break, VIPs
that must go first and customers spread over the district.  This module
samples days of visits (number from a demand distribution, places drawn from
the district's own ticket history), plans each day for each candidate staff
count with the same routing core the dispatcher uses, and reports how often
the service levels hold.  Every staff count sees the same sampled days, so the
comparison between counts is paired.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from planner.errors import UserError
from planner.geo.travel import TravelModel
from planner.records import StaffMember, Visit
from planner.triage.rules import TYPES, Rules


@dataclass(frozen=True)
class DemandDistribution:
    """How many visits a sampled day has: ``poisson:23`` (Poisson with mean 23) or ``fixed:23``.

    (A scenario's ``demand`` section is :class:`cost_model.scenario.DemandParams`.)"""

    kind: str
    mean: float

    @staticmethod
    def parse(text: str) -> "DemandDistribution":
        kind, _, value = text.partition(":")
        try:
            mean = float(value)
        except ValueError:
            mean = -1
        if kind not in ("poisson", "fixed") or mean <= 0:
            raise UserError(f"--demand {text!r}: expected poisson:MEAN or fixed:N with a positive number")
        return DemandDistribution(kind, mean)

    def draw(self, rng: random.Random) -> int:
        if self.kind == "fixed":
            return int(round(self.mean))
        # Knuth's method is fine for the means a district sees (tens of visits)
        limit, k, p = math.exp(-self.mean), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1


@dataclass(frozen=True)
class SimulationSettings:
    district: str
    days: int
    demand: DemandDistribution
    vip_share: float
    staff_counts: tuple[int, ...]
    locations: tuple[tuple[float, float], ...]
    base: tuple[float, float]
    transport: str = "car"
    window_share: float = 0.4
    overtime_allowance_min: int = 0
    time_limit_s: float = 1.5
    solution_limit: int | None = None
    seed: int = 0
    vip_level_target: float = 0.95
    all_level_target: float = 0.90

    def __post_init__(self):
        if self.days < 1:
            raise UserError("--days must be at least 1")
        if not 0 <= self.vip_share <= 1:
            raise UserError(f"--vip-share {self.vip_share}: must be between 0 and 1")
        if not self.staff_counts or min(self.staff_counts) < 1:
            raise UserError("--staff must name staff counts of at least 1, e.g. 3:7")
        if not self.locations:
            raise UserError(f"no customer locations for {self.district}: import its ticket history or pass --locations")


@dataclass(frozen=True)
class SimulatedDay:
    """One sampled day planned with one staff count: what was asked and what was served."""

    staff: int
    day: int
    visits: int
    vip: int
    served: int
    vip_served: int
    travel_min: float
    visits_per_worker: float
    overtime_min: float


@dataclass
class StaffLevel:
    staff: int
    days: int = 0
    days_all_vip: int = 0
    visits: int = 0
    served: int = 0
    travel_min: float = 0.0
    visits_per_worker: float = 0.0
    overtime_min: float = 0.0

    def add(self, o: SimulatedDay) -> None:
        self.days += 1
        self.days_all_vip += o.vip_served == o.vip
        self.visits += o.visits
        self.served += o.served
        self.travel_min += o.travel_min
        self.visits_per_worker += o.visits_per_worker
        self.overtime_min += o.overtime_min

    @property
    def share_days_all_vip(self) -> float:
        return self.days_all_vip / self.days if self.days else 0.0

    @property
    def share_served(self) -> float:
        return self.served / self.visits if self.visits else 1.0

    @property
    def travel_per_visit(self) -> float:
        return self.travel_min / self.served if self.served else 0.0

    def as_dict(self) -> dict:
        return {"staff": self.staff, "days": self.days,
                "share_days_all_vip_served": round(self.share_days_all_vip, 4),
                "share_visits_served_same_day": round(self.share_served, 4),
                "mean_travel_min_per_visit": round(self.travel_per_visit, 1),
                "mean_visits_per_worker": round(self.visits_per_worker / self.days, 2) if self.days else 0,
                "mean_overtime_min_per_worker": round(self.overtime_min / self.days, 1) if self.days else 0}


@dataclass
class SimulationResult:
    settings: SimulationSettings
    levels: list[StaffLevel]
    recommended: int | None
    pilot_arithmetic: int
    notes: list[str] = field(default_factory=list)
    rules: dict = field(default_factory=dict)  # which rules file the days were planned with (rules_used)

    def as_dict(self) -> dict:
        s = self.settings
        return {"district": s.district, "days": s.days, "demand": f"{s.demand.kind}:{s.demand.mean:g}",
                "vip_share": s.vip_share, "service_levels": {"all_vip_same_day_on_share_of_days": s.vip_level_target,
                                                             "share_of_visits_same_day": s.all_level_target},
                "levels": [lv.as_dict() for lv in self.levels], "recommended_staff": self.recommended,
                "pilot_arithmetic_staff": self.pilot_arithmetic, "notes": self.notes, "rules": self.rules}


def sample_day(settings: SimulationSettings, rules: Rules, day_index: int, day: date) -> list[Visit]:
    """One day's visits: the same for every staff count (seeded by the day alone)."""
    rng = random.Random(f"{settings.seed}:{day_index}")
    n = settings.demand.draw(rng)
    shift_start = rules.day.shift_start
    shift_end = rules.day.shift_end
    tz = rules.tz
    by_type = rules.service_minutes.by_type
    visits = []
    for i in range(n):
        lat, lon = rng.choice(settings.locations)
        vip = rng.random() < settings.vip_share
        ctype = rng.choice(TYPES)
        window = None
        if rng.random() < settings.window_share:
            start_h = rng.uniform(shift_start.hour + 0.5, shift_end.hour - 1.5)
            begin = datetime.combine(day, time(0), tzinfo=tz) + timedelta(minutes=30 * int(start_h * 2))
            window = (begin, begin + timedelta(minutes=rng.choice((60, 90, 120))))
        visits.append(Visit(
            visit_id=f"SIM{day_index:03d}-{i:03d}", ticket_ids=(f"SIM{day_index:03d}-{i:03d}",),
            district=settings.district, reasons=("vip",) if vip else ("repeat",), customer_type=ctype,
            scenario="short_term", priority=1 if vip else 2, service_min=int(by_type[ctype]), lat=lat, lon=lon,
            address="", time_window=window, gift=False, closable_on_site=True, vip_level="gold" if vip else "none"))
    return visits


def _simulate_one(args) -> SimulatedDay:
    settings, rules, travel, staff_count, day_index = args
    from planner.plan.build import build_day, worker_day
    from planner.routing import SolveOptions, solve

    day = date(2010, 8, 2) + timedelta(days=day_index)
    visits = sample_day(settings, rules, day_index, day)
    workers = []
    for k in range(staff_count):
        member = StaffMember(staff_id=f"W{k + 1}", name=f"W{k + 1}", district=settings.district,
                             base_lat=settings.base[0], base_lon=settings.base[1], transport=settings.transport)
        wd = worker_day(member, day, rules)
        regular_end = wd.shift[1]
        extended = regular_end + timedelta(minutes=settings.overtime_allowance_min)
        workers.append(replace(wd, shift=(wd.shift[0], extended)))
    model = build_day(day, settings.district, visits, workers, rules, travel)
    sol = solve(model.problem, SolveOptions(time_limit_s=settings.time_limit_s, seed=day_index,
                                            solution_limit=settings.solution_limit))
    served = set(sol.served)
    vip_ids = {v.visit_id for v in visits if "vip" in v.reasons}
    overtime = 0.0
    for r in sol.routes:
        back = model.at(r.finish)
        overtime += max(0.0, (back - regular_end).total_seconds() / 60)
    return SimulatedDay(staff=staff_count, day=day_index, visits=len(visits), vip=len(vip_ids), served=len(served),
                      vip_served=len(vip_ids & served), travel_min=sum(r.travel_s for r in sol.routes) / 60,
                      visits_per_worker=len(served) / staff_count, overtime_min=overtime / staff_count)


def simulate(settings: SimulationSettings, rules: Rules, travel: TravelModel, processes: int = 2,
             progress: Callable[[int], None] | None = None) -> SimulationResult:
    """Plan every sampled day for every staff count; recommend the smallest count meeting the levels."""
    tasks = [(settings, rules, travel, k, d) for k in settings.staff_counts for d in range(settings.days)]
    levels = {k: StaffLevel(k) for k in settings.staff_counts}
    if processes > 1:
        with ProcessPoolExecutor(max_workers=processes) as pool:
            for outcome in pool.map(_simulate_one, tasks, chunksize=1):
                levels[outcome.staff].add(outcome)
                if progress:
                    progress(1)
    else:
        for task in tasks:
            outcome = _simulate_one(task)
            levels[outcome.staff].add(outcome)
            if progress:
                progress(1)
    ordered = [levels[k] for k in sorted(levels)]
    recommended = next((lv.staff for lv in ordered if lv.share_days_all_vip >= settings.vip_level_target
                        and lv.share_served >= settings.all_level_target), None)
    per_person = rules.day.max_visits_per_worker
    pilot = math.ceil(settings.demand.mean / per_person)
    notes = [f"pilot arithmetic: ceil({settings.demand.mean:g} ÷ {per_person}) = {pilot} visitors"]
    if recommended is None:
        notes.append(f"no staff count in {settings.staff_counts[0]}–{settings.staff_counts[-1]} meets the levels")
    return SimulationResult(settings, ordered, recommended, pilot, notes, rules_used(rules))


def rules_used(rules: Rules) -> dict:
    """The rules file a simulation planned with and the working day it took from it, for
    the result (a staffing figure means little without the day it assumed)."""
    d = rules.day
    return {"file": Path(rules.path).name, "version": rules.version, "sha256": rules.digest,
            "shift": f"{d.shift_start:%H:%M}-{d.shift_end:%H:%M}", "break_minutes": d.break_minutes,
            "max_visits_per_worker": d.max_visits_per_worker, "visit_budget_min": d.visit_budget_min,
            "service_minutes_by_type": dict(rules.service_minutes.by_type)}


def parse_staff_range(text: str) -> tuple[int, ...]:
    """``3:7`` → (3, 4, 5, 6, 7); ``4,6`` → (4, 6)."""
    try:
        if ":" in text:
            lo, hi = (int(x) for x in text.split(":", 1))
            values = tuple(range(lo, hi + 1))
        else:
            values = tuple(sorted({int(x) for x in text.split(",")}))
    except ValueError:
        raise UserError(f"--staff {text!r}: expected a range like 3:7 or a list like 4,6") from None
    if not values or min(values) < 1:
        raise UserError(f"--staff {text!r}: staff counts must be 1 or more")
    return values


def locations_from(tickets: Sequence) -> tuple[tuple[float, float], ...]:
    return tuple((t.lat, t.lon) for t in tickets if t.lat is not None and t.lon is not None)


def result_text(result: SimulationResult) -> str:
    s = result.settings
    lines = [f"{s.district}: {s.days} sampled days, demand {s.demand.kind}:{s.demand.mean:g}, "
             f"VIP share {s.vip_share:.0%}, {len(s.locations)} customer locations", "",
             f"{'staff':>5}  {'all VIP same day':>16}  {'visits same day':>15}  {'travel/visit':>12}  "
             f"{'visits/worker':>13}  {'overtime/worker':>15}"]
    for lv in result.levels:
        d = lv.as_dict()
        mark = "  ← recommended" if lv.staff == result.recommended else ""
        lines.append(f"{lv.staff:>5}  {d['share_days_all_vip_served']:>15.0%}   {d['share_visits_served_same_day']:>14.0%}"
                     f"  {d['mean_travel_min_per_visit']:>9.1f} min  {d['mean_visits_per_worker']:>13.2f}"
                     f"  {d['mean_overtime_min_per_worker']:>11.1f} min{mark}")
    lines.append("")
    lines.append(f"service levels: every VIP visited the same day on ≥{s.vip_level_target:.0%} of days, "
                 f"≥{s.all_level_target:.0%} of all visits the same day")
    lines.append(f"recommended visitors: {result.recommended if result.recommended else 'none in range'}; "
                 + "; ".join(result.notes))
    if result.rules:
        r = result.rules
        lines.append(f"rules: {r['file']} (version {r['version']}, sha256 {r['sha256']}): shift {r['shift']}, "
                     f"lunch {r['break_minutes']} min, at most {r['max_visits_per_worker']} visits a person, "
                     f"{r['visit_budget_min']:g}-min visit budget")
    return "\n".join(lines)
