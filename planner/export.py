"""A plan's stops as rows for the operator's own systems (CSV / XLSX).

``export_rows`` gives one row per stop (and one per visit left unassigned, with
its reason), in the plan's order, with Chinese headers by default: what a
dispatcher pastes into the operator's own systems.  Phone numbers are masked
(``138****1234``, :func:`planner.masking.mask_phone`) unless asked otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from planner.errors import UserError
from planner.masking import mask_phone
from planner.plan.document import PlanDocument
from planner.records import Ticket
from planner.sheets.stops import hhmm, plan_stops, tickets_of, why_visited, window_text
from planner.sheets.texts import load_texts
from planner.tables import write_csv, write_xlsx
from planner.triage.rules import Rules

FORMATS = ("csv", "xlsx")

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


