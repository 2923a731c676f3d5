"""What can happen to a case: the events of its history, appended and never changed.

A case is one customer (or one cluster with its member tickets) selected for a
visit, or one phone follow-up, from the morning it is selected until it is
closed and called back.  Its history is a list of these events, each with who,
when and why; its state (:mod:`planner.cases.lifecycle`) is derived from them,
so nothing is overwritten and the whole story of a customer can be shown.

The kinds follow the pilot's six steps (seed 002, 流程规范): selected (1 准备工作),
call attempts and the appointment agreed (2 约见客户), planned in a plan version
and the visit's outcome (3 面对面沟通), the follow-up decided and tracked
(4 汇总拜访情况, 5 跟踪处理), closed and the callback due (6 电话回访).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    """Every kind of event a case's history may hold (stored as these strings)."""

    SELECTED = "selected"                          # triage or a dispatcher picked it (opens the case)
    CALL_ATTEMPT = "call_attempt"                  # a call to the customer and its result
    APPOINTMENT_CONFIRMED = "appointment_confirmed"  # a window agreed for one date
    PLANNED = "planned"                            # on a route of plan version N of a day
    UNASSIGNED = "unassigned"                      # in plan version N of a day, but on no route
    OUTCOME = "outcome"                            # the field worker's record of the visit
    NOT_DONE = "not_done"                          # the day was closed with no outcome recorded
    FOLLOW_UP_ASSIGNED = "follow_up_assigned"      # solution type, owner, promised date
    FOLLOW_UP_UPDATED = "follow_up_updated"        # progress, a new promised date
    FOLLOW_UP_ESCALATED = "follow_up_escalated"    # handed to a named next level
    CONVERTED_TO_VISIT = "converted_to_visit"      # a phone follow-up that needs a visit after all
    CLOSED = "closed"                              # off the books, with the reason
    CALLBACK_DUE = "callback_due"                  # the customer is to be called back from a date
    CALLED_BACK = "called_back"                    # the callback made: reached or not, the customer's answer
    REOPENED = "reopened"                          # back on the books, with the reason


class CaseKind(StrEnum):
    VISIT = "visit"  # face to face (one customer, or one cluster)
    PHONE = "phone"  # a phone follow-up


class CallResult(StrEnum):
    """What a call to the customer came to (the pilot's step 2: the customer chooses the time)."""

    UNREACHED = "unreached"
    REFUSED = "refused"
    RESCHEDULED = "rescheduled"  # the customer named another date and window
    CONFIRMED = "confirmed"      # the window holds (a same-morning reconfirmation too)
    RESOLVED = "resolved"        # a phone follow-up settled on the phone


#: the call results that agree a visit's window (for the date the call names)
AGREEING = frozenset({CallResult.CONFIRMED, CallResult.RESCHEDULED})


class VisitResult(StrEnum):
    """What a visit came to, as the field worker records it.  "Customer not met" is a
    result of the visit, not a satisfaction value."""

    CLOSED_ON_SITE = "closed_on_site"  # 现场闭环
    FOLLOW_UP = "follow_up"            # 需要后期闭环
    NOT_MET = "not_met"                # nobody there, or not at the agreed place
    REFUSED = "refused"                # the customer would not see the visitor


class Satisfaction(StrEnum):
    """What a customer said of the handling, on the operator's scale (the sheet's 满意 / 基本满意 /
    不满意): on site when met, and on the callback."""

    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"


class CloseReason(StrEnum):
    """The only ways a case leaves the books."""

    CLOSED_ON_SITE = "closed_on_site"
    FOLLOW_UP_RESOLVED = "follow_up_resolved"
    RESOLVED_BY_PHONE = "resolved_by_phone"
    DISPATCHER = "dispatcher"  # a dispatcher's decision, with a written reason


class FollowUpStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    ESCALATED = "escalated"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class CaseEvent:
    """One entry of a case's history.  ``seq`` orders a case's events (1, 2, …);
    ``day`` is the working day the event concerns (the plan's, the visit's, the
    appointment's), ``at`` when it was recorded; ``data`` holds the kind's values
    (:mod:`planner.cases.lifecycle` reads them)."""

    seq: int
    kind: EventKind
    at: datetime
    actor: str
    day: date | None = None
    note: str = ""  # why, in the actor's words (a dispatcher's close, a reopening, a follow-up's progress)
    data: dict[str, Any] = field(default_factory=dict)
