"""Voila (a notebook as an app: its cells run, then the page shows their outputs) in Chromium:
the live card, Cancel, previews, Load results, the board and a form. Voila shows the page once
every cell ran, so a cell that awaits a job holds the page back: there, `await` is not the
way (README, *Where it runs*)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import requests
from playwright.sync_api import expect

from gpjob_widget.server import Task
from gpjob_widget.server.params import Param

from .conftest import free_port, shot

SETUP = ("import os\nfrom gpjob_widget import JobBoard, JobWidget, TaskForm\n"
         "TOKEN = os.environ['GPJOB_E2E_TOKEN']")


class Voila:
    """``voila <folder>`` on 127.0.0.1 in a private home; notebooks at /voila/render/<name>."""

    def __init__(self, home: Path) -> None:
        self.root = home / "work"
        self.root.mkdir(parents=True)
        self.port = free_port()
        env = {**os.environ, "GPJOB_E2E_TOKEN": "e2e-s3cret",
               "JUPYTER_CONFIG_DIR": str(home / "config"),
               "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTER_PLATFORM_DIRS": "1"}
        self.log = open(home / "voila.log", "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "voila", str(self.root), "--no-browser",
             f"--port={self.port}", "--Voila.ip=127.0.0.1", "--Voila.open_browser=False",
             "--VoilaConfiguration.file_allowlist=['.*']"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"voila exited: {(home / 'voila.log').read_text()}")
            try:
                if requests.get(self.url, timeout=2).status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"voila did not start: {(home / 'voila.log').read_text()}")

    def open(self, page, name: str, sources: list[str]) -> None:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, self.root / name)
        page.goto(f"{self.url}/voila/render/{name}", timeout=120_000)  # the cells run first

    def stop(self) -> None:
        self.proc.terminate()  # its kernels with it (Voila keeps each page's kernel until then)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture(scope="module")
def voila(tmp_path_factory, job_server):
    server = Voila(tmp_path_factory.mktemp("voila"))
    yield server
    server.stop()


def test_the_card_board_and_results_in_voila(voila, page, job_server):
    job_server.add_task("VoilaLive", Task(duration=60, steps=20))
    job_server.add_task("VoilaOutputs", Task(duration=0.5, steps=1, results={
        "count": ("GPLong", 7), "summary": "GPRecordSet",
        "buffers": "GPFeatureRecordSetLayer_polygons"}))
    live, outputs = job_server.task_url("VoilaLive"), job_server.task_url("VoilaOutputs")
    voila.open(page, "app.ipynb", [
        SETUP,
        f"live = JobWidget.submit({live!r}, {{}}, token=TOKEN)\nlive",
        f"done = JobWidget.submit({outputs!r}, {{}}, token=TOKEN)\ndone",
        f"board = JobBoard(token=TOKEN)\nfor i in range(3):\n"
        f"    board.submit({outputs!r}, {{'i': i}})\nboard"])
    cards = page.locator(".gpjob-card")
    expect(cards).to_have_count(2, timeout=60_000)
    bar = cards.nth(0).locator("[role=progressbar]")
    expect(bar).to_have_attribute("aria-valuenow", "5", timeout=30_000)
    expect(bar).to_have_attribute("aria-valuenow", "10", timeout=30_000)  # live
    done = cards.nth(1)
    expect(done.locator(".gpjob-badge")).to_have_attribute("data-status", "job-succeeded",
                                                           timeout=30_000)
    expect(done.locator('[data-output="buffers"] canvas')).to_be_visible(timeout=30_000)
    expect(done.locator('[data-output="summary"] table')).to_be_visible()
    done.get_by_role("button", name="Load the job's results into notebook variables").click()
    expect(done.locator(".gpjob-loaded-item").first).to_contain_text("count", timeout=30_000)
    expect(page.locator(".gpjob-board-row")).to_have_count(3, timeout=30_000)
    expect(page.locator(".gpjob-board-summary")).to_contain_text("3 of 3 jobs ended",
                                                                 timeout=30_000)
    shot(page, "voila-cards")
    job_id = cards.nth(0).locator(".gpjob-id").text_content()
    cards.nth(0).get_by_role("button", name="Cancel the job on the server").click()
    expect(cards.nth(0).locator(".gpjob-badge")).to_have_attribute(
        "data-status", "job-cancelled", timeout=30_000)
    assert job_server.jobs[job_id].esri_status == "esriJobCancelled"


def test_a_form_in_voila(voila, page, job_server):
    job_server.add_task("VoilaForm", Task(duration=0.5, steps=1, inputs={
        "title": Param("GPString", "", "Title", required=True)},
        results={"n": ("GPLong", 1)}))
    voila.open(page, "form.ipynb", [
        SETUP, f"form = TaskForm({job_server.task_url('VoilaForm')!r}, token=TOKEN)\nform"])
    submit = page.get_by_role("button", name="Submit")
    expect(submit).to_be_disabled(timeout=60_000)
    page.locator('.gpjob-form [data-param="title"] input').click()
    page.keyboard.type("from Voila")
    expect(submit).to_be_enabled()
    submit.click()
    expect(page.locator(".gpjob-card .gpjob-badge")).to_have_attribute(
        "data-status", "job-succeeded", timeout=30_000)
    (job,) = [j for j in job_server.jobs.values() if j.task_name == "VoilaForm"]
    assert job.params == {"title": "from Voila"}
    shot(page, "voila-form")
