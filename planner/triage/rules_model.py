"""The rules file as typed sections, parsed once when the file is loaded.

Why typed: the planner used to read ``rules.data["day"]["break_minutes"]`` in a
dozen places, each with its own ``int(...)`` and its own idea of a default, and a
wrong value surfaced as a traceback wherever it was first used.  Here every
section the planner applies is checked once, with the line of the field
(``rules file R: line 27: field day.break_minutes: must be a whole number of at
least 1, not 0``), every problem at once, and becomes a frozen value: the
working day, the selection rules, the cluster rule, priorities, customer types
and scenarios, measures, gifts, service minutes, the travel model and the
safety limits.

The file format is unchanged: a rules file that loaded before loads now.  The
sections added after the first pilot (``limits``, ``phone_followup``,
``old_ticket_days``) take the shipped file's values when a file has none, so a
dispatcher's older copy keeps working.  Conditions (``when:``) stay the small
YAML maps of :mod:`planner.triage.conditions`, checked here, compiled there.
"""

from __future__ import annotations

import difflib
import math
import string
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from planner import safeyaml, yamldoc
from planner.errors import UserError
from planner.geo.travel import TravelModel
from planner.triage.conditions import condition_problems

DEFAULT_RULES = Path(__file__).with_name("rules.yaml")
TYPES = ("loyal_urgent", "irate", "purpose_driven", "repeat", "ordinary")
SCENARIOS = ("short_term", "planned", "not_now")
#: why a ticket is selected for a visit, in the order a visit lists them
SELECTION_REASONS = ("vip", "repeat", "cluster", "escalation", "core", "dispatcher")
CONDITION_REASONS = ("vip", "escalation", "core")  # selection reasons decided by a `when:` condition
LIMITS = ("max_open_tickets", "max_evidence_tickets", "max_nearby_pairs")

# Upper bounds of plausible values: far above any real rules file, low enough that
# arithmetic on them (minutes × 60, a timedelta of days) never overflows.
MAX_MINUTES = 24 * 60
MAX_DAYS = 3660
MAX_METRES = 1_000_000
MAX_COUNT = 1_000_000_000


class RulesError(UserError):
    """A rules file that did not validate; lists every problem found, each with its line."""

    def __init__(self, source: str, problems: list[yamldoc.FieldProblem]):
        self.source = source
        self.problems = problems
        lines = [_render(p) for p in problems]
        if len(lines) == 1:
            text = f"rules file {source}: {lines[0]}"
        else:
            text = f"rules file {source}: {len(lines)} problems:\n" + "\n".join(f"  {t}" for t in lines)
        super().__init__(text)


def _render(p: yamldoc.FieldProblem) -> str:
    where = f"line {p.line}: " if p.line else ""
    return f"{where}field {p.field}: {p.reason}" if p.field else f"{where}{p.reason}"


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class WorkingDay:
    """``day:`` — the pilot's working day: the shift, the lunch window and length, the
    visits one person makes a day and the 1.5-hour budget of one visit (travel +
    waiting + on-site).  A roster row's own shift or lunch beats these."""

    shift_start: time
    shift_end: time
    break_earliest_start: time
    break_latest_start: time
    break_minutes: int
    max_visits_per_worker: int
    visit_budget_min: float


@dataclass(frozen=True)
class ConditionRule:
    """A selection reason decided by a condition (``vip``, ``escalation``, ``core``)."""

    label: str
    when: dict


@dataclass(frozen=True)
class RepeatRule:
    """``selection.repeat`` — another (network) complaint from the phone in the look-back."""

    label: str
    lookback_days: float
    network_only: bool


@dataclass(frozen=True)
class ClusterRule:
    """``selection.cluster`` — ``min_tickets`` network complaints within ``radius_m`` of
    each other within ``days``; ``network_keywords`` say what a network complaint is."""

    label: str
    min_tickets: int
    radius_m: float
    days: float
    network_keywords: tuple[str, ...]


