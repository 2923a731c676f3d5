#!/usr/bin/env bash
# Second command of the README: install the test needs (Chromium, PostgreSQL,
# pytest and friends), then the lint and type gates (ruff, mypy: zero findings,
# configured in pyproject.toml), then the whole test suite, slow tests included,
# on two pytest-xdist workers (addopts in pyproject.toml; `-n 0` runs it in one process).
# The first gate that fails stops the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
echo "ruff check ." >&2
.venv/bin/ruff check .
echo "mypy (planner, cost_model, web)" >&2
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
