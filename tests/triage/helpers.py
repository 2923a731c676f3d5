"""Tickets built in code, around the South district office of Xi'an."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from planner.records import NetworkSite, Ticket

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2010, 8, 5)
YESTERDAY = datetime(2010, 8, 4, 10, 0, tzinfo=TZ)
BASE = (34.2235, 108.9480)
_n = iter(range(10_000))


def north_of(metres: float, lon_offset_m: float = 0.0) -> tuple[float, float]:
    return BASE[0] + metres / 111_000.0, BASE[1] + lon_offset_m / 92_000.0


def ticket(**kw) -> Ticket:
    n = next(_n)
    lat, lon = kw.pop("at", north_of(3000 + 1000 * (n % 7), 1500 * (n % 5)))
    values = dict(ticket_id=f"T{n:04d}", received_at=YESTERDAY, phone=f"139{n:08d}", district="南区",
                  address=f"雁塔区某路{n}号", lat=lat, lon=lon, category="话费查询", description="咨询")
    values.update(kw)
    return Ticket(**values)


def network(**kw) -> Ticket:
    kw.setdefault("category", "网络覆盖")
    kw.setdefault("description", "室内信号弱")
    return ticket(**kw)


def site(status: str, at: tuple[float, float]) -> NetworkSite:
    return NetworkSite(site_id=f"S{next(_n)}", lat=at[0], lon=at[1], status=status)


def days_ago(d: float) -> datetime:
    return datetime(2010, 8, 5, 9, 0, tzinfo=TZ) - timedelta(days=d)