@dataclass(frozen=True)
class Selection:
    """``selection:`` — who gets a face-to-face visit."""

    vip: ConditionRule
    escalation: ConditionRule
    core: ConditionRule
    repeat: RepeatRule
    cluster: ClusterRule

    def evidence_since(self, start: datetime) -> tuple[datetime, datetime]:
        """Since when earlier tickets count: for repeats (the look-back) and for clusters."""
        return start - timedelta(days=self.repeat.lookback_days), start - timedelta(days=self.cluster.days)

    def by_condition(self) -> tuple[tuple[str, ConditionRule], ...]:
        return tuple((r, getattr(self, r)) for r in CONDITION_REASONS)

    def label(self, code: str) -> str:
        rule = getattr(self, code, None) if code in (*CONDITION_REASONS, "repeat", "cluster") else None
        return rule.label if rule is not None else code


@dataclass(frozen=True)
class Priority:
    """``priority:`` — routing levels, best first; what level each reason reaches; how many
    levels an unassigned visit climbs per day it waits."""

    levels: tuple[str, ...]
    level_of: dict[str, str]
    aging_levels_per_day: int


@dataclass(frozen=True)
class Entry:
    """One customer type or scenario: the first entry whose condition holds wins."""

    code: str
    label: str
    when: dict


@dataclass(frozen=True)
class Measures:
    """``measures:`` — the pilot's response texts (``{zh, en}``) by type and by scenario."""

    customer_types: dict[str, dict[str, str]]
    scenarios: dict[str, dict[str, str]]


@dataclass(frozen=True)
class GiftGroup:
    code: str
    label: str
    when: dict


@dataclass(frozen=True)
class Gifts:
    """``gift:`` — who may get a small gift, and how many a district gives a month."""

    groups: tuple[GiftGroup, ...]
    monthly_budget: int
    working_weekdays: tuple[int, ...]


@dataclass(frozen=True)
class ServiceMinutes:
    """``service_minutes:`` — on-site minutes by customer type, plus extras, capped."""

    by_type: dict[str, float]
    vip_extra: float
    cluster_per_extra_member: float
    max: float

    def of(self, customer_type: str, vip: bool, members: int) -> int:
        """The minutes to plan for one visit (a cluster visit of ``members`` customers)."""
        minutes = self.by_type[customer_type] + (self.vip_extra if vip else 0)
        minutes += self.cluster_per_extra_member * (members - 1)
        return int(min(minutes, self.max))


@dataclass(frozen=True)
class Limits:
    """``limits:`` — the safety bounds of one triage (see the rules file's comment)."""

    max_open_tickets: int
    max_evidence_tickets: int
    max_nearby_pairs: int


@dataclass(frozen=True)
class CaseRules:
    """``cases:`` — how a follow-up may be solved (code → ``{zh, en}``), and how many days
    after closing a case its customer is called back."""

    follow_up_solutions: dict[str, dict[str, str]]
    callback_after_days: int
    #: the length of the window the call list suggests around a draft's planned start
    call_slot_minutes: int
    call_tips: CallTips


@dataclass(frozen=True)
class CallTips:
    """``cases.call_tips`` — what the dispatcher keeps in mind on the phone: the pilot's
    规范语言 for every call (``general``), and one tip per customer type (from its 应对措施),
    each ``{zh, en}``."""

    general: tuple[dict[str, str], ...]
    customer_types: dict[str, dict[str, str]]

    def for_type(self, customer_type: str | None) -> dict[str, str] | None:
        """The tip for a customer type (None: no type, e.g. a phone follow-up)."""
        return self.customer_types.get(customer_type or "")


@dataclass(frozen=True)
class Operator:
    """One operator whose networks the visitor measures on its own test phone."""

    code: str
    label: str
    en: str
    technologies: tuple[str, ...]


