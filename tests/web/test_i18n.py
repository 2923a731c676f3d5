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
    dynamic = set(ERROR_TEXT.values()) | {CSRF_TEXT, TOO_LARGE_TEXT} | set(ROLES) | {
        "queued", "running", "done", "failed", "draft", "published", "tickets", "staff", "sites", "history"}
    missing = sorted((ids | dynamic) - set(ZH))
    assert not missing, missing


PLACEHOLDER = re.compile(r"{(\w+)(![rsa])?(:[^}]*)?}")


def test_placeholders_match():
    for msgid, zh in ZH.items():
        assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(zh)), msgid


def intake_msgids() -> set[str]:
    """Every Reason message id in planner/, and the nouns intake passes as ``what``."""
    import ast

    found = set()
    for path in (WEB.parent / "planner").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            where = {"Reason": 0, "choice": 2, "number": 1}.get(name)
            if where is not None and len(node.args) > where and isinstance(node.args[where], ast.Constant):
                found.add(node.args[where].value)
    return found


def test_every_row_error_reason_has_a_chinese_translation():
    ids = intake_msgids()
    assert len(ids) > 30 and "missing required value" in ids and "VIP tier" in ids
    assert not sorted(ids - set(ZH))


def test_a_reason_is_translated_with_its_values(app):
    from planner.errors import RowError
    from planner.intake import values
    from web.i18n import row_error, translate

    try:
        values.choice("铜卡", values.VIP_ALIASES, "VIP tier")
    except ValueError as exc:
        reason = exc.args[0]
    assert reason.startswith("unknown VIP tier '铜卡' (expected one of: ")  # what files and the CLI show
    with app.test_request_context():
        assert translate(reason).startswith("无法识别的VIP等级 '铜卡'（可填：")
        assert row_error(RowError(6, "VIP等级", reason)).startswith("第 6 行，VIP等级 列：无法识别的VIP等级")
        assert translate("plain text") == "plain text"


def test_times_are_shown_in_shanghai(app):
    with app.app_context():
        assert localtime(datetime(2010, 8, 5, 1, 30, tzinfo=timezone.utc)) == "2010-08-05 09:30"
        assert localtime("2010-08-05T10:30:00+08:00", "%H:%M") == "10:30"
