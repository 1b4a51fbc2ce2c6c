#!/usr/bin/env bash
# Create .venv (if missing) and install the pinned requirements. Used by run.sh, test.sh and CI.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
.venv/bin/python -m pip install --quiet -r requirements.txt 2>&1 | grep -v "is ignored" || true
.venv/bin/python -m pip check >/dev/null
