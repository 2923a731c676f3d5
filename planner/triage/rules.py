"""Loading and checking the rules file (see ``rules.yaml`` beside this module).

The rules are data a dispatcher edits; this module only checks that the file
has the parts the planner applies, and names the field when it does not.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from planner import safeyaml
from planner.errors import UserError
from planner.triage.conditions import check_condition

DEFAULT_RULES = Path(__file__).with_name("rules.yaml")
TYPES = ("loyal_urgent", "irate", "purpose_driven", "repeat", "ordinary")
SCENARIOS = ("short_term", "planned", "not_now")
REASONS = ("vip", "repeat", "cluster", "escalation", "core", "dispatcher")


@dataclass(frozen=True)
class Rules:
    data: dict[str, Any]
    path: str
    digest: str

    @property
    def version(self) -> str:
        return str(self.data["version"])

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.data["timezone"])

    def clock(self, key: str) -> time:
        return time.fromisoformat(self.data["day"][key])

    def label(self, section: str, code: str) -> str:
        """Chinese label of a type, scenario or selection reason."""
        if section == "selection":
            return self.data["selection"].get(code, {}).get("label", code)
        for entry in self.data[section]:
            if entry["code"] == code:
                return entry["label"]
        return code

    def code_of(self, section: str, name: str) -> str | None:
        """The code of a type or scenario given either its code or its Chinese label, so a
        dispatcher can type back what the tool prints (``激愤暴躁型`` or ``irate``)."""
        for entry in self.data[section]:
            if name.strip() in (entry["code"], entry["label"]):
                return entry["code"]
        return None

    def names(self, section: str) -> list[str]:
        """Each code with its label, ``irate (激愤暴躁型)``, in the rules file's order, once each."""
        seen: dict[str, str] = {}
        for entry in self.data[section]:
            seen.setdefault(entry["code"], entry["label"])
        return [f"{code} ({label})" for code, label in seen.items()]


def rules_path(explicit: str | os.PathLike | None = None) -> Path:
    return Path(explicit or os.environ.get("CVP_RULES") or DEFAULT_RULES)


def load_rules(path: str | os.PathLike | None = None) -> Rules:
    p = rules_path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise UserError(f"rules file {p}: cannot read it ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"rules file {p}: not UTF-8 text") from None
    try:
        data = safeyaml.load(text)
    except yaml.YAMLError as exc:
        raise UserError(f"rules file {p}: {safeyaml.describe(exc)}") from None
    if not isinstance(data, dict):
        raise UserError(f"rules file {p}: expected a mapping at the top level")
    _validate(p, data)
    return Rules(data=data, path=str(p), digest=hashlib.sha256(raw).hexdigest()[:12])


def _need(p: Path, data: dict, dotted: str, kind: type | tuple[type, ...]) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise UserError(f"rules file {p}: field {dotted} is missing")
        node = node[part]
    if not isinstance(node, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise UserError(f"rules file {p}: field {dotted} should be a {names}, not {type(node).__name__}")
    return node


def _positive(p: Path, data: dict, dotted: str) -> None:
    value = _need(p, data, dotted, (int, float))
    if isinstance(value, bool) or value <= 0:
        raise UserError(f"rules file {p}: field {dotted} must be a positive number, not {value!r}")


def _validate(p: Path, data: dict) -> None:
    _need(p, data, "version", (str, int, float))
    try:
        ZoneInfo(_need(p, data, "timezone", str))
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"rules file {p}: field timezone: unknown time zone {data['timezone']!r}") from None
    for key in ("shift_start", "shift_end", "break_earliest_start", "break_latest_start"):
        text = _need(p, data, f"day.{key}", str)
        try:
            time.fromisoformat(text)
        except ValueError:
            raise UserError(f"rules file {p}: field day.{key}: {text!r} is not HH:MM") from None
    for key in ("break_minutes", "max_visits_per_worker", "visit_budget_min"):
        _positive(p, data, f"day.{key}")
    for key in ("lookback_days",):
        _positive(p, data, f"selection.repeat.{key}")
    for key in ("min_tickets", "radius_m", "days"):
        _positive(p, data, f"selection.cluster.{key}")
    _need(p, data, "selection.cluster.network_keywords", list)
    for reason in ("vip", "escalation", "core"):
        check_condition(_need(p, data, f"selection.{reason}.when", dict), f"rules file {p}: selection.{reason}.when")
    levels = _need(p, data, "priority.levels", list)
    level_of = _need(p, data, "priority.level_of", dict)
    for key, level in level_of.items():
        if level not in levels:
            raise UserError(f"rules file {p}: field priority.level_of.{key}: {level!r} is not in priority.levels")
    for section, codes in (("customer_types", TYPES), ("scenarios", SCENARIOS)):
        entries = _need(p, data, section, list)
        seen = []
        for i, entry in enumerate(entries):
            where = f"{section}[{i}]"
            if not isinstance(entry, dict) or entry.get("code") not in codes:
                raise UserError(f"rules file {p}: field {where}.code must be one of {', '.join(codes)}")
            check_condition(entry.get("when"), f"rules file {p}: {where}.when")
            seen.append(entry["code"])
        if seen[-1:] and entries[-1]["when"] != {"always": True}:
            raise UserError(f"rules file {p}: the last entry of {section} must have `when: {{always: true}}` "
                            "so every ticket gets one")
    for t in TYPES:
        _need(p, data, f"measures.customer_types.{t}.zh", str)
        _positive(p, data, f"service_minutes.by_type.{t}")
    for s in SCENARIOS:
        _need(p, data, f"measures.scenarios.{s}.zh", str)
    groups = _need(p, data, "gift.groups", list)
    for i, group in enumerate(groups):
        where = f"gift.groups[{i}]"
        if not isinstance(group, dict) or not isinstance(group.get("code"), str) or not group.get("label"):
            raise UserError(f"rules file {p}: field {where} needs a code, a label and a when")
        check_condition(group.get("when"), f"rules file {p}: {where}.when")
    budget = _need(p, data, "gift.monthly_budget", int)
    if isinstance(budget, bool) or budget < 0:
        raise UserError(f"rules file {p}: field gift.monthly_budget must be a whole number ≥ 0, not {budget!r}")
    weekdays = _need(p, data, "gift.working_weekdays", list)
    if not weekdays or not all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7 for d in weekdays):
        raise UserError(f"rules file {p}: field gift.working_weekdays should list ISO weekdays 1 (Mon) … 7 (Sun)")
    check_condition(_need(p, data, "closable_on_site.when", dict), f"rules file {p}: closable_on_site.when")
    _positive(p, data, "service_minutes.max")
    _need(p, data, "district_areas", dict)
    _need(p, data, "required_skills", dict)