@dataclass(frozen=True)
class FieldRecordRules:
    """``field_record:`` — what a visit's record may hold: the operators and their
    technologies (one measurement line each), the plausible signal (dBm) and data speed
    (kbps), the gifts a worker may name (none listed: any text) and how far ahead a date
    promised to the customer may lie."""

    operators: tuple[Operator, ...]
    signal_min_dbm: int
    signal_max_dbm: int
    data_kbps_max: int
    gift_items: tuple[str, ...]
    promise_days: int

    def operator(self, name: str) -> Operator | None:
        """The operator named by its code, its label or its English name (as a person types it)."""
        name = (name or "").strip()
        for op in self.operators:
            if name in (op.code, op.label) or name.casefold() == op.en.casefold():
                return op
        return None

    def lines(self) -> tuple[tuple[Operator, str], ...]:
        """Every (operator, technology) a visit's record measures, in the file's order."""
        return tuple((op, tech) for op in self.operators for tech in op.technologies)


# --------------------------------------------------------------------------- parsing


@lru_cache(maxsize=1)
def shipped_data() -> dict:
    """The shipped rules file's data: the values of sections an older copy lacks."""
    return safeyaml.load(DEFAULT_RULES.read_text(encoding="utf-8"))


class _Check(yamldoc.Checker):
    """The shared field checker with the rules file's values: clock times, whole numbers,
    positive numbers, conditions."""

    def get(self, data: Any, path: tuple, *, default: Any = None) -> Any:
        """The value at ``path``; a missing one is a problem (with the closest key the file
        does have) unless a default is given."""
        node = data
        for i, part in enumerate(path):
            if isinstance(node, dict) and part in node:
                node = node[part]
                continue
            if isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
                continue
            if default is not None:
                return default
            if isinstance(node, dict):
                close = difflib.get_close_matches(str(part), [str(k) for k in node], n=1)
                hint = f" (is {close[0]!r} a misspelling of it?)" if close else ""
                self.add(path[:i + 1], f"is missing{hint}")
            elif i:
                self.add(path[:i], f"must be a mapping, got {yamldoc.describe(node)}")
            return None
        if node is None:
            if default is not None:
                return default
            self.add(path, "has no value")
        return node

    def clock(self, data: Any, path: tuple) -> time | None:
        value = self.get(data, path)
        if value is None:
            return None
        try:
            if isinstance(value, str):
                return time.fromisoformat(value)
        except ValueError:
            pass
        self.add(path, f"must be a time of day as \"HH:MM\" (quoted), not {yamldoc.describe(value)}")
        return None

    def number(self, data: Any, path: tuple, *, whole: bool = False, least: float = 0, most: float,
               default: Any = None, strict: bool = True) -> Any:
        """A number in [least, most] (more than ``least`` when ``strict``)."""
        value = self.get(data, path, default=default)
        if value is None:
            return None
        ok = not isinstance(value, bool) and (isinstance(value, int) or (isinstance(value, float)
                                                                         and math.isfinite(value)))
        if ok and whole and value != int(value):
            ok = False
        if ok and ((value <= least) if strict else (value < least)):
            ok = False
        if ok and value > most:
            ok = False
        if not ok:
            kind = "whole number" if whole else "number"
            if least == 0:
                what = f"a positive {kind}" if strict else f"a {kind} ≥ 0"
            else:
                what = f"a {kind} {'above' if strict else 'of at least'} {least:g}"
            self.add(path, f"must be {what}, at most {most:,}, not {yamldoc.describe(value)}")
            return None
        return int(value) if whole else value

    def words(self, data: Any, path: tuple) -> tuple[str, ...] | None:
        value = self.get(data, path)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(w, (str, int)) and not isinstance(w, bool)
                                                  for w in value):
            self.add(path, f"must be a list of words, not {yamldoc.describe(value)}")
            return None
        return tuple(str(w) for w in value)

    def condition(self, data: Any, path: tuple) -> dict | None:
        value = self.get(data, path)
        if value is None:
            return None
        problems = condition_problems(value)
        for sub, reason in problems:
            self.add(path + sub, reason)
        return None if problems else value

    def label(self, data: Any, path: tuple) -> str | None:
        value = self.get(data, path)
        if value is None:
            return None
        if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).strip():
            self.add(path, f"must be a non-empty text, not {yamldoc.describe(value)}")
            return None
        return str(value)

    def texts(self, data: Any, path: tuple) -> dict[str, str] | None:
        """A ``{zh: …, en: …}`` pair (``zh`` required)."""
        value = self.get(data, path)
        if value is None or self.mapping(path, value) is None:
            return None
        return value if self.label(data, path + ("zh",)) is not None else None


