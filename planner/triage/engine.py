"""Triage: from a district's open tickets to the day's visits and phone follow-ups.

The pilot's process, step 1 (分析每日投诉工单, 筛选客户信息) and step 4 (客户分类):
select who needs a face-to-face visit, group clustered complaints into one
stop, classify each customer's type and scenario, and give each visit its
routing priority, on-site minutes, response measures and gift suggestion.
Every decision is taken from the rules file and recorded as a fired rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache

from planner.errors import Reason
from planner.geo.distance import geodesic_m
from planner.records import CarriedCase, FiredRule, NetworkSite, SiteRef, Ticket, Visit, parse_window_text
from planner.triage.cluster import find_clusters, network_complaint_test
from planner.triage.conditions import Compiled, Facts, near_site_conditions, near_site_radii
from planner.triage.gifts import GiftTally, apply_budget, gift_group
from planner.triage.limits import max_nearby_pairs, too_dense
from planner.triage.rules import SELECTION_REASONS, Rules
from planner.triage.spatial import LOCAL_MAX_LAT, LOCAL_MAX_M, GridIndex, Measure, TooManyPairs, bound_m, local_m, point_factors
from planner.triage.spatial import SCREEN_LON_RAD as _SCREEN_LON_RAD

VIP_ORDER = ("diamond", "gold", "silver", "premium", "none")
_PREPARE_ROWS = 256  # places screened against the sites at once (bounded temporaries)


@dataclass(frozen=True)
class PhoneFollowup:
    """A ticket answered by a call instead of a visit: why, and the open phone case that holds
    it already (None: a new follow-up, whose case opens when the day's plan is published)."""

    ticket_id: str
    why: str
    why_code: str
    case_id: int | None = None


#: the why code of a ticket its open phone case holds: listed as that case, not as a new follow-up
OPEN_CASE = "open_case"


def _open_phone_case(ticket_id: str, case: CarriedCase) -> PhoneFollowup:
    """A ticket held by an open phone follow-up: the triage lists the case (the customer is
    called again), it neither opens a second one nor plans a visit for it (a dispatcher
    converts the case when a visit is needed)."""
    since = f"{case.opened_on:%Y-%m-%d}" if case.opened_on else "an earlier day"
    why = Reason("phone follow-up open since {day}, case {case}, {calls} call(s)", day=since, case=case.case_id,
                 calls=case.calls)
    return PhoneFollowup(ticket_id, why, OPEN_CASE, case.case_id)


@dataclass(frozen=True)
class TriageResult:
    date: date
    district: str
    rules_version: str
    shift_start: datetime
    visits: tuple[Visit, ...]
    phone_followups: tuple[PhoneFollowup, ...]
    tickets: dict[str, Ticket]
    gifts: GiftTally | None = None


def shift_start_of(rules: Rules, day: date) -> datetime:
    return datetime.combine(day, rules.day.shift_start, tzinfo=rules.tz)


def _merged(tickets: Sequence[Ticket]) -> Ticket:
    """One customer's open tickets seen as one case: all texts, the best tier, any flag
    (a single ticket is its own case: the merge would copy it unchanged)."""
    if len(tickets) == 1:
        return tickets[0]
    latest = max(tickets, key=lambda t: (t.received_at, t.ticket_id))
    tier = min((t.vip_level for t in tickets), key=VIP_ORDER.index)
    return replace(
        latest,
        vip_level=tier,
        category=" ".join(dict.fromkeys(t.category for t in tickets if t.category)),
        description=" ".join(dict.fromkeys(t.description for t in tickets if t.description)),
        escalation=any(t.escalation for t in tickets),
        core_customer=any(t.core_customer for t in tickets),
        tenure_years=max((t.tenure_years for t in tickets if t.tenure_years is not None), default=None),
        arpu=max((t.arpu for t in tickets if t.arpu is not None), default=None),
    )


class _SiteIndex:
    """Network-plan sites near a place, found with a grid as wide as the largest
    ``near_site.within_m`` in the rules (a site farther than every rule's radius
    can never make a ``near_site`` condition hold, so it is not measured)."""

    def __init__(self, sites: Sequence[NetworkSite], rules: Rules):
        self.thresholds = sorted(near_site_radii(rules.conditions()))
        self.radius_m = max(self.thresholds, default=0.0)
        self.sites = [s for s in sites if s.lat is not None and s.lon is not None]
        self.grid = GridIndex([(s.lat, s.lon) for s in self.sites], self.radius_m) if self.radius_m else None
        self._found: dict[tuple[float, float], list[int]] = {}  # place → the sites the screen keeps

    def nearest(self, t: Ticket) -> dict[str, float]:
        """Status → metres to the nearest site of that status within the radius.

        The value is the geodesic, or the local estimate where no threshold of the
        rules and no whole metre (the rule's text) lies within its error bound:
        every condition then decides and reads exactly as with the geodesic."""
        return {status: d for status, (d, _site) in self.sites_near(t).items()}

    def sites_near(self, t: Ticket) -> dict[str, tuple[float, NetworkSite]]:
        """Status → (metres, the site) of the nearest site of that status within the radius,
        measured as :meth:`nearest` says."""
        if self.grid is None or t.lat is None or t.lon is None:
            return {}
        here = (t.lat, t.lon)
        found = self._found.get(here)
        if found is None:
            beyond = self.grid.beyond_radius(here)
            found = self._found[here] = [k for k in self.grid.candidates(here) if not beyond(k)]
        return self._nearest(here, found)

    def prepare(self, places: Sequence[Ticket]) -> None:
        """Screen every place's candidate sites at once (numpy), so that :meth:`nearest`
        measures only the sites the screen keeps: the same grid cells and the same
        screen as :meth:`GridIndex.beyond_radius`, for all of a day's visits in one pass."""
        if self.grid is None or not self.sites:
            return
        import numpy as np

        grid = self.grid
        here = list(dict.fromkeys((t.lat, t.lon) for t in places if t.lat is not None and t.lon is not None))
        here = [p for p in here if p not in self._found and abs(p[0]) <= LOCAL_MAX_LAT
                and grid.radius_m <= LOCAL_MAX_M]
        if not here:
            return
        site_f = np.array(grid.factors())
        site_cell = np.array([grid.cell_of(p) for p in grid.points])
        limit = grid.beyond_limit()
        for first in range(0, len(here), _PREPARE_ROWS):
            block = here[first:first + _PREPARE_ROWS]
            f = np.array([point_factors(p) for p in block])
            cell = np.array([grid.cell_of(p) for p in block])
            near_cells = (np.abs(cell[:, None, 0] - site_cell[None, :, 0]) <= 1) & \
                (np.abs(cell[:, None, 1] - site_cell[None, :, 1]) <= 1)
            dy = (site_f[None, :, 0] - f[:, None, 0]) * (site_f[None, :, 2] + f[:, None, 2])
            dx = (site_f[None, :, 1] - f[:, None, 1]) * (site_f[None, :, 3] + f[:, None, 3])
            far_lon = np.abs(site_f[None, :, 1] - f[:, None, 1]) > _SCREEN_LON_RAD
            keep = near_cells & ((dy * dy + dx * dx <= limit) | far_lon)
            for p, row in zip(block, keep, strict=True):
                self._found[p] = np.flatnonzero(row).tolist()

    def _nearest(self, here: tuple[float, float], found: list[int]) -> dict[str, tuple[float, NetworkSite]]:
        best: dict[str, tuple[float, NetworkSite]] = {}
        near: dict[str, list[tuple[float, float, NetworkSite]]] = defaultdict(list)
        for k in found:
            s = self.sites[k]
            d = local_m(here, (s.lat, s.lon))
            err = bound_m(d) if d is not None else 0.0
            if d is None:
                d = geodesic_m(here, (s.lat, s.lon))
            if d - err <= self.radius_m:
                near[s.status].append((d, err, s))
        for status, found_here in near.items():
            d0, e0, site0 = min(found_here, key=lambda x: x[0])
            rivals = [x for x in found_here if x[0] - x[1] <= d0 + e0]
            if len(rivals) == 1 and e0 and self._settled(d0, e0):
                best[status] = (d0, site0)
                continue
            exact, site = min(((geodesic_m(here, (s.lat, s.lon)), s) for _, _, s in rivals), key=lambda x: x[0])
            if exact <= self.radius_m:
                best[status] = (exact, site)
        return best

    def _settled(self, d: float, err: float) -> bool:
        return all(not (d - err <= r < d + err) for r in self.thresholds) and \
            round(d - err) == round(d + err) and d + err <= self.radius_m  # same whole metre, as "{:.0f}"


def _window(tickets: Sequence[Ticket]) -> tuple[datetime, datetime] | None:
    """The appointment window all of a visit's confirmed appointments share."""
    windows = [(t, (t.window_start, t.window_end)) for t in tickets if t.window_start and t.window_end]
    if not windows:
        return None
    start = max(w[0] for _, w in windows)
    end = min(w[1] for _, w in windows)
    if start < end:
        return (start, end)
    return max(windows, key=lambda tw: tw[0].received_at)[1]


class _Triage:
    def __init__(self, rules: Rules, day: date, district: str, sites: Sequence[NetworkSite],
                 overrides: dict[str, dict[str, str]], carried: Mapping[str, CarriedCase]):
        self.rules = rules
        self.carried = carried
        self.day = day
        self.district = district
        self.site_index = _SiteIndex(sites, rules)
        self.overrides = overrides
        self.evaluate = Compiled().evaluate  # each condition interpreted once per run

    def waited(self, ticket_ids: Sequence[str]) -> int:
        """Days the visit's open case came back unresolved (its priority rises with them)."""
        return max((c.times_back for t in ticket_ids if (c := self.carried.get(t))), default=0)

    # -- selection ---------------------------------------------------------
    def reasons_for(self, case: Ticket, complaints: int, in_cluster: bool) -> tuple[set[str], list[FiredRule]]:
        sel = self.rules.selection
        reasons: set[str] = set()
        fired: list[FiredRule] = []
        facts = Facts(ticket=case, complaints=complaints)
        for reason, rule in sel.by_condition():
            held, because = self.evaluate(rule.when, facts)
            if held:
                reasons.add(reason)
                fired.append(FiredRule(f"selection.{reason}", case.ticket_id, because))
        if complaints >= 2:
            reasons.add("repeat")
            fired.append(FiredRule("selection.repeat", case.ticket_id,
                                   f"{complaints} complaints from this phone in {sel.repeat.lookback_days} days"))
        if in_cluster:
            reasons.add("cluster")
        return reasons, fired

    # -- classification ----------------------------------------------------
    def classify(self, case: Ticket, reasons: set[str], complaints: int, location: Ticket,
                 override: dict[str, str]) -> tuple[str, str, list[FiredRule], list[str]]:
        fired: list[FiredRule] = []
        overridden: list[str] = []
        facts = Facts(ticket=case, reasons=reasons, complaints=complaints,
                      nearest_site_m=self.site_index.nearest(location))
        ctype: str | None = None
        scenario: str | None = None
        if "type" in override:
            ctype = override["type"]
            overridden.append("type")
            fired.append(FiredRule("override.type", case.ticket_id, f"dispatcher set type {ctype}"))
        else:
            for entry in self.rules.customer_types:
                held, because = self.evaluate(entry.when, facts)
                if held:
                    ctype = entry.code
                    fired.append(FiredRule(f"customer_type.{ctype}", case.ticket_id, because))
                    break
        if "scenario" in override:
            scenario = override["scenario"]
            overridden.append("scenario")
            fired.append(FiredRule("override.scenario", case.ticket_id, f"dispatcher set scenario {scenario}"))
        else:
            for entry in self.rules.scenarios:
                held, because = self.evaluate(entry.when, facts)
                if held:
                    scenario = entry.code
                    fired.append(FiredRule(f"scenario.{scenario}", case.ticket_id, because))
                    break
        if ctype is None or scenario is None:  # rules_model makes both lists end with `when: {always: true}`
            raise ValueError(f"rules {self.rules.path}: no customer type or scenario for {case.ticket_id}")
        return ctype, scenario, fired, overridden

    def scenario_site(self, scenario: str, location: Ticket) -> NetworkSite | None:
        """The network-plan site the visit's scenario relies on (规划在建型: the planned or
        building site nearby, whose expected date the worker tells the customer and the
        callback waits for): the nearest site that meets a ``near_site`` condition of the
        scenario's rule; None when the rule names no site or none is near."""
        entry = next((e for e in self.rules.scenarios if e.code == scenario), None)
        wanted = near_site_conditions(entry.when) if entry is not None else []
        if not wanted:
            return None
        near = self.site_index.sites_near(location)
        hits = [near[s] for statuses, within in wanted for s in statuses if s in near and near[s][0] <= within]
        return min(hits, key=lambda hit: (hit[0], hit[1].site_id))[1] if hits else None

    def priority(self, case: Ticket, reasons: set[str], ticket_ids: Sequence[str]) -> tuple[int, FiredRule]:
        pr = self.rules.priority
        levels = pr.levels
        keys = [f"vip:{case.vip_level}" if r == "vip" else r for r in reasons]
        named = [pr.level_of[k] for k in keys if k in pr.level_of]
        best = min((levels.index(n) for n in named), default=len(levels) - 1)
        waited = self.waited(ticket_ids)
        level = max(0, best - waited * pr.aging_levels_per_day)
        detail = f"level {levels[best]}" + (f", raised {best - level} for {waited} day(s) waiting" if waited else "")
        return level + 1, FiredRule("priority", case.ticket_id, detail)

    def make_visits(self, stops: list[tuple[str, list[list[Ticket]], int, set[str], list[FiredRule]]]) -> list[Visit]:
        """The visits of ``stops`` (as :meth:`make_visit` takes them), in order; the sites near
        all their places are screened in one pass first."""
        places = [_medoid([_merged(m) for m in stop[1]]) for stop in stops]
        self.site_index.prepare(places)
        return [self.make_visit(*stop, location=place) for stop, place in zip(stops, places, strict=True)]

    def make_visit(self, visit_id: str, members: list[list[Ticket]], complaints: int, reasons: set[str],
                   fired: list[FiredRule], location: Ticket | None = None) -> Visit:
        """One stop: ``members`` holds each customer's open tickets (one customer, or a cluster);
        ``location`` is their medoid, if already known."""
        all_tickets = [t for m in members for t in m]
        case = _merged(all_tickets)
        if location is None:
            location = _medoid([_merged(m) for m in members])
        ticket_ids = tuple(t.ticket_id for t in sorted(all_tickets, key=lambda t: (t.received_at, t.ticket_id)))
        override: dict[str, str] = {}
        for tid in ticket_ids:
            override.update({k: v for k, v in self.overrides.get(tid, {}).items() if k in ("type", "scenario")})
        ctype, scenario, cfired, overridden = self.classify(case, reasons, complaints, location, override)
        site = self.scenario_site(scenario, location)
        prio, pfired = self.priority(case, reasons, ticket_ids)
        facts = Facts(ticket=case, reasons=reasons, complaints=complaints, customer_type=ctype, scenario=scenario)
        group, gift_why = gift_group(self.rules.gifts, facts, self.evaluate)
        gift = group is not None
        closable, closable_why = self.evaluate(self.rules.closable_on_site, facts)
        extra = [FiredRule("gift", case.ticket_id, gift_why)] if gift else []
        if closable:
            extra.append(FiredRule("closable_on_site", case.ticket_id, closable_why))
        minutes = self.rules.service_minutes.of(ctype, "vip" in reasons, len(members))
        measures = self.rules.measures
        return Visit(
            visit_id=visit_id, ticket_ids=ticket_ids, district=self.district,
            reasons=tuple(r for r in SELECTION_REASONS if r in reasons),
            customer_type=ctype, scenario=scenario, priority=prio, service_min=int(minutes),
            lat=location.lat, lon=location.lon, address=location.address, time_window=_window(all_tickets),
            gift=gift, closable_on_site=closable, fired_rules=tuple(fired + cfired + [pfired] + extra),
            overrides=tuple(overridden), vip_level=case.vip_level,
            required_skills=self.rules.required_skills.get(case.vip_level, ()),
            carried_over_days=self.waited(ticket_ids),
            back_because=next((c.why for t in ticket_ids if (c := self.carried.get(t)) and c.why), ""),
            case_id=next((c.case_id for t in ticket_ids if (c := self.carried.get(t))), None),
            planned_site=SiteRef.of(site) if site else None,
            extra={"measures": {"customer_type": measures.customer_types[ctype],
                                "scenario": measures.scenarios[scenario]},
                   "cluster_size": len(members), "complaints": complaints, "gift_group": group},
        )


def _medoid(cases: list[Ticket]) -> Ticket:
    """The member whose door is closest to all others: a real place to walk to.

    Sums of local distances pick it; the geodesic sums decide only between members
    whose sums are within their error bounds of the best (a near tie)."""
    placed = [(c, p) for c in cases if (p := c.position) is not None]
    located = [c for c, _ in placed]
    if len(located) <= 1:
        return located[0] if located else cases[0]
    measure = Measure([p for _, p in placed])
    idx = range(len(located))
    # each pair measured once (the local distance is symmetric to the last bit), summed in member order
    pair = {(i, j): measure.approx(i, j) for i in idx for j in idx if i < j}

    def approx_sum(i: int) -> tuple[float, float]:
        parts = [pair[(i, j) if i < j else (j, i)] for j in idx if j != i]
        return sum(d for d, _ in parts), sum(e for _, e in parts) + 1e-9 * len(parts)

    sums = {i: approx_sum(i) for i in idx}
    d0, e0 = min(sums.values(), key=lambda x: x[0])
    rivals = [i for i in idx if sums[i][0] - sums[i][1] <= d0 + e0]
    if len(rivals) == 1:
        return located[rivals[0]]
    best = min(rivals, key=lambda i: (sum(measure.exact(i, j) for j in idx if j != i), located[i].ticket_id))
    return located[best]


def _carry(reasons: set[str], fired: list[FiredRule], back: list[CarriedCase], ticket_id: str) -> None:
    """An open visit case is selected again with the reasons it was first selected for."""
    visits = [c for c in back if c.kind == "visit"]
    if not visits:
        return
    reasons.update(r for c in visits for r in c.reasons if r in SELECTION_REASONS)
    why = next((c.why for c in visits if c.why), "")
    fired.append(FiredRule("carried_over", ticket_id, f"case {visits[0].case_id} is open" + (f": {why}" if why else "")))


def _with_case_window(ticket: Ticket, case: CarriedCase | None, day: date, rules: Rules) -> Ticket:
    """The window agreed on the phone for this day (a call recorded on the ticket's case)
    beats any other: the customer chose it."""
    if case is None or case.window is None:
        return ticket
    start, end = (datetime.combine(day, t, tzinfo=rules.tz) for t in case.window)
    return replace(ticket, window_start=start, window_end=end)


def _with_confirmed_window(ticket: Ticket, override: dict[str, str]) -> Ticket:
    """The window the dispatcher agreed with the customer beats the exported one."""
    if "window" not in override:
        return ticket
    window = parse_window_text(override["window"])
    return replace(ticket, window_start=window[0] if window else None, window_end=window[1] if window else None)


_Stop = tuple[str, list[list[Ticket]], int, set[str], list[FiredRule]]  # id, customers' tickets, complaints, reasons, rules


def _complaints_by_phone(pool: Iterable[Ticket], since: datetime,
                         counted: Callable[[Ticket], bool] | None) -> dict[str, int]:
    """Complaints per phone since ``since`` (only those ``counted`` says are, when given)."""
    out: dict[str, int] = defaultdict(int)
    for x in pool:
        if x.received_at >= since and (counted is None or counted(x)):
            out[x.phone] += 1
    return out


def _cluster_of_phone(clusters: Sequence[Sequence[Ticket]], by_phone: Mapping[str, list[Ticket]]) -> dict[str, int]:
    """The first cluster each phone with open tickets belongs to."""
    out: dict[str, int] = {}
    for i, members in enumerate(clusters):
        for m in members:
            if m.phone in by_phone:
                out.setdefault(m.phone, i)
    return out


def _cluster_stops(cluster_members: Mapping[int, list[tuple[list[Ticket], list[FiredRule]]]],
                   complaints_by_phone: Mapping[str, int]) -> list[_Stop]:
    """One visit per cluster for its customers selected only as cluster members, named
    after its first ticket."""
    stops: list[_Stop] = []
    for _, entries in sorted(cluster_members.items()):
        customers = [m for m, _ in entries]
        fired = [f for _, fs in entries for f in fs]
        first = min((x for m in customers for x in m), key=lambda x: (x.received_at, x.ticket_id))
        complaints = max(complaints_by_phone[m[0].phone] for m in customers)
        stops.append((f"C-{first.ticket_id}", customers, complaints, {"cluster"}, fired))
    return stops


def triage(open_tickets: Sequence[Ticket], evidence: Sequence[Ticket], sites: Sequence[NetworkSite],
           rules: Rules, day: date, district: str, overrides: dict[str, dict[str, str]] | None = None,
           as_of: datetime | None = None, gifts_before: int = 0,
           carried: Mapping[str, CarriedCase] | None = None) -> TriageResult:
    """Decide the day's visits.

    ``open_tickets`` are the district's unvisited tickets received before
    ``as_of`` (the shift start unless re-planning during the day);
    ``evidence`` is every ticket (history included) received in the repeat
    look-back before then, used to count complaints per phone and to find
    clusters.  ``gifts_before`` is the district's gifts on earlier days of the month
    (the gift budget, see :mod:`planner.triage.gifts`).  ``carried`` (ticket id → its open
    case, :mod:`planner.cases.carry`) are selected again with their first reasons, whatever
    today's rules say, and wait for priority like unassigned visits.
    """
    overrides = overrides or {}
    carried = carried or {}
    open_tickets = [_with_case_window(_with_confirmed_window(x, overrides.get(x.ticket_id, {})), carried.get(x.ticket_id),
                                      day, rules) for x in open_tickets]
    t = _Triage(rules, day, district, sites, overrides, carried)
    start = as_of or shift_start_of(rules, day)
    sel = rules.selection
    repeat_since, cluster_since = sel.evidence_since(start)

    pool = {x.ticket_id: x for x in evidence if x.received_at < start}
    pool.update({x.ticket_id: x for x in open_tickets})
    is_network = network_complaint_test(sel.cluster.network_keywords)
    counted = is_network if sel.repeat.network_only else None
    complaints_by_phone = _complaints_by_phone(pool.values(), repeat_since, counted)

    followups: list[PhoneFollowup] = []
    by_phone: dict[str, list[Ticket]] = defaultdict(list)
    for x in sorted(open_tickets, key=lambda x: (x.received_at, x.ticket_id)):
        held = carried.get(x.ticket_id)
        if held is not None and held.kind == "phone":
            followups.append(_open_phone_case(x.ticket_id, held))
        else:
            by_phone[x.phone].append(x)

    network = [x for x in pool.values()
               if x.received_at >= cluster_since and is_network(x)]
    try:
        clusters = find_clusters(network, sel.cluster.radius_m, sel.cluster.min_tickets,
                                 max_nearby_pairs(rules))
    except TooManyPairs as exc:
        raise too_dense(exc.count, exc.limit, rules.path) from None
    cluster_of_phone = _cluster_of_phone(clusters, by_phone)

    @lru_cache(maxsize=None)
    def cluster_text(i: int) -> str:
        """Why a cluster's customers were selected (written once per cluster, not per member)."""
        members = clusters[i]
        return (f"{len({m.phone for m in members})} customers within {sel.cluster.radius_m} m "
                f"in {sel.cluster.days} days ({', '.join(m.ticket_id for m in members)})")

    stops: list[_Stop] = []  # the visits to make
    cluster_members: dict[int, list[tuple[list[Ticket], list[FiredRule]]]] = defaultdict(list)
    for phone, tickets in by_phone.items():
        case = _merged(tickets)
        selection = {}
        for x in tickets:
            selection.update({k: v for k, v in overrides.get(x.ticket_id, {}).items() if k == "select"})
        in_cluster = phone in cluster_of_phone
        reasons, fired = t.reasons_for(case, complaints_by_phone[phone], in_cluster)
        if selection.get("select") == "no":
            for x in tickets:
                followups.append(PhoneFollowup(x.ticket_id, "调度员取消拜访 (dispatcher override)", "override"))
            continue
        _carry(reasons, fired, [carried[x.ticket_id] for x in tickets if x.ticket_id in carried], case.ticket_id)
        if selection.get("select") == "yes" and not reasons:
            reasons.add("dispatcher")
            fired.append(FiredRule("override.select", case.ticket_id, "dispatcher selected this customer for a visit"))
        own = reasons - {"cluster"}
        if in_cluster:
            fired.append(FiredRule("selection.cluster", case.ticket_id, cluster_text(cluster_of_phone[phone])))
            if not own:
                cluster_members[cluster_of_phone[phone]].append((tickets, fired))
                continue
        if not reasons:
            for x in tickets:
                why = rules.phone_followup_why
                followups.append(PhoneFollowup(x.ticket_id, why, "no_visit_rule"))
            continue
        stops.append((f"V-{tickets[0].ticket_id}", [tickets], complaints_by_phone[phone], reasons, fired))

    stops += _cluster_stops(cluster_members, complaints_by_phone)
    visits = t.make_visits(stops)

    visits.sort(key=lambda v: (v.priority, v.time_window[0] if v.time_window else start, v.visit_id))
    followups.sort(key=lambda f: f.ticket_id)
    visits, gifts = apply_budget(visits, rules.gifts, day, gifts_before)
    return TriageResult(date=day, district=district, rules_version=rules.version, shift_start=start,
                        visits=tuple(visits), phone_followups=tuple(followups),
                        tickets={x.ticket_id: x for x in open_tickets}, gifts=gifts)
