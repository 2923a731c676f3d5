"""Files and data the web tests make from the fixture day."""

from __future__ import annotations

import csv
import io

from tests.conftest import FIXTURE_DAY

XSS = "<script>alert('xss')</script>"
XSS_IMG = '<img src=x onerror="alert(1)">'


def fixture_rows(name: str = "tickets.csv") -> tuple[list[str], list[list[str]]]:
    raw = (FIXTURE_DAY / name).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def tickets_with_bad_row() -> tuple[bytes, int]:
    """The fixture tickets with one row's received time broken; and that row's line number."""
    header, rows = fixture_rows()
    col = header.index("受理时间")
    rows = [list(r) for r in rows]
    rows[4][col] = "2010-08-32 25:61"
    return csv_bytes(header, rows), 6  # line 1 is the header


def district_tickets(district: str = "南区") -> bytes:
    """The fixture's tickets of one district: the file its dispatcher may upload (the
    operator's export holds every district's, which only an admin imports whole)."""
    header, rows = fixture_rows()
    where = header.index("区域")
    return csv_bytes(header, [r for r in rows if r[where] == district])


def tickets_with_xss(district: str = "南区") -> bytes:
    """Every ticket of the district (what its dispatcher may upload) with script payloads in
    the customer name and description; so do the addresses of tickets that have
    coordinates (those without use the gazetteer)."""
    header, rows = fixture_rows()
    name, desc, addr, lat, where = (header.index(h) for h in ("客户姓名", "投诉内容", "地址", "纬度", "区域"))
    out = []
    for r in rows:
        if r[where] != district:
            continue
        r = list(r)
        r[name] = f"{XSS}{r[name]}"
        r[desc] = f"{XSS_IMG}{r[desc]}"
        if r[lat]:
            r[addr] = f"{r[addr]}{XSS_IMG}"
        out.append(r)
    return csv_bytes(header, out)


def fixture_phones() -> set[str]:
    header, rows = fixture_rows()
    col = header.index("客户号码")
    return {r[col] for r in rows}


def gazetteer_bytes() -> bytes:
    return (FIXTURE_DAY / "gazetteer.csv").read_bytes()


def _poppler(tool: str, data: bytes, tmp_path, *args: str) -> str:
    import shutil
    import subprocess

    import pytest

    if shutil.which(tool) is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    path = tmp_path / "check.pdf"
    path.write_bytes(data)
    return subprocess.run([tool, *args, str(path), "-"] if tool == "pdftotext" else [tool, str(path)],
                          capture_output=True, text=True, check=True, timeout=60).stdout


def pdf_pages(data: bytes, tmp_path) -> int:
    out = _poppler("pdfinfo", data, tmp_path)
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def pdf_text(data: bytes, tmp_path) -> str:
    return _poppler("pdftotext", data, tmp_path, "-layout")
