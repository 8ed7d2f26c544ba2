# Sourced by test.sh: the environments users really have, beside the project's own.
#  .venv-oldstack  JupyterLab 3.6 + classic Notebook 6.5 + ipywidgets 7.8 + ipykernel 6.29 (ArcGIS
#                  Notebooks before the arcgis 2.4 generation, ArcGIS Pro <= 3.3, pinned images),
#                  then a PLAIN `pip install ".[geo]"`: it must leave ipywidgets 7 in place.
#  .venv-lowest    the lowest versions pyproject.toml admits, on the lowest Python it admits
#                  (3.10, when the machine has one).
#  .venv-late      JupyterLab 4 + ipywidgets 8 WITHOUT anywidget or us: a test installs the
#                  package with %pip while the page is open (the ArcGIS Notebooks case).
# Each is reused while this file, pyproject.toml and its Python stay the same.
OLDSTACK_PINS=("jupyterlab==3.6.8" "notebook==6.5.7" "ipywidgets==7.8.5" "ipykernel==6.29.5"
               "jupyterlab_pygments<0.3")
LOWEST_PINS=("anywidget==0.9.10" "ipywidgets==7.6.5" "traitlets==5.0.5" "requests==2.31.0"
             "urllib3==2.0.2" "tqdm==4.66.0" "platformdirs==3.0.0")

LATE_PINS=("jupyterlab>=4.2,<5" "ipywidgets>=8" "ipykernel>=6.29")

pip_quiet() { "$1/bin/python" -m pip install --quiet --disable-pip-version-check "${@:2}"; }
install_oldstack() { pip_quiet "$1" "${OLDSTACK_PINS[@]}" && pip_quiet "$1" ".[geo]"; }
install_lowest() { pip_quiet "$1" . "${LOWEST_PINS[@]}"; }
install_late() { pip_quiet "$1" "${LATE_PINS[@]}"; }

extra_venv() {  # extra_venv DIR PYTHON INSTALLER: (re)made unless its stamp matches
  local dir="$1" python="$2" installer="$3" stamp
  stamp="$({ cat scripts/stacks.sh pyproject.toml; "$python" -V; } | sha256sum | cut -c1-32)"
  if [ "$(cat "$dir/.installed" 2>/dev/null)" = "$stamp" ]; then  # the same stack: our code only
    [ "$installer" = install_late ] || pip_quiet "$dir" --no-deps --force-reinstall .
    return 0
  fi
  echo "Creating $(basename "$dir") with $("$python" -V 2>&1) …" >&2
  rm -rf "$dir"
  "$python" -m venv "$dir" && pip_quiet "$dir" --upgrade pip && "$installer" "$dir" \
    && echo "$stamp" > "$dir/.installed" \
    || echo "$(basename "$dir") could not be made: its tests will fail and say why." >&2
}

lowest_python="$PYTHON"
for candidate in python3.10 "$HOME"/.pyenv/versions/3.10*/bin/python; do
  if "$candidate" -V >/dev/null 2>&1; then lowest_python=$(command -v "$candidate"); break; fi
done
extra_venv "$PWD/.venv-oldstack" "$PYTHON" install_oldstack
extra_venv "$PWD/.venv-lowest" "$lowest_python" install_lowest
extra_venv "$PWD/.venv-late" "$PYTHON" install_late
export GPJOB_OLDSTACK_PYTHON="$PWD/.venv-oldstack/bin/python"
export GPJOB_LOWEST_PYTHON="$PWD/.venv-lowest/bin/python"
export GPJOB_LATE_PYTHON="$PWD/.venv-late/bin/python"
