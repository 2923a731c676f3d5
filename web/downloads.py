"""What a plan sends out of the office, as bytes for a download: route sheets (PDF per
worker or all in one), the export (XLSX/CSV) and the map (HTML).

The content comes from :mod:`planner.sheets`, :mod:`planner.export`, :mod:`planner.day_outputs` and
:mod:`planner.maps`; this module only loads the plan's inputs and caches PDFs.
A stored plan version never changes, so its sheets are rendered once and kept
in the cache folder (keyed by date, district, version, worker, language and
the QR codes' address).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from planner.day_outputs import load_plan_inputs
from planner.export import export_plan
from planner.plan.document import PlanDocument
from planner.sheets.render import sheets_pdf
from planner.triage.rules import Rules


def _key(plan: PlanDocument, staff_id: str | None, lang: str, url_base: str) -> str:
    raw = f"{plan.date}|{plan.district}|{plan.version}|{staff_id or '*'}|{lang}|{url_base}"
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]
    return f"{plan.date}_v{plan.version}_{digest}.pdf"


def sheet_views(session: Session, doc: PlanDocument | dict, lang: str, url_base: str, rules: Rules,
                only: Sequence[str] | None = None):
    from planner.sheets import load_texts
    from planner.sheets import sheet_views as build

    doc = PlanDocument.of(doc)
    inputs = load_plan_inputs(session, doc, rules)
    views = build(doc, inputs.tickets, inputs.history, load_texts(rules, lang), url_base=url_base, staff=inputs.staff)
    if only is not None:
        views = [v for v in views if v.staff_id in set(only)]
    return views


#: PDFs kept in the sheet cache (each some 400 KB).  A key holds the address the QR codes
#: point to, which is the request's own host when ``CVP_URL_BASE`` is not set: a signed-in
#: field worker sending a new Host header with each download stored a new PDF each time,
#: without end.  Past this many, the oldest are removed (they are rendered again if asked).
MAX_CACHED_SHEETS = 500


def _make_room(folder: Path, keep: int) -> None:
    """Remove the oldest cached PDFs so that at most ``keep`` remain."""
    found = []
    for path in folder.glob("*.pdf"):
        try:
            found.append((path.stat().st_mtime, path))
        except FileNotFoundError:
            pass  # removed by a concurrent request
    for _mtime, path in sorted(found)[:max(0, len(found) - keep)]:
        path.unlink(missing_ok=True)


def sheet_pdf_path(session: Session, doc: PlanDocument | dict, staff_id: str | None, lang: str, url_base: str,
                   rules: Rules, cache_dir: str | os.PathLike) -> Path:
    """The cached PDF of one worker's sheet (``staff_id``) or of all sheets (None), rendered if missing."""
    doc = PlanDocument.of(doc)
    folder = Path(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / _key(doc, staff_id, lang, url_base)
    if target.exists():
        try:
            os.utime(target)  # most recently used: the last to be removed to make room
            return target
        except FileNotFoundError:
            pass  # removed to make room just now: render it again
    if staff_id is not None and doc.route_of(staff_id) is None:
        raise LookupError(f"no route for {staff_id} in this plan")
    data = sheets_pdf(sheet_views(session, doc, lang, url_base, rules, None if staff_id is None else [staff_id]))
    _make_room(folder, MAX_CACHED_SHEETS - 1)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)  # atomic: a concurrent reader sees the whole file or none
    return target


def sheet_filename(doc: PlanDocument | dict, staff_id: str | None) -> str:
    from planner.sheets.model import sheet_stem

    day = PlanDocument.of(doc).date
    return f"{sheet_stem(day, staff_id)}.pdf" if staff_id else f"{day}_all.pdf"


def export_bytes(session: Session, doc: PlanDocument | dict, fmt: str, lang: str, rules: Rules) -> tuple[bytes, str]:
    """The plan's visits as XLSX or CSV (phone numbers masked), and the file name."""
    from planner.export import default_export_name

    doc = PlanDocument.of(doc)
    inputs = load_plan_inputs(session, doc, rules)
    with tempfile.TemporaryDirectory() as tmp:
        path = export_plan(doc, inputs.tickets, rules, Path(tmp) / f"export.{fmt}", fmt, lang=lang,
                           history=inputs.history)
        return Path(path).read_bytes(), default_export_name(doc, fmt)


def map_available() -> bool:
    try:
        from planner.maps import build_map  # noqa: F401
    except ImportError:
        return False
    return True


def map_tiles(configured: str | None):
    """The tile layer: the app's MAP_TILES, else ``CVP_TILES`` (none by default: offline)."""
    from planner.maps import tiles_from_env, tiles_spec

    return tiles_spec(configured) if configured else tiles_from_env()


def tile_origin(tiles) -> str:
    """The tile server as a CSP source (``https://*.example.com``), or "" without tiles."""
    from urllib.parse import urlsplit

    if tiles is None:
        return ""
    parts = urlsplit(tiles.url)
    labels = parts.netloc.split(".")
    if labels and "{" in labels[0]:
        labels[0] = "*"
    return f"{parts.scheme}://{'.'.join(labels)}"


def map_html(session: Session, doc: PlanDocument | dict, lang: str, rules: Rules, tiles=None) -> str:
    """The plan's folium map (local Leaflet, masked phones), from :func:`planner.day_outputs.plan_map`
    as ``cvp plan`` and ``cvp map`` make it."""
    from planner.day_outputs import plan_map

    return plan_map(doc, rules, inputs=load_plan_inputs(session, doc, rules), tiles=tiles, lang=lang)
