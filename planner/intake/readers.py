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
from planner.intake.xlsx_scan import PartCounts, UnreadablePart, scan_part

MAX_FILE_BYTES = 200 * 1024 * 1024
#: rows and columns of one table, and characters in one header (a city's year of
#: tickets is about 100,000 rows; exports have a few dozen columns)
MAX_ROWS = 1_000_000
MAX_COLUMNS = 256
MAX_HEADER_CHARS = 200
#: characters in one cell: Excel's own limit; longer values are a row error
MAX_CELL_CHARS = 32_767
#: an XLSX is a ZIP of XML parts: what its members may add up to once inflated.  The
#: upload limit caps only the compressed size, and sheet XML compresses about 10:1,
#: so a real export stays far below these while a "zip bomb" (a 1 GB cell in a
#: 1 MB file, 1000:1) is refused before any XML is parsed.
MAX_XLSX_MEMBERS = 1_000
MAX_XLSX_UNCOMPRESSED = 128 * 1024 * 1024
MAX_XLSX_RATIO = 100
_RATIO_FLOOR = 1024 * 1024  # small parts (styles, empty sheets) may compress better
#: the work openpyxl would do, counted in the XML before it parses any of it.  Bytes
#: alone do not bound it: an empty cell in column XFD makes every row 16,384 cells
#: wide, and 6.5 million tiny shared strings fit in 3 MB.  openpyxl reads some tens of
#: thousands of cells a second, so the cells are what is bounded: a year of a city's
#: tickets (about 100,000 rows of 15 columns, a few distinct texts a row: 1.5 million
#: cells, some 600,000 texts) fits; a larger table is a CSV's job.
MAX_XLSX_ROWS = 200_000
MAX_XLSX_CELLS = 2_000_000
MAX_XLSX_SHARED_STRINGS = 1_000_000
_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class RawRow:
    """One data row: ``line`` as the user counts it, ``values`` by header text, and
    ``problems``: (header, reason) for cells that cannot be a value at all (a JSON
    object where text belongs, a cell over :data:`MAX_CELL_CHARS`), each a row error."""

    line: int
    values: dict[str, str]
    problems: tuple[tuple[str, str], ...] = ()


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
        except UnicodeDecodeError as exc:
            if enc == "utf-8-sig" and exc.reason == "unexpected end of data" and exc.end == len(data):
                # UTF-8 to its last bytes, which stop inside a character: a cut-off file
                line = data.count(b"\n") + 1
                raise UserError(f"{p}: line {line}: the file ends in the middle of a character, so it looks cut "
                                "off (a truncated upload or copy)") from None
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
    _check_truncated(p, text, delimiter)
    rows: list[RawRow] = []
    try:
        start = reader.line_num + 1
        for record in reader:
            if len(rows) >= MAX_ROWS:
                raise UserError(f"{p}: more than {MAX_ROWS} rows; split the file")
            line = start
            start = reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(headers) and any(c.strip() for c in record[len(headers):]):
                rows.append(RawRow(line, {"__extra__": Reason("{cells} cells but {headers} headers", cells=len(record),
                                                             headers=len(headers))}))
                continue
            values, problems = {}, []
            for i, h in enumerate(headers):
                if not h:
                    continue
                cell = record[i].strip() if i < len(record) else ""
                if len(cell) > MAX_CELL_CHARS:
                    problems.append((h, _too_long(cell)))
                    cell = ""
                values[h] = cell
            rows.append(RawRow(line, values, tuple(problems)))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise UserError(f"{p}: line {reader.line_num}: a cell of more than {csv.field_size_limit()} characters "
                            "(a quote that is never closed?)") from None
        raise UserError(f"{p}: line {reader.line_num}: broken CSV quoting ({exc})") from None
    return Table(headers=[h for h in headers if h], rows=rows, encoding=encoding)


def _check_truncated(p: Path, text: str, delimiter: str) -> None:
    """Refuse a file that was cut off: one whose lines end with line ends, except the
    last, or whose last quoted cell is never closed.

    The rule is the plain one (a missing last line end in a file that otherwise has
    them means a truncated upload or copy) rather than a guess at whether the last row
    "looks complete": a cut inside the last cell leaves a row with every column, and
    would be imported silently.  A file of one line (no line end at all) is not
    affected.  The fix the message gives is one keystroke.
    """
    body = text.rstrip(" \t")
    if not body.endswith(("\n", "\r")) and ("\n" in body or "\r" in body):
        line = body.count("\n") + 1 if "\n" in body else body.count("\r") + 1
        raise UserError(f"{p}: line {line}: the last line has no line end, so the file looks cut off (a truncated "
                        "upload or copy); if that row is complete, end it with Enter and import again")
    if body.count('"') % 2:  # only then can a quoted cell be open at the end
        try:
            for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
                pass
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise UserError(f"{p}: the file ends inside a quoted cell (a quote is never closed, or the file "
                                "is cut off)") from None


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


