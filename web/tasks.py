"""The job kinds the web app queues (see :mod:`web.jobs`).  Each is a plain function of
JSON-able params and the database URL, calling the same library functions as the CLI."""

from __future__ import annotations

import shutil
from datetime import date, time
from typing import Any

from planner.plan.day import SolverSettings, plan_day
from planner.plan.document import PlanDocument
from web.jobs import task


@task("plan_day")
def plan_day_task(params: dict[str, Any], database: str | None) -> dict[str, Any]:
    """Plan a district's day: params ``day``, ``district``, ``absent`` (staff ids off besides
    the day's roster absences, which planning reads itself), ``pins``
    ({visit_id: staff_id}), ``solver`` (SolverSettings fields), ``author``, ``rules_file``."""
    from planner.triage import load_rules

    rules = load_rules(params.get("rules_file"))
    pins = {str(k): str(v) for k, v in (params.get("pins") or {}).items()}
    doc = plan_day(date.fromisoformat(params["day"]), params["district"], solver=_solver(params),
                   absent=tuple(params.get("absent") or ()), pins=pins, author=params.get("author", ""),
                   rules=rules, database=database)
    return _plan_result(doc)


@task("replan")
def replan_task(params: dict[str, Any], database: str | None) -> dict[str, Any]:
    """Re-plan the rest of a day from ``now`` (:func:`planner.plan.replan.replan`, as
    ``cvp replan``): params ``day``, ``district``, ``version`` (the plan to start from),
    ``now`` (HH:MM), ``absent``, ``add_file``/``gazetteer`` (an upload of urgent tickets,
    removed afterwards with ``upload_dir``), ``solver``, ``author``, ``rules_file``."""
    from planner.plan.replan import replan
    from planner.triage import load_rules
    from web import downloads

    try:
        doc = downloads.plan_document(date.fromisoformat(params["day"]), params["district"], int(params["version"]),
                                      database)
        new = replan(PlanDocument.of(doc), time.fromisoformat(params["now"]),
                     add_file=params.get("add_file"), gazetteer=params.get("gazetteer"),
                     absent=tuple(params.get("absent") or ()), solver=_solver(params),
                     author=params.get("author", ""), rules=load_rules(params.get("rules_file")), database=database)
    finally:
        if params.get("upload_dir"):
            shutil.rmtree(params["upload_dir"], ignore_errors=True)
    plan = PlanDocument.of(new)
    s = plan.summary
    made_from = plan.replanned_from.to_json() if plan.replanned_from else None  # a re-plan always says
    return {**_plan_result(plan), "replanned_from": made_from,
            "moved_to_another_worker": list(s.moved_to_another_worker or []),
            "handed_over_from_absent": list(s.handed_over_from_absent or [])}


def _solver(params: dict[str, Any]) -> SolverSettings:
    return SolverSettings(**{k: v for k, v in (params.get("solver") or {}).items()
                             if k in ("time_limit_s", "seed", "solution_limit")})


def _plan_result(doc: PlanDocument | dict[str, Any]) -> dict[str, Any]:
    """What a planning job reports: the new version and its summary."""
    plan = PlanDocument.of(doc)
    s = plan.summary
    return {"date": plan.date, "district": plan.district, "version": plan.version,
            "summary": {k: getattr(s, k) for k in ("visits", "assigned", "unassigned", "travel_min", "status",
                                                   "solve_seconds")},
            "warnings": list(s.warnings), "pins": dict(plan.pins or {})}


@task("render_sheets")
def render_sheets_task(params: dict[str, Any], database: str | None) -> dict[str, Any]:
    """Render a plan version's route sheets (each worker and all-in-one) into the PDF cache,
    so downloads after publishing are instant."""
    from planner.triage import load_rules
    from web import downloads

    rules = load_rules(params.get("rules_file"))
    doc = PlanDocument.of(downloads.plan_document(date.fromisoformat(params["day"]), params["district"],
                                                  int(params["version"]), database))
    files = []
    for staff_id in doc.staff_ids + [None]:
        path = downloads.sheet_pdf_path(doc, staff_id, params.get("lang", "zh"), params["url_base"], rules, database,
                                        params["cache_dir"])
        files.append(path.name)
    return {"files": files}