def parse(data: Any, source: str, marks: Mapping[tuple, int] | None = None) -> dict[str, Any]:
    """Every typed section of the rules ``data``, by attribute name of :class:`~planner.triage.rules.Rules`;
    :class:`RulesError` listing every problem (with its line where ``marks`` has it)."""
    c = _Check(marks or {})
    if not isinstance(data, dict):
        raise RulesError(source, [yamldoc.FieldProblem("", f"expected a mapping of sections at the top level, "
                                                      f"got {yamldoc.describe(data)}", 1 if marks else None)])
    out: dict[str, Any] = {}
    version = c.get(data, ("version",))
    if version is not None and not isinstance(version, (str, int, float)):
        c.add(("version",), f"must be a text, not {yamldoc.describe(version)}")
    tz_name = c.get(data, ("timezone",))
    out["tz"] = None
    if tz_name is not None:
        try:
            out["tz"] = ZoneInfo(tz_name) if isinstance(tz_name, str) else None
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
            pass
        if out["tz"] is None:
            c.add(("timezone",), f"unknown time zone {yamldoc.describe(tz_name)} (e.g. Asia/Shanghai)")

    out["day"] = _working_day(c, data)
    out["selection"] = _selection(c, data)
    out["priority"] = _priority(c, data)
    out["customer_types"] = _entries(c, data, "customer_types", TYPES)
    out["scenarios"] = _entries(c, data, "scenarios", SCENARIOS)
    type_texts = {t: c.texts(data, ("measures", "customer_types", t)) for t in TYPES}
    scenario_texts = {s: c.texts(data, ("measures", "scenarios", s)) for s in SCENARIOS}
    # a missing text is a problem already, and then no Rules are made
    out["measures"] = Measures(customer_types={t: x for t, x in type_texts.items() if x is not None},
                               scenarios={s: x for s, x in scenario_texts.items() if x is not None})
    out["gifts"] = _gifts(c, data)
    out["service_minutes"] = _service_minutes(c, data)
    out["closable_on_site"] = c.condition(data, ("closable_on_site", "when"))
    out["travel"] = _travel(c, data)
    out["limits"] = _limits(c, data)
    out["required_skills"] = _required_skills(c, data)
    areas = c.get(data, ("district_areas",))
    if areas is not None and c.mapping(("district_areas",), areas) is None:
        areas = None
    out["district_areas"] = areas or {}
    shipped = shipped_data()
    out["old_ticket_days"] = c.number(data, ("old_ticket_days",), whole=True, most=MAX_DAYS,
                                      default=shipped["old_ticket_days"])
    why = c.texts(data, ("phone_followup", "why")) if "phone_followup" in data else \
        shipped["phone_followup"]["why"]
    out["phone_followup_why"] = why["zh"] if why else None
    out["cases"] = _cases(c, data if "cases" in data else shipped)
    out["field_record"] = _field_record(c, data if "field_record" in data else shipped)
    out["unassigned_reasons"] = _text_pairs(c, data, "unassigned_reasons", None)
    out["visit_notes"] = _text_pairs(c, data, "visit_notes", ("day",))
    if c.problems:
        raise RulesError(source, c.problems)
    return out


