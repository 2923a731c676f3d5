"""The job kinds the web app queues (see :mod:`web.jobs`).  Each is a plain function of
JSON-able params and the database URL, calling the same library functions as the CLI."""

from __future__ import annotations

from datetime import date
from typing import Any

from planner.plan.day import SolverSettings, plan_day
from web.jobs import task


@task("plan_day")
def plan_day_task(params: dict[str, Any], database: str | None) -> dict[str, Any]:
    """Plan a district's day: params ``day``, ``district``, ``absent`` (staff ids), ``pins``
    ({visit_id: staff_id}), ``solver`` (SolverSettings fields), ``author``, ``rules_file``."""
    from planner.triage import load_rules

    rules = load_rules(params.get("rules_file"))
    solver = SolverSettings(**{k: v for k, v in (params.get("solver") or {}).items()
                               if k in ("time_limit_s", "seed", "solution_limit")})
    pins = {str(k): str(v) for k, v in (params.get("pins") or {}).items()}
    doc = plan_day(date.fromisoformat(params["day"]), params["district"], solver=solver,
                   absent=tuple(params.get("absent") or ()), pins=pins, author=params.get("author", ""),
                   rules=rules, database=database)
    s = doc["summary"]
    return {"date": doc["date"], "district": doc["district"], "version": doc["version"],
            "summary": {k: s[k] for k in ("visits", "assigned", "unassigned", "travel_min", "status", "solve_seconds")},
            "warnings": list(s.get("warnings") or []), "pins": pins}


@task("render_sheets")
def render_sheets_task(params: dict[str, Any], database: str | None) -> dict[str, Any]:
    """Render a plan version's route sheets (each worker and all-in-one) into the PDF cache,
    so downloads after publishing are instant."""
    from planner.triage import load_rules
    from web import downloads

    rules = load_rules(params.get("rules_file"))
    doc = downloads.plan_document(date.fromisoformat(params["day"]), params["district"], int(params["version"]),
                                  database)
    files = []
    for staff_id in [r["staff_id"] for r in doc.get("routes", [])] + [None]:
        path = downloads.sheet_pdf_path(doc, staff_id, params.get("lang", "zh"), params["url_base"], rules, database,
                                        params["cache_dir"])
        files.append(path.name)
    return {"files": files}
