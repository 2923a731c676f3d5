"""What the field worker records at a visit: one definition for the stop page, the API,
``cvp outcomes record`` and the sample day's ``outcomes.json``.

It follows the pilot's paper sheet and notebook (seed 002: 客户的所在地覆盖情况, 客户反映问题,
客户要求等现场信息) and its kit of three test phones (移动 G/T 网, 电信 C 网, 联通 G/W 网):

* the **visit result** (:class:`~planner.cases.events.VisitResult`): closed on site,
  needs later closure, customer not met, customer refused.  "Not met" is a result, not a
  satisfaction value;
* the customer's **satisfaction**, only when the customer was met;
* per operator × technology of the rules file (``field_record``): the measured signal
  (dBm), a test call and a data test (ok / failed / not tried, the speed in kbps);
* the customer's **problem** and **requests**, the **measure** taken, whether a **gift**
  was given and which, a **promised date**, the arrival time and notes.

Every input reaches :func:`read_record` as the API's JSON shape (the page and the command
line build that shape from their fields), so a wrong value is refused the same way
everywhere: a :class:`~planner.errors.UserError` naming the field and the reason, before
anything is written.  The bounds (the operators, dBm, kbps, the gifts, how far ahead a
promise may lie) are the rules file's; the texts' lengths are the store's columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from planner.cases.events import Satisfaction, VisitResult
from planner.clock import clock_time
from planner.errors import Reason, UserError
from planner.intake.lengths import check_text

if TYPE_CHECKING:
    from planner.triage.rules import Rules
    from planner.triage.rules_model import FieldRecordRules, Operator


class TestResult(StrEnum):
    """A test call or a data test on one network."""

    __test__ = False  # not a pytest test class

    OK = "ok"
    FAILED = "failed"
    NOT_TRIED = "not_tried"


#: the results after which the customer was met (a satisfaction, a gift, a promise need one)
MET = (VisitResult.CLOSED_ON_SITE, VisitResult.FOLLOW_UP)
#: the free texts of a record (each bounded by its store column)
TEXTS = ("problem", "requests", "measure", "notes")


@dataclass(frozen=True)
class NetworkTest:
    """One operator × technology measured on site (the operator by its code)."""

    __test__ = False

    operator: str
    technology: str
    signal_dbm: int | None = None
    call: TestResult = TestResult.NOT_TRIED
    data: TestResult = TestResult.NOT_TRIED
    data_kbps: int | None = None

    @property
    def empty(self) -> bool:
        return (self.signal_dbm is None and self.data_kbps is None and self.call is TestResult.NOT_TRIED
                and self.data is TestResult.NOT_TRIED)

    def to_json(self) -> dict[str, Any]:
        return {"operator": self.operator, "technology": self.technology, "signal_dbm": self.signal_dbm,
                "call": self.call.value, "data": self.data.value, "data_kbps": self.data_kbps}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "NetworkTest":
        """A stored test (checked when it was recorded)."""
        return cls(str(d["operator"]), str(d["technology"]), d.get("signal_dbm"),
                   TestResult(d.get("call") or "not_tried"), TestResult(d.get("data") or "not_tried"),
                   d.get("data_kbps"))


@dataclass(frozen=True)
class FieldRecord:
    """A visit's record as the worker gave it (checked: see :func:`read_record`)."""

    result: VisitResult
    satisfaction: Satisfaction | None = None
    arrived_at: datetime | None = None
    tests: tuple[NetworkTest, ...] = ()
    problem: str = ""
    requests: str = ""
    measure: str = ""
    gift_given: bool = False
    gift_item: str = ""
    promised: date | None = None
    notes: str = ""

    @property
    def met(self) -> bool:
        return self.result in MET

    @property
    def closed_on_site(self) -> bool:
        return self.result is VisitResult.CLOSED_ON_SITE

    def test(self, operator: str, technology: str) -> NetworkTest | None:
        return next((t for t in self.tests if (t.operator, t.technology) == (operator, technology)), None)

    def to_json(self) -> dict[str, Any]:
        """The API's shape (what :func:`read_record` reads back), times as the caller gives them."""
        return {"result": self.result.value, "satisfaction": self.satisfaction.value if self.satisfaction else None,
                "tests": [t.to_json() for t in self.tests], "problem": self.problem, "requests": self.requests,
                "measure": self.measure, "gift_given": self.gift_given, "gift_item": self.gift_item,
                "promised_date": self.promised.isoformat() if self.promised else None, "notes": self.notes}


