# Sourced by demo.sh and test.sh: a project virtual environment that works from nothing.
#
# Uses the active venv if there is one; otherwise creates (once) and reuses ./.venv with the
# system's python3 (>= 3.10), installing Debian's python3-venv when the venv module is missing.
# `pip install -e ".[dev]"` runs only when pyproject.toml or the Python changed since last time.
# OS packages are installed with apt-get, through sudo only when not root.

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=""
apt_install() {
  command -v apt-get >/dev/null || { echo "Please install: $*" >&2; return 1; }
  echo "Installing OS packages: $* …" >&2
  [ -n "$APT_UPDATED" ] || { as_root apt-get update -qq; APT_UPDATED=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

find_python() {
  local candidate
  for candidate in python3 python3.13 python3.12 python3.11 python3.10 python; do
    if command -v "$candidate" >/dev/null \
       && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  echo "gpjob_widget needs Python >= 3.10 (python3 not found or too old)" >&2
  return 1
}

make_venv() {
  local python; python=$(find_python) || return 1
  if ! "$python" -m venv "$1" >/dev/null 2>&1; then
    rm -rf "$1"  # a venv without pip (Debian without python3-venv) is of no use
    local minor; minor=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    apt_install python3-venv "python$minor-venv" || apt_install python3-venv
    "$python" -m venv "$1"
  fi
}

if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then
  VENV="$VIRTUAL_ENV"
else
  VENV="$PWD/.venv"
  [ -x "$VENV/bin/python" ] || { echo "Creating the project environment in .venv …" >&2; make_venv "$VENV"; }
  export VIRTUAL_ENV="$VENV"
fi
export PATH="$VENV/bin:$PATH"
PYTHON="$VENV/bin/python"

stamp_file="$VENV/.gpjob_widget-installed"
stamp="$({ cat pyproject.toml; "$PYTHON" -c "import sys; print(sys.version)"; } | sha256sum | cut -c1-32) $PWD"
if [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ] || ! "$PYTHON" -c "import gpjob_widget" 2>/dev/null; then
  echo "Installing gpjob_widget and its development tools into $VENV …" >&2
  "$PYTHON" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$PYTHON" -m pip install --quiet --disable-pip-version-check -e ".[dev]"
  echo "$stamp" > "$stamp_file"
fi
