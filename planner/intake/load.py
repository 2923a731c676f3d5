"""Validating a whole file into records: tickets, staff roster, network plan, gazetteer.

Every row is checked completely and every problem is kept, so a dispatcher
fixes a file in one round.  Coordinates are converted to WGS-84 here (the
only place that knows about GCJ-02/BD-09 input) and rejected when they fall
outside China or outside the district's configured area.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from planner.errors import Reason, RowError, UserError
from planner.geo.china import district_area_contains, in_china
from planner.geo.coords import to_wgs84
from planner.intake import values as v
from planner.intake.columns import KINDS, detect_kind, header_map, normalise
from planner.intake.readers import RawRow, Table, read_table
from planner.intake.rows import RowReader
from planner.records import NetworkSite, StaffMember, Ticket

#: the "column" of a problem with a whole row or the whole file
WHOLE_ROW, WHOLE_FILE = Reason("(row)"), Reason("(file)")

DEFAULT_TZ = "Asia/Shanghai"


@dataclass
class IntakeContext:
    """What validation needs besides the file: time zone, gazetteer, district areas."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TZ))
    gazetteer: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    district_areas: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    history: bool = False
    #: stop checking after this many rows with errors (None: check every row).  The
    #: preview, the API and a plain import refuse the whole file on any bad row anyway;
    #: a file of junk rows (5 MB of them is 290,000) would otherwise be checked to the
    #: end, minutes of CPU, to list errors nobody reads.  ``--skip-invalid`` checks all.
    max_bad_rows: int | None = None


#: rows with errors after which a file is refused without checking the rest
MAX_BAD_ROWS = 1_000

#: fields a record always carries whatever columns the file has: a ticket's coordinates come
#: from the gazetteer when the file has none, and whether it is history from the kind of import
ALWAYS_PROVIDED: dict[str, frozenset[str]] = {
    "tickets": frozenset({"lat", "lon", "is_history"}), "staff": frozenset(), "sites": frozenset(),
    "gazetteer": frozenset(),
}


@dataclass
class IntakeResult:
    """A validated file.  ``records[i]`` came from ``sources[i]`` (its line and cells), and
    ``columns`` maps each field the file has a column for to the user's header: an update
    changes only those fields (:attr:`present`), so a file without a column never blanks
    what the store holds for it."""

    path: str
    kind: str
    records: list[Any]
    errors: list[RowError]
    rejected_lines: dict[int, dict[str, str]]
    ignored_columns: list[str]
    encoding: str | None
    rows_read: int
    sources: list[RawRow] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def present(self) -> frozenset[str]:
        """The record fields this file provides (the rest keep their stored values)."""
        return frozenset(self.columns) | ALWAYS_PROVIDED.get(self.kind, frozenset())

    def blanks(self, index: int) -> frozenset[str]:
        """The provided fields whose cell is empty in record ``index``'s row: an update
        that turns a filled stored value into the default is a *clear*, listed as such."""
        values = self.sources[index].values
        return frozenset(f for f, h in self.columns.items() if not (values.get(h) or "").strip()) - ALWAYS_PROVIDED[self.kind]

    def header_of(self, field_name: str, fallback: str) -> str:
        """The user's header of a field (what a row error names), or ``fallback``."""
        return self.columns.get(field_name, fallback)

    def refuse(self, refusals: list[RowError]) -> None:
        """Move the records of these lines to the rejected rows, with these reasons."""
        lines = {e.line for e in refusals}
        if not lines:
            return
        kept = [(r, src) for r, src in zip(self.records, self.sources, strict=True) if src.line not in lines]
        for src in self.sources:
            if src.line in lines:
                self.rejected_lines[src.line] = dict(src.values)
        self.records, self.sources = [r for r, _ in kept], [src for _, src in kept]
        self.errors = sorted(self.errors + refusals, key=lambda e: e.line)


def load_file(path: str | Path, kind: str | None = None, ctx: IntakeContext | None = None) -> IntakeResult:
    """Read and validate one file; the kind is detected from its headers unless given."""
    ctx = ctx or IntakeContext()
    table = read_table(path)
    if kind is None:
        kind = detect_kind(table.headers)
        if kind is None:
            raise UserError(
                f"{path}: line 1: cannot tell what this file holds from its headers "
                f"({', '.join(table.headers[:12])}); a ticket file needs 工单号/ticket_id, 受理时间/received_at, "
                "客户号码/phone, 区域/district, 地址/address; a roster needs 员工编号/staff_id, 姓名/name, 区域/district, "
                "基地纬度/base_lat, 基地经度/base_lon; a network plan needs 站点编号/site_id, 纬度/lat, 经度/lon, 状态/status"
            )
    if kind not in KINDS:
        raise UserError(f"unknown file kind {kind!r} (expected one of: {', '.join(KINDS)})")
    return validate_table(str(path), table, kind, ctx)


