"""A district's recorded outcomes as a table (``cvp outcomes export``): one row per visit,
one column per part of the field worker's record, the measurements one group of columns
per operator × technology of the rules file, so a spreadsheet counts them as the pilot
counted its paper sheets (results, satisfaction, gifts given, promises made)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from planner.field_record import line_name
from planner.store.outcomes import Outcome
from planner.triage.rules import Rules

#: the columns before and after the measurements, by language
_HEAD = {
    "zh": ["日期", "拜访编号", "拜访人员", "工单", "拜访结果", "客户满意度", "实际到达时间"],
    "en": ["date", "visit_id", "staff_id", "tickets", "result", "satisfaction", "arrived_at"],
}
_TAIL = {
    "zh": ["客户反映问题", "客户要求", "处理措施", "赠送礼品", "礼品", "承诺日期", "备注", "登记人", "登记时间"],
    "en": ["problem", "requests", "measure", "gift_given", "gift_item", "promised_date", "notes", "recorded_by",
           "recorded_at"],
}
_LINE = {"zh": ("信号(dBm)", "通话", "上网", "速率(kbps)"), "en": ("signal_dbm", "call", "data", "data_kbps")}


def headers(rules: Rules, lang: str = "zh") -> list[str]:
    lines = [f"{line_name(op, tech)} {part}" for op, tech in rules.field_record.lines() for part in _LINE[lang]]
    return [*_HEAD[lang], *lines, *_TAIL[lang]]


def _local(value: datetime | None, rules: Rules, fmt: str) -> str:
    return value.astimezone(rules.tz).strftime(fmt) if value else ""


def row(o: Outcome, rules: Rules) -> list[Any]:
    """One visit's row (codes as stored: ``follow_up``, ``ok``; an old outcome without a
    result has an empty result)."""
    r = o.record
    measured: list[Any] = []
    for op, tech in rules.field_record.lines():
        t = r.test(op.code, tech) if r else None
        measured += ([t.signal_dbm, t.call.value, t.data.value, t.data_kbps] if t else ["", "", "", ""])
    head = [o.day.isoformat(), o.visit_id, o.staff_id, ",".join(o.ticket_ids), r.result.value if r else "",
            o.satisfaction or "", _local(o.arrived_at, rules, "%H:%M")]
    tail = ([r.problem, r.requests, r.measure, "yes" if r.gift_given else "no", r.gift_item,
             r.promised.isoformat() if r.promised else ""] if r else ["", "", "", "", "", ""])
    return [*head, *measured, *tail, o.notes, o.recorded_by, _local(o.recorded_at, rules, "%Y-%m-%d %H:%M")]


def rows(outcomes: Iterable[Outcome], rules: Rules) -> list[list[Any]]:
    return [row(o, rules) for o in sorted(outcomes, key=lambda o: (o.day, o.staff_id, o.visit_id))]
