#!/usr/bin/env bash
# Sets up Vitrina on a fresh machine (a virtualenv in .venv) and runs `vitrina demo`:
# the bundled catalog and events, today's recommendations, the storefront on :8000.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/vitrina demo "$@"
