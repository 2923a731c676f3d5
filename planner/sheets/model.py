"""What one worker's route sheet says, as plain values (no HTML): the header, the
toolkit counted for the route, the conduct box, the diagram and one block per stop.

The template (``templates/sheet.html``) only lays these out; every count and
every choice of text is made here, so it can be tested without rendering.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from planner.plan.document import PlanDocument, PlannedSite, Route
from planner.records import StaffMember, Ticket
from planner.sheets.diagram import route_svg
from planner.sheets.qr import qr_png_data_uri, stop_url
from planner.sheets.stops import Stop, earlier_complaints, hhmm, route_stops, why_visited, window_text
from planner.sheets.texts import Texts

HISTORY_SHOWN = 5
DIAGRAM_SIZE = (400, 200)  # SVG units; printed about 100 mm wide, so a 12-unit stop number reads as 8.5 pt
PALETTE = ("#c0392b", "#2471a3", "#1e8449", "#8e44ad", "#d35400", "#117a65", "#b7950b", "#7b241c",
           "#1a5276", "#6c3483", "#a04000", "#0e6655", "#2e4053", "#943126", "#1f618d", "#196f3d")


def worker_colour(index: int) -> str:
    """One colour per worker, the same on the sheet's diagram and on the map."""
    return PALETTE[index % len(PALETTE)]


@dataclass(frozen=True)
class HistoryLine:
    day: str
    ticket_id: str
    category: str
    description: str
    status: str


@dataclass(frozen=True)
class CustomerView:
    ticket_id: str
    name: str
    phone: str
    address: str
    vip: str
    received: str
    category: str
    description: str
    history: tuple[HistoryLine, ...]
    more_history: int
    style: tuple[str, str] | None


@dataclass(frozen=True)
class StopView:
    seq: int
    visit_id: str
    arrival: str
    start: str
    end: str
    wait_min: int
    window: str
    #: the earlier day's appointment has passed: phone the customer for a new one
    renew: str
    address: str
    vip: str
    why: tuple[str, ...]
    customer_type: str
    scenario: str
    measure_type: str
    measure_scenario: str
    #: the planned site the scenario relies on and its expected date (规划在建型: 说明计划情况), "" for none
    planned_site: str
    customers: tuple[CustomerView, ...]
    gift: bool
    closable: bool
    url: str

    @property
    def is_cluster(self) -> bool:
        return len(self.customers) > 1

    @property
    def qr(self) -> str:
        """The QR code of :attr:`url`, drawn when the sheet is printed: in the process that
        renders it (a batch's worker processes share the work), not while the views are built."""
        return qr_png_data_uri(self.url)


@dataclass(frozen=True)
class ToolkitLine:
    key: str
    item: str
    count: int
    unit: str


@dataclass
class SheetView:
    date: str
    district: str
    staff_id: str
    worker: str
    phone: str
    base: str
    shift: str
    lunch: str
    visits: int
    leave: str
    back: str
    toolkit: list[ToolkitLine]
    conduct: list[dict[str, str]]
    stops: list[StopView]
    diagram: Markup
    colour: str
    lang: str
    labels: dict[str, str] = field(default_factory=dict)
    networks: list[tuple[str, str]] = field(default_factory=list)  # (operator, technology) measured on site

    @property
    def file_stem(self) -> str:
        return sheet_stem(self.date, self.staff_id)


def sheet_stem(day: str, staff_id: str) -> str:
    """``2010-08-05_S1``: the date and the staff id, safe as a file name."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in staff_id)
    return f"{day}_{safe}"


def sheet_file_name(day: str, staff_id: str, lang: str, fmt: str) -> str:
    """``2010-08-05_S1.pdf`` for Chinese sheets, ``2010-08-05_S1.en.pdf`` for English ones:
    printing the other language beside a day's sheets never overwrites them."""
    return f"{sheet_stem(day, staff_id)}{'' if lang == 'zh' else '.' + lang}.{fmt}"


def is_indoor(address: str, texts: Texts) -> bool:
    rule = texts.indoor
    if any(word in (address or "") for word in rule.get("outdoor_if_address_contains", [])):
        return False
    return bool(rule.get("default", True))


def toolkit_for(stops: Sequence[Stop], texts: Texts) -> list[ToolkitLine]:
    """The pilot's toolkit with the counts this route calls for (rules in texts.yaml ``toolkit``)."""
    addresses = {t.address.replace(" ", "") for s in stops for t in s.tickets if is_indoor(t.address, texts)}
    customers = {t.phone for s in stops for t in s.tickets}
    counts = {"indoor_addresses": len(addresses), "customers": len(customers),
              "gift_visits": sum(1 for s in stops if s.step.gift)}
    lines = []
    for entry in texts.toolkit:
        how = entry["count"]
        n = int(how["fixed"]) if isinstance(how, Mapping) else counts[how]
        words = entry.get(texts.lang) or entry["zh"]
        lines.append(ToolkitLine(entry["key"], words["item"], n, words.get("unit", "")))
    return lines


