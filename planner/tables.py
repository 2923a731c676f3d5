"""Rows written as files a spreadsheet opens well: CSV (UTF-8 with BOM, or GB18030, as
Excel on Chinese Windows reads it) and XLSX, each written whole or not at all, and no
cell ever run as a formula (ticket text is customer input)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from planner.errors import UserError
from planner.outputs_io import atomic_path

CSV_ENCODINGS = ("utf-8-sig", "utf-8", "gb18030")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
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
            w.writerow([safe_text(v) for v in row])
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