def _cases(c: _Check, data: dict) -> CaseRules | None:
    """The ``cases`` section (a file from before it takes the shipped one's)."""
    solutions = c.get(data, ("cases", "follow_up_solutions"))
    if solutions is not None and (not isinstance(solutions, dict) or not solutions):
        c.add(("cases", "follow_up_solutions"), f"must name at least one solution as code: {{zh: …, en: …}}, "
                                                f"not {yamldoc.describe(solutions)}")
        return None
    texts = {str(code): c.texts(data, ("cases", "follow_up_solutions", code)) for code in (solutions or {})}
    days = c.number(data, ("cases", "callback_after_days"), whole=True, strict=False, most=MAX_DAYS)
    # the call list's values came later: a file whose cases section lacks them takes the shipped ones
    own = data["cases"] if isinstance(data.get("cases"), dict) else {}
    slot = c.number(data if "call_slot_minutes" in own else shipped_data(), ("cases", "call_slot_minutes"),
                    whole=True, most=MAX_MINUTES)
    tips = _call_tips(c, data if "call_tips" in own else shipped_data())
    if solutions is None or None in texts.values() or days is None or slot is None or tips is None:
        return None
    return CaseRules({code: dict(t) for code, t in texts.items() if t is not None}, days, slot, tips)


def _call_tips(c: _Check, data: dict) -> CallTips | None:
    """``cases.call_tips``: a non-empty ``general`` list of ``{zh, en}``, and a ``{zh, en}``
    for every customer type of the rules (no other)."""
    p = ("cases", "call_tips")
    general = c.get(data, p + ("general",))
    types = c.get(data, p + ("customer_types",))
    if general is not None and (not isinstance(general, list) or not general):
        c.add(p + ("general",), f"must be a list of {{zh: …, en: …}} tips, not {yamldoc.describe(general)}")
        general = None
    if types is not None and c.mapping(p + ("customer_types",), types) is None:
        types = None
    if general is None or types is None:
        return None
    said = [c.texts(data, p + ("general", i)) for i in range(len(general))]
    for code in types:
        if code not in TYPES:
            c.add(p + ("customer_types", code), f"is not a customer type (choose from {', '.join(TYPES)})")
    per_type = {t: c.texts(data, p + ("customer_types", t)) for t in TYPES}
    if None in said or None in per_type.values():
        return None
    return CallTips(tuple(dict(t) for t in said if t is not None),
                    {t: dict(x) for t, x in per_type.items() if x is not None})


#: the most operators and technologies a record measures (a sheet prints a line for each)
MAX_NETWORK_LINES = 12
#: the signal a phone may show, in dBm: the rules' bounds must lie within these
SIGNAL_DBM_RANGE = (-200, 0)
_FIELD_RECORD = {"operators": "code, label, en and technologies of each operator",
                 "signal_dbm": "{min, max} in dBm", "data_kbps_max": "the fastest data test in kbps",
                 "gift_items": "the gifts a worker may name (empty: any text)",
                 "promise_days": "days after the visit a promised date may lie"}
_OPERATOR = {"code": "a short code", "label": "the operator's name", "en": "its English name",
             "technologies": "the networks measured on its phone"}


def _field_record(c: _Check, data: dict) -> FieldRecordRules | None:
    """The ``field_record`` section (a file from before it takes the shipped one's)."""
    p = ("field_record",)
    section = c.get(data, p)
    if section is None or c.mapping(p, section, _FIELD_RECORD, required=tuple(_FIELD_RECORD)) is None:
        return None
    operators = _operators(c, data, p + ("operators",))
    low = c.number(data, p + ("signal_dbm", "min"), whole=True, least=SIGNAL_DBM_RANGE[0], strict=False, most=0)
    high = c.number(data, p + ("signal_dbm", "max"), whole=True, least=SIGNAL_DBM_RANGE[0], strict=False, most=0)
    if low is not None and high is not None and low >= high:
        c.add(p + ("signal_dbm", "max"), f"must be above signal_dbm.min ({low}), not {high}")
        low = None
    kbps = c.number(data, p + ("data_kbps_max",), whole=True, most=MAX_COUNT)
    promise = c.number(data, p + ("promise_days",), whole=True, strict=False, most=MAX_DAYS)
    gifts = c.words(data, p + ("gift_items",))
    for i, item in enumerate(gifts or ()):
        if not item.strip() or len(item) > GIFT_ITEM_MAX:
            c.add(p + ("gift_items", i), f"must be a text of 1 to {GIFT_ITEM_MAX} characters")
            gifts = None
    if operators is None or None in (low, high, kbps, promise) or gifts is None:
        return None
    return FieldRecordRules(operators, int(low), int(high), int(kbps), tuple(g.strip() for g in gifts), int(promise))


