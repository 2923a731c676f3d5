#!/usr/bin/env bash
# First command of the README: install everything, then run the demo day
# (import the fixture day into the embedded SQLite store and triage it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/cvp demo "$@"
