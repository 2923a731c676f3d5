"""Plain-text tables that line up with Chinese text (wide characters count as two columns)."""

from __future__ import annotations

import unicodedata
from typing import Sequence


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, n: int, align: str = "<") -> str:
    gap = " " * max(0, n - width(text))
    return gap + text if align == ">" else text + gap


def render(rows: Sequence[Sequence[str] | str], headers: Sequence[str] | None = None,
           align: str = "", indent: str = "  ") -> str:
    """Rows of cells (or free lines, given as a plain string) under optional headers.

    ``align`` holds one character per column, ``<`` or ``>`` (default ``<``).
    """
    cell_rows = [r for r in rows if not isinstance(r, str)]
    if headers:
        cell_rows = [headers, *cell_rows]
    ncols = max((len(r) for r in cell_rows), default=0)
    widths = [max((width(r[i]) for r in cell_rows if i < len(r)), default=0) for i in range(ncols)]
    al = (align + "<" * ncols)[:ncols]

    def line(cells: Sequence[str]) -> str:
        out = [pad(c, widths[i], al[i]) for i, c in enumerate(cells)]
        return (indent + "  ".join(out)).rstrip()

    out = []
    if headers:
        out.append(line(headers))
        out.append(indent + "  ".join("─" * w for w in widths))
    for r in rows:
        out.append(indent + "    " + r if isinstance(r, str) else line(r))
    return "\n".join(out)