def _refuse(msgid: str, **values: Any) -> UserError:
    return UserError(Reason(msgid, **values))


def _choice(kind: type[StrEnum], value: Any, field: str, *, required: bool = False) -> Any:
    if value is None or value == "":
        if required:
            raise _refuse("{field}: required, one of {choices}", field=field, choices=", ".join(kind))
        return None
    if not isinstance(value, str) or value not in {k.value for k in kind}:
        raise _refuse("{field} {value}: choose one of {choices}", field=field, value=_shown(value),
                      choices=", ".join(kind))
    return kind(value)


def _shown(value: Any) -> str:
    """A refused value as the message quotes it (bounded: a value may be megabytes)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _whole(value: Any, field: str, low: int, high: int, unit: str) -> int | None:
    """A whole number in [low, high]; the page and the command line send it as text."""
    if value is None or value == "":
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and len(value) <= 12:
        try:
            number = int(value.strip().replace("−", "-"))
        except ValueError:
            number = None
    if number is None or not low <= number <= high:
        raise _refuse("{field} {value}: a whole number from {low} to {high} {unit}", field=field,
                      value=_shown(value), low=low, high=high, unit=unit)
    return number


def _text(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _refuse("{field}: a text", field=name)
    return check_text(name, value).strip()


def _flag(body: Mapping[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _refuse("{field}: true or false", field=name)
    return value


def _day(value: Any, field: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _refuse("{field} {value}: a date as YYYY-MM-DD", field=field, value=_shown(value))


def line_name(op: "Operator", technology: str) -> str:
    """How a measurement line is named in messages and on the command line: 中国移动/GSM."""
    return f"{op.label}/{technology}"


def read_test(raw: Any, rules: "FieldRecordRules", where: str) -> NetworkTest:
    """One measurement line of the API's shape, checked against the rules' operators and bounds."""
    if not isinstance(raw, Mapping):
        raise _refuse("{field}: an object with operator, technology, signal_dbm, call, data, data_kbps",
                      field=where)
    unknown = sorted(set(raw) - {"operator", "technology", "signal_dbm", "call", "data", "data_kbps"})
    if unknown:
        raise _refuse("{field}: unknown field {name}", field=where, name=_shown(unknown[0]))
    name = raw.get("operator")
    op = rules.operator(name) if isinstance(name, str) else None
    if op is None:
        raise _refuse("{field}: unknown operator {value}, choose one of {choices}", field=where,
                      value=_shown(name), choices=", ".join(o.label for o in rules.operators))
    tech = raw.get("technology")
    tech = tech.strip() if isinstance(tech, str) else tech
    if tech not in op.technologies:
        raise _refuse("{field}: {operator} has no technology {value}, choose one of {choices}", field=where,
                      operator=op.label, value=_shown(tech), choices=", ".join(op.technologies))
    line = line_name(op, tech)
    return NetworkTest(
        op.code, tech,
        _whole(raw.get("signal_dbm"), f"{line} signal_dbm", rules.signal_min_dbm, rules.signal_max_dbm, "dBm"),
        _choice(TestResult, raw.get("call"), f"{line} call") or TestResult.NOT_TRIED,
        _choice(TestResult, raw.get("data"), f"{line} data") or TestResult.NOT_TRIED,
        _whole(raw.get("data_kbps"), f"{line} data_kbps", 0, rules.data_kbps_max, "kbps"))


def read_tests(raw: Any, rules: "FieldRecordRules") -> tuple[NetworkTest, ...]:
    """The measurement lines, each operator × technology at most once, in the rules' order;
    a line with nothing measured is left out."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _refuse("{field}: a list of network tests", field="tests")
    if len(raw) > len(rules.lines()):
        raise _refuse("{field}: at most {n} lines (one per operator and technology)", field="tests",
                      n=len(rules.lines()))
    found: dict[tuple[str, str], NetworkTest] = {}
    for i, item in enumerate(raw):
        test = read_test(item, rules, f"tests[{i}]")
        key = (test.operator, test.technology)
        if key in found:
            op = rules.operator(test.operator)
            raise _refuse("{field}: {line} is given twice", field="tests",
                          line=line_name(op, test.technology) if op else key)
        found[key] = test
    order = {(op.code, tech): i for i, (op, tech) in enumerate(rules.lines())}
    return tuple(t for t in sorted(found.values(), key=lambda t: order[(t.operator, t.technology)]) if not t.empty)


