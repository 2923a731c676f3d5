"""Every encoding intake reads is accepted by the upload, and held to the same rules.

``cvp import`` reads CSV in UTF-8 (with or without a BOM), GB18030/GBK and UTF-16 with
a BOM (Excel's "Unicode text"), but the upload refused UTF-16 as "not a text file"
(its NUL bytes), so a dispatcher could not import what the operator could.  Now the
upload takes it, and a UTF-16 file is refused by line for another district's row
like any other.
"""

from __future__ import annotations

import io

import pytest

from planner.store import repository as repo
from planner.store.db import session_scope
from tests.web.conftest import Client

ROWS = ("工单号\t受理时间\t客户号码\t客户姓名\tVIP等级\t区域\t地址\t纬度\t经度\r\n"
        "{id}\t2010-08-04 10:00\t13800000001\t张三\t普通\t{district}\t{district}某路1号\t34.20\t108.94\r\n")


def _import(client: Client, data: bytes):
    return client.http.post("/api/imports", data={"file": (io.BytesIO(data), "unicode.csv")},
                            content_type="multipart/form-data", headers={"X-CSRF-Token": client.csrf})


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig", "gb18030"])
def test_an_own_district_file_in_every_encoding_imports(store_app, encoding):
    text = ROWS.format(id="XA-NQ-NEW-0001", district="南区")
    data = ("\ufeff" + text).encode(encoding) if encoding == "utf-16-be" else text.encode(encoding)
    r = _import(Client(store_app, "disp"), data)
    assert r.status_code == 200, r.get_data(as_text=True)
    with session_scope() as s:
        assert repo.existing_ticket_ids(s, "南区", ["XA-NQ-NEW-0001"]) == {"XA-NQ-NEW-0001"}


def test_a_utf16_file_with_another_districts_ticket_is_refused_by_line(store_app):
    r = _import(Client(store_app, "disp_north"), ROWS.format(id="XA-NQ-20100802-0001", district="南区").encode("utf-16"))
    assert r.status_code == 422
    (error,) = r.get_json()["errors"]
    assert error["line"] == 2 and "南区" in error["reason"]
    with session_scope() as s:
        assert not repo.existing_ticket_ids(s, "北区", ["XA-NQ-20100802-0001"])


def test_a_binary_file_named_csv_is_still_refused(store_app):
    r = _import(Client(store_app, "disp"), b"\x00\x01\x02binary")
    assert r.status_code == 422
    assert "not a text file" in r.get_json()["error"]["message"]
