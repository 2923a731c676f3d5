"""Staffing and budget arithmetic for the complaint-visit programme."""
