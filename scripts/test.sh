#!/usr/bin/env bash
# Everything CI runs: install what the tests need (the project venv, Debian's chromium, node, a
# real pygeoapi in its own venv), lint, then every test. Extra arguments go to pytest
# (e.g. -m "not e2e", -x, -k card).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
source scripts/pygeoapi.sh
source scripts/stacks.sh

ruff check .
python -m pytest "$@"
