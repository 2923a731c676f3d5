"""The planner's pages: cost scenarios (run, compare, sweep with the chart, save)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from planner.errors import UserError
from web import cost, security
from web.i18n import gettext as _
from web.security import roles

bp = Blueprint("planner", __name__, url_prefix="/planner")

PLANNING = ("planner", "admin")
MAX_SLOTS = 4


def _fields(i: int) -> dict[str, tuple[str, str]]:
    """Scenario ``i``'s form fields: parameter → (value posted, value the page showed)."""
    prefix = f"f{i}-"
    return {key[len(prefix):]: (value, request.form.get(f"o{i}-{key[len(prefix):]}", value))
            for key, value in request.form.items() if key.startswith(prefix)}


def _slots_from_form() -> list[cost.Slot]:
    slots = []
    for i in range(1, MAX_SLOTS + 1):
        text = request.form.get(f"yaml{i}")
        if text is None:
            continue
        slots.append(cost.from_form(text, request.form.get(f"sets{i}", ""), request.form.get(f"name{i}", ""),
                                    _fields(i)))
    return slots


def _slot_index(slots: list[cost.Slot], field: str = "slot") -> int:
    """The form's ``slot`` (1 … number of scenarios on the form), as a list index."""
    text = request.form.get(field, "1") or "1"
    if not text.isdigit() or not 1 <= int(text) <= len(slots):
        raise UserError(f"slot {text!r}: choose a scenario from 1 to {len(slots)}")
    return int(text) - 1


def _page(slots, **extra):
    extra.setdefault("sweep_slot", 1)
    who = cost.viewer()
    return render_template("planner/cost.html", slots=slots, fields=[cost.fields_of(s) for s in slots],
                           builtins=cost.builtin_names(), saved=cost.saved_scenarios(who),
                           viewer=who, **extra)


def _run_all(slots: list[cost.Slot]) -> tuple[list[dict[str, Any] | None], list[str]]:
    """Every scenario's figures (None where it has an error) and the errors."""
    results: list[dict[str, Any] | None] = []
    errors: list[str] = []
    for i, slot in enumerate(slots, 1):
        try:
            results.append(cost.run(slot, i))
        except UserError as exc:
            results.append(None)
            errors.append(str(exc))
    return results, errors


@bp.get("/")
@roles(*PLANNING)
def cost_page():
    slots = cost.pilot_slots()
    names = [request.args.get(f"s{i}") for i in range(1, MAX_SLOTS + 1)]
    if any(names):
        try:
            slots = [cost.Slot(cost.text_of(n, cost.viewer()), "", n) for n in names if n]
        except UserError as exc:
            flash(str(exc), "error")
    results, errors = _run_all(slots)  # the figures are there before anything is pressed
    return _page(slots, results=results, errors=errors)


@bp.post("/run")
@roles(*PLANNING)
def run():
    slots = _slots_from_form()
    results, errors = _run_all(slots)
    return _page(slots, results=results, errors=errors), (422 if errors else 200)


@bp.post("/compare")
@roles(*PLANNING)
def compare():
    slots = _slots_from_form()
    try:
        comparison = cost.compare(slots)
    except UserError as exc:
        return _page(slots, errors=[str(exc)]), 422
    return _page(slots, comparison=comparison)


@bp.post("/sweep")
@roles(*PLANNING)
def sweep():
    slots = _slots_from_form()
    vary = request.form.get("vary", "").strip()
    # the page's own chooser; a form without it (an older page, a script) names the slot as ``slot``
    field = "sweep_slot" if "sweep_slot" in request.form else "slot"
    chosen = request.form.get(field, "1")
    try:
        index = _slot_index(slots, field)
        result = cost.sweep(slots[index], vary)
    except UserError as exc:
        return _page(slots, errors=[str(exc)], vary=vary, sweep_slot=chosen), 422
    return _page(slots, sweep=result, vary=vary, sweep_slot=index + 1)


@bp.post("/scenarios")
@roles(*PLANNING)
def save():
    slots = _slots_from_form()
    name = ""
    try:
        index = _slot_index(slots)
        name = request.form.get(f"save_name{index + 1}", "").strip()
        shared = request.form.get(f"share{index + 1}") == "on"
        cost.save(name, slots[index].text, security.signed_in_user().username, shared)
    except UserError as exc:
        return _page(slots, errors=[str(exc)]), 422
    security.audit("scenario_save", name)
    flash(_("Scenario saved: {name}", name=name), "ok")
    return redirect(url_for("planner.cost_page", s1=name))


@bp.post("/scenarios/delete")
@roles(*PLANNING)
def delete():
    name = request.form.get("name", "")
    # another planner's shared scenario: ForbiddenError (403); a private one reads as none
    if cost.delete(name, cost.viewer()):
        security.audit("scenario_delete", name)
        flash(_("Scenario deleted: {name}", name=name), "ok")
    return redirect(url_for("planner.cost_page"))
