"""Installed while the notebook is open (the ArcGIS Notebooks case): JupyterLab 4 runs from an
environment without anywidget or gpjob_widget (.venv-late); a cell ``%pip install``s the
package; the next cell's card cannot render in that page, and the output says so in words,
with a snapshot that follows the job, instead of "Error displaying widget". A reload is enough."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from gpjob_widget.server import Task

from .conftest import JupyterServer, open_notebook, run_all, shot

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def late_lab(tmp_path_factory, job_server):
    python = os.environ.get("GPJOB_LATE_PYTHON", str(ROOT / ".venv-late" / "bin" / "python"))
    if not Path(python).exists():
        pytest.fail(f"{python} is missing: `bash scripts/test.sh` makes .venv-late "
                    "(scripts/stacks.sh)", pytrace=False)
    # the page must load without our front end: take out what an earlier run installed
    subprocess.run([python, "-m", "pip", "uninstall", "-y", "-q", "gpjob_widget", "anywidget"],
                   capture_output=True, check=False)
    wheels = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
                    str(ROOT)], check=True, capture_output=True)
    (wheel,) = wheels.glob("gpjob_widget-*.whl")
    server = JupyterServer("lab", tmp_path_factory.mktemp("late"),
                           {"GPJOB_E2E_TOKEN": "e2e-s3cret"}, python=python)
    yield server, wheel
    server.stop()


def test_a_card_in_a_page_loaded_before_the_install_says_what_to_do(late_lab, page,
                                                                     job_server):
    server, wheel = late_lab
    job_server.add_task("Late", Task(duration=15, steps=5))
    url = job_server.task_url("Late")
    open_notebook(page, server, "late.ipynb", [
        f"%pip install -q {wheel}",
        "import os\nfrom gpjob_widget import JobWidget\n"
        f"w = JobWidget.submit({url!r}, {{}}, token=os.environ['GPJOB_E2E_TOKEN'])\nw"])
    run_all(page)
    assert page.evaluate("() => window.jupyterapp.version").startswith("4.")
    words = page.locator(".gpjob-no-card")
    expect(words).to_be_visible(timeout=120_000)
    expect(words).to_contain_text("Reload the page")
    snapshot = page.locator(".gpjob-snapshot")
    expect(snapshot).to_contain_text("Succeeded", timeout=60_000)  # it followed the job
    assert page.locator(".gpjob-card").count() == 0
    # the output is the snapshot and those words now, not JupyterLab's widget error
    expect(page.locator(".jp-OutputArea-output", has_text="Error displaying widget")
           ).to_have_count(0)
    shot(page, "late-install-no-card")

    # a reload is enough: the page now loads anywidget's front end, and a new card renders
    page.reload()
    page.wait_for_function("() => window.jupyterapp?.shell.currentWidget?.sessionContext"
                           "?.session?.kernel?.status === 'idle'", timeout=90_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    expect(page.locator(".gpjob-card")).to_be_visible(timeout=60_000)
    shot(page, "late-install-after-reload")
