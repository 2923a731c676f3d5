"""Which changes of an import lose information: a lowered VIP tier, a cleared field, a move
to another district.

An import updates the store from whatever the operator's system exported, and an
export can be wrong: a truncated row, an empty column, a tier reset by a bad join.
Those updates are still allowed (a customer's tier does go down), but never silently:
the import lists them per id in its report, the web preview shows them before the
dispatcher confirms, and the command line refuses them unless ``--allow-downgrade``
says the operator has looked.  This module only compares a stored value with a new
one; it never reads or writes the store, so the preview and the import share it.
"""

from __future__ import annotations

from typing import Any

from planner.errors import Reason

#: VIP tiers from highest to lowest (贵宾 = premium); a move down this list is a downgrade
VIP_ORDER = ("diamond", "gold", "silver", "premium", "none")


def vip_rank(level: str | None) -> int:
    """Higher is better; an unknown tier counts as none."""
    return len(VIP_ORDER) - VIP_ORDER.index(level) if level in VIP_ORDER else 0


def _filled(value: Any) -> bool:
    return value not in (None, "", False, ())


def losses(field_name: str, old: Any, new: Any, blank: bool) -> Reason | None:
    """Why changing a stored ``old`` to ``new`` loses something (None: it does not).

    ``blank`` says the file's cell for this field was empty: the new value is then a
    default (none, bus, no …), and replacing a filled stored value with it is a clear.
    """
    if field_name == "vip_level":
        if vip_rank(new) < vip_rank(old):
            return Reason("{field}: VIP tier lowered from {old} to {new}", field=field_name, old=old, new=new)
        return None
    if field_name == "district":
        if old and new != old:
            return Reason("{field}: moves from {old} to {new}", field=field_name, old=old, new=new)
        return None
    if blank and _filled(old) and old != new:
        return Reason("{field}: cleared (the file's cell is empty)", field=field_name)
    return None