def _check_xlsx_archive(p: Path, data: bytes) -> dict[str, PartCounts]:
    """Inspect the ZIP before openpyxl inflates anything: member count, sizes once
    inflated, compression ratio; then read every part once to refuse a DTD and to
    count the work parsing it would be (:mod:`planner.intake.xlsx_scan`).  Returns
    the counts by part name, so the reader can tell openpyxl how wide a row is.

    A DTD is how XML declares entities (the "billion laughs" expansion, or an external
    entity reading a local file); no spreadsheet program writes one into a workbook,
    so any ``<!DOCTYPE`` or ``<!ENTITY`` is refused by name rather than left to the
    XML parser (openpyxl parses with defusedxml too, when it is installed).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise UserError(f"{p}: not a readable XLSX workbook ({exc.__class__.__name__})") from None
    if len(members) > MAX_XLSX_MEMBERS:
        raise UserError(f"{p}: the workbook holds {len(members)} parts; at most {MAX_XLSX_MEMBERS}")
    mb = 1024 * 1024
    total = 0
    for m in members:
        total += m.file_size
        if total > MAX_XLSX_UNCOMPRESSED:
            raise UserError(f"{p}: the workbook inflates to more than {MAX_XLSX_UNCOMPRESSED // mb} MB; save the "
                            "data as CSV, or split it")
        if m.file_size > _RATIO_FLOOR and m.file_size > MAX_XLSX_RATIO * max(m.compress_size, 1):
            raise UserError(f"{p}: part {m.filename} inflates {m.file_size // max(m.compress_size, 1)} times "
                            f"(at most {MAX_XLSX_RATIO}); this is not a workbook a spreadsheet program writes")
    counts: dict[str, PartCounts] = {}
    shared_strings = 0
    with archive:
        for m in members:  # every part but pictures: a part's name need not end in .xml to be parsed as XML
            if m.filename.lower().startswith("xl/media/") or m.is_dir():
                continue
            try:
                part = scan_part(archive, m)
            except UnreadablePart as exc:
                raise UserError(f"{p}: part {m.filename} is not readable ({exc}); save the sheet again from Excel "
                                "or WPS") from None
            if part.dtd:
                raise UserError(f"{p}: part {m.filename} declares a DTD or entities (<!DOCTYPE/<!ENTITY>); "
                                "workbooks with XML entities are refused, save the sheet again from Excel or WPS")
            _check_part_counts(p, m.filename, part)
            shared_strings += part.shared_strings
            if shared_strings > MAX_XLSX_SHARED_STRINGS:
                raise UserError(f"{p}: the workbook's shared-strings table holds more than "
                                f"{MAX_XLSX_SHARED_STRINGS:,} texts; save the data as CSV, or split it")
            counts[m.filename] = part
    return counts


def _check_part_counts(p: Path, name: str, part: PartCounts) -> None:
    """Refuse a part above the XLSX limits, in the words a user can act on."""
    if part.last_column > MAX_COLUMNS:
        raise UserError(f"{p}: part {name}: cell {part.last_column_ref} is beyond column {MAX_COLUMNS}; a table "
                        f"has at most {MAX_COLUMNS} columns, delete the columns to the right of yours and save again")
    if part.last_row > MAX_XLSX_ROWS + 1:
        raise UserError(f"{p}: part {name}: rows up to number {part.last_row:,}; an XLSX holds at most "
                        f"{MAX_XLSX_ROWS:,} rows under its header, save the data as CSV, or split it")
    if part.cells > MAX_XLSX_CELLS:
        raise UserError(f"{p}: part {name}: {part.cells:,} cells; an XLSX holds at most {MAX_XLSX_CELLS:,}, save "
                        "the data as CSV, or split it")


def _read_xlsx(p: Path, data: bytes) -> Table:
    """The workbook's one non-empty worksheet, every row of it.

    openpyxl's read-only mode trusts the sheet's declared dimension and stops there,
    dropping real rows written beyond it; the dimensions are reset so every row is
    read.  A workbook with data on more than one sheet is refused with the sheets'
    names: importing only the first would drop the rest without a word.
    """
    import openpyxl

    parts = _check_xlsx_archive(p, data)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 (any failure of the parser on this file is the file's)
        raise UserError(f"{p}: not a readable XLSX workbook ({exc.__class__.__name__})") from None
    try:
        try:
            return _xlsx_table(p, wb, parts)
        except UserError:
            raise
        except Exception as exc:  # noqa: BLE001 (a malformed sheet part)
            raise UserError(f"{p}: not a readable XLSX workbook ({exc.__class__.__name__})") from None
    finally:
        wb.close()


def _row_width(ws, parts: dict[str, PartCounts]) -> int:
    """How many columns openpyxl is to return for each row of ``ws``: the highest
    column holding a cell that can have a value, counted before parsing (at most
    :data:`MAX_COLUMNS`).  Without it openpyxl pads every row to the widest cell the
    sheet mentions, empty or not.  Cells written without a column reference, or a
    sheet part not found, get one column more than the limit, so a value there is
    still refused."""
    part = parts.get(str(getattr(ws, "_worksheet_path", "")).lstrip("/"))
    if part is None or part.unnumbered_cells:
        return MAX_COLUMNS + 1
    return max(part.last_column, 1)


def _sheet_rows(p: Path, ws, width: int):
    """(line, cells) of one sheet, bounded in rows and columns, dimension ignored."""
    ws.reset_dimensions()
    for n, record in enumerate(ws.iter_rows(max_col=width, values_only=True), start=1):
        if n > MAX_XLSX_ROWS + 1:
            raise UserError(f"{p}: sheet {ws.title}: more than {MAX_XLSX_ROWS:,} rows; save the data as CSV, or "
                            "split it")
        if len(record) > MAX_COLUMNS:
            if any(v is not None and v != "" for v in record[MAX_COLUMNS:]):
                raise UserError(f"{p}: sheet {ws.title}: line {n}: more than {MAX_COLUMNS} columns")
            record = record[:MAX_COLUMNS]
        yield n, record


def _has_value(record) -> bool:
    return any(v is not None and str(v).strip() for v in record)


def _xlsx_table(p: Path, wb, parts: dict[str, PartCounts]) -> Table:
    """Each sheet is read once: the first with data becomes the table, the others are
    read only up to their first value, which is enough to refuse the workbook."""
    sheets = wb.worksheets
    if not sheets:
        raise UserError(f"{p}: the workbook has no worksheet")
    table: tuple[list[str], list[RawRow]] | None = None
    first_sheet: tuple[list[str] | None, list[RawRow]] | None = None
    with_data: list[str] = []
    for ws in sheets:
        rows_of = _sheet_rows(p, ws, _row_width(ws, parts))
        if table is None:
            has_data, headers, rows = _sheet_table(rows_of)
            if has_data and headers is not None:  # a sheet with data has a header row
                table = (headers, rows)
                with_data.append(ws.title)
            elif first_sheet is None:
                first_sheet = (headers, rows)
        elif any(_has_value(record) for _, record in rows_of):
            with_data.append(ws.title)
    if len(with_data) > 1:
        raise UserError(f"{p}: the workbook has data on {len(with_data)} sheets ({', '.join(with_data)}); "
                        "import one sheet at a time: keep one sheet, or save each as its own file")
    chosen = table or first_sheet
    if chosen is None or chosen[0] is None:
        raise UserError(f"{p}: the first sheet is empty")
    headers, rows = chosen[0], chosen[1]
    _check_headers(p, headers)
    return Table(headers=[h for h in headers if h], rows=rows, encoding=None)


def _sheet_table(rows_of) -> tuple[bool, list[str] | None, list[RawRow]]:
    """(whether the sheet holds any value, its headers, its rows) in one pass; headers
    are None for a sheet without a single row."""
    try:
        _, first = next(rows_of)
    except StopIteration:
        return False, None, []
    headers = [_clean_header(h) for h in first]
    while headers and not headers[-1]:
        headers.pop()
    has_data = bool(headers)
    rows = []
    for n, record in rows_of:
        cells = [_cell_text(v) for v in record]
        if not any(cells):
            continue
        has_data = True
        if len(cells) > len(headers) and any(c for c in cells[len(headers):]):
            rows.append(RawRow(n, {"__extra__": Reason("{cells} cells but {headers} headers", cells=len(cells),
                                                      headers=len(headers))}))
            continue
        values, problems = {}, []
        for i, h in enumerate(headers):
            if not h:
                continue
            cell = cells[i] if i < len(cells) else ""
            if len(cell) > MAX_CELL_CHARS:
                problems.append((h, _too_long(cell)))
                cell = ""
            values[h] = cell
        rows.append(RawRow(n, values, tuple(problems)))
    return has_data, headers, rows


def _too_long(cell: str) -> Reason:
    return Reason("{length} characters in one cell; at most {limit}", length=len(cell), limit=MAX_CELL_CHARS)


def _read_json(p: Path, text: str) -> Table:
    """JSON: a list of objects, or an object holding one list (e.g. ``{"tickets": [...]}``)."""
    headers: list[str] = []
    rows = [_json_row(p, n, item, headers) for n, item in enumerate(_json_records(p, text), start=1)]
    if not rows:
        raise UserError(f"{p}: the file holds no records")
    return Table(headers=headers, rows=rows, encoding="utf-8")


def _json_records(p: Path, text: str) -> list:
    """The file's list of records, at most ``MAX_ROWS`` of them."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{p}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except RecursionError:
        # json's C scanner stops at the interpreter's recursion limit, long before a
        # 200,000-deep array could exhaust anything; records need three levels
        raise UserError(f"{p}: the JSON is nested too deeply (a table is a list of records, or an object "
                        "holding one list of records)") from None
    except ValueError:  # an integer of more than 4,300 digits (Python's own message names an interpreter setting)
        raise UserError(f"{p}: a number in the file has more than 4,300 digits; no field holds such a number") from None
    if isinstance(doc, dict):
        lists = [v for v in doc.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise UserError(f"{p}: expected a list of records, or an object holding exactly one list")
        doc = lists[0]
    if not isinstance(doc, list):
        raise UserError(f"{p}: expected a list of records")
    if len(doc) > MAX_ROWS:
        raise UserError(f"{p}: {len(doc)} records; at most {MAX_ROWS}, split the file")
    return doc


def _json_row(p: Path, n: int, item: object, headers: list[str]) -> RawRow:
    """Record ``n`` as a row of cells; a field first seen here is added to ``headers``
    (at most ``MAX_COLUMNS`` of them)."""
    if not isinstance(item, dict):
        return RawRow(n, {"__extra__": Reason("record is not an object")})
    values, problems = {}, []
    for k, v in item.items():
        key = _clean_header(k)
        if key not in headers:
            if len(headers) >= MAX_COLUMNS:
                raise UserError(f"{p}: record {n}: more than {MAX_COLUMNS} different fields")
            if len(key) > MAX_HEADER_CHARS:
                raise UserError(f"{p}: record {n}: a field name of {len(key)} characters; "
                                f"at most {MAX_HEADER_CHARS}")
            headers.append(key)
        if isinstance(v, (dict, list)):
            # a nested object is not a cell value; str() would store Python's repr
            problems.append((key, Reason("a JSON object where a single value belongs") if isinstance(v, dict)
                             else Reason("a JSON list where a single value belongs")))
            values[key] = ""
            continue
        cell = "" if v is None else (_cell_text(v) if not isinstance(v, bool) else ("true" if v else "false"))
        if len(cell) > MAX_CELL_CHARS:
            problems.append((key, _too_long(cell)))
            cell = ""
        values[key] = cell
    return RawRow(n, values, tuple(problems))


def _check_headers(p: Path, headers: list[str]) -> None:
    named = [h for h in headers if h]
    if not named:
        raise UserError(f"{p}: line 1: the header row is empty")
    if len(headers) > MAX_COLUMNS:
        raise UserError(f"{p}: line 1: {len(headers)} columns; at most {MAX_COLUMNS}")
    for h in named:
        if len(h) > MAX_HEADER_CHARS:
            raise UserError(f"{p}: line 1: a header of {len(h)} characters; at most {MAX_HEADER_CHARS}")
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in h):
            raise UserError(f"{p}: line 1: header {h[:40]!r} contains a control character or line break")
    seen = set()
    for h in named:
        if h in seen:
            raise UserError(f"{p}: line 1: column {h!r} appears twice")
        seen.add(h)
