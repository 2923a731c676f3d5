"""What leaves the office: a plan's stops as rows (CSV / XLSX), phone masking, and
the one call that writes a day's sheets, map and export.

``export_rows`` gives one row per stop (and one per visit left unassigned, with
its reason), in the plan's order, with Chinese headers by default: what a
dispatcher pastes into the operator's own systems.  Phone numbers are masked
(``138****1234``) unless asked otherwise; :func:`mask_phone` is the one masking
rule, used by the map too.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from planner.errors import UserError
from planner.outputs_io import atomic_path, atomic_write_text, write_all
from planner.plan.document import PlanDocument
from planner.records import StaffMember, Ticket
from planner.sheets.stops import hhmm, plan_stops, tickets_of, why_visited, window_text
from planner.sheets.texts import load_texts
from planner.triage.rules import Rules

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

FORMATS = ("csv", "xlsx")
CSV_ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")

COLUMNS: tuple[tuple[str, str, str], ...] = (
    # key, zh header, en header
    ("date", "日期", "date"),
    ("district", "区域", "district"),
    ("staff_id", "员工编号", "staff id"),
    ("worker", "拜访人员", "worker"),
    ("seq", "序号", "sequence"),
    ("arrival", "计划到达", "planned arrival"),
    ("start", "开始拜访", "visit start"),
    ("end", "预计结束", "visit end"),
    ("window", "预约时间", "appointment window"),
    ("visit_id", "拜访编号", "visit id"),
    ("ticket_ids", "工单号", "ticket ids"),
    ("customers", "客户姓名", "customers"),
    ("phones", "客户号码", "phones"),
    ("address", "地址", "address"),
    ("vip", "VIP等级", "VIP tier"),
    ("type", "客户类型", "customer type"),
    ("scenario", "场景", "scenario"),
    ("reasons", "拜访原因", "reasons"),
    ("gift", "小礼品", "gift"),
    ("closable", "预计现场闭环", "closable on site"),
    ("status", "状态", "status"),
)

_PHONE_SPACES = re.compile(r"[\s\-]")


def mask_phone(phone: str | None) -> str:
    """``13812341234`` → ``138****1234``: the last four digits (and the first three of a
    number of 9 or more) stay readable; everything else becomes ``*``."""
    p = _PHONE_SPACES.sub("", phone or "")
    if not p:
        return ""
    if len(p) <= 4:
        return "*" * len(p)
    head = 3 if len(p) >= 9 else 0
    return p[:head] + "*" * (len(p) - head - 4) + p[-4:]


def _join(values: Sequence[str]) -> str:
    seen: list[str] = []
    for v in values:
        if v and v not in seen:
            seen.append(v)
    return "; ".join(seen)


def export_rows(doc: PlanDocument | Mapping, tickets: Mapping[str, Ticket], rules: Rules, *, full_phone: bool = False,
                lang: str = "zh", history: Mapping[str, Sequence[Ticket]] | None = None,
                include_unassigned: bool = True) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows: one row per stop in route and visit order, then the visits left
    unassigned (worker empty, the reason in the status column)."""
    plan = PlanDocument.of(doc)
    texts = load_texts(rules, lang)
    history = history or {}
    show = (lambda p: p) if full_phone else mask_phone
    yes, no = texts["answer_yes"], texts["answer_no"]
    headers = [zh if lang == "zh" else en for _, zh, en in COLUMNS]
    rows: list[list[Any]] = []

    def customer_fields(ts: Sequence[Ticket]) -> dict[str, Any]:
        return {"ticket_ids": _join([t.ticket_id for t in ts]), "customers": _join([t.customer_name for t in ts]),
                "phones": _join([show(t.phone) for t in ts]), "address": _join([t.address for t in ts])}

    for stop in plan_stops(plan, tickets):
        s = stop.step
        row = {
            "date": plan.date, "district": plan.district, "staff_id": stop.staff_id,
            "worker": stop.route.staff_name, "seq": stop.seq,
            "arrival": hhmm(s.arrival), "start": hhmm(s.start), "end": hhmm(s.end),
            "window": window_text(s.time_window), "visit_id": s.visit_id or "",
            **customer_fields(stop.tickets),
            "vip": texts.vip_level(s.vip_level), "type": texts.customer_type(s.customer_type),
            "scenario": texts.scenario(s.scenario),
            "reasons": _join(why_visited(s, stop.tickets, history, texts)),
            "gift": yes if s.gift else no, "closable": yes if s.closable_on_site else no,
            "status": "已安排" if lang == "zh" else "planned",
        }
        rows.append([row[k] for k, _, _ in COLUMNS])
    if include_unassigned:
        for u in plan.unassigned:
            ts = tickets_of(u.ticket_ids, tickets)
            vip = max((t.vip_level for t in ts), key=_vip_rank, default="none")
            why = u.explanation if lang == "zh" else (u.detail or u.reason)
            row = {
                "date": plan.date, "district": plan.district, "staff_id": "", "worker": "", "seq": "",
                "arrival": "", "start": "", "end": "", "window": window_text(u.time_window),
                "visit_id": u.visit_id, **customer_fields(ts), "vip": texts.vip_level(vip),
                "type": texts.customer_type(u.customer_type), "scenario": texts.scenario(u.scenario),
                "reasons": _join(why_visited(u, ts, history, texts)), "gift": "", "closable": "",
                "status": (f"未安排：{why}" if lang == "zh" else f"unassigned: {why}"),
            }
            rows.append([row[k] for k, _, _ in COLUMNS])
    return headers, rows


