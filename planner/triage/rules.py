"""Loading the rules file (see ``rules.yaml`` beside this module), once, into typed sections.

The rules are data a dispatcher edits; :mod:`planner.triage.rules_model` checks
every section the planner applies, with the line of each wrong field, and turns
it into frozen values.  Everything else reads those values (``rules.day``,
``rules.selection.cluster``, ``rules.service_minutes`` …), never the YAML.  Every
command and page loads the file named by ``--rules`` / ``CVP_RULES`` (else the
shipped one) through :func:`load_rules`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from planner import safeyaml, yamldoc
from planner.errors import UserError
from planner.geo.travel import TravelModel
from planner.triage.rules_model import (  # noqa: F401
    DEFAULT_RULES,
    SCENARIOS,
    SELECTION_REASONS,
    TYPES,
    CaseRules,
    Entry,
    FieldRecordRules,
    Gifts,
    Limits,
    Measures,
    Priority,
    RulesError,
    Selection,
    ServiceMinutes,
    WorkingDay,
    parse,
)


@dataclass(frozen=True)
class Rules:
    """A checked rules file: its raw ``data`` (what plans record and sheets quote), where it
    came from, its digest, and the typed sections the planner applies.

    Building one validates ``data`` (``marks``, the line of each field, makes the errors
    point at lines), so a ``Rules`` in hand is always a complete, valid rule set."""

    data: dict[str, Any]
    path: str
    digest: str
    marks: dict = field(default_factory=dict, repr=False, compare=False)
    tz: ZoneInfo = field(init=False, repr=False, compare=False)
    day: WorkingDay = field(init=False, repr=False, compare=False)
    selection: Selection = field(init=False, repr=False, compare=False)
    priority: Priority = field(init=False, repr=False, compare=False)
    customer_types: tuple[Entry, ...] = field(init=False, repr=False, compare=False)
    scenarios: tuple[Entry, ...] = field(init=False, repr=False, compare=False)
    measures: Measures = field(init=False, repr=False, compare=False)
    gifts: Gifts = field(init=False, repr=False, compare=False)
    service_minutes: ServiceMinutes = field(init=False, repr=False, compare=False)
    closable_on_site: dict = field(init=False, repr=False, compare=False)
    travel: TravelModel = field(init=False, repr=False, compare=False)
    limits: Limits = field(init=False, repr=False, compare=False)
    required_skills: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    district_areas: dict = field(init=False, repr=False, compare=False)
    old_ticket_days: int = field(init=False, repr=False, compare=False)
    phone_followup_why: str = field(init=False, repr=False, compare=False)
    cases: CaseRules = field(init=False, repr=False, compare=False)
    field_record: FieldRecordRules = field(init=False, repr=False, compare=False)
    unassigned_reasons: dict[str, dict[str, str]] = field(init=False, repr=False, compare=False)
    visit_notes: dict[str, dict[str, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name, value in parse(self.data, self.path, self.marks).items():
            object.__setattr__(self, name, value)

    @property
    def version(self) -> str:
        return str(self.data["version"])

    def label(self, section: str, code: str) -> str:
        """Chinese label of a type, scenario or selection reason."""
        if section == "selection":
            return self.selection.label(code)
        for entry in self._section(section):
            if entry.code == code:
                return entry.label
        return code

    def code_of(self, section: str, name: str) -> str | None:
        """The code of a type or scenario given either its code or its Chinese label, so a
        dispatcher can type back what the tool prints (``激愤暴躁型`` or ``irate``)."""
        for entry in self._section(section):
            if name.strip() in (entry.code, entry.label):
                return entry.code
        return None

    def names(self, section: str) -> list[str]:
        """Each code with its label, ``irate (激愤暴躁型)``, in the rules file's order, once each."""
        seen: dict[str, str] = {}
        for entry in self._section(section):
            seen.setdefault(entry.code, entry.label)
        return [f"{code} ({label})" for code, label in seen.items()]

    def conditions(self) -> list[dict]:
        """Every condition (``when:``) the planner applies: what triage looks through for
        the ``near_site`` radii it must screen."""
        return [*(rule.when for _, rule in self.selection.by_condition()),
                *(e.when for e in self.customer_types), *(e.when for e in self.scenarios),
                *(g.when for g in self.gifts.groups), self.closable_on_site]

    def _section(self, section: str) -> tuple[Entry, ...]:
        if section not in ("customer_types", "scenarios"):
            raise KeyError(section)
        return getattr(self, section)


def rules_path(explicit: str | os.PathLike | None = None) -> Path:
    return Path(explicit or os.environ.get("CVP_RULES") or DEFAULT_RULES)


def load_rules(path: str | os.PathLike | None = None) -> Rules:
    """The rules of ``path``, else of ``CVP_RULES``, else the shipped file: read, checked
    and typed once (:class:`~planner.triage.rules_model.RulesError` lists what is wrong,
    with lines)."""
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
        data, marks, dups = yamldoc.read(text)
    except yaml.YAMLError as exc:
        raise UserError(f"rules file {p}: {safeyaml.describe(exc)}") from None
    if dups:
        raise RulesError(str(p), dups)
    return Rules(data=data, path=str(p), digest=hashlib.sha256(raw).hexdigest()[:12], marks=marks)
