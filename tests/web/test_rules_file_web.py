"""The web app applies the rules file it was started with (CVP_RULES / `cvp --rules FILE serve`)
everywhere, a dispatcher's overrides included."""

from __future__ import annotations

from planner.store.db import session_scope
from planner.store.models import OverrideRow
from planner.triage.rules import DEFAULT_RULES
from tests.web.conftest import DAY, Client, make_app


def test_an_override_may_name_a_type_by_the_label_of_the_apps_rules_file(seeded, tmp_path):
    text = DEFAULT_RULES.read_text(encoding="utf-8").replace("label: 激愤暴躁型", "label: 情绪型", 2)
    custom = tmp_path / "my-rules.yaml"
    custom.write_text(text, encoding="utf-8")
    c = Client(make_app(tmp_path, RULES_FILE=str(custom)), "disp")
    r = c.post(f"/dispatch/{DAY}/overrides", {"ticket_id": "XA-NQ-20100804-0071", "field": "type", "value": "情绪型"})
    assert r.status_code == 302
    with session_scope() as s:
        stored = s.query(OverrideRow).filter_by(ticket_id="XA-NQ-20100804-0071", field="type").one()
    assert stored.value == "irate"
    assert "情绪型" in c.get(f"/dispatch/{DAY}/triage").get_data(as_text=True)
