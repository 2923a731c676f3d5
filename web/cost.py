"""The planner's cost pages over :mod:`cost_model` (the same functions as ``cvp cost``)."""

from __future__ import annotations

import base64
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cost_model import compare as compare_mod
from cost_model import form as form_mod
from cost_model import report
from cost_model import scenario as scenario_mod
from cost_model import sweep as sweep_mod
from cost_model.model import evaluate
from planner.errors import UserError
from planner.store import scenarios as saved
from planner.store.db import transaction
from web.db import get_session

PILOT = ("xian-2010-recommended", "xian-2010-vendor-quote")


@dataclass(frozen=True)
class Slot:
    """One scenario on the form: its YAML text (with the form's fields already written
    in, see :func:`from_form`) and the NAME=VALUE changes for this run; ``problem`` is
    why the form's fields could not be written into the YAML."""

    text: str
    sets: str = ""
    name: str = ""
    problem: str = ""


def from_form(text: str, sets: str, name: str, fields: dict[str, tuple[str, str]]) -> Slot:
    """The slot a posted form describes: each field the planner changed (its value differs
    from the one the page showed) is written into the YAML, which stays the one
    definition of the scenario; a field left alone leaves the YAML's value, so an edit
    made in the YAML view is kept."""
    changes = [(n, v) for n, (v, shown) in fields.items() if v.strip() != shown.strip()]
    try:
        return Slot(form_mod.apply(text, changes, source=name or "scenario"), sets, name)
    except UserError as exc:
        return Slot(text, sets, name, str(exc))


def fields_of(slot: Slot) -> list[form_mod.Field]:
    """The form of a slot's scenario, or none while its YAML has an error."""
    try:
        return form_mod.fields(scenario_mod.loads(slot.text, source=slot.name or "scenario"))
    except UserError:
        return []


def builtin_names() -> list[str]:
    return scenario_mod.builtin_names()


def viewer() -> saved.Viewer:
    """The signed-in account as the scenario store sees it (an admin sees every scenario)."""
    from web.security import signed_in_user

    user = signed_in_user()
    return saved.Viewer(user.username, user.role == "admin")


def saved_scenarios(who: saved.Viewer) -> list[saved.SavedScenario]:
    """The saved scenarios ``who`` may load: own, others' shared ones (an admin: all)."""
    return saved.list_scenarios(get_session(), who)


def text_of(name: str, who: saved.Viewer) -> str:
    """A built-in scenario's text, else a saved one ``who`` may read (own, or ``owner/name``
    shared); another account's private scenario is "no scenario", as if it did not exist."""
    if name in scenario_mod.builtin_names():
        return scenario_mod.builtin_text(name)
    found = saved.get_scenario(get_session(), name, who)
    if found is None:
        raise UserError(f"no scenario {name!r}")
    return found.yaml_text


def pilot_slots() -> list[Slot]:
    return [Slot(scenario_mod.builtin_text(n), "", n) for n in PILOT]


def _sets(text: str) -> list[tuple[str, Any]]:
    """The NAME=VALUE changes; a value is one number, word or date: a mapping or a list
    (``daily_visits={a: 1}``, or a JSON object in the API's ``set``) is refused, not
    silently read as something else."""
    from cost_model.scenario_params import parse_sets

    changes = parse_sets(tuple(line.strip() for line in (text or "").splitlines() if line.strip()))
    for name, value in changes:
        if isinstance(value, (dict, list, set, tuple)):
            raise UserError(f"set {name}: one value (a number or a word), not a {type(value).__name__}")
    return changes


def scenario_of(slot: Slot, index: int):
    if slot.problem:
        raise UserError(slot.problem)
    if not slot.text.strip():
        raise UserError(f"scenario {index}: empty")
    sc = scenario_mod.loads(slot.text, source=f"scenario {index}")
    changes = _sets(slot.sets)
    return sc.with_values(changes) if changes else sc


def run(slot: Slot, index: int = 1) -> dict[str, Any]:
    """Staffing and the monthly budget, line by line with formulas (``cvp cost run --json``),
    plus the text report."""
    ev = evaluate(scenario_of(slot, index))
    return {"data": report.to_dict(ev), "text": report.render_text(ev)}


def compare(slots: list[Slot]) -> dict[str, Any]:
    if len(slots) < 2:
        raise UserError("give at least two scenarios to compare")
    result = compare_mod.compare([evaluate(scenario_of(s, i)) for i, s in enumerate(slots, 1)])
    return {"data": compare_mod.to_dict(result), "text": compare_mod.render_text(result)}


def sweep(slot: Slot, vary: str) -> dict[str, Any]:
    """The sweep table and its chart (a PNG data URI)."""
    from cost_model.chart import write_chart

    param, values = sweep_mod.parse_vary(vary)
    sc = scenario_of(slot, 1)
    result = sweep_mod.sweep(sc, param, values)
    label, label_zh = form_mod.labels(sc, param)
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_chart(result, Path(tmp) / "chart")
        png = next(p for p in paths if p.suffix == ".png").read_bytes()
    return {"data": sweep_mod.to_dict(result), "text": sweep_mod.render_text(result),
            "parameter": {"label": label, "label_zh": label_zh},
            "chart": "data:image/png;base64," + base64.b64encode(png).decode("ascii")}


def parse_saved(text: str, name: str) -> object:
    """A saved scenario must parse as one (:class:`~cost_model.scenario.ScenarioError`, a
    user error, names every problem with its line)."""
    return scenario_mod.loads(text, source=name, name=name)


def save(name: str, text: str, owner: str, shared: bool = False) -> None:
    """Save as ``owner``'s scenario ``name`` (never touches another account's of that name)."""
    with transaction(get_session()) as s:
        saved.save_scenario(s, name, text, owner, shared=shared, validate=parse_saved)


def delete(name: str, who: saved.Viewer) -> bool:
    with transaction(get_session()) as s:
        return saved.delete_scenario(s, name, who)
