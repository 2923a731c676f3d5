"""Who does an action: the name the audit log records, the role that decides what it may
do, and the districts it may touch.

One definition for every shell: the web app's signed-in account (:meth:`Actor.of`) and
the command line (:meth:`Actor.cli`, the operator on the server, who may touch any
district).  The actions in :mod:`planner` take an ``Actor`` and write their audit row
with its name, in the same transaction as the change.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import Any

#: the command line's role: the operator on the server holds every district
OPERATOR = "operator"

#: the roles that run a district's day (overrides, appointments, publishing, cases)
DISPATCHERS = ("dispatcher", "admin", OPERATOR)

#: the roles that track follow-ups and call customers (the pilot's two follow-up staff a
#: district, 后续问题的追踪整理和二次回访, and every dispatcher)
FOLLOW_UP_STAFF = ("followup", *DISPATCHERS)


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    districts: frozenset[str] | None  # None: every district

    @classmethod
    def of(cls, user: Any) -> Actor:
        """A web account (:class:`planner.store.accounts.User`): an administrator holds every
        district, anyone else only their own (none without one); a deactivated account acts
        with no role, so every role check refuses it."""
        role = user.role if user.active else ""
        districts = None if role == "admin" else frozenset({user.district}) if user.district else frozenset()
        return cls(user.username, role, districts)

    @classmethod
    def cli(cls) -> Actor:
        """The command line: ``cli:<the OS user>``, as an operator of every district."""
        try:
            who = getpass.getuser()
        except (KeyError, OSError):  # no name for the uid (a container)
            who = "unknown"
        return cls(f"cli:{who}", OPERATOR, None)

    def holds(self, district: str) -> bool:
        return self.districts is None or district in self.districts

    def dispatches(self, district: str) -> bool:
        """Whether the actor runs the district's day: a dispatcher's role (a field worker's,
        or a deactivated account's, is not) and the district held."""
        return self.role in DISPATCHERS and self.holds(district)

    def follows_up(self, district: str) -> bool:
        """Whether the actor may track the district's follow-ups and call its customers: a
        follow-up account's role, or a dispatcher's, and the district held."""
        return self.role in FOLLOW_UP_STAFF and self.holds(district)
