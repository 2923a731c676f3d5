"""The route diagram on a sheet: inline SVG drawn from the coordinates alone.

No map tiles, so it prints offline: an equirectangular projection around the
route (metres east/north of its centre, exact enough over a district), the base
as a square, numbered circles in visit order, a line through them from the
base and back, a scale bar and a north mark.  Stops at the same place are
fanned out with a leader line so every number stays readable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

from markupsafe import escape

EARTH_M = 6_371_008.8
NICE_LENGTHS_M = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000, 100_000)
MIN_EXTENT_M = 600.0
FONT = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Zen Hei, sans-serif"


def _project(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    lat0 = math.radians(sum(p[0] for p in points) / len(points))
    lon0 = sum(p[1] for p in points) / len(points)
    lat_c = sum(p[0] for p in points) / len(points)
    k = math.pi / 180 * EARTH_M
    return [((lon - lon0) * k * math.cos(lat0), (lat - lat_c) * k) for lat, lon in points]


def nice_scale(metres_per_px: float, max_px: float) -> int:
    """The longest round length that fits in ``max_px`` pixels."""
    fitting = [n for n in NICE_LENGTHS_M if n / metres_per_px <= max_px]
    return fitting[-1] if fitting else NICE_LENGTHS_M[0]


def route_svg(stops: Sequence[tuple[float, float] | None], base: tuple[float, float] | None, *,
              width: int = 720, height: int = 340, colour: str = "#c0392b",
              scale_label: str = "{n} m", km_label: str = "{n} km", title: str = "") -> str:
    """SVG of one route.  ``stops`` in visit order (None for a stop without
    coordinates: it is left out); ``base`` is where the route starts and ends."""
    placed = [(i, p) for i, p in enumerate(stops, start=1) if p and p[0] is not None and p[1] is not None]
    pts = [p for _, p in placed] + ([base] if base and base[0] is not None else [])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'class="route-diagram" role="img" aria-label="{escape(title)}" font-family="{FONT}">',
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff" stroke="#999" stroke-width="1"/>']
    if not pts:
        out.append("</svg>")
        return "".join(out)
    xy = _project(pts)
    xs, ys = [p[0] for p in xy], [p[1] for p in xy]
    margin = 34
    span_x = max(max(xs) - min(xs), MIN_EXTENT_M)
    span_y = max(max(ys) - min(ys), MIN_EXTENT_M * height / width)
    m_per_px = max(span_x / (width - 2 * margin), span_y / (height - 2 * margin - 24))
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def to_px(p: tuple[float, float]) -> tuple[float, float]:
        return (width / 2 + (p[0] - cx) / m_per_px, (height - 24) / 2 - (p[1] - cy) / m_per_px)

    px = [to_px(p) for p in xy]
    stop_px = px[: len(placed)]
    base_px = px[len(placed)] if len(px) > len(placed) else None

    # the line in visit order, from the base and back
    line = ([base_px] if base_px else []) + stop_px + ([base_px] if base_px else [])
    if len(line) >= 2:
        d = " ".join(f"{x:.1f},{y:.1f}" for x, y in line)
        out.append(f'<polyline points="{d}" fill="none" stroke="{colour}" stroke-width="2" '
                   f'stroke-linejoin="round" stroke-opacity="0.75"/>')
        for (x1, y1), (x2, y2) in pairwise(line):
            out.append(_arrow(x1, y1, x2, y2, colour))

    if base_px:
        bx, by = base_px
        out.append(f'<rect x="{bx - 8:.1f}" y="{by - 8:.1f}" width="16" height="16" fill="#222" class="base"/>')

    # numbered circles; fan out the ones drawn on top of each other
    r = 10
    drawn: list[tuple[float, float]] = []
    for (n, _), (x, y) in zip(placed, stop_px, strict=True):
        lx, ly = x, y
        k = 0
        while any(math.hypot(lx - a, ly - b) < 2 * r for a, b in drawn + ([base_px] if base_px else [])):
            k += 1
            angle = -math.pi / 4 + k * math.pi / 3
            lx, ly = x + 2.4 * r * math.cos(angle) * (1 + k // 6), y - 2.4 * r * math.sin(angle) * (1 + k // 6)
            if k > 24:
                break
        if (lx, ly) != (x, y):
            out.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{lx:.1f}" y2="{ly:.1f}" stroke="#555" '
                       f'stroke-width="1"/><circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#555"/>')
        drawn.append((lx, ly))
        out.append(f'<g class="stop"><circle cx="{lx:.1f}" cy="{ly:.1f}" r="{r}" fill="{colour}" stroke="#fff" '
                   f'stroke-width="1.5"/><text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="middle" '
                   f'font-size="12" font-weight="bold" fill="#fff">{n}</text></g>')

    # scale bar (bottom left) and north mark (top right)
    length = nice_scale(m_per_px, width / 4)
    bar = length / m_per_px
    x0, y0 = 14, height - 14
    label = km_label.format(n=f"{length / 1000:g}") if length >= 1000 else scale_label.format(n=length)
    out.append(f'<g class="scale-bar"><line x1="{x0}" y1="{y0}" x2="{x0 + bar:.1f}" y2="{y0}" stroke="#000" '
               f'stroke-width="2"/><line x1="{x0}" y1="{y0 - 5}" x2="{x0}" y2="{y0 + 1}" stroke="#000" '
               f'stroke-width="2"/><line x1="{x0 + bar:.1f}" y1="{y0 - 5}" x2="{x0 + bar:.1f}" y2="{y0 + 1}" '
               f'stroke="#000" stroke-width="2"/><text x="{x0 + bar + 6:.1f}" y="{y0 + 4}" font-size="11" '
               f'fill="#000">{escape(label)}</text></g>')
    nx, ny = width - 22, 14
    out.append(f'<g class="north"><path d="M{nx},{ny} l-6,16 l6,-5 l6,5 z" fill="#000"/>'
               f'<text x="{nx}" y="{ny + 28}" text-anchor="middle" font-size="11">N</text></g>')
    out.append("</svg>")
    return "".join(out)


def _arrow(x1: float, y1: float, x2: float, y2: float, colour: str) -> str:
    """A small arrowhead half-way along a leg, showing the direction of travel."""
    length = math.hypot(x2 - x1, y2 - y1)
    if length < 40:
        return ""
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    tip = (mx + 5 * ux, my + 5 * uy)
    left = (mx - 5 * ux - 4 * uy, my - 5 * uy + 4 * ux)
    right = (mx - 5 * ux + 4 * uy, my - 5 * uy - 4 * ux)
    return (f'<path d="M{tip[0]:.1f},{tip[1]:.1f} L{left[0]:.1f},{left[1]:.1f} L{right[0]:.1f},{right[1]:.1f} z" '
            f'fill="{colour}"/>')
