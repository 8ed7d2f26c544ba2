"""Voila (a notebook as an app: its cells run, then the page shows their outputs) in Chromium:
the live card, Cancel, previews, Load results, the board and a form. Voila shows the page once
every cell ran, so a cell that awaits a job holds the page back: there, `await` is not the
way (README, *Where it runs*)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect

from gpjob_widget.server import Task
from gpjob_widget.server.params import Param

from .conftest import (
    cancel_on_the_server,
    cards_and_board,
    check_cards_and_board,
    free_port,
    shot,
    stop_server,
    wait_until_up,
)

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
        wait_until_up(self.proc, self.url, home / "voila.log", "voila")

    def open(self, page, name: str, sources: list[str]) -> None:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, self.root / name)
        page.goto(f"{self.url}/voila/render/{name}", timeout=120_000)  # the cells run first

    def stop(self) -> None:  # its kernels with it (Voila keeps each page's kernel until then)
        stop_server(self.proc, self.log, wait=30)


@pytest.fixture(scope="module")
def voila(tmp_path_factory, job_server):
    server = Voila(tmp_path_factory.mktemp("voila"))
    yield server
    server.stop()


def test_the_card_board_and_results_in_voila(voila, page, job_server):
    voila.open(page, "app.ipynb", [SETUP, *cards_and_board(job_server, "Voila")])
    cards = check_cards_and_board(page)
    shot(page, "voila-cards")
    cancel_on_the_server(cards.nth(0), job_server)


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
