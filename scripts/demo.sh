#!/usr/bin/env bash
# The demo: JupyterLab on notebooks/demo.ipynb, which starts the loopback job server itself
# (no ArcGIS account needed). Extra arguments go to `jupyter lab` (e.g. --no-browser --port 8899).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh

ROOT_FLAG=""; [ "$(id -u)" -ne 0 ] || ROOT_FLAG="--allow-root"
exec jupyter lab $ROOT_FLAG "$@" notebooks/demo.ipynb
