"""Simplified Chinese by default with every message translated; English on request;
times shown in Asia/Shanghai."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from planner.store.accounts import ROLES
from web.i18n import ZH, localtime
from web.security import CSRF_TEXT, ERROR_TEXT, TOO_LARGE_TEXT

WEB = Path(__file__).resolve().parents[2] / "web"
LITERAL = re.compile(r"""\b_\(\s*(['"])(.+?)(?<!\\)\1""", re.S)


def msgids() -> set[str]:
    found = set()
    for path in list(WEB.rglob("*.html")) + list(WEB.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        found |= {m.group(2) for m in LITERAL.finditer(text)}
    return found


def test_every_message_has_a_chinese_translation():
    ids = msgids()
    assert len(ids) > 150
    dynamic = set(ERROR_TEXT.values()) | {CSRF_TEXT, TOO_LARGE_TEXT} | set(ROLES) | {"queued", "running", "done", "failed", "draft", "published",
                                                       "tickets", "staff", "sites", "history"}
    missing = sorted((ids | dynamic) - set(ZH))
    assert not missing, missing


def test_placeholders_match():
    for msgid, zh in ZH.items():
        assert set(re.findall(r"{(\w+)}", msgid)) == set(re.findall(r"{(\w+)}", zh)), msgid


def test_times_are_shown_in_shanghai(app):
    with app.app_context():
        assert localtime(datetime(2010, 8, 5, 1, 30, tzinfo=timezone.utc)) == "2010-08-05 09:30"
        assert localtime("2010-08-05T10:30:00+08:00", "%H:%M") == "10:30"
