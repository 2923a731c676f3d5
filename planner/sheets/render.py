"""Rendering route sheets: one HTML template, printed to PDF by WeasyPrint or
opened in a browser (the CSS is print CSS either way).

WeasyPrint's font configuration and the parsed stylesheet are made once per
process and shared by every sheet: parsing the CSS and scanning the fonts are
the expensive parts that do not depend on the sheet.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import overload

from jinja2 import Environment, FileSystemLoader, select_autoescape

from planner.errors import UserError
from planner.orphans import arm_worker
from planner.outputs_io import OutputError, atomic_path, atomic_write_text, reason
from planner.plan.document import PlanDocument
from planner.records import StaffMember, Ticket
from planner.sheets.fonts import require_cjk_font
from planner.sheets.model import SheetView, sheet_file_name, sheet_views
from planner.sheets.qr import url_base as resolve_url_base
from planner.sheets.texts import load_texts
from planner.triage.rules import Rules

TEMPLATES = Path(__file__).with_name("templates")
FORMATS = ("pdf", "html")


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                       trim_blocks=False, lstrip_blocks=False)


@lru_cache(maxsize=1)
def sheet_css_text() -> str:
    return (TEMPLATES / "sheet.css").read_text(encoding="utf-8")


def sheet_html(sheet: SheetView, *, inline_css: bool = True) -> str:
    """The sheet as HTML; with ``inline_css`` a self-contained page that prints from a browser."""
    from markupsafe import Markup

    css = Markup(sheet_css_text()) if inline_css else None
    return _env().get_template("sheet.html").render(s=sheet, css=css)


#: WeasyPrint's fonts (pango, fontconfig, harfbuzz) are shared by the process and are not
#: safe to use from two threads at once: the web server's concurrent sheet downloads and
#: its prerendering thread corrupted its heap.  Every render in a process takes turns.
_RENDER_LOCK = threading.RLock()


@lru_cache(maxsize=1)
def _weasy():
    """(FontConfiguration, CSS) shared by every sheet of the process; refused without a
    Chinese font (:mod:`planner.sheets.fonts`)."""
    require_cjk_font()
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    # WeasyPrint logs every CSS property it ignores (e.g. print-color-adjust): not the user's problem
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    fonts = FontConfiguration()
    css = weasyprint.CSS(string=sheet_css_text(), font_config=fonts)
    return fonts, css


def pdf_resources():
    """The process's shared (FontConfiguration, stylesheet): for callers that drive WeasyPrint themselves."""
    return _weasy()


@overload
def sheets_pdf(sheets: Sequence[SheetView], target: None = None) -> bytes: ...
@overload
def sheets_pdf(sheets: Sequence[SheetView], target: str | Path) -> None: ...
def sheets_pdf(sheets: Sequence[SheetView], target: str | Path | None = None) -> bytes | None:
    """Several sheets as one PDF, in order (e.g. a whole day's sheets for the dispatcher's printer)."""
    import weasyprint

    if not sheets:
        raise UserError("no sheets to print: the plan has no routes")
    with _RENDER_LOCK:
        fonts, css = _weasy()
        documents = [weasyprint.HTML(string=sheet_html(s, inline_css=False), base_url=str(TEMPLATES))
                     .render(stylesheets=[css], font_config=fonts) for s in sheets]
        document = documents[0].copy([p for d in documents for p in d.pages])
        if target is None:
            return document.write_pdf()
        with atomic_path(target) as tmp:  # whole or not at all
            document.write_pdf(tmp)
    return None


def sheet_pdf(sheet: SheetView, target: str | Path | None = None) -> bytes | None:
    """Write the sheet as PDF to ``target``, whole or not at all (or return the bytes)."""
    import weasyprint

    with _RENDER_LOCK:
        fonts, css = _weasy()
        html = weasyprint.HTML(string=sheet_html(sheet, inline_css=False), base_url=str(TEMPLATES))
        if target is None:
            return html.write_pdf(stylesheets=[css], font_config=fonts)
        with atomic_path(target) as tmp:
            html.write_pdf(tmp, stylesheets=[css], font_config=fonts)
    return None


