"""JobBoard in real JupyterLab and Chromium: rows, aggregate, per-row Cancel on the server."""

from __future__ import annotations

from playwright.sync_api import expect

from gpjob_widget.server import Task

from .conftest import kernel_eval, open_notebook, run_all, shot


def test_board_lists_jobs_and_cancels_one_on_the_server(lab, page, job_server):
    job_server.add_task("BoardQuick", Task(duration=3, steps=3))
    job_server.add_task("BoardLong", Task(duration=120, steps=10))
    cells = ["import os\nfrom gpjob_widget import JobBoard\n"
             "board = JobBoard(token=os.environ['GPJOB_E2E_TOKEN'])\n"
             f"for i in range(12):\n    board.submit({job_server.task_url('BoardQuick')!r}, "
             "{'i': i})\n"
             f"long = board.submit({job_server.task_url('BoardLong')!r}, {{}})\nboard"]
    open_notebook(page, lab, "board.ipynb", cells)
    run_all(page)
    rows = page.locator(".gpjob-board-row")
    expect(rows).to_have_count(13, timeout=60_000)
    expect(page.locator(".gpjob-board .gpjob-badge[data-status='job-succeeded']")
           ).to_have_count(12, timeout=60_000)
    expect(page.locator(".gpjob-board-summary")).to_contain_text("12 of 13 jobs ended")
    expect(rows.nth(0).locator(".gpjob-badge svg path")).to_be_visible()
    shot(page, "board")
    cancel = rows.nth(12).locator(".gpjob-board-cancel")
    expect(cancel).to_be_enabled()
    cancel.click()
    expect(rows.nth(12).locator(".gpjob-badge")).to_have_attribute("data-status",
                                                                   "job-cancelled")
    job_id = kernel_eval(page, "print(long.job_id)").strip()
    assert job_server.jobs[job_id].esri_status == "esriJobCancelled"
    expect(page.locator(".gpjob-board-cancel-all")).to_be_disabled()
