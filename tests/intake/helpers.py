"""Writing small ticket files in the shapes operators export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

ZH_HEADERS = ["工单号", "受理时间", "客户号码", "客户姓名", "VIP等级", "区域", "地址", "纬度", "经度", "坐标系",
              "投诉类别", "投诉内容", "预约开始", "预约结束", "网龄"]
EN_HEADERS = ["ticket_id", "received_at", "phone", "customer_name", "vip_level", "district", "address", "lat", "lon",
              "coord_system", "category", "description", "window_start", "window_end", "tenure_years"]


def row(**over) -> list[str]:
    base = {
        "ticket_id": "T1", "received_at": "2010-08-04 09:12", "phone": "13809182345", "customer_name": "王建国",
        "vip_level": "金卡", "district": "南区", "address": "雁塔区小寨东路126号", "lat": "34.2235", "lon": "108.9480",
        "coord_system": "wgs84", "category": "网络覆盖", "description": "家里信号很差", "window_start": "",
        "window_end": "", "tenure_years": "6",
    }
    base.update(over)
    return [base[h] for h in EN_HEADERS]


def write_csv(path: Path, rows: list[list[str]], headers=ZH_HEADERS, encoding="utf-8") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(headers)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[str]], headers=ZH_HEADERS) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def write_json(path: Path, rows: list[list[str]], headers=EN_HEADERS) -> Path:
    path.write_text(json.dumps({"tickets": [dict(zip(headers, r, strict=True)) for r in rows]}, ensure_ascii=False),
                    encoding="utf-8")
    return path