def _vip_rank(level: str) -> int:
    order = ("none", "premium", "silver", "gold", "diamond")
    return order.index(level) if level in order else 0


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_text(value: Any) -> Any:
    """A cell a spreadsheet will never run as a formula (ticket text is customer input)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(path: str | Path, headers: Sequence[str], rows: Sequence[Sequence[Any]],
              encoding: str = "utf-8-sig") -> Path:
    """CSV that Excel on Chinese Windows opens correctly (UTF-8 with BOM by default, or GB18030)."""
    if encoding not in CSV_ENCODINGS:
        raise UserError(f"CSV encoding {encoding!r}: choose one of {', '.join(CSV_ENCODINGS)}")
    target = Path(path)
    with atomic_path(target) as tmp, open(tmp, "w", newline="", encoding=encoding, errors="replace") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        for row in rows:
            w.writerow([_safe_text(v) for v in row])
    return target


def write_xlsx(path: str | Path, headers: Sequence[str], rows: Sequence[Sequence[Any]],
               title: str = "拜访计划") -> Path:
    """One sheet, bold frozen header row, filter, column widths; every text cell stored as text."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    ws = cast(Worksheet, wb.active)  # a new workbook has its one worksheet active (the stubs say Optional)
    ws.title = title[:31]
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
    for c, header in enumerate(headers, start=1):
        longest = max([_width(header)] + [_width(str(row[c - 1])) for row in rows]) if rows else _width(header)
        ws.column_dimensions[get_column_letter(c)].width = min(60, max(6, longest + 2))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    target = Path(path)
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return target


def _width(text: str) -> int:
    """Display width: a CJK character is as wide as two Latin ones."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def export_plan(doc: PlanDocument | Mapping, tickets: Mapping[str, Ticket], rules: Rules, path: str | Path, fmt: str = "csv", *,
                full_phone: bool = False, lang: str = "zh", history: Mapping[str, Sequence[Ticket]] | None = None,
                encoding: str = "utf-8-sig") -> Path:
    if fmt not in FORMATS:
        raise UserError(f"export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    headers, rows = export_rows(doc, tickets, rules, full_phone=full_phone, lang=lang, history=history)
    if fmt == "xlsx":
        return write_xlsx(path, headers, rows, title="拜访计划" if lang == "zh" else "Visits")
    return write_csv(path, headers, rows, encoding=encoding)


def default_export_name(doc: PlanDocument | Mapping, fmt: str) -> str:
    plan = PlanDocument.of(doc)
    return f"visits-{plan.date}-{plan.district}.{fmt}"


# -- loading what the outputs show beside the plan, and writing them all ------------------

@dataclass
class PlanInputs:
    """The records behind a plan: its tickets, each phone's complaint history, the roster."""

    tickets: dict[str, Ticket]
    history: dict[str, list[Ticket]]
    staff: dict[str, StaffMember] = field(default_factory=dict)