def _customer(t: Ticket, history: Mapping[str, Sequence[Ticket]], texts: Texts) -> CustomerView:
    earlier = earlier_complaints(t, history)
    shown = earlier[-HISTORY_SHOWN:]
    return CustomerView(
        ticket_id=t.ticket_id, name=t.customer_name, phone=t.phone, address=t.address,
        vip=texts.vip_level(t.vip_level), received=f"{t.received_at:%Y-%m-%d %H:%M}", category=t.category,
        description=t.description,
        history=tuple(HistoryLine(f"{h.received_at:%Y-%m-%d}", h.ticket_id, h.category, h.description,
                                  texts.ticket_status(h.status)) for h in reversed(shown)),
        more_history=len(earlier) - len(shown), style=texts.communication(t.comm_style))


def planned_site_text(site: PlannedSite | None, texts: Texts) -> str:
    """The planned site a stop relies on, as the worker reads it to the customer: which site,
    planned or building, and when it is expected live ("" when the stop relies on none)."""
    if site is None:
        return ""
    status = texts[f"site_{site.status}"] if f"site_{site.status}" in texts.labels else site.status
    named = f"{site.name} {site.site_id}" if site.name else site.site_id
    if site.expected_date:
        return texts.fmt("planned_site_dated", site=named, status=status, date=site.expected_date)
    return texts.fmt("planned_site_undated", site=named, status=status)


def stop_view(stop: Stop, day: str, history: Mapping[str, Sequence[Ticket]], texts: Texts,
              url_base: str) -> StopView:
    s = stop.step
    note = s.needs_new_appointment
    return StopView(
        seq=stop.seq, visit_id=s.visit_id or "", arrival=hhmm(s.arrival), start=hhmm(s.start),
        end=hhmm(s.end), wait_min=round(s.wait_min), window=window_text(s.time_window),
        renew=(note.zh if texts.lang == "zh" else note.en) if note else "",
        address=s.address or (stop.tickets[0].address if stop.tickets else ""),
        vip=texts.vip_level(s.vip_level), why=tuple(why_visited(s, stop.tickets, history, texts)),
        customer_type=texts.customer_type(s.customer_type), scenario=texts.scenario(s.scenario),
        measure_type=texts.measure("customer_types", s.customer_type),
        measure_scenario=texts.measure("scenarios", s.scenario), planned_site=planned_site_text(s.planned_site, texts),
        customers=tuple(_customer(t, history, texts) for t in stop.tickets),
        gift=s.gift, closable=s.closable_on_site, url=stop_url(url_base, day, stop.staff_id, stop.seq),
    )


def _range(a: str | None, b: str | None) -> str:
    return f"{hhmm(a)}–{hhmm(b)}" if a and b else ""


def base_label(route: Route) -> str:
    """Where the worker starts, as printed: the base's name from the roster
    (南区优化维护分部), the coordinates only for a roster that names none."""
    name = route.base_name.strip()
    if name:
        return name
    lat, lon = route.base
    return f"{lat:.5f}, {lon:.5f}" if lat is not None and lon is not None else ""


def sheet_view(doc: PlanDocument | Mapping, route: Route | Mapping, tickets: Mapping[str, Ticket],
               history: Mapping[str, Sequence[Ticket]], texts: Texts, *, url_base: str,
               staff: StaffMember | None = None, colour: str = PALETTE[0]) -> SheetView:
    plan, route = PlanDocument.of(doc), Route.of(route)
    stops = route_stops(route, tickets)
    start, end, lunch = route.step_of_type("start"), route.step_of_type("end"), route.step_of_type("break")
    if lunch:
        lunch_text = _range(lunch.start, lunch.end)
    elif route.break_window:
        bw = route.break_window
        lunch_text = f"{_range(bw[0], bw[1])} ({bw[2]:g}′)"
    else:
        lunch_text = ""
    diagram = route_svg([s.step.point for s in stops], route.base_point,
                        width=DIAGRAM_SIZE[0], height=DIAGRAM_SIZE[1],
                        colour=colour, scale_label=texts["scale_m"], km_label=texts["scale_km"],
                        title=f"{texts['diagram']} {route.staff_id}")
    return SheetView(
        date=plan.date, district=plan.district, staff_id=route.staff_id,
        worker=route.staff_name or (staff.name if staff else ""), phone=staff.phone if staff else "",
        base=base_label(route),
        shift=_range(*route.shift), lunch=lunch_text, visits=len(stops),
        leave=hhmm(start.end) if start and stops else "", back=hhmm(end.arrival) if end and stops else "",
        toolkit=toolkit_for(stops, texts), conduct=texts.conduct,
        stops=[stop_view(s, plan.date, history, texts, url_base) for s in stops], diagram=Markup(diagram),
        colour=colour, lang=texts.lang, labels=texts.labels, networks=texts.networks,
    )


def sheet_views(doc: PlanDocument | Mapping, tickets: Mapping[str, Ticket], history: Mapping[str, Sequence[Ticket]],
                texts: Texts, *, url_base: str, staff: Mapping[str, StaffMember] | None = None,
                only: Sequence[str] | None = None) -> list[SheetView]:
    """The plan's sheets in route order; ``only`` these staff ids' (each keeps its worker's colour,
    and the others' QR codes and diagrams are not drawn)."""
    plan = PlanDocument.of(doc)
    staff = staff or {}
    wanted = set(only) if only is not None else None
    return [sheet_view(plan, route, tickets, history, texts, url_base=url_base,
                       staff=staff.get(route.staff_id), colour=worker_colour(i))
            for i, route in enumerate(plan.routes) if wanted is None or route.staff_id in wanted]

