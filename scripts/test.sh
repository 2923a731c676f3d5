#!/usr/bin/env bash
# Second command of the README: install the test needs (Chromium, PostgreSQL,
# pytest and friends) and run the whole test suite, slow tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --test
exec .venv/bin/python -m pytest "$@"
