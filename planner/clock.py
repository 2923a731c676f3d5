"""A time of day as a person types it (an agreed window, "now" for a re-plan): ``HH:MM`` or
``HH:MM:SS``, nothing else.  One definition for the pages, the API and the case actions:
``time.fromisoformat`` alone also takes "1" * 100000 (as 11:11:11.111111), fractions and
offsets."""

from __future__ import annotations

import re
from datetime import time

from planner.errors import UserError

_CLOCK = re.compile(r"\d{2}:\d{2}(:\d{2})?")


def clock_time(text: str | None, name: str = "time") -> time:
    """The time ``text`` names; :class:`UserError` naming ``name`` otherwise."""
    text = (text or "").strip()
    try:
        if not _CLOCK.fullmatch(text):
            raise ValueError(text)
        return time.fromisoformat(text)
    except ValueError:
        raise UserError(f"{name} {text[:20]!r}: write HH:MM, e.g. 14:30") from None
