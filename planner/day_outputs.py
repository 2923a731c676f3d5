"""Everything a stored plan sends out of the office at once: the records behind it (its
tickets, each phone's complaint history, the roster), the map, and the one call that
writes a day's sheets, map and export (``cvp plan``, ``cvp demo``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from planner.export import default_export_name, export_plan
from planner.outputs_io import atomic_write_text, write_all
from planner.plan.document import PlanDocument
from planner.records import StaffMember, Ticket
from planner.triage.rules import Rules


@dataclass
class PlanInputs:
    """The records behind a plan: its tickets, each phone's complaint history, the roster."""

    tickets: dict[str, Ticket]
    history: dict[str, list[Ticket]]
    staff: dict[str, StaffMember] = field(default_factory=dict)


def load_plan_inputs(session: Session, doc: PlanDocument | Mapping, rules: Rules) -> PlanInputs:
    """Tickets and history (:func:`planner.workflow.plan_tickets`) and the district's roster
    (for the worker's phone on the sheet) from the store."""
    from planner.store import repository as repo
    from planner.store.db import transaction
    from planner.workflow import plan_tickets

    plan = PlanDocument.of(doc)
    tickets, history = plan_tickets(session, plan, rules)
    with transaction(session):
        staff = {s.staff_id: s for s in repo.staff_for(session, plan.district)}
    return PlanInputs(tickets, history, staff)


def plan_map(doc: PlanDocument | Mapping, rules: Rules, *, inputs: PlanInputs, tiles: Any = None,
             lang: str = "zh") -> str:
    """The dispatcher's map of a stored plan, as a self-contained HTML page: the one way
    ``cvp plan``, ``cvp map`` and the web app's map page make it.

    The map is built over the plan's tickets *and* each phone's complaint history
    (:func:`load_plan_inputs`), because the visit reasons
    it shows ("第3次投诉", nth complaint) are counted from that history; a map built
    from the tickets alone says only "repeat complainant".  ``tiles`` is a
    :class:`planner.maps.Tiles`, a tile URL/``amap``, or None for no tiles."""
    from planner.maps import build_map

    return build_map(doc, inputs.tickets, rules, tiles=tiles, lang=lang, history=inputs.history)


def write_day_outputs(doc: PlanDocument | Mapping, rules: Rules, folder: str | Path, *, inputs: PlanInputs,
                      lang: str = "zh", url_base: str | None = None, tiles: str | None = None,
                      sheet_format: str = "pdf", export_format: str = "xlsx") -> dict[str, Any]:
    """Everything a plan sends out of the office, into ``folder``: ``sheets/DATE_STAFF.pdf``
    per worker, ``map.html`` and ``visits-DATE-DISTRICT.xlsx``.  What ``cvp plan`` and
    ``cvp demo`` call after writing plan.json.

    Each file is written whole or not at all (:mod:`planner.outputs_io`); when the
    file system refuses one (a full disk), :class:`planner.outputs_io.OutputError`
    says which files were written and which were not, and nothing later is tried.
    ``tiles`` None means the map's tiles from ``CVP_TILES``/``CVP_TILES_CRS``, as ``cvp map``
    takes them (``"none"`` for none)."""
    from planner.maps import tiles_from_env
    from planner.sheets import render_sheets

    doc = PlanDocument.of(doc)
    map_tiles = tiles_from_env() if tiles is None else tiles
    out = Path(folder)
    map_path = out / "map.html"
    export_path = out / default_export_name(doc, export_format)
    sheets: list[Path] = []

    def write_sheets() -> list[Path]:
        sheets.extend(render_sheets(doc, inputs.tickets, inputs.history, rules, out / "sheets", fmt=sheet_format,
                                    lang=lang, url_base=url_base, staff=inputs.staff))
        return sheets

    write_all([
        ([out / "sheets"], write_sheets),
        ([map_path], lambda: atomic_write_text(map_path, plan_map(doc, rules, inputs=inputs, tiles=map_tiles,
                                                                  lang=lang))),
        ([export_path], lambda: export_plan(doc, inputs.tickets, rules, export_path, export_format, lang=lang,
                                            history=inputs.history)),
    ])
    return {"sheets": sheets, "map": map_path, "export": export_path}
