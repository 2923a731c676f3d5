"""Confirming a preview consents to the losses it listed, and to no other.

The upload page lists the updates that would lose stored values before the dispatcher
confirms.  The confirm used to remember only *that* the preview listed some: a loss that
appeared after the preview (the store changed meanwhile) was imported along with the
listed ones whenever the preview had listed any, though the rule is that a loss first
seen after the preview is not imported.
"""

from __future__ import annotations

import html
import re

import pytest

from tests.security.import_helpers import fingerprint, row_of, stored
from tests.web.conftest import text_of
from tests.web.test_import_districts import DIAMOND, SOUTH_TICKET, _tickets, _upload, api  # noqa: F401

pytestmark = pytest.mark.usefixtures("seeded")


def test_a_loss_after_the_preview_is_not_imported_even_beside_listed_ones(api, client_for):  # noqa: F811
    listed = {**row_of("tickets.csv", DIAMOND), "VIP等级": "普通"}
    new = {**row_of("tickets.csv", SOUTH_TICKET), "工单号": "XA-NQ-NEW-9", "ARPU": ""}
    c = client_for("disp")
    r = _upload(c, _tickets(listed, new))
    page = html.unescape(text_of(r))
    assert r.status_code == 200 and DIAMOND in page and "XA-NQ-NEW-9 ARPU" not in page
    assert api("disp", _tickets({**new, "ARPU": "99"})).status_code == 200  # meanwhile
    before = fingerprint(None)
    token = re.search(r"/dispatch/import/([\w-]+)/confirm", r.get_data(as_text=True)).group(1)
    assert c.post(f"/dispatch/import/{token}/confirm").status_code == 302
    assert "预览之后已保存的数据有变化，未导入任何数据" in html.unescape(text_of(c.get("/dispatch/import")))
    assert fingerprint(None) == before
    assert (stored(None, "TicketRow", "XA-NQ-NEW-9").arpu, stored(None, "TicketRow", DIAMOND).vip_level) == (
        99, "diamond")


def test_the_listed_losses_alone_are_imported_on_confirm(client_for):
    listed = {**row_of("tickets.csv", DIAMOND), "VIP等级": "普通"}
    c = client_for("disp")
    r = _upload(c, _tickets(listed))
    token = re.search(r"/dispatch/import/([\w-]+)/confirm", r.get_data(as_text=True)).group(1)
    assert c.post(f"/dispatch/import/{token}/confirm").status_code == 302
    assert stored(None, "TicketRow", DIAMOND).vip_level == "none"