FIELDS = frozenset({"result", "satisfaction", "arrived_at", "tests", "problem", "requests", "measure",
                    "gift_given", "gift_item", "promised_date", "notes"})


def read_record(body: Mapping[str, Any], rules: "Rules", visit_day: date, *, also: Iterable[str] = ()) -> FieldRecord:
    """The record of a visit on ``visit_day`` from the API's JSON shape (``arrived_at``
    ``HH:MM`` in the rules' zone; numbers may come as text from a form), every field
    checked; :class:`UserError` naming the first wrong one.  A field not of the record
    (nor of ``also``: the request's own, such as ``visit_id``) is refused, not ignored: a
    misspelt ``promised_dat`` must not drop a promise unnoticed."""
    unknown = sorted(str(k) for k in set(body) - FIELDS - set(also))
    if unknown:
        raise _refuse("{field}: unknown field, the record has {choices}", field=_shown(unknown[0]),
                      choices=", ".join(sorted(FIELDS)))
    fr = rules.field_record
    result = _choice(VisitResult, body.get("result"), "result", required=True)
    satisfaction = _choice(Satisfaction, body.get("satisfaction"), "satisfaction")
    arrived = body.get("arrived_at")
    if arrived is not None and not isinstance(arrived, str):
        raise _refuse("{field}: HH:MM", field="arrived_at")
    arrived_at = datetime.combine(visit_day, clock_time(arrived, "arrived_at"), tzinfo=rules.tz) if arrived else None
    tests = read_tests(body.get("tests"), fr)
    texts = {name: _text(body, name) for name in TEXTS}
    gift_given = _flag(body, "gift_given")
    gift_item = _text(body, "gift_item")
    if gift_item and not gift_given:
        raise _refuse("{field} {value}: no gift was given (gift_given is false)", field="gift_item",
                      value=_shown(gift_item))
    if gift_given and fr.gift_items and gift_item not in fr.gift_items:
        raise _refuse("{field} {value}: choose one of {choices}", field="gift_item", value=_shown(gift_item),
                      choices=", ".join(fr.gift_items))
    promised = _day(body.get("promised_date"), "promised_date")
    if promised is not None and promised < visit_day:
        raise _refuse("{field} {value}: before the visit day {day}", field="promised_date", value=str(promised),
                      day=str(visit_day))
    if promised is not None and promised > visit_day + timedelta(days=fr.promise_days):
        raise _refuse("{field} {value}: more than {n} days after the visit day {day}", field="promised_date",
                      value=str(promised), n=fr.promise_days, day=str(visit_day))
    if result not in MET:
        for name, given in (("satisfaction", satisfaction is not None), ("gift_given", gift_given),
                            ("promised_date", promised is not None)):
            if given:
                raise _refuse("{field}: only for a customer who was met (the result is {result})", field=name,
                              result=result.value)
    return FieldRecord(result, satisfaction, arrived_at, tests, texts["problem"], texts["requests"],
                       texts["measure"], gift_given, gift_item, promised, texts["notes"])