def _write_one(job: tuple[SheetView, str, str]) -> tuple[str, str | None]:
    """Write one sheet whole or not at all (:mod:`planner.outputs_io`): (its path, None),
    or (its path, why) when the file system refused it (a full disk)."""
    sheet, target, fmt = job
    try:
        if fmt == "pdf":
            sheet_pdf(sheet, target)
        else:
            atomic_write_text(target, sheet_html(sheet, inline_css=True))
    except OSError as exc:
        return target, reason(exc)
    return target, None


AUTO_JOBS_MAX = 2  # each worker holds its own WeasyPrint and font data (~140 MB): two keep a batch under 500 MB


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def auto_jobs(n_sheets: int, fmt: str) -> int:
    """Worker processes for a batch: one per CPU (at most ``AUTO_JOBS_MAX``) for 4 or more
    PDFs, when the process can fork safely (Linux, no other Python threads); otherwise 1."""
    if fmt != "pdf" or n_sheets < 4 or threading.active_count() > 1 or not _can_fork():
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(AUTO_JOBS_MAX, cpus, n_sheets))


def render_sheets(doc: PlanDocument | Mapping, tickets: Mapping[str, Ticket], history: Mapping[str, Sequence[Ticket]] | None,
                  rules: Rules, out_dir: str | Path, fmt: str = "pdf", lang: str = "zh", url_base: str | None = None,
                  staff: Mapping[str, StaffMember] | None = None, only: Sequence[str] | None = None,
                  jobs: int | None = None) -> list[Path]:
    """One sheet per worker of the plan, ``DATE_STAFF.pdf`` (or ``.html``; ``DATE_STAFF.en.pdf``
    in English) in ``out_dir``.

    ``history`` is each phone's complaints (:func:`planner.workflow.plan_tickets`);
    ``staff`` the roster by staff id (the worker's phone in the header);
    ``url_base`` the web app for the stops' QR codes (else ``$CVP_URL_BASE``);
    ``only`` limits the sheets to these staff ids;
    ``jobs`` worker processes for PDFs (None: :func:`auto_jobs`; 1: in this process).
    """
    if fmt not in FORMATS:
        raise UserError(f"sheet format {fmt!r}: choose one of {', '.join(FORMATS)}")
    doc = PlanDocument.of(doc)
    if fmt == "pdf":
        require_cjk_font()  # before any file or folder is written
    texts = load_texts(rules, lang)
    if only:
        workers = doc.staff_ids
        unknown = sorted(set(only) - set(workers))
        if unknown:
            raise UserError(f"no route for {', '.join(unknown)} in this plan "
                            f"(its workers: {', '.join(workers) or 'none'})")
    sheets = sheet_views(doc, tickets, history or {}, texts, url_base=resolve_url_base(url_base), staff=staff,
                         only=only or None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    batch = [(sheet, str(out / sheet_file_name(sheet.date, sheet.staff_id, lang, fmt)), fmt) for sheet in sheets]
    n = auto_jobs(len(batch), fmt) if jobs is None else max(1, int(jobs))
    if n > 1 and len(batch) > 1 and _can_fork():
        _weasy()  # fonts and stylesheet loaded once, before forking: the workers inherit them
        with multiprocessing.get_context("fork").Pool(min(n, len(batch)), initializer=arm_worker) as pool:
            done = pool.map(_write_one, batch, chunksize=1)
    else:
        done = []
        for job in batch:
            done.append(_write_one(job))
            if done[-1][1] is not None:  # the disk is full: the next sheets would fail too
                done += [(target, done[-1][1]) for _, target, _ in batch[len(done):]]
                break
    failed = [(Path(p), why) for p, why in done if why is not None]
    if failed:
        raise OutputError([Path(p) for p, why in done if why is None], [p for p, _ in failed], failed[0][1])
    return [Path(p) for p, _ in done]