def validate_table(path: str, table: Table, kind: str, ctx: IntakeContext) -> IntakeResult:
    columns, required = KINDS[kind]
    mapping = header_map(table.headers, columns)
    fields_to_headers = {f: h for h, f in mapping.items()}
    ignored = [h for h in table.headers if h not in mapping]
    errors: list[RowError] = []
    for r in required:
        if r not in fields_to_headers and not (kind == "tickets" and r in ("lat", "lon")):
            aliases = "/".join(columns[r][:2])
            errors.append(RowError(1, aliases, Reason("required column {field} ({aliases}) is missing", field=r,
                                                      aliases=aliases)))
    if errors:
        return IntakeResult(path, kind, [], errors, {}, ignored, table.encoding, len(table.rows),
                            columns=fields_to_headers)
    parse_row = _PARSERS[kind]
    records, sources, rejected = [], [], {}
    first_seen: dict[tuple[str, str], int] = {}  # (district, id): each district owns its ids
    id_field = {"tickets": "ticket_id", "staff": "staff_id", "sites": "site_id", "gazetteer": "address"}[kind]
    for row in table.rows:
        reader = RowReader(row, fields_to_headers)
        if "__extra__" in row.values:
            reader.errors.append(RowError(row.line, WHOLE_ROW, row.values["__extra__"]))
            record = None
        else:
            record = parse_row(reader, ctx)
            key = reader.raw(id_field)
            if kind == "gazetteer":
                key = normalise(key)
            owner = "" if kind == "gazetteer" else getattr(record, "district", None) or reader.raw("district")
            if key:
                owned = (owner, key)  # each district owns its ids
                if owned in first_seen:
                    reader.fail(id_field, Reason("duplicate {field} {value!r} (first on line {line})", field=id_field,
                                                 value=reader.raw(id_field), line=first_seen[owned]))
                else:
                    first_seen[owned] = row.line
        if reader.errors:
            errors.extend(reader.errors)
            rejected[row.line] = dict(row.values)
            if ctx.max_bad_rows is not None and len(rejected) > ctx.max_bad_rows:
                errors.append(RowError(row.line, WHOLE_FILE, Reason(
                    "more than {count} rows have errors; the rest of the file was not checked (is it the right "
                    "file?)", count=ctx.max_bad_rows)))
                break
        elif record is not None:
            records.append(record)
            sources.append(row)
    if not table.rows:
        errors.append(RowError(1, WHOLE_FILE, Reason("the file has a header but no data rows")))
    return IntakeResult(path, kind, records, errors, rejected, ignored, table.encoding, len(table.rows), sources,
                        {f: h for f, h in fields_to_headers.items() if f != "coord_system"})


def _point(r: RowReader, lat_f: str, lon_f: str, ctx: IntakeContext, district: str | None,
           address: str | None = None) -> tuple[float | None, float | None]:
    """Coordinates in WGS-84, from the row or, for a ticket without any, the gazetteer."""
    lat_text, lon_text = r.raw(lat_f), r.raw(lon_f)
    if not lat_text and not lon_text:
        if address is None:
            r.fail(lat_f, Reason("missing required value"))
            return None, None
        found = ctx.gazetteer.get(normalise(address))
        if not found:
            r.fail(lat_f, Reason("missing coordinates, and the address is not in the gazetteer"))
            return None, None
        return _checked(r, lat_f, found[0], found[1], found, ctx, district)
    if not lat_text or not lon_text:
        r.fail(lon_f if not lon_text else lat_f, Reason("latitude and longitude must be given together"))
        return None, None
    system = r.get("coord_system", lambda s: v.choice(s, v.COORD_ALIASES, "coordinate system"), default="wgs84")
    lat = r.get(lat_f, v.latitude)
    lon = r.get(lon_f, v.longitude)
    if lat is None or lon is None or system is None:
        return None, None
    return _checked(r, lat_f, lat, lon, to_wgs84(lat, lon, system), ctx, district)


def _checked(r: RowReader, lat_f: str, lat: float, lon: float, wgs: tuple[float, float], ctx: IntakeContext,
             district: str | None) -> tuple[float | None, float | None]:
    """Reject points outside China or outside the district's configured area."""
    wlat, wlon = wgs
    if not in_china(wlat, wlon):
        r.fail(lat_f, Reason("point ({lat:.5f}, {lon:.5f}) is outside China (latitude and longitude swapped?)",
                             lat=lat, lon=lon))
        return None, None
    area = ctx.district_areas.get(district or "")
    if area and not district_area_contains(area, wlat, wlon):
        r.fail(lat_f, Reason("point ({lat:.5f}, {lon:.5f}) is outside the configured area of district {district}",
                             lat=lat, lon=lon, district=district))
        return None, None
    return round(wlat, 7), round(wlon, 7)


