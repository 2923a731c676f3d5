"""What an XLSX part holds, counted in its bytes before any XML parser sees it.

openpyxl's work on a workbook is not bounded by the file's size: one empty cell
written in column XFD makes it pad every row to 16,384 cells, a row numbered
1,000,000 makes it yield every row before it, and millions of tiny shared strings
compress 40:1.  So each part is read once, in chunks, and its cells, rows, highest
column with a value and shared strings are counted with regular expressions; the
reader refuses a workbook above its limits and tells openpyxl how wide a row is.

The counts are safe rather than exact: markup inside a comment or CDATA section is
counted too, so a hostile part can only make itself look bigger.  An empty cell
written as ``<c r="XFD7"/>`` (no value can sit in a self-closing cell) widens no
row; a cell with content there does.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass

CHUNK = 1024 * 1024
#: an unfinished tag is carried into the next chunk up to this length; longer, it is
#: not markup a spreadsheet program writes (a binary part) and is counted as it stands
MAX_TAG_BYTES = 64 * 1024

_DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")
_P = rb"<(?:[A-Za-z_][\w.-]*:)?"  # an element name, with or without a namespace prefix
_CELL = re.compile(_P + rb"c[\s/>]")
_CELL_REF = re.compile(_P + rb"c\s[^>]*?(?<=\s)r\s*=\s*[\"']\$?([A-Za-z]{1,7})\$?([0-9]{1,10})[\"'][^>]*?(/?)>")
_ROW = re.compile(_P + rb"row[\s/>]")
_ROW_REF = re.compile(_P + rb"row\s[^>]*?(?<=\s)r\s*=\s*[\"']([0-9]{1,10})[\"']")
_SHARED_STRING = re.compile(_P + rb"si[\s/>]")


class UnreadablePart(Exception):
    """A part whose stream cannot be read (a broken or unsupported compression)."""


@dataclass
class PartCounts:
    """What one XML part holds.  ``last_row`` is the highest row number openpyxl would
    reach (the highest ``r``, plus rows written without one); ``last_column`` the
    highest column of a cell that can hold a value; ``unnumbered_cells`` cells
    without ``r``, whose column only their position tells."""

    dtd: bool = False
    cells: int = 0
    rows: int = 0
    last_row: int = 0
    last_column: int = 0
    last_column_ref: str = ""
    unnumbered_cells: int = 0
    shared_strings: int = 0


def column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _transcoder(head: bytes):
    """UTF-16 parts (with a BOM, or ``<`` followed by a zero byte) are turned into
    UTF-8 so that one set of byte patterns reads every part the XML parser accepts."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return codecs.getincrementaldecoder("utf-16")(errors="replace")
    if head[:2] == b"<\x00":
        return codecs.getincrementaldecoder("utf-16-le")(errors="replace")
    if head[:2] == b"\x00<":
        return codecs.getincrementaldecoder("utf-16-be")(errors="replace")
    return None


def scan_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> PartCounts:
    """Count one part's markup, reading it once in chunks; a pattern cut by a chunk
    border is carried into the next chunk (from the last ``<`` of an unfinished tag)."""
    counts = PartCounts()
    carry = b""
    decoder = None
    first = True
    explicit_rows = 0
    try:
        with archive.open(member) as fh:
            while raw := fh.read(CHUNK):
                if first:
                    decoder, first = _transcoder(raw), False
                chunk = decoder.decode(raw).encode("utf-8", "surrogatepass") if decoder else raw
                window = carry + chunk
                cut = window.rfind(b"<")
                if cut >= 0 and window.find(b">", cut) < 0:
                    body, carry = window[:cut], window[cut:]
                    if len(carry) > MAX_TAG_BYTES:  # not a tag (a binary part): counted as it stands
                        body, carry = window, b""
                else:
                    body, carry = window, b""
                explicit_rows += _count(counts, body)
            if carry:
                explicit_rows += _count(counts, carry)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, ValueError) as exc:
        raise UnreadablePart(exc.__class__.__name__) from None
    # rows without r continue from the row before them: at most this far past the highest r
    counts.last_row += counts.rows - explicit_rows
    return counts


def _count(counts: PartCounts, body: bytes) -> int:
    """Add ``body``'s markup to ``counts``; returns how many rows carried an ``r``."""
    if not counts.dtd and any(mark in body for mark in _DTD_MARKS):
        counts.dtd = True
    if b"<" not in body:
        return 0
    cells = len(_CELL.findall(body))
    counts.cells += cells
    numbered = 0
    for letters, number, closed in _CELL_REF.findall(body):
        numbered += 1
        counts.last_row = max(counts.last_row, int(number))
        if not closed:
            col = column_number(letters.decode("ascii"))
            if col > counts.last_column:
                counts.last_column, counts.last_column_ref = col, (letters + number).decode("ascii")
    counts.unnumbered_cells += cells - numbered
    counts.rows += len(_ROW.findall(body))
    row_numbers = _ROW_REF.findall(body)
    if row_numbers:
        counts.last_row = max(counts.last_row, max(int(n) for n in row_numbers))
    counts.shared_strings += len(_SHARED_STRING.findall(body))
    return len(row_numbers)
