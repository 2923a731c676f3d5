"""Reading tabular files as operators really have them.

Dispatchers get exports from several systems: CSV saved by Excel on Chinese
Windows (GB18030/GBK), UTF-8 with or without a BOM, XLSX workbooks and JSON.
This module turns any of them into :class:`Table` rows of strings with the
line number a user sees in their editor, and refuses anything else with a
:class:`~planner.errors.UserError` instead of a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from planner.errors import Reason, UserError

MAX_FILE_BYTES = 200 * 1024 * 1024
_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class RawRow:
    """One data row: ``line`` as the user counts it, ``values`` by header text."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[RawRow]
    encoding: str | None = None


def read_table(path: str | Path) -> Table:
    """Read a CSV, XLSX or JSON file into a :class:`Table`.

    The format is taken from the content first (a ZIP signature means XLSX,
    a leading ``[`` or ``{`` means JSON), then from the extension, so a
    mis-named export still reads.
    """
    p = Path(path)
    if not p.exists():
        raise UserError(f"{p}: no such file")
    if p.is_dir():
        raise UserError(f"{p}: is a folder, not a file")
    size = p.stat().st_size
    if size == 0:
        raise UserError(f"{p}: the file is empty")
    if size > MAX_FILE_BYTES:
        raise UserError(f"{p}: {size // (1024 * 1024)} MB is larger than the {MAX_FILE_BYTES // (1024 * 1024)} MB limit")
    data = p.read_bytes()
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(p, data)
    if data[:2] == b"\xd0\xcf":
        raise UserError(f"{p}: old binary Excel (.xls) files are not supported; save it as .xlsx or CSV")
    text, encoding = _decode(p, data)
    stripped = text.lstrip()
    if stripped[:1] in ("[", "{") or p.suffix.lower() == ".json":
        return _read_json(p, stripped)
    return _read_csv(p, text, encoding)


def _decode(p: Path, data: bytes) -> tuple[str, str]:
    """Detect UTF-8 (with or without BOM) or GB18030 without asking the user."""
    if b"\x00" in data[:65536]:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            try:
                return data.decode("utf-16"), "utf-16"
            except UnicodeDecodeError:
                pass
        raise UserError(f"{p}: this is a binary file, not a CSV, XLSX or JSON table")
    for enc in _ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise UserError(f"{p}: the text is neither UTF-8 nor GB18030/GBK; save it as UTF-8 CSV or XLSX")


def _clean_header(h: object) -> str:
    return "" if h is None else str(h).strip()


def _read_csv(p: Path, text: str, encoding: str) -> Table:
    sample = text[:8192]
    delimiter = ","
    if sample.count("\t") > sample.count(",") and sample.count("\t") > 0:
        delimiter = "\t"
    elif sample.count(";") > sample.count(",") and sample.count(";") > 0:
        delimiter = ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = [_clean_header(h) for h in next(reader)]
    except StopIteration:
        raise UserError(f"{p}: the file has no header row") from None
    except csv.Error as exc:
        raise UserError(f"{p}: line 1: not a readable CSV header ({exc})") from None
    _check_headers(p, headers)
    rows: list[RawRow] = []
    try:
        start = reader.line_num + 1
        for record in reader:
            line = start
            start = reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(headers) and any(c.strip() for c in record[len(headers):]):
                rows.append(RawRow(line, {"__extra__": Reason("{cells} cells but {headers} headers", cells=len(record),
                                                             headers=len(headers))}))
                continue
            rows.append(RawRow(line, {h: (record[i].strip() if i < len(record) else "") for i, h in enumerate(headers) if h}))
    except csv.Error as exc:
        raise UserError(f"{p}: line {reader.line_num}: broken CSV quoting ({exc})") from None
    return Table(headers=[h for h in headers if h], rows=rows, encoding=encoding)


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S") if (v.second or v.microsecond) else v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, time):
        return v.strftime("%H:%M")
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v).strip()


def _read_xlsx(p: Path, data: bytes) -> Table:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UserError(f"{p}: not a readable XLSX workbook ({exc.__class__.__name__})") from None
    try:
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        try:
            headers = [_clean_header(h) for h in next(it)]
        except StopIteration:
            raise UserError(f"{p}: the first sheet is empty") from None
        _check_headers(p, headers)
        rows = []
        for n, record in enumerate(it, start=2):
            cells = [_cell_text(v) for v in record]
            if not any(cells):
                continue
            rows.append(RawRow(n, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(headers) if h}))
    finally:
        wb.close()
    return Table(headers=[h for h in headers if h], rows=rows, encoding=None)


def _read_json(p: Path, text: str) -> Table:
    """JSON: a list of objects, or an object holding one list (e.g. ``{"tickets": [...]}``)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{p}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if isinstance(doc, dict):
        lists = [v for v in doc.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise UserError(f"{p}: expected a list of records, or an object holding exactly one list")
        doc = lists[0]
    if not isinstance(doc, list):
        raise UserError(f"{p}: expected a list of records")
    headers: list[str] = []
    rows = []
    for n, item in enumerate(doc, start=1):
        if not isinstance(item, dict):
            rows.append(RawRow(n, {"__extra__": Reason("record is not an object")}))
            continue
        values = {}
        for k, v in item.items():
            key = _clean_header(k)
            if key not in headers:
                headers.append(key)
            values[key] = "" if v is None else (_cell_text(v) if not isinstance(v, bool) else ("true" if v else "false"))
        rows.append(RawRow(n, values))
    if not rows:
        raise UserError(f"{p}: the file holds no records")
    return Table(headers=headers, rows=rows, encoding="utf-8")


def _check_headers(p: Path, headers: list[str]) -> None:
    named = [h for h in headers if h]
    if not named:
        raise UserError(f"{p}: line 1: the header row is empty")
    seen = set()
    for h in named:
        if h in seen:
            raise UserError(f"{p}: line 1: column {h!r} appears twice")
        seen.add(h)
