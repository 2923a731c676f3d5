"""Column names: the canonical field for every header an export may carry.

Operators' systems export Chinese headers (工单号, 受理时间 …) and integrators
write English ones; both map to one canonical field name here.  The kind of
file (tickets, staff roster, network plan, gazetteer) is recognised from the
headers, so a dispatcher does not have to say what they are importing.
"""

from __future__ import annotations

import re

TICKET_COLUMNS: dict[str, tuple[str, ...]] = {
    "ticket_id": ("工单号", "工单编号", "ticket", "ticket_no"),
    "received_at": ("受理时间", "投诉时间", "received", "received_time"),
    "phone": ("客户号码", "手机号码", "联系电话", "电话", "phone_number", "msisdn"),
    "customer_name": ("客户姓名", "姓名", "name", "customer"),
    "vip_level": ("vip等级", "客户等级", "vip", "vip_tier", "tier"),
    "district": ("区域", "所属区域", "分区", "area"),
    "address": ("地址", "客户地址", "addr"),
    "lat": ("纬度", "latitude"),
    "lon": ("经度", "longitude", "lng"),
    "coord_system": ("坐标系", "coordinate_system", "crs"),
    "category": ("投诉类别", "投诉类型", "type_of_complaint"),
    "description": ("投诉内容", "问题描述", "content", "text"),
    "window_start": ("预约开始", "预约开始时间", "appointment_start", "time_window_start"),
    "window_end": ("预约结束", "预约结束时间", "appointment_end", "time_window_end"),
    "tenure_years": ("网龄", "tenure"),
    "arpu": ("arpu", "月均消费"),
    "escalation": ("升级风险", "升级倾向", "escalation_risk"),
    "core_customer": ("核心客户", "重要客户", "core"),
    "comm_style": ("沟通风格", "性格类型", "communication_style", "style"),
    "status": ("状态", "处理状态"),
}
TICKET_REQUIRED = ("ticket_id", "received_at", "phone", "district", "address")

STAFF_COLUMNS: dict[str, tuple[str, ...]] = {
    "staff_id": ("员工编号", "工号", "人员编号", "staff"),
    "name": ("姓名", "员工姓名", "staff_name"),
    "district": ("区域", "所属区域", "area"),
    "phone": ("电话", "手机号码", "联系电话"),
    "base_lat": ("基地纬度", "出发纬度", "base_latitude"),
    "base_lon": ("基地经度", "出发经度", "base_longitude", "base_lng"),
    # the base's name as the workers know it (the district office), printed on the route sheet
    "base_name": ("基地名称", "出发地点", "出发地", "base_name"),
    "coord_system": ("坐标系", "coordinate_system", "crs"),
    "shift_start": ("上班时间", "班次开始"),
    "shift_end": ("下班时间", "班次结束"),
    "break_start": ("午休开始", "午休最早"),
    "break_end": ("午休结束", "午休最晚"),
    "skills": ("技能",),
    "transport": ("交通方式", "出行方式"),
    "max_visits": ("每日最多拜访", "最多拜访", "max_jobs"),
}
STAFF_REQUIRED = ("staff_id", "name", "district", "base_lat", "base_lon")

SITE_COLUMNS: dict[str, tuple[str, ...]] = {
    "site_id": ("站点编号", "基站编号", "站号", "site"),
    "lat": ("纬度", "latitude"),
    "lon": ("经度", "longitude", "lng"),
    "coord_system": ("坐标系", "coordinate_system", "crs"),
    "status": ("状态", "建设状态"),
    "expected_date": ("预计开通日期", "预计开通", "expected"),
    "district": ("区域", "所属区域", "area"),
    "name": ("站点名称", "基站名称", "站名", "site_name"),
}
SITE_REQUIRED = ("site_id", "lat", "lon", "status")

GAZETTEER_COLUMNS: dict[str, tuple[str, ...]] = {
    "address": ("地址", "addr"),
    "lat": ("纬度", "latitude"),
    "lon": ("经度", "longitude", "lng"),
    "coord_system": ("坐标系", "coordinate_system", "crs"),
}
GAZETTEER_REQUIRED = ("address", "lat", "lon")

KINDS: dict[str, tuple[dict[str, tuple[str, ...]], tuple[str, ...]]] = {
    "tickets": (TICKET_COLUMNS, TICKET_REQUIRED),
    "staff": (STAFF_COLUMNS, STAFF_REQUIRED),
    "sites": (SITE_COLUMNS, SITE_REQUIRED),
    "gazetteer": (GAZETTEER_COLUMNS, GAZETTEER_REQUIRED),
}


def normalise(header: str) -> str:
    """Fold case, spaces, dashes and underscores so 'Ticket ID' == 'ticket_id'."""
    return re.sub(r"[\s_\-()（）]+", "", header.strip().lower())


def header_map(headers: list[str], columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Map each header the file has to the canonical field it means."""
    lookup: dict[str, str] = {}
    for field, aliases in columns.items():
        for name in (field, *aliases):
            lookup[normalise(name)] = field
    mapped: dict[str, str] = {}
    for h in headers:
        canonical = lookup.get(normalise(h))
        if canonical and canonical not in mapped.values():
            mapped[h] = canonical
    return mapped


#: the column that says what a file is: a file with a ticket id holds tickets, even
#: when it lacks another required column (validation then names that column)
ID_FIELDS = {"tickets": "ticket_id", "staff": "staff_id", "sites": "site_id"}


def detect_kind(headers: list[str]) -> str | None:
    """The kind of file the headers describe.

    A file with a kind's id column (工单号, 员工编号, 站点编号) is of that kind, even
    when a required column is missing: a ticket file without its phone column is a
    ticket file with a missing column (reported by name), not the address gazetteer
    its address and coordinates would otherwise match.  Otherwise, the kind whose
    required columns are all there, preferring the one that explains the most
    columns (a ticket file also has a gazetteer's)."""
    matched = {kind: set(header_map(headers, columns).values()) for kind, (columns, _) in KINDS.items()}
    complete = {kind: all(r in matched[kind] for r in required) for kind, (_, required) in KINDS.items()}
    with_id = [kind for kind, field in ID_FIELDS.items() if field in matched[kind]]
    if with_id:
        return max(with_id, key=lambda k: (complete[k], len(matched[k])))
    best, best_score = None, (0, 0)
    for kind, (_, required) in KINDS.items():
        if complete[kind]:
            score = (len(matched[kind]), len(required))
            if score > best_score:
                best, best_score = kind, score
    return best
