"""Which changes of an import lose information: a lowered VIP tier, a cleared field.

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


#: how a report names a stored field (a Reason, so the web app shows it in Chinese)
FIELD_NOUNS: dict[str, Reason] = {
    "received_at": Reason("received time"), "phone": Reason("phone number"), "district": Reason("district"),
    "address": Reason("address"), "lat": Reason("latitude"), "lon": Reason("longitude"),
    "customer_name": Reason("customer name"), "vip_level": Reason("VIP tier"),
    "category": Reason("complaint category"), "description": Reason("complaint text"),
    "window_start": Reason("appointment start"), "window_end": Reason("appointment end"),
    "tenure_years": Reason("tenure"), "arpu": Reason("ARPU"), "escalation": Reason("escalation risk"),
    "core_customer": Reason("core customer"), "comm_style": Reason("communication style"),
    "status": Reason("status"), "is_history": Reason("history"), "name": Reason("name"),
    "base_lat": Reason("base latitude"), "base_lon": Reason("base longitude"), "base_name": Reason("base name"),
    "shift_start": Reason("shift start"),
    "shift_end": Reason("shift end"), "break_start": Reason("break start"), "break_end": Reason("break end"),
    "skills": Reason("skills"), "transport": Reason("transport"), "max_visits": Reason("max visits"),
    "active": Reason("active"), "expected_date": Reason("expected opening date"),
}


def noun(field_name: str) -> str:
    return FIELD_NOUNS.get(field_name, field_name)


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
            return Reason("{field} lowered from {old} to {new}", field=noun(field_name), old=old, new=new)
        return None
    if blank and _filled(old) and old != new:
        return Reason("{field} cleared (the file's cell is empty)", field=noun(field_name))
    return None
