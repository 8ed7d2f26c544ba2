# Sourced by test.sh: a real pygeoapi (OGC API – Processes) for tests/test_pygeoapi.py, in its
# own venv (.venv-pygeoapi): pygeoapi 0.24 needs Python >= 3.12, newer than the project's
# minimum. Reused while the pinned version stays the same. If no such Python exists, the
# tests that need pygeoapi fail and say why (they are not skipped).
PYGEOAPI_VERSION="0.24.0"
PYGEOAPI_VENV="$PWD/.venv-pygeoapi"

find_python312() {
  local candidate
  for candidate in python3.13 python3.12 "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python \
                   /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9] python3; do
    if command -v "$candidate" >/dev/null 2>&1 && \
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

if [ "$(cat "$PYGEOAPI_VENV/.installed" 2>/dev/null)" != "$PYGEOAPI_VERSION" ]; then
  if py312=$(find_python312); then
    echo "Installing pygeoapi $PYGEOAPI_VERSION into .venv-pygeoapi (Python $("$py312" -V 2>&1)) …" >&2
    rm -rf "$PYGEOAPI_VENV"
    "$py312" -m venv "$PYGEOAPI_VENV"
    "$PYGEOAPI_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
      "pygeoapi==$PYGEOAPI_VERSION" && echo "$PYGEOAPI_VERSION" > "$PYGEOAPI_VENV/.installed"
  else
    echo "No Python >= 3.12 found for pygeoapi $PYGEOAPI_VERSION: its tests will fail." >&2
  fi
fi
export GPJOB_PYGEOAPI_PYTHON="$PYGEOAPI_VENV/bin/python"
