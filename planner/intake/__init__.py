"""Intake: reading the files a dispatcher has (tickets, roster, network plan, gazetteer)."""

from planner.intake.load import IntakeContext, IntakeResult, load_file, load_gazetteer

__all__ = ["IntakeContext", "IntakeResult", "load_file", "load_gazetteer"]
