"""The one rule for showing a customer's phone number outside the office: masked
(``138****1234``) on exports and maps, unless a dispatcher asks for it in full."""

from __future__ import annotations

import re

_PHONE_SPACES = re.compile(r"[\s\-]")


def mask_phone(phone: str | None) -> str:
    """``13812341234`` → ``138****1234``: the last four digits (and the first three of a
    number of 9 or more) stay readable; everything else becomes ``*``."""
    p = _PHONE_SPACES.sub("", phone or "")
    if not p:
        return ""
    if len(p) <= 4:
        return "*" * len(p)
    head = 3 if len(p) >= 9 else 0
    return p[:head] + "*" * (len(p) - head - 4) + p[-4:]
