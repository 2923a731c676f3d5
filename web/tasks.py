"""The job kinds the web app queues (see :mod:`web.jobs`, which runs them from :data:`TASKS`).  Each is a plain function of
JSON-able params and the database URL, calling the same library functions as the CLI
in a session of its own (a job outlives the request that queued it), as the account
that queued it (``author``, ``role``)."""

from __future__ import annotations

import shutil
from contextlib import closing
from datetime import date, time
from typing import Any

from planner.actor import Actor
from planner.plan.day import SolverSettings, plan_day
from planner.plan.document import PlanDocument
from planner.store.db import open_session


def _actor(params: dict[str, Any]) -> Actor:
    """Who queued the job, acting on the job's district."""
    return Actor(params.get("author", ""), params.get("role", ""), frozenset({params["district"]}))


def _stored(session, params: dict[str, Any]) -> PlanDocument:
    from planner import plans

    found = plans.get_plan(session, date.fromisoformat(params["day"]), params["district"], int(params["version"]))
    if found is None:
        raise LookupError(f"no plan {params['version']} for {params['district']} on {params['day']}")
    return found[0]


def plan_day_task(params: dict[str, Any], database: str | None) -> dict[str, Any]:
    """Plan a district's day: params ``day``, ``district``, ``absent`` (staff ids off besides
    the day's roster absences, which planning reads itself), ``pins``
    ({visit_id: staff_id}), ``solver`` (SolverSettings fields), ``author``, ``rules_file``."""
    from planner.triage import load_rules

    rules = load_rules(params.get("rules_file"))
    pins = {str(k): str(v) for k, v in (params.get("pins") or {}).items()}
    with closing(open_session(database)) as session:  # each action commits; no transaction spans the search
        doc = plan_day(session, date.fromisoformat(params["day"]), params["district"], solver=_solver(params),
                       absent=tuple(params.get("absent") or ()), pins=pins, actor=_actor(params), rules=rules,
                       audit_details={"pins": pins})
    return _plan_result(doc)


def replan_task(params: dict[str, Any], database: str | None) -> dict[str, Any]:
    """Re-plan the rest of a day from ``now`` (:func:`planner.plan.replan.replan`, as
    ``cvp replan``): params ``day``, ``district``, ``version`` (the plan to start from),
    ``now`` (HH:MM), ``absent``, ``add_file``/``gazetteer`` (an upload of urgent tickets,
    removed afterwards with ``upload_dir``), ``solver``, ``author``, ``rules_file``."""
    from planner.plan.replan import replan
    from planner.triage import load_rules

    try:
        with closing(open_session(database)) as session:
            new = replan(session, _stored(session, params), time.fromisoformat(params["now"]),
                         add_file=params.get("add_file"), gazetteer=params.get("gazetteer"),
                         absent=tuple(params.get("absent") or ()), solver=_solver(params), actor=_actor(params),
                         rules=load_rules(params.get("rules_file")), audit_details={"added": params.get("added")})
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


def render_sheets_task(params: dict[str, Any], database: str | None) -> dict[str, Any]:
    """Render a plan version's route sheets (each worker and all-in-one) into the PDF cache,
    so downloads after publishing are instant."""
    from planner.triage import load_rules
    from web import downloads

    rules = load_rules(params.get("rules_file"))
    files = []
    with closing(open_session(database)) as session:
        doc = _stored(session, params)
        for staff_id in doc.staff_ids + [None]:
            path = downloads.sheet_pdf_path(session, doc, staff_id, params.get("lang", "zh"), params["url_base"], rules,
                                            params["cache_dir"])
            files.append(path.name)
    return {"files": files}


#: the job kinds and the function that does each: ``fn(params, database) -> result``
TASKS = {
    "plan_day": plan_day_task,
    "replan": replan_task,
    "render_sheets": render_sheets_task,
}
