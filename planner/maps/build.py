"""The dispatcher's map of a plan: one self-contained HTML file that works offline.

* One colour and one layer per worker: numbered markers in visit order, the
  route line from the base and back, the cluster members around their stop.
* The base, and the visits left unassigned in grey with their reason.
* A legend, and popups with each visit's type, scenario, window and planned time.
* Phone numbers masked (:func:`planner.masking.mask_phone`).  Every text from a
  ticket or the roster is HTML-escaped and handed to Leaflet as a JSON string,
  never spliced into markup or script: a ``<script>`` in a complaint shows as text.
* Leaflet's JS and CSS are inlined from ``static/`` (vendored, see
  ``static/README.txt``); folium's CDN links (jQuery, Bootstrap, Font Awesome)
  are dropped because nothing here uses them.  No tiles by default: routes,
  markers and legend draw on a plain background.  A tile URL (an operator's
  intranet server) or ``amap`` (GaoDe tiles, with every point shifted to
  GCJ-02 to match them) can be given.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import folium
from branca.element import Element, Figure, MacroElement
from jinja2 import Template
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from planner.errors import UserError
from planner.geo.coords import from_wgs84
from planner.masking import mask_phone
from planner.plan.document import PlanDocument, Step, Unassigned
from planner.records import Ticket
from planner.sheets.model import worker_colour
from planner.sheets.stops import hhmm, plan_stops, tickets_of, why_visited, window_text
from planner.sheets.texts import load_texts
from planner.triage.rules import Rules

STATIC = Path(__file__).with_name("static")
UNASSIGNED_COLOUR = "#7f8c8d"
TILES_ENV = "CVP_TILES"
MIN_SPAN_DEG = 1e-6  # points closer than this (~0.1 m) are one place: nothing to fit
SINGLE_PLACE_ZOOM = 15
MAX_ZOOM = 19  # Leaflet's zoom is unbounded without tiles: a bound keeps fitting finite
TILES_CRS_ENV = "CVP_TILES_CRS"


@dataclass(frozen=True)
class Tiles:
    """A tile layer: URL template with {x} {y} {z} (and {s} for subdomains), and the
    coordinate system its imagery is drawn in (points are shifted to match it)."""

    url: str
    crs: str = "wgs84"
    attribution: str = ""
    subdomains: str = "abc"
    max_zoom: int = 18


AMAP = Tiles(url="https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
             crs="gcj02", attribution="© 高德地图 AutoNavi", subdomains="1234")


def tiles_spec(tiles: str | Tiles | None, crs: str | None = None, attribution: str | None = None) -> Tiles | None:
    """``None``/``""``/``none`` → no tiles; ``amap`` → GaoDe (GCJ-02); else a URL template."""
    if isinstance(tiles, Tiles) or tiles is None:
        return tiles
    text = tiles.strip()
    if text.lower() in ("", "none", "off"):
        return None
    if text.lower() in ("amap", "gaode"):
        spec = AMAP
    else:
        if not all(k in text for k in ("{x}", "{z}")) or not ("{y}" in text or "{-y}" in text):
            raise UserError(f"tile URL {text!r}: expected a template with {{x}}, {{y}} and {{z}}, "
                            "e.g. http://tiles.intranet/{z}/{x}/{y}.png (or 'amap')")
        spec = Tiles(url=text, attribution=attribution or "")
    if crs:
        if crs not in ("wgs84", "gcj02"):
            raise UserError(f"tile coordinate system {crs!r}: choose wgs84 or gcj02")
        spec = Tiles(spec.url, crs, spec.attribution, spec.subdomains, spec.max_zoom)
    if attribution:
        spec = Tiles(spec.url, spec.crs, attribution, spec.subdomains, spec.max_zoom)
    return spec


def tiles_from_env() -> Tiles | None:
    return tiles_spec(os.environ.get(TILES_ENV), os.environ.get(TILES_CRS_ENV) or None)


@lru_cache(maxsize=1)
def _leaflet() -> tuple[str, str]:
    js = (STATIC / "leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    css = (STATIC / "leaflet.css").read_text(encoding="utf-8")
    if "</script" in js.lower() or "</style" in css.lower():  # pragma: no cover - vendoring guard
        raise RuntimeError("vendored Leaflet cannot be inlined safely")
    return js, css


MAP_CSS = """
.folium-map { background: #eef0f2; }
.leaflet-container { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; }
.cvp-icon { background: none; border: none; }
.leaflet-control-layers { font-size: 13px; }
.cvp-stop { width: 24px; height: 24px; border-radius: 12px; color: #fff; font: bold 13px/24px sans-serif;
            text-align: center; border: 2px solid #fff; box-shadow: 0 0 3px rgba(0,0,0,.6); box-sizing: border-box; }
.cvp-base { width: 16px; height: 16px; background: #222; border: 2px solid #fff; box-shadow: 0 0 3px rgba(0,0,0,.6); }
.cvp-unassigned { width: 20px; height: 20px; border-radius: 10px; background: #7f8c8d; color: #fff;
                  font: bold 12px/20px sans-serif; text-align: center; border: 2px solid #fff; box-sizing: border-box;
                  box-shadow: 0 0 3px rgba(0,0,0,.6); }
.cvp-popup { font-size: 12px; line-height: 1.45; }
.cvp-popup h4 { margin: 0 0 4px 0; font-size: 13px; }
.cvp-popup .k { color: #666; }
.cvp-popup .desc { margin-top: 3px; white-space: pre-wrap; }
.cvp-legend { position: absolute; z-index: 1000; left: 54px; top: 10px; background: rgba(255,255,255,.94);
              padding: 8px 10px; border-radius: 4px; box-shadow: 0 1px 5px rgba(0,0,0,.4); font-size: 12px;
              max-width: 320px; font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
.cvp-legend h3 { margin: 0 0 5px 0; font-size: 13px; }
.cvp-legend ul { list-style: none; margin: 0; padding: 0; }
.cvp-legend li { margin: 2px 0; }
.cvp-legend .sw { display: inline-block; width: 14px; height: 14px; border-radius: 7px; vertical-align: -2px;
                  margin-right: 5px; border: 1px solid #fff; }
.cvp-legend .sq { display: inline-block; width: 11px; height: 11px; background: #222; margin: 0 6px 0 2px; }
.cvp-legend .dot { display: inline-block; width: 8px; height: 8px; border-radius: 4px; background: #555;
                   margin: 0 8px 0 3px; }
.cvp-legend .note { color: #555; margin-top: 4px; }
"""


class _Bind(MacroElement):
    """Bind a popup or tooltip to the parent layer.  The content is already-escaped HTML,
    passed as a JSON string literal (``htmlsafe_json_dumps``): no markup, backtick or
    ``</script>`` in ticket text can reach the page's script."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.{{ this.method }}({{ this.content }}, {{ this.options }});
        {% endmacro %}
    """)

    def __init__(self, html: Markup, method: str = "bindPopup", **options):
        super().__init__()
        self._name = "Bind"
        self.method = method
        self.content = htmlsafe_json_dumps(str(html))
        self.options = htmlsafe_json_dumps(options)


#: the scale bar's units in the map's language (metres and kilometres; never miles)
SCALE_UNITS = {"zh": ("米", "公里"), "en": ("m", "km")}


class _MetricScale(MacroElement):
    """Leaflet's scale bar, metric only, its units in the map's language (Leaflet writes
    ``m``/``km`` itself; the same rounding, another label)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            (function () {
                var units = {{ this.units }};
                var Scale = L.Control.Scale.extend({
                    _updateMetric: function (maxMeters) {
                        var meters = this._getRoundNum(maxMeters);
                        var label = meters < 1000 ? meters + " " + units[0] : (meters / 1000) + " " + units[1];
                        this._updateScale(this._mScale, label, meters / maxMeters);
                    }
                });
                new Scale({"imperial": false, "metric": true, "maxWidth": 150}).addTo({{ this._parent.get_name() }});
            })();
        {% endmacro %}
    """)

    def __init__(self, lang: str):
        super().__init__()
        self._name = "MetricScale"
        self.units = htmlsafe_json_dumps(list(SCALE_UNITS.get(lang, SCALE_UNITS["en"])))


def _popup(title: str, rows: Sequence[tuple[str, str]], description: str = "") -> Markup:
    body = Markup("").join(Markup('<div><span class="k">{}</span> {}</div>').format(k, v) for k, v in rows if v)
    desc = Markup('<div class="desc">{}</div>').format(description) if description else Markup("")
    return Markup('<div class="cvp-popup"><h4>{}</h4>{}{}</div>').format(title, body, desc)


def _div_icon(html: Markup, size: int, class_name: str = "cvp-icon") -> folium.DivIcon:
    return folium.DivIcon(html=str(html), icon_size=(size, size), icon_anchor=(size // 2, size // 2),
                          class_name=class_name)


def build_map(doc: PlanDocument | Mapping, tickets: Mapping[str, Ticket], rules: Rules, tiles: str | Tiles | None = None,
              lang: str = "zh", *, history: Mapping[str, Sequence[Ticket]] | None = None) -> str:
    """The plan as a self-contained HTML page (a string)."""
    plan = PlanDocument.of(doc)
    texts = load_texts(rules, lang)
    M = texts.map_labels
    spec = tiles_spec(tiles)
    history = history or {}

    def pt(lat: float, lon: float) -> tuple[float, float]:
        if spec and spec.crs == "gcj02":
            return from_wgs84(lat, lon, "gcj02")
        return (lat, lon)

    title = M["title"].format(date=plan.date, district=plan.district)
    if plan.version:
        title += f" ({M['version']} {plan.version})"
    all_points: list[tuple[float, float]] = []

    fmap = folium.Map(location=[34.25, 108.95], zoom_start=13, tiles=None, control_scale=False, max_zoom=MAX_ZOOM)
    fmap.default_js = []   # Leaflet is inlined below; nothing here uses jQuery/Bootstrap/awesome-markers
    fmap.default_css = []
    root = cast(Figure, fmap.get_root())  # a folium Map's root is always a Figure (branca types it Element)
    root.title = str(escape(title))
    js, css = _leaflet()
    root.header.add_child(Element(f"<style>{css}</style><style>{MAP_CSS}</style><script>{js}</script>"),
                          name="cvp_leaflet_inline")
    if spec:
        folium.TileLayer(tiles=spec.url, attr=str(escape(spec.attribution)) or " ", name=M["tiles_note"],
                         subdomains=spec.subdomains, max_zoom=spec.max_zoom, overlay=False, control=False).add_to(fmap)

    all_points += _draw_bases(fmap, plan.routes, M, pt)

    # one layer per worker
    stops_by_route: dict[str, list] = {}
    for stop in plan_stops(plan, tickets):
        stops_by_route.setdefault(stop.staff_id, []).append(stop)
    legend_rows = []
    for i, route in enumerate(plan.routes):
        colour = worker_colour(i)
        stops = stops_by_route.get(route.staff_id, [])
        label = f"{route.staff_id} {route.staff_name} · {len(stops)} {M['stops']}"
        legend_rows.append((colour, label, route))
        group = folium.FeatureGroup(name=str(Markup('<span style="color:{}">●</span> {}').format(colour, label)))
        base = _drawable(*route.base)
        line = [pt(*base)] if base else []
        for stop in stops:
            s = stop.step
            at = _drawable(s.lat, s.lon)
            if at is None:
                continue
            p = pt(*at)
            line.append(p)
            all_points.append(p)
            _draw_stop(group, route, stop, p, colour, texts, lang, history)
            if stop.is_cluster:
                all_points += _draw_cluster_members(group, stop, p, colour, f"{route.staff_id}-{stop.seq}", M, pt)
        if base and len(line) > 1:
            line.append(line[0])
        if len(line) > 1:
            folium.PolyLine(line, color=colour, weight=4, opacity=0.75).add_to(group)
        group.add_to(fmap)

    unassigned = plan.unassigned
    no_coords = _draw_unassigned(fmap, unassigned, tickets, history, texts, lang, pt, all_points)
    folium.LayerControl(collapsed=False).add_to(fmap)
    _MetricScale(lang).add_to(fmap)
    _fit_view(fmap, all_points)
    root.html.add_child(Element(str(_legend(title, legend_rows, M, len(unassigned), no_coords, spec))),
                        name="cvp_legend")
    return root.render()


Project = Callable[[float, float], tuple[float, float]]  # WGS-84 to the tiles' coordinates


def _drawable(lat: Any, lon: Any) -> tuple[float, float] | None:
    """A point Leaflet can draw: two finite numbers (a NaN makes it throw and draw nothing); else None."""
    ok = all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in (lat, lon))
    return (lat, lon) if ok else None


def _draw_bases(fmap: Any, routes: Sequence[Any], M: Mapping[str, str], pt: Project) -> list[tuple[float, float]]:
    """The bases (usually one office for the district) as one layer, each naming its
    workers; returns their points."""
    bases: dict[tuple[float, float], list[Any]] = {}
    for route in routes:
        base = _drawable(*route.base)
        if base:
            bases.setdefault(base, []).append(route)
    points = []
    base_group = folium.FeatureGroup(name=str(escape(M["base"])))
    for (lat, lon), at_base in bases.items():
        p = pt(lat, lon)
        points.append(p)
        marker = folium.Marker(p, icon=_div_icon(Markup('<div class="cvp-base"></div>'), 16))
        workers = ", ".join(f"{r.staff_id} {r.staff_name}" for r in at_base)
        _Bind(_popup(M["base"], [("", workers), ("", f"{lat:.5f}, {lon:.5f}")]), maxWidth=320).add_to(marker)
        marker.add_to(base_group)
    base_group.add_to(fmap)
    return points


def _draw_stop(group: Any, route: Any, stop: Any, p: tuple[float, float], colour: str, texts: Any, lang: str,
               history: Mapping[str, Sequence[Ticket]]) -> None:
    """One numbered stop with its popup (who, why, when) and tooltip."""
    M, s = texts.map_labels, stop.step
    names = "、".join(t.customer_name for t in stop.tickets)
    rows = [
        (M["type"], texts.customer_type(s.customer_type)),
        (M["scenario"], texts.scenario(s.scenario)),
        (M["window"], _window_or_note(s, lang) or M["no_window"]),
        (M["planned"], f"{M['arrival']} {hhmm(s.arrival)} · {hhmm(s.start)}–{hhmm(s.end)}"),
        (M["reasons"], "；".join(why_visited(s, stop.tickets, history, texts))),
        (M["tier"], texts.vip_level(s.vip_level)),
        (M["phone"], "、".join(mask_phone(t.phone) for t in stop.tickets)),
        (M["address"], s.address),
        (M["tickets"], ", ".join(t.ticket_id for t in stop.tickets)),
    ]
    description = "\n".join(f"{t.customer_name}: {t.description}" if stop.is_cluster else t.description
                            for t in stop.tickets)
    head = f"{route.staff_id} · {M['stop'].format(n=stop.seq)} · {names}"
    marker = folium.Marker(p, icon=_div_icon(
        Markup('<div class="cvp-stop" style="background:{}">{}</div>').format(colour, stop.seq), 24))
    _Bind(_popup(head, rows, description), maxWidth=360).add_to(marker)
    _Bind(escape(f"{route.staff_id}-{stop.seq} {names} {hhmm(s.arrival)}"), "bindTooltip",
          direction="top").add_to(marker)
    marker.add_to(group)


def _draw_cluster_members(group: Any, stop: Any, p: tuple[float, float], colour: str, stop_label: str,
                          M: Mapping[str, str], pt: Project) -> list[tuple[float, float]]:
    """Each member of a cluster visit as a small dot tied to the stop; returns their points."""
    points = []
    for t in stop.tickets:
        at = _drawable(t.lat, t.lon)
        if at is None:
            continue
        q = pt(*at)
        points.append(q)
        folium.PolyLine([p, q], color=colour, weight=1, opacity=0.8, dash_array="3,4").add_to(group)
        member = folium.CircleMarker(q, radius=5, color="#fff", weight=1, fill=True, fill_color=colour,
                                     fill_opacity=0.9)
        _Bind(_popup(f"{M['cluster_member']} · {stop_label} · {t.customer_name}",
                     [(M["phone"], mask_phone(t.phone)), (M["address"], t.address),
                      (M["tickets"], t.ticket_id)], t.description), maxWidth=320).add_to(member)
        member.add_to(group)
    return points


def _draw_unassigned(fmap: Any, unassigned: Sequence[Unassigned], tickets: Mapping[str, Ticket],
                     history: Mapping[str, Sequence[Ticket]], texts: Any, lang: str, pt: Project,
                     all_points: list[tuple[float, float]]) -> list[str]:
    """Visits left over, in grey with their reason, as one layer; their points are added to
    ``all_points``.  Returns those without coordinates (the legend lists them)."""
    M = texts.map_labels
    no_coords: list[str] = []
    if not unassigned:
        return no_coords
    group = folium.FeatureGroup(name=str(escape(f"{M['unassigned']} ({len(unassigned)})")))
    for u in unassigned:
        ts = tickets_of(u.ticket_ids, tickets)
        names = "、".join(t.customer_name for t in ts)
        at = _drawable(u.lat, u.lon)
        if at is None:
            no_coords.append(f"{u.visit_id} {names}")
            continue
        p = pt(*at)
        all_points.append(p)
        rows = [
            (M["reason_unassigned"], u.text(lang)),
            (M["carried_over"], u.carried_over_to),
            (M["type"], texts.customer_type(u.customer_type)),
            (M["scenario"], texts.scenario(u.scenario)),
            (M["window"], _window_or_note(u, lang) or M["no_window"]),
            (M["reasons"], "；".join(why_visited(u, ts, history, texts))),
            (M["phone"], "、".join(mask_phone(t.phone) for t in ts)),
            (M["address"], "；".join(t.address for t in ts)),
            (M["tickets"], ", ".join(t.ticket_id for t in ts)),
        ]
        marker = folium.Marker(p, icon=_div_icon(Markup('<div class="cvp-unassigned">?</div>'), 20))
        _Bind(_popup(f"{M['unassigned']} · {names}", rows, "\n".join(t.description for t in ts)),
              maxWidth=360).add_to(marker)
        _Bind(escape(f"{M['unassigned']}: {names}"), "bindTooltip", direction="top").add_to(marker)
        marker.add_to(group)
    group.add_to(fmap)
    return no_coords


def _fit_view(fmap: Any, all_points: list[tuple[float, float]]) -> None:
    """Show every drawn point; one place only is shown at street level."""
    if all_points:
        lats, lons = [p[0] for p in all_points], [p[1] for p in all_points]
        if max(lats) - min(lats) < MIN_SPAN_DEG and max(lons) - min(lons) < MIN_SPAN_DEG:
            # one place only: Leaflet cannot fit zero-size bounds (its zoom becomes infinite and
            # every point NaN), so centre on it at street level instead
            fmap.location = [lats[0], lons[0]]
            fmap.options["zoom"] = SINGLE_PLACE_ZOOM
        else:
            fmap.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(30, 30))


def _window_or_note(visit: Step | Unassigned, lang: str) -> str:
    """The appointment window, or the note that the old one has passed and a new one is needed."""
    note = visit.needs_new_appointment
    if note:
        return note.text(lang)
    return window_text(visit.time_window)


def _legend(title: str, rows, M: Mapping[str, str], unassigned: int, no_coords: Sequence[str],
            spec: Tiles | None) -> Markup:
    items = Markup("").join(Markup('<li><span class="sw" style="background:{}"></span>{}</li>').format(c, label)
                            for c, label, _ in rows)
    extra = Markup('<li><span class="sq"></span>{}</li>').format(M["base"])
    extra += Markup('<li><span class="sw" style="background:#555"></span>{}</li>').format(M["visit"])
    extra += Markup('<li><span class="dot"></span>{}</li>').format(M["cluster_member"])
    if unassigned:
        extra += Markup('<li><span class="sw" style="background:{}"></span>{} ({})</li>').format(
            UNASSIGNED_COLOUR, M["unassigned"], unassigned)
    note = Markup("")
    if no_coords:
        note = Markup('<div class="note">{}: {}</div>').format(M["unassigned_no_coords"], "；".join(no_coords))
    if spec and spec.crs == "gcj02":
        note += Markup('<div class="note">{}: GCJ-02</div>').format(M["tiles_note"])
    return Markup('<div class="cvp-legend" id="cvp-legend"><h3>{}</h3><ul>{}</ul><ul>{}</ul>{}</div>').format(
        title, items, extra, note)