#: characters of a gift's name (the store's column)
GIFT_ITEM_MAX = 64


def _operators(c: _Check, data: dict, p: tuple) -> tuple[Operator, ...] | None:
    value = c.get(data, p)
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        c.add(p, f"must list at least one operator as {{code, label, en, technologies}}, not {yamldoc.describe(value)}")
        return None
    found: list[Operator] = []
    names: set[str] = set()
    lines = 0
    for i, entry in enumerate(value):
        ep = p + (i,)
        if c.mapping(ep, entry, _OPERATOR, required=tuple(_OPERATOR)) is None:
            continue
        texts = [c.label(data, ep + (k,)) for k in ("code", "label", "en")]
        techs = c.words(data, ep + ("technologies",))
        if techs is not None and (not techs or len(set(techs)) != len(techs)):
            c.add(ep + ("technologies",), "must name each technology once, at least one")
            techs = None
        if None in texts or techs is None:
            continue
        code, label, en = (str(t).strip() for t in texts)
        for name in (code, label, en.casefold()):
            if name in names:
                c.add(ep, f"{name!r} names two operators")
            names.add(name)
        lines += len(techs)
        found.append(Operator(code, label, en, tuple(str(t).strip() for t in techs)))
    if lines > MAX_NETWORK_LINES:
        c.add(p, f"at most {MAX_NETWORK_LINES} operator × technology lines (the sheet prints each), not {lines}")
        return None
    return tuple(found) if len(found) == len(value) else None


def _working_day(c: _Check, data: dict) -> WorkingDay | None:
    p = ("day",)
    clocks = {k: c.clock(data, p + (k,))
              for k in ("shift_start", "shift_end", "break_earliest_start", "break_latest_start")}
    numbers = {
        "break_minutes": c.number(data, p + ("break_minutes",), whole=True, most=MAX_MINUTES),
        "max_visits_per_worker": c.number(data, p + ("max_visits_per_worker",), whole=True, most=1000),
        "visit_budget_min": c.number(data, p + ("visit_budget_min",), most=MAX_MINUTES),
    }
    start, end = clocks["shift_start"], clocks["shift_end"]
    if start is not None and end is not None and start >= end:
        c.add(p + ("shift_end",), f"the shift ends ({end:%H:%M}) before it starts ({start:%H:%M})")
    earliest, latest = clocks["break_earliest_start"], clocks["break_latest_start"]
    if earliest is not None and latest is not None and earliest > latest:
        c.add(p + ("break_latest_start",), "the lunch's latest start is before its earliest start")
    if earliest is None or latest is None or start is None or end is None or None in numbers.values():
        return None
    return WorkingDay(start, end, earliest, latest, **numbers)


