#!/usr/bin/env bash
# Set up and run every test: ruff, unit, database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
# AppTest pages and the Playwright browser journeys in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v zbarimg >/dev/null || need+=(zbar-tools)  # the pass card's Code 39 barcode is decoded in the tests
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing system packages: ${need[*]} (sudo apt-get install ${need[*]})" >&2
  fi
fi
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
