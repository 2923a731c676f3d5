"""Parsing one cell: each function returns a value or raises ``ValueError``
whose message is the reason a dispatcher reads (``line N, column X: reason``), a
:class:`~planner.errors.Reason` so the web app can show it in Chinese.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from planner import days
from planner.errors import Reason

VIP_ALIASES = {
    "钻卡": "diamond", "钻石卡": "diamond", "钻石": "diamond", "diamond": "diamond",
    "金卡": "gold", "gold": "gold",
    "银卡": "silver", "silver": "silver",
    "贵宾": "premium", "贵宾卡": "premium", "premium": "premium",
    "普通": "none", "非vip": "none", "无": "none", "none": "none", "": "none", "-": "none",
}
STYLE_ALIASES = {
    "和平": "peaceful", "和平型": "peaceful", "peaceful": "peaceful",
    "活泼": "lively", "活泼型": "lively", "lively": "lively",
    "完美": "perfectionist", "完美型": "perfectionist", "perfectionist": "perfectionist",
    "力量": "forceful", "力量型": "forceful", "forceful": "forceful",
}
COORD_ALIASES = {
    "": "wgs84", "wgs84": "wgs84", "wgs-84": "wgs84", "gps": "wgs84",
    "gcj02": "gcj02", "gcj-02": "gcj02", "火星坐标": "gcj02", "高德": "gcj02", "gaode": "gcj02", "amap": "gcj02",
    "bd09": "bd09", "bd-09": "bd09", "百度": "bd09", "baidu": "bd09",
}
TRANSPORT_ALIASES = {
    "步行": "walk", "walk": "walk",
    "公交": "bus", "公交车": "bus", "bus": "bus",
    "出租车": "taxi", "打车": "taxi", "taxi": "taxi",
    "汽车": "car", "自驾": "car", "开车": "car", "车": "car", "car": "car",
}
SITE_STATUS_ALIASES = {
    "规划": "planned", "planned": "planned", "待建": "planned",
    "在建": "under_construction", "建设中": "under_construction", "under_construction": "under_construction",
    "在网": "live", "已开通": "live", "live": "live", "开通": "live",
}
TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "t", "高"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "f", "", "-", "低"}
HISTORY_STATUS_ALIASES = {
    "已处理": "closed", "已回访": "closed", "已关闭": "closed", "closed": "closed", "handled": "closed",
    "已拜访": "visited", "visited": "visited",
    "电话回访": "phoned", "phoned": "phoned",
    "待处理": "open", "处理中": "open", "open": "open", "": "open",
}

_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def choice(value: str, aliases: dict[str, str], what: str) -> str:
    key = value.strip().lower()
    if key in aliases:
        return aliases[key]
    known = sorted({k for k in aliases if k and not k.isascii()} | {v for v in aliases.values()})
    raise ValueError(Reason("unknown {what} {value!r} (expected one of: {known})", what=Reason(what), value=value,
                            known=", ".join(known)))


def phone(value: str) -> str:
    """Mainland mobile (11 digits, 1[3-9]…) or a landline with area code."""
    v = re.sub(r"[\s()（）]", "", value)
    if v.startswith("+86"):
        v = v[3:]
    elif v.startswith("0086"):
        v = v[4:]
    if _PHONE_RE.match(v) or _LANDLINE_RE.match(v):
        return v.replace("-", "") if _PHONE_RE.match(v) else v
    raise ValueError(Reason("bad phone number {value!r} (expected 11 digits starting 13–19, or a landline like "
                            "029-88886666)", value=value))


_DT_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
               "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y%m%d %H:%M", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H:%M",
               "%Y年%m月%d日 %H时%M分")


def moment(value: str, tz: ZoneInfo) -> datetime:
    """A local or ISO 8601 date-time; naive values are in the dispatcher's time zone."""
    v = value.strip()
    if not v:
        raise ValueError(Reason("missing time"))
    dt = None
    try:
        dt = datetime.fromisoformat(v)
    except ValueError:
        for fmt in _DT_FORMATS:
            try:
                dt = datetime.strptime(v, fmt)
                break
            except ValueError:
                continue
    if dt is None:
        raise ValueError(Reason("unparseable time {value!r} (expected e.g. 2010-08-05 09:30)", value=value))
    if not days.in_range(dt):
        raise ValueError(Reason("time {value!r} is outside {first}–{last}", value=value, first=days.FIRST_YEAR,
                                last=days.LAST_YEAR))
    return dt.replace(tzinfo=tz) if dt.tzinfo is None else dt.astimezone(tz)


def clock(value: str) -> time:
    """A wall-clock time such as 09:00 or 9:30 (for shifts and breaks)."""
    m = re.match(r"^(\d{1,2})[:：](\d{2})(?::\d{2})?$", value.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueError(Reason("unparseable time of day {value!r} (expected HH:MM, e.g. 09:00)", value=value))
    return time(int(m.group(1)), int(m.group(2)))


def day(value: str) -> date:
    v = value.strip().replace("/", "-").replace("年", "-").replace("月", "-").replace("日", "")
    try:
        return date.fromisoformat(v[:10])
    except ValueError:
        raise ValueError(Reason("unparseable date {value!r} (expected e.g. 2010-09-30)", value=value)) from None


_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def number(value: str, what: str, minimum: float | None = None, maximum: float | None = None, *,
           thousands: bool = True) -> float:
    """A decimal number.  A comma is read only as a thousands separator in its proper
    place (``1,234.5``); anywhere else (``34.2,1``, a decimal comma ``34,22``) the
    value is refused instead of being read as another number (``34.21``).  Python's
    other liberties (``1_000``, ``infinity``) are refused too."""
    noun = Reason(what)
    text = value.strip()
    if "," in text or "，" in text:
        if not thousands or not _THOUSANDS_RE.match(text):
            raise ValueError(Reason("{what} {value!r} is not a number (a comma is not a decimal point)", what=noun,
                                    value=value))
        text = text.replace(",", "")
    try:
        if "_" in text:
            raise ValueError
        x = float(text)
    except ValueError:
        raise ValueError(Reason("{what} {value!r} is not a number", what=noun, value=value)) from None
    if math.isnan(x) or math.isinf(x):
        raise ValueError(Reason("{what} {value!r} is not a finite number", what=noun, value=value))
    if minimum is not None and x < minimum:
        raise ValueError(Reason("{what} {value!r} is below {minimum:g}", what=noun, value=value, minimum=minimum))
    if maximum is not None and x > maximum:
        raise ValueError(Reason("{what} {value!r} is above {maximum:g}", what=noun, value=value, maximum=maximum))
    return x


def flag(value: str) -> bool:
    v = value.strip().lower()
    if v in TRUE_WORDS:
        return True
    if v in FALSE_WORDS:
        return False
    raise ValueError(Reason("expected yes/no (是/否), got {value!r}", value=value))


def latitude(value: str) -> float:
    return number(value, "latitude", -90, 90, thousands=False)


def longitude(value: str) -> float:
    return number(value, "longitude", -180, 180, thousands=False)