def load_plan_inputs(session: Session, doc: PlanDocument | Mapping, rules: Rules) -> PlanInputs:
    """Tickets and history (:func:`planner.workflow.plan_tickets`) and the district's roster
    (for the worker's phone on the sheet) from the store."""
    from planner.store import repository as repo
    from planner.store.db import transaction
    from planner.workflow import plan_tickets

    plan = PlanDocument.of(doc)
    tickets, history = plan_tickets(session, plan, rules)
    with transaction(session):
        staff = {s.staff_id: s for s in repo.staff_for(session, plan.district)}
    return PlanInputs(tickets, history, staff)


def plan_map(doc: PlanDocument | Mapping, rules: Rules, *, inputs: PlanInputs, tiles: Any = None,
             lang: str = "zh") -> str:
    """The dispatcher's map of a stored plan, as a self-contained HTML page: the one way
    ``cvp plan``, ``cvp map`` and the web app's map page make it.

    The map is built over the plan's tickets *and* each phone's complaint history
    (:func:`load_plan_inputs`), because the visit reasons
    it shows ("第3次投诉", nth complaint) are counted from that history; a map built
    from the tickets alone says only "repeat complainant".  ``tiles`` is a
    :class:`planner.maps.Tiles`, a tile URL/``amap``, or None for no tiles."""
    from planner.maps import build_map

    return build_map(doc, inputs.tickets, rules, tiles=tiles, lang=lang, history=inputs.history)


def write_day_outputs(doc: PlanDocument | Mapping, rules: Rules, folder: str | Path, *, inputs: PlanInputs,
                      lang: str = "zh", url_base: str | None = None, tiles: str | None = None,
                      sheet_format: str = "pdf", export_format: str = "xlsx") -> dict[str, Any]:
    """Everything a plan sends out of the office, into ``folder``: ``sheets/DATE_STAFF.pdf``
    per worker, ``map.html`` and ``visits-DATE-DISTRICT.xlsx``.  What ``cvp plan`` and
    ``cvp demo`` call after writing plan.json.

    Each file is written whole or not at all (:mod:`planner.outputs_io`); when the
    file system refuses one (a full disk), :class:`planner.outputs_io.OutputError`
    says which files were written and which were not, and nothing later is tried.
    ``tiles`` None means the map's tiles from ``CVP_TILES``/``CVP_TILES_CRS``, as ``cvp map``
    takes them (``"none"`` for none)."""
    from planner.maps import tiles_from_env
    from planner.sheets import render_sheets

    doc = PlanDocument.of(doc)
    map_tiles = tiles_from_env() if tiles is None else tiles
    out = Path(folder)
    map_path = out / "map.html"
    export_path = out / default_export_name(doc, export_format)
    sheets: list[Path] = []

    def write_sheets() -> list[Path]:
        sheets.extend(render_sheets(doc, inputs.tickets, inputs.history, rules, out / "sheets", fmt=sheet_format,
                                    lang=lang, url_base=url_base, staff=inputs.staff))
        return sheets

    write_all([
        ([out / "sheets"], write_sheets),
        ([map_path], lambda: atomic_write_text(map_path, plan_map(doc, rules, inputs=inputs, tiles=map_tiles,
                                                                  lang=lang))),
        ([export_path], lambda: export_plan(doc, inputs.tickets, rules, export_path, export_format, lang=lang,
                                            history=inputs.history)),
    ])
    return {"sheets": sheets, "map": map_path, "export": export_path}
