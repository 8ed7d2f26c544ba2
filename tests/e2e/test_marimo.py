"""marimo (`marimo run`: a notebook as an app, every cell run on open) in Chromium: the live
card, Cancel, Cancel while a cell awaits the job, previews, the board, and what Load results
says there (marimo's cells own their variables: nothing may add some behind them).

marimo draws an anywidget inside an open shadow root; Playwright's CSS locators pierce it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from playwright.sync_api import expect

from gpjob_widget.server import Task

from .conftest import (
    cancel_on_the_server,
    cards_and_board,
    check_cards_and_board,
    free_port,
    shot,
    stop_server,
    wait_until_up,
)

SETUP = '''
import os
from gpjob_widget import JobBoard, JobWidget
TOKEN = os.environ["GPJOB_E2E_TOKEN"]
'''


def cell(body: str, uses: tuple[str, ...] = (), defines: tuple[str, ...] = (),
         awaits: bool = False) -> str:
    """One cell in marimo's file format (its last expression is its output)."""
    head = f"{'async ' if awaits else ''}def _({', '.join(uses)}):"
    returns = f"    return ({', '.join(defines)},)\n" if defines else "    return\n"
    return f"@app.cell\n{head}\n{textwrap.indent(textwrap.dedent(body).strip(), '    ')}\n" \
           f"{returns}\n"


def notebook(*cells: str) -> str:
    return ("import marimo\n\n__generated_with = \"0.25.2\"\napp = marimo.App()\n\n\n" +
            "\n".join(cells) + '\nif __name__ == "__main__":\n    app.run()\n')


class Marimo:
    """``marimo run <file>`` on 127.0.0.1, headless, no token: each page runs every cell."""

    def __init__(self, home: Path, source: str) -> None:
        path = home / "app.py"
        path.write_text(source)
        self.port = free_port()
        self.log = open(home / "marimo.log", "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "marimo", "run", str(path), "--headless", "--no-token",
             "--host", "127.0.0.1", "--port", str(self.port)],
            env={**os.environ, "GPJOB_E2E_TOKEN": "e2e-s3cret", "MARIMO_SKIP_UPDATE_CHECK": "1"},
            stdout=self.log, stderr=subprocess.STDOUT, cwd=home)
        self.url = f"http://127.0.0.1:{self.port}"
        wait_until_up(self.proc, self.url, home / "marimo.log", "marimo")

    def stop(self) -> None:
        stop_server(self.proc, self.log, wait=30)


@pytest.fixture
def marimo_app(tmp_path, job_server):
    apps: list[Marimo] = []

    def start(source: str) -> Marimo:
        apps.append(Marimo(tmp_path, source))
        return apps[-1]

    yield start
    for app in apps:
        app.stop()


def test_the_card_cancel_previews_and_the_board_in_marimo(marimo_app, page, job_server):
    live, done, board = cards_and_board(job_server, "Marimo")
    app = marimo_app(notebook(
        cell(SETUP, defines=("JobBoard", "JobWidget", "TOKEN")),
        cell(live, uses=("JobWidget", "TOKEN"), defines=("live",)),
        cell(done, uses=("JobWidget", "TOKEN"), defines=("done",)),
        cell(board, uses=("JobBoard", "TOKEN"), defines=("board", "i"))))
    page.goto(app.url, timeout=120_000)
    # Load results: marimo says why not, in words that say what to do
    cards = check_cards_and_board(page, loads="use the results in a cell")
    shot(page, "marimo-cards")
    cancel_on_the_server(cards.nth(0), job_server)


def test_a_cell_that_awaits_holds_the_clicks_back_and_the_card_says_so(marimo_app, page,
                                                                      job_server):
    """marimo handles a widget's messages between cells: while a cell awaits the job, a
    click waits for it; the card says so in marimo's terms, and carries it out after."""
    job_server.add_task("MarimoAwait", Task(duration=8, steps=8))
    app = marimo_app(notebook(
        cell(SETUP, defines=("JobBoard", "JobWidget", "TOKEN")),
        cell(f"waited = JobWidget.submit({job_server.task_url('MarimoAwait')!r}, {{}}, "
             "token=TOKEN)\nwaited", uses=("JobWidget", "TOKEN"), defines=("waited",)),
        cell("status = await waited.wait_async()\nf'awaited: {status}'", uses=("waited",),
             defines=("status",), awaits=True)))
    page.goto(app.url, timeout=120_000)
    card = page.locator(".gpjob-card")
    expect(card.locator(".gpjob-badge")).to_have_attribute("data-status", "job-executing",
                                                           timeout=60_000)
    job_id = card.locator(".gpjob-id").text_content()
    card.get_by_role("button", name="Cancel the job on the server").click()
    expect(card.locator(".gpjob-busy")).to_contain_text("marimo is running a cell")
    assert job_server.jobs[job_id].esri_status == "esriJobExecuting"  # held back meanwhile
    expect(page.get_by_text("awaited: job-succeeded")).to_be_visible(timeout=60_000)
    expect(card.locator(".gpjob-busy")).to_be_hidden(timeout=30_000)  # then carried out
    shot(page, "marimo-await")


def test_a_form_in_marimo_submits_and_points_at_its_card(marimo_app, page, job_server):
    """marimo draws anywidgets, not ipywidgets' boxes, and makes widgets only while a cell
    runs: the form shows (TaskForm._display_), Submit runs the job, and the form says where
    its card is (form.job, in a cell)."""
    from gpjob_widget.server.params import Param

    job_server.add_task("MarimoForm", Task(duration=0.5, steps=1, inputs={
        "title": Param("GPString", "", "Title", required=True)},
        results={"n": ("GPLong", 1)}))
    app = marimo_app(notebook(
        cell(SETUP, defines=("JobBoard", "JobWidget", "TOKEN")),
        cell("from gpjob_widget import TaskForm\n"
             f"form = TaskForm({job_server.task_url('MarimoForm')!r}, token=TOKEN)\nform",
             uses=("TOKEN",), defines=("TaskForm", "form"))))
    page.goto(app.url, timeout=120_000)
    submit = page.get_by_role("button", name="Submit")
    expect(submit).to_be_disabled(timeout=60_000)
    page.locator('.gpjob-form [data-param="title"] input').click()
    page.keyboard.type("from marimo")
    expect(submit).to_be_enabled()
    submit.click()
    expect(page.locator(".gpjob-form-note")).to_contain_text("show form.job in a cell",
                                                             timeout=30_000)
    (job,) = [j for j in job_server.jobs.values() if j.task_name == "MarimoForm"]
    assert job.params == {"title": "from marimo"}
    shot(page, "marimo-form")