def _selection(c: _Check, data: dict) -> Selection | None:
    p = ("selection",)
    conds = {}
    for reason in CONDITION_REASONS:
        label = c.get(data, p + (reason, "label"), default=reason)
        conds[reason] = (str(label), c.condition(data, p + (reason, "when")))
    rp, cp = p + ("repeat",), p + ("cluster",)
    lookback = c.number(data, rp + ("lookback_days",), most=MAX_DAYS)
    network_only = c.get(data, rp + ("network_only",), default=False)
    if not isinstance(network_only, bool):
        c.add(rp + ("network_only",), f"must be true or false, not {yamldoc.describe(network_only)}")
    min_tickets = c.number(data, cp + ("min_tickets",), whole=True, most=MAX_COUNT)
    radius = c.number(data, cp + ("radius_m",), most=MAX_METRES)
    days = c.number(data, cp + ("days",), most=MAX_DAYS)
    keywords = c.words(data, cp + ("network_keywords",))
    reasons = {r: ConditionRule(label, when) for r, (label, when) in conds.items() if when is not None}
    if None in (lookback, min_tickets, radius, days) or keywords is None or len(reasons) < len(conds):
        return None
    return Selection(
        **reasons,
        repeat=RepeatRule(str(c.get(data, rp + ("label",), default="repeat")), lookback, network_only is True),
        cluster=ClusterRule(str(c.get(data, cp + ("label",), default="cluster")), min_tickets, radius, days,
                            keywords))


def _priority(c: _Check, data: dict) -> Priority | None:
    p = ("priority",)
    levels = c.words(data, p + ("levels",))
    level_of = c.get(data, p + ("level_of",))
    if level_of is not None and c.mapping(p + ("level_of",), level_of) is None:
        level_of = None
    aging = c.number(data, p + ("aging_levels_per_day",), whole=True, strict=False, most=1000, default=1)
    if levels is not None and not levels:
        c.add(p + ("levels",), "must name at least one level")
        levels = None
    if levels is None or level_of is None or aging is None:
        return None
    for key, level in level_of.items():
        if level not in levels:
            c.add(p + ("level_of", key), f"{yamldoc.describe(level)} is not in priority.levels")
    return Priority(levels, {str(k): str(v) for k, v in level_of.items()}, aging)


def _entries(c: _Check, data: dict, section: str, codes: tuple[str, ...]) -> tuple[Entry, ...] | None:
    entries = c.get(data, (section,))
    if entries is None:
        return None
    if not isinstance(entries, list) or not entries:
        c.add((section,), f"must be a non-empty list of {{code, label, when}}, not {yamldoc.describe(entries)}")
        return None
    out: list[Entry] = []
    for i, entry in enumerate(entries):
        p = (section, i)
        if c.mapping(p, entry) is None:
            continue
        code = entry.get("code")
        if code not in codes:
            c.add(p + ("code",), f"must be one of {', '.join(codes)}, not {yamldoc.describe(code)}")
        label = c.label(data, p + ("label",))
        when = c.condition(data, p + ("when",))
        if code in codes and label is not None and when is not None:
            out.append(Entry(code, label, when))
    last = entries[-1]
    if isinstance(last, dict) and last.get("when") != {"always": True}:
        c.add((section, len(entries) - 1, "when"),
              f"the last entry of {section} must have `when: {{always: true}}` so every ticket gets one")
    return tuple(out) if len(out) == len(entries) else None


def _gifts(c: _Check, data: dict) -> Gifts | None:
    p = ("gift",)
    groups = c.get(data, p + ("groups",))
    found: list[GiftGroup] = []
    if groups is not None and not isinstance(groups, list):
        c.add(p + ("groups",), f"must be a list of {{code, label, when}}, not {yamldoc.describe(groups)}")
        groups = None
    for i, group in enumerate(groups or ()):
        gp = p + ("groups", i)
        if not isinstance(group, dict) or not isinstance(group.get("code"), str) or not group.get("label"):
            c.add(gp, "needs a code, a label and a when")
            continue
        when = c.condition(data, gp + ("when",))
        if when is not None:
            found.append(GiftGroup(group["code"], str(group["label"]), when))
    budget = c.number(data, p + ("monthly_budget",), whole=True, strict=False, most=MAX_COUNT)
    weekdays = c.get(data, p + ("working_weekdays",))
    if weekdays is not None and (not isinstance(weekdays, list) or not weekdays or not all(
            isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7 for d in weekdays)):
        c.add(p + ("working_weekdays",), "should list ISO weekdays 1 (Mon) … 7 (Sun)")
        weekdays = None
    if groups is None or len(found) != len(groups) or budget is None or weekdays is None:
        return None
    return Gifts(tuple(found), budget, tuple(weekdays))


