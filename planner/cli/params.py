"""Option types the commands share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click


class DayParam(click.DateTime):
    """A day, ``YYYY-MM-DD``.  Click's own type calls 2010-02-30 "does not match the format";
    this one says what is wrong with it (the day is out of range for the month)."""

    name = "day"

    def __init__(self) -> None:
        super().__init__(["%Y-%m-%d"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        try:
            return datetime.strptime(str(value).strip(), "%Y-%m-%d")
        except ValueError as wrong:
            text = str(wrong)
            if "does not match format" in text:
                self.fail(f"{value!r} is not a day: write YYYY-MM-DD, e.g. 2010-08-05", param, ctx)
            self.fail(f"{value!r} is not a day of the calendar ({text})", param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "YYYY-MM-DD"


#: ``--date`` of every command
DAY = DayParam()
