"""Triage: who gets a visit today, as what type and scenario, at what priority."""

from planner.triage.engine import PhoneFollowup, TriageResult, triage
from planner.triage.rules import Rules, load_rules

__all__ = ["PhoneFollowup", "Rules", "TriageResult", "load_rules", "triage"]
