"""Tests of the cost model (cost_model/)."""