def _service_minutes(c: _Check, data: dict) -> ServiceMinutes | None:
    p = ("service_minutes",)
    by_type = {t: c.number(data, p + ("by_type", t), most=MAX_MINUTES) for t in TYPES}
    vip = c.number(data, p + ("vip_extra",), strict=False, most=MAX_MINUTES, default=0)
    per_member = c.number(data, p + ("cluster_per_extra_member",), strict=False, most=MAX_MINUTES, default=0)
    cap = c.number(data, p + ("max",), most=MAX_MINUTES)
    if None in by_type.values() or None in (vip, per_member, cap):
        return None
    return ServiceMinutes(by_type, vip, per_member, cap)


def _travel(c: _Check, data: dict) -> TravelModel | None:
    value = c.get(data, ("travel_model",))
    if value is None:
        return None
    try:
        return TravelModel.from_dict(value)
    except (KeyError, ValueError, TypeError) as exc:
        c.add(("travel_model",), str(exc))
        return None


def _text_pairs(c: _Check, data: dict, section: str, fields: tuple[str, ...] | None) -> dict[str, dict[str, str]]:
    """``code: {zh: …, en: …}`` texts shown to dispatchers (``unassigned_reasons``, ``visit_notes``).

    An older shape (one Chinese string per code) still works: the English half is then
    missing and the reader falls back to its own text.  For texts that are formatted
    (``fields`` given), ``{name}`` placeholders other than ``fields`` are refused here,
    not when a plan first formats the text."""
    value = data.get(section)
    if value is None:
        return {}
    if c.mapping((section,), value) is None:
        return {}
    out: dict[str, dict[str, str]] = {}
    for code, entry in value.items():
        p = (section, code)
        pair = entry if isinstance(entry, dict) else {"zh": entry} if isinstance(entry, str) else None
        if pair is None:
            c.add(p, f"must be a text or {{zh: …, en: …}}, not {yamldoc.describe(entry)}")
            continue
        texts = {lang: str(pair[lang]) for lang in ("zh", "en") if pair.get(lang)}
        if fields is not None:
            _check_placeholders(c, p, texts, fields, per_language=isinstance(entry, dict))
        out[str(code)] = texts
    return out


def _check_placeholders(c: _Check, p: tuple, texts: dict[str, str], fields: tuple[str, ...], *,
                        per_language: bool) -> None:
    """A formatted text may use only ``fields`` as ``{name}`` placeholders."""
    for lang, text in texts.items():
        where = p + ((lang,) if per_language else ())
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:
            c.add(where, f"{exc} (write {{{{ and }}}} for braces)")
            continue
        unknown = sorted(n for n in names if n not in fields)
        if unknown:
            allowed = ", ".join(f"{{{f}}}" for f in fields) or "none"
            c.add(where, f"unknown placeholder {{{unknown[0]}}} (allowed: {allowed})")


def _limits(c: _Check, data: dict) -> Limits | None:
    shipped = shipped_data()["limits"]
    section = data.get("limits")
    if section is not None and not isinstance(section, dict):
        c.add(("limits",), f"must be a mapping of limits ({', '.join(LIMITS)}), not {yamldoc.describe(section)}")
        return None
    values = {name: c.number(data, ("limits", name), whole=True, most=MAX_COUNT, default=shipped[name])
              for name in LIMITS}
    return None if None in values.values() else Limits(**values)


def _required_skills(c: _Check, data: dict) -> dict[str, tuple[str, ...]] | None:
    value = c.get(data, ("required_skills",))
    if value is None or c.mapping(("required_skills",), value) is None:
        return None
    out = {}
    for tier in value:
        skills = c.words(data, ("required_skills", tier))
        if skills is not None:
            out[str(tier)] = skills
    return out