def _ticket(r: RowReader, ctx: IntakeContext) -> Ticket | None:
    tz = ctx.tz
    ticket_id = r.get("ticket_id", required=True)
    received = r.get("received_at", lambda s: v.moment(s, tz), required=True)
    phone = r.get("phone", v.phone, required=True)
    district = r.get("district", required=True)
    address = r.get("address", required=True)
    vip = r.get("vip_level", lambda s: v.choice(s, v.VIP_ALIASES, "VIP tier"), default="none")
    w_start = r.get("window_start", lambda s: v.moment(s, tz))
    w_end = r.get("window_end", lambda s: v.moment(s, tz))
    if bool(r.raw("window_start")) != bool(r.raw("window_end")):
        r.fail("window_start" if not r.raw("window_start") else "window_end",
               Reason("an appointment window needs both a start and an end"))
    if w_start and w_end and w_end <= w_start:
        r.fail("window_end", Reason("appointment window ends ({end}) before it starts ({start})",
                                    end=r.raw("window_end"), start=r.raw("window_start")))
    tenure = r.get("tenure_years", lambda s: v.number(s, "tenure", 0, 80))
    arpu = r.get("arpu", lambda s: v.number(s, "ARPU", 0, 1_000_000))
    escalation = r.get("escalation", v.flag, default=False)
    core = r.get("core_customer", v.flag, default=False)
    style = r.get("comm_style", lambda s: v.choice(s, v.STYLE_ALIASES, "communication style"))
    status = r.get("status", lambda s: v.choice(s, v.HISTORY_STATUS_ALIASES, "status"),
                   default="closed" if ctx.history else "open")
    lat, lon = _point(r, "lat", "lon", ctx, district, address=address or "")
    if r.errors:
        return None
    return Ticket(
        ticket_id=ticket_id, received_at=received, phone=phone, district=district, address=address,
        lat=lat, lon=lon, customer_name=r.raw("customer_name"), vip_level=vip,
        category=r.raw("category"), description=r.raw("description"),
        window_start=w_start, window_end=w_end, tenure_years=tenure, arpu=arpu,
        escalation=escalation, core_customer=core, comm_style=style,
        status=("closed" if ctx.history and status == "open" else status), is_history=ctx.history,
    )


def _skills(text: str) -> tuple[str, ...]:
    parts = [p.strip().lower() for p in text.replace("；", ";").replace(",", ";").replace("，", ";").split(";")]
    return tuple(sorted({p for p in parts if p}))


def _staff(r: RowReader, ctx: IntakeContext) -> StaffMember | None:
    staff_id = r.get("staff_id", required=True)
    name = r.get("name", required=True)
    district = r.get("district", required=True)
    phone = r.get("phone", v.phone, default="")
    shift_start = r.get("shift_start", v.clock)
    shift_end = r.get("shift_end", v.clock)
    if shift_start and shift_end and shift_end <= shift_start:
        r.fail("shift_end", Reason("shift ends ({end}) before it starts ({start})", end=r.raw("shift_end"),
                                   start=r.raw("shift_start")))
    break_start = r.get("break_start", v.clock)
    break_end = r.get("break_end", v.clock)
    if break_start and break_end and break_end <= break_start:
        r.fail("break_end", Reason("break window ends ({end}) before it starts ({start})", end=r.raw("break_end"),
                                   start=r.raw("break_start")))
    transport = r.get("transport", lambda s: v.choice(s, v.TRANSPORT_ALIASES, "transport"), default="bus")
    max_visits = r.get("max_visits", lambda s: int(v.number(s, "max visits", 0, 50)))
    lat, lon = _point(r, "base_lat", "base_lon", ctx, district)
    if r.errors:
        return None
    return StaffMember(
        staff_id=staff_id, name=name, district=district, base_lat=lat, base_lon=lon, phone=phone,
        shift_start=shift_start, shift_end=shift_end, break_start=break_start, break_end=break_end,
        skills=_skills(r.raw("skills")), transport=transport, max_visits=max_visits,
        base_name=r.get("base_name", default=""),
    )


def _site(r: RowReader, ctx: IntakeContext) -> NetworkSite | None:
    site_id = r.get("site_id", required=True)
    status = r.get("status", lambda s: v.choice(s, v.SITE_STATUS_ALIASES, "site status"), required=True)
    expected = r.get("expected_date", v.day)
    district = r.raw("district")
    lat, lon = _point(r, "lat", "lon", ctx, district)
    if r.errors or lat is None or lon is None:  # no coordinates always comes with a row error
        return None
    return NetworkSite(site_id=site_id, lat=lat, lon=lon, status=status, expected_date=expected, district=district,
                       name=r.get("name", default=""))


def _gazetteer_entry(r: RowReader, ctx: IntakeContext) -> tuple[str, float, float] | None:
    address = r.get("address", required=True)
    lat, lon = _point(r, "lat", "lon", ctx, None)
    if r.errors or lat is None or lon is None:  # no coordinates always comes with a row error
        return None
    return (address, lat, lon)


_PARSERS: dict[str, Callable[[RowReader, IntakeContext], Any]] = {
    "tickets": _ticket, "staff": _staff, "sites": _site, "gazetteer": _gazetteer_entry,
}


def load_gazetteer(path: str | Path, ctx: IntakeContext | None = None) -> dict[str, tuple[float, float]]:
    """Address → WGS-84 point, keyed by the normalised address text."""
    result = load_file(path, "gazetteer", ctx)
    if result.errors:
        from planner.errors import InvalidFileError

        raise InvalidFileError(str(path), result.errors)
    return {normalise(a): (lat, lon) for a, lat, lon in result.records}
