#!/usr/bin/env bash
# First command of the README: install everything, then run the demo day
# (import the fixture day into the embedded SQLite store and triage it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/cvp demo "$@"
url="${CVP_URL_BASE:-http://localhost:8000}"
echo
echo "Next:"
echo "  - The demo's figures are those of an empty store: after using the web app, run"
echo "    'bash scripts/setup.sh --reset' (cvp demo --reset) to see them again."
echo "  - The QR codes on route sheets open CVP_URL_BASE, now $url."
echo "    A worker's phone cannot reach a localhost address: set it to the web app's address"
echo "    as the phones see it, e.g.  export CVP_URL_BASE=http://192.168.1.10:8000"
