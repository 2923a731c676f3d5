"""Planners' saved cost scenarios: the YAML text, validated by the caller's ``validate``
(the cost model's parser: the store stores, and knows nothing of what a scenario means).

A scenario belongs to the account that saved it: names are unique per owner, only the
owner changes or deletes it, and only the owner sees and loads it -- unless the owner
shares it, which publishes it read-only to every planner.  An admin sees, loads and may
delete every scenario (housekeeping), but saving always writes the admin's own.

A scenario is named by a *reference*: its name for one's own, ``owner/name`` for
another account's (user names have no ``/``; a name of one's own is tried first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from planner.errors import ForbiddenError, Reason, UserError
from planner.store.db import changed_rows
from planner.store.models import ScenarioRow


@dataclass(frozen=True)
class Viewer:
    """Who asks: the account's user name, and whether it is an admin (who sees all)."""

    username: str
    admin: bool = False


@dataclass(frozen=True)
class SavedScenario:
    name: str
    yaml_text: str
    author: str
    updated_at: datetime
    owner: str = ""
    shared: bool = False

    def reference(self, viewer: Viewer) -> str:
        """How ``viewer`` names it: the bare name for their own, ``owner/name`` otherwise."""
        return self.name if self.owner == viewer.username else f"{self.owner}/{self.name}"

    def writable_by(self, viewer: Viewer) -> bool:
        """The owner may change or delete it; an admin may delete it."""
        return self.owner == viewer.username or viewer.admin


#: saved scenarios one account may hold: a planner compares a handful; without a bound
#: a script saving under new names filled the store (64 KB a scenario)
MAX_PER_OWNER = 200


def _of(r: ScenarioRow) -> SavedScenario:
    return SavedScenario(r.name, r.yaml_text, r.author, r.updated_at, r.owner, bool(r.shared))


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 128 or not name.isprintable():
        raise UserError("a saved scenario needs a name of 1 to 128 characters")
    return name


def _visible(viewer: Viewer):
    """The rows ``viewer`` may read: their own and shared ones; an admin every one."""
    if viewer.admin:
        return ScenarioRow.id.is_not(None)
    return or_(ScenarioRow.owner == viewer.username, ScenarioRow.shared.is_(True))


def save_scenario(session: Session, name: str, yaml_text: str, owner: str, *,
                  validate: Callable[[str, str], object], shared: bool = False) -> SavedScenario:
    """Validate the scenario with ``validate(yaml_text, name)`` (which raises a
    :class:`~planner.errors.UserError` naming every problem with its line) and store it as
    ``owner``'s ``name``, replacing ``owner``'s earlier one of that name -- never another
    account's."""
    if not owner:
        raise UserError("a saved scenario needs an owner (the account saving it)")
    name = _check_name(name)
    validate(yaml_text, name)
    now = datetime.now(timezone.utc)
    row = session.scalars(select(ScenarioRow).where(ScenarioRow.owner == owner, ScenarioRow.name == name)).first()
    if row is None:
        held = session.execute(select(func.count()).select_from(ScenarioRow).where(ScenarioRow.owner == owner)).scalar_one()
        if held >= MAX_PER_OWNER:
            raise UserError(f"{owner} already has {held} saved scenarios; at most {MAX_PER_OWNER}: "
                            "delete one or save over one of the same name")
        row = ScenarioRow(owner=owner, name=name, yaml_text=yaml_text, author=owner, updated_at=now, shared=shared)
        session.add(row)
    else:
        row.yaml_text, row.author, row.updated_at, row.shared = yaml_text, owner, now, shared
    session.flush()
    return _of(row)


def _find(session: Session, reference: str, viewer: Viewer) -> ScenarioRow | None:
    """The row ``reference`` names among those ``viewer`` may read (own name first)."""
    rows = session.scalars(select(ScenarioRow).where(ScenarioRow.owner == viewer.username,
                                                     ScenarioRow.name == reference)).first()
    if rows is not None or "/" not in reference:
        return rows
    owner, name = reference.split("/", 1)
    return session.scalars(select(ScenarioRow).where(ScenarioRow.owner == owner, ScenarioRow.name == name,
                                                     _visible(viewer))).first()


def get_scenario(session: Session, reference: str, viewer: Viewer) -> SavedScenario | None:
    """``viewer``'s own scenario of that name, or another's shared one (``owner/name``);
    None for one that does not exist or that ``viewer`` may not read (the same answer,
    so names of others' private scenarios do not leak)."""
    row = _find(session, reference, viewer)
    return _of(row) if row is not None else None


def list_scenarios(session: Session, viewer: Viewer) -> list[SavedScenario]:
    """What ``viewer`` may load: own first, then others' shared ones (an admin: all)."""
    rows = session.scalars(select(ScenarioRow).where(_visible(viewer)).order_by(ScenarioRow.name, ScenarioRow.owner))
    found = [_of(r) for r in rows]
    return sorted(found, key=lambda s: (s.owner != viewer.username, s.name, s.owner))


def delete_scenario(session: Session, reference: str, viewer: Viewer) -> bool:
    """Delete the scenario if ``viewer`` owns it (or is an admin); False if there is none
    ``viewer`` may read.  A shared scenario of another planner is refused (ForbiddenError, 403)."""
    row = _find(session, reference, viewer)
    if row is None:
        return False
    if not _of(row).writable_by(viewer):
        raise ForbiddenError(Reason("scenario {name} belongs to {owner}: only its owner may change or delete it",
                                    name=reference, owner=row.owner))
    return changed_rows(session, delete(ScenarioRow).where(ScenarioRow.id == row.id)) > 0
