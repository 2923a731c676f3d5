"""Stored plan versions: read a version, list a day's versions, publish one, and find a
worker's published route.

The web app and the command line both call these (the repository functions in
:mod:`planner.store.repository` are the queries underneath), so "the latest
version", "published" and "a worker's route" mean the same in every shell.
Publishing is an action: the change and its audit row are written in one
transaction, with the actor's name.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from planner.actor import Actor
from planner.cases.actions import record_plan
from planner.errors import UserError
from planner.plan.document import PlanDocument, Route
from planner.store import accounts
from planner.store import repository as repo
from planner.store.db import transaction


def get_plan(session: Session, day: date, district: str, version: int | None = None,
             published_only: bool = False) -> tuple[PlanDocument, str] | None:
    """A stored version (the latest, or the latest published, when ``version`` is None) and
    its status ("draft" or "published"), or None."""
    found = repo.get_plan(session, day, district, version, published_only=published_only)
    return None if found is None else (PlanDocument.from_json(found[0]), found[1])


def list_versions(session: Session, day: date, district: str) -> list[tuple[int, str, str, datetime]]:
    """The day's versions, oldest first: (version, status, author, created at)."""
    return repo.plan_versions(session, day, district)


def publish(session: Session, day: date, district: str, version: int, actor: Actor,
            audit_details: dict | None = None) -> None:
    """Publish a version: field staff see it from now on, and it never changes again; its
    visits go on the books in the same transaction (:func:`planner.cases.actions.record_plan`:
    planned on their worker's route, or unassigned with the reason), so the cases follow what
    the field staff were given, never a draft.  A version the store does not have, or an actor
    who does not dispatch that district, is a :class:`UserError`, and nothing is written."""
    if not actor.dispatches(district):
        raise UserError(f"{actor.username} may not publish the plans of {district}")
    with transaction(session):
        repo.publish_plan(session, day, district, version)
        doc = get_plan(session, day, district, version)
        if doc is not None:
            record_plan(session, actor, doc[0])
        accounts.audit(session, actor.username, "publish", f"{day} {district} v{version}", audit_details)


def published_route(session: Session, day: date, district: str, staff_id: str) -> tuple[PlanDocument, Route] | None:
    """The latest published version of the district's day and the worker's route in it
    (None: nothing published, or no route of theirs in it)."""
    found = get_plan(session, day, district, published_only=True)
    if found is None:
        return None
    route = found[0].route_of(staff_id)
    return (found[0], route) if route else None

