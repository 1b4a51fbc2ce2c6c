#!/usr/bin/env bash
# Set up and run 物业客服台 on the SQLite default (data/service_desk.sqlite3).
#   bash scripts/run.sh           # start the app on http://localhost:8501
#   bash scripts/run.sh --demo    # load the demo company first (prints the demo accounts)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "${1:-}" = "--demo" ]; then
  .venv/bin/python scripts/demo.py
  shift
fi
exec .venv/bin/streamlit run app.py --server.port "${PORT:-8501}" "$@"
