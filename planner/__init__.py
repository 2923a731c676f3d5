"""Complaint Visit Planner: intake, triage, routing and outputs for complaint visits."""

__version__ = "0.1.0"
