#!/usr/bin/env bash
# The demo: install the package, then open JupyterLab on notebooks/demo.ipynb.
# The notebook starts the loopback job server itself, so no ArcGIS account is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
ROOT_FLAG=""; [ "$(id -u)" -ne 0 ] || ROOT_FLAG="--allow-root"
exec jupyter lab $ROOT_FLAG "$@" notebooks/demo.ipynb
