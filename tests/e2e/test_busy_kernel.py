"""The card while a cell waits, after an interrupt, a kernel restart and a reopened notebook."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from gpjob_widget.server import Task

from .conftest import KERNEL, kernel_eval, open_notebook, run_all, shot, wait_for

SETUP = ("import os\nfrom gpjob_widget import JobWidget, JobBoard\n"
         "TOKEN = os.environ['GPJOB_E2E_TOKEN']")


def submit_cell(task_url: str) -> str:
    return f"w = JobWidget.submit({task_url!r}, {{'distance': 5}}, token=TOKEN)\nw"


def cell_running(page, index: int) -> None:
    """Wait until cell *index* runs ([*]). Not the kernel status: ipykernel 7 reports "idle"
    while a cell awaits."""
    page.wait_for_function(r"""(i) => {
        const prompts = [...document.querySelectorAll('.jp-Notebook .jp-Cell .jp-InputPrompt')]
          .map((p) => p.textContent);
        // cells before it done ([1]:, [2]:), this one running; queued cells show [*] too
        return prompts.length > i && prompts[i].includes('*') &&
          prompts.slice(0, i).every((p) => /\[\d+\]/.test(p));
    }""", arg=index)


def click_cancel_and_time_it(page, job_server, job_id: str) -> float:
    """Click Cancel; seconds until the cancel request reached the server."""
    button = page.locator(".gpjob-cancel")
    expect(button).to_be_enabled()
    clicked = time.time()
    button.click()
    reached = wait_for(lambda: next((r.at for r in list(job_server.request_log)
                                     if r.path.endswith(f"{job_id}/cancel")), None),
                       timeout=30, what="the cancel request at the server")
    return reached - clicked


@pytest.mark.parametrize("app", ["lab", "notebook7"])
def test_cancel_during_await_wait_async_reaches_the_server_at_once(app, request, page,
                                                                   job_server):
    server = request.getfixturevalue(app)
    job_server.add_task("AwaitMe", Task(duration=120, steps=12))
    open_notebook(page, server, f"await-{app}.ipynb", [
        SETUP, submit_cell(job_server.task_url("AwaitMe")),
        "status = await w.wait_async()\nprint('ENDED', status)"])
    run_all(page)
    expect(page.locator(".gpjob-badge")).to_have_attribute("data-status", "job-executing")
    cell_running(page, 2)  # the third cell is awaiting
    job_id = page.locator(".gpjob-id").inner_text()
    latency = click_cancel_and_time_it(page, job_server, job_id)
    print(f"cancel reached the server {latency:.2f} s after the click ({app})")
    assert latency < 2.5, latency  # typically ~0.1 s; the bound leaves room for a loaded CI
    expect(page.locator(".gpjob-badge")).to_have_attribute("data-status", "job-cancelled")
    expect(page.locator(".jp-OutputArea-output").last).to_contain_text("ENDED job-cancelled")
    expect(page.locator(".gpjob-busy")).to_be_hidden()
    assert job_server.jobs[job_id].esri_status == "esriJobCancelled"
    shot(page, f"await-cancelled-{app}")


def test_a_click_during_a_sync_wait_explains_then_runs_after_an_interrupt(lab, page,
                                                                         job_server):
    job_server.add_task("Blocked", Task(duration=120, steps=12))
    open_notebook(page, lab, "sync.ipynb", [
        SETUP, submit_cell(job_server.task_url("Blocked")), "w.wait()"])
    run_all(page)
    expect(page.locator(".gpjob-badge")).to_have_attribute("data-status", "job-executing")
    cell_running(page, 2)
    job_id = page.locator(".gpjob-id").inner_text()
    page.locator(".gpjob-cancel").click()
    busy = page.locator(".gpjob-busy")
    expect(busy).to_be_visible(timeout=5_000)  # ~1 s after the click
    expect(busy).to_contain_text("interrupt it")
    assert job_server.jobs[job_id].esri_status == "esriJobExecuting"  # not reached yet
    shot(page, "sync-wait-busy-hint")

    page.evaluate(f"() => {KERNEL}.interrupt()")
    output = page.locator(".jp-OutputArea-output").last
    expect(output).to_contain_text("still running on the server")
    expect(output).to_contain_text("w.cancel()")
    # the queued click is carried out once the kernel is free: cancelled, hint gone
    expect(page.locator(".gpjob-badge")).to_have_attribute("data-status", "job-cancelled")
    expect(busy).to_be_hidden()
    assert job_server.jobs[job_id].esri_status == "esriJobCancelled"
    shot(page, "sync-wait-interrupted")


def test_interrupt_leaves_the_job_running_and_cancellable(lab, page, job_server):
    job_server.add_task("KeepsRunning", Task(duration=120, steps=12))
    open_notebook(page, lab, "interrupt.ipynb", [
        SETUP, submit_cell(job_server.task_url("KeepsRunning")), "w.wait()"])
    run_all(page)
    cell_running(page, 2)
    page.evaluate(f"() => {KERNEL}.interrupt()")
    expect(page.locator(".jp-OutputArea-output").last).to_contain_text(
        "still running on the server")
    expect(page.locator(".gpjob-notice")).to_contain_text("still running on the server")
    cancel = page.locator(".gpjob-cancel")
    expect(cancel).to_be_enabled()
    job_id = page.locator(".gpjob-id").inner_text()
    assert job_server.jobs[job_id].esri_status == "esriJobExecuting"
    cancel.click()
    expect(page.locator(".gpjob-badge")).to_have_attribute("data-status", "job-cancelled")


def test_after_a_kernel_restart_the_board_finds_the_job_again(lab, page, job_server):
    job_server.add_task("Survivor", Task(duration=15, steps=5))
    open_notebook(page, lab, "restart.ipynb", [
        SETUP, submit_cell(job_server.task_url("Survivor")),
        "board = JobBoard.recent(token=TOKEN)\nboard"])
    run_next = "() => { window.jupyterapp.commands.execute('notebook:run-cell-and-select-next'); }"
    page.evaluate(run_next)
    page.evaluate(run_next)
    expect(page.locator(".gpjob-badge").first).to_have_attribute("data-status", "job-executing")
    job_id = page.locator(".gpjob-id").first.inner_text()

    page.evaluate(f"() => {KERNEL}.restart()")
    page.wait_for_function(f"() => {KERNEL}?.status === 'idle'", timeout=60_000)
    assert kernel_eval(page, "print('w' in globals())").strip() == "False"  # all forgotten
    run_all(page)
    row = page.locator(".gpjob-board-row", has_text=job_id)
    expect(row).to_be_visible(timeout=30_000)
    expect(row.locator(".gpjob-badge")).to_have_attribute("data-status", "job-succeeded",
                                                          timeout=60_000)
    shot(page, "board-after-restart")
    history_dir = Path(os.environ["GPJOB_HISTORY_DIR"])
    stored = b"".join(p.read_bytes() for p in history_dir.glob("history.sqlite3*"))
    assert job_id.encode() in stored and b"e2e-s3cret" not in stored


def test_a_reopened_notebook_says_last_seen_not_running(lab, page, job_server):
    job_server.add_task("Reopened", Task(duration=300, steps=10))
    path = lab.root / "reopen.ipynb"
    open_notebook(page, lab, "reopen.ipynb", [SETUP, submit_cell(job_server.task_url("Reopened"))])
    run_all(page)
    expect(page.locator(".gpjob-badge")).to_have_attribute("data-status", "job-executing")
    expect(page.locator(".gpjob-stale")).to_be_hidden()
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    wait_for(lambda: "application/vnd.jupyter.widget-state+json" in path.read_text(),
             what="the widget state in the saved notebook")
    page.evaluate(f"() => {KERNEL}.shutdown()")
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    page.wait_for_selector(".jp-Notebook .jp-Cell", state="attached", timeout=60_000)
    stale = page.locator(".gpjob-stale")
    expect(stale).to_be_visible(timeout=30_000)
    expect(stale).to_contain_text("Last seen Running at")
    expect(stale).to_contain_text("JobWidget(")
    expect(page.locator(".gpjob-badge")).to_have_attribute("data-status", "job-executing")
    shot(page, "reopened-last-seen")
