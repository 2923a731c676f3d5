"""Planners' saved cost scenarios: the YAML text, validated by :mod:`cost_model.scenario`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from planner.errors import UserError
from planner.store.models import ScenarioRow


@dataclass(frozen=True)
class SavedScenario:
    name: str
    yaml_text: str
    author: str
    updated_at: datetime


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 128 or not name.isprintable():
        raise UserError("a saved scenario needs a name of 1 to 128 characters")
    return name


def save_scenario(session: Session, name: str, yaml_text: str, author: str = "") -> SavedScenario:
    """Validate the scenario (a :class:`~cost_model.scenario.ScenarioError` names every problem
    with its line) and store it under ``name``, replacing an earlier one of that name."""
    from cost_model import scenario as scenario_mod

    name = _check_name(name)
    scenario_mod.loads(yaml_text, source=name, name=name)
    now = datetime.now(timezone.utc)
    row = session.scalars(select(ScenarioRow).where(ScenarioRow.name == name)).first()
    if row is None:
        row = ScenarioRow(name=name, yaml_text=yaml_text, author=author, updated_at=now)
        session.add(row)
    else:
        row.yaml_text, row.author, row.updated_at = yaml_text, author, now
    return SavedScenario(name, yaml_text, author, now)


def get_scenario(session: Session, name: str) -> SavedScenario | None:
    r = session.scalars(select(ScenarioRow).where(ScenarioRow.name == name)).first()
    return SavedScenario(r.name, r.yaml_text, r.author, r.updated_at) if r else None


def list_scenarios(session: Session) -> list[SavedScenario]:
    return [SavedScenario(r.name, r.yaml_text, r.author, r.updated_at)
            for r in session.scalars(select(ScenarioRow).order_by(ScenarioRow.name))]


def delete_scenario(session: Session, name: str) -> bool:
    return session.execute(delete(ScenarioRow).where(ScenarioRow.name == name)).rowcount > 0
