"""No input file, however malformed, produces a traceback: each gets a clear message."""

from __future__ import annotations

import pytest

from planner.cli import main
from tests.intake.helpers import ZH_HEADERS, row, write_csv

MALFORMED = {
    "empty.csv": b"",
    "binary.csv": bytes(range(256)) * 4,
    "latin1.csv": "工单号,受理时间\n".encode("utf-8") + b"\xff\xfe\xfa caf\xe9\n",
    "header_only.csv": (",".join(ZH_HEADERS) + "\n").encode("utf-8"),
    "unknown_headers.csv": b"a,b,c\n1,2,3\n",
    "broken.xlsx": b"PK\x03\x04 not really a zip file",
    "old.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
    "bad.json": b'[{"ticket_id": "T1", ',
    "scalar.json": b"42",
    "blank_header.csv": b",,,\n1,2,3\n",
    "dup_header.csv": "工单号,工单号\n1,2\n".encode("utf-8"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_file_gives_a_message_not_a_traceback(tmp_path, capsys, name):
    path = tmp_path / name
    path.write_bytes(MALFORMED[name])
    code = main(["import", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ")
    assert str(path) in err
    assert "Traceback" not in err


def test_a_number_too_long_for_python_is_explained_in_the_files_terms(tmp_path, capsys):
    path = tmp_path / "long.json"
    path.write_text('[{"ticket_id": ' + "9" * 5000 + "}]", encoding="utf-8")
    assert main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "a number in the file has more than 4,300 digits" in err
    assert "Traceback" not in err and "set_int_max_str_digits" not in err


def test_missing_file_and_folder(tmp_path, capsys):
    assert main(["import", str(tmp_path / "nope.csv")]) == 2
    assert main(["import", str(tmp_path)]) == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.slow
def test_100k_rows_import_in_one_transaction(tmp_path, capsys):
    rows = [row(ticket_id=f"T{i:06d}", phone=f"138{i:08d}") for i in range(100_000)]
    path = write_csv(tmp_path / "big.csv", rows)
    assert main(["import", str(path)]) == 0
    assert "100000 added" in capsys.readouterr().out


@pytest.mark.slow
def test_100k_rows_with_one_bad_row_import_nothing(tmp_path, capsys):
    rows = [row(ticket_id=f"T{i:06d}", phone=f"138{i:08d}") for i in range(100_000)]
    rows[77_777] = row(ticket_id="BAD", phone="x")
    path = write_csv(tmp_path / "big.csv", rows)
    assert main(["import", str(path)]) == 2
    assert "line 77779, column 客户号码" in capsys.readouterr().err
