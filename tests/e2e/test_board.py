"""JobBoard in real JupyterLab and Chromium: rows, aggregate, per-row Cancel on the server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gpjob_widget.server import Task

from .conftest import kernel_eval, open_notebook, run_all, shot


@pytest.mark.parametrize("app", ["lab", "notebook7"])
def test_board_lists_jobs_and_cancels_one_on_the_server(app, request, page, job_server):
    server = request.getfixturevalue(app)
    job_server.add_task("BoardQuick", Task(duration=3, steps=3))
    job_server.add_task("BoardLong", Task(duration=120, steps=10))
    cells = ["import os\nfrom gpjob_widget import JobBoard\n"
             "board = JobBoard(token=os.environ['GPJOB_E2E_TOKEN'])\n"
             f"for i in range(12):\n    board.submit({job_server.task_url('BoardQuick')!r}, "
             "{'i': i})\n"
             f"long = board.submit({job_server.task_url('BoardLong')!r}, {{}})\nboard"]
    open_notebook(page, server, f"board-{app}.ipynb", cells)
    run_all(page)
    rows = page.locator(".gpjob-board-row")
    expect(rows).to_have_count(13, timeout=60_000)
    expect(page.locator(".gpjob-board .gpjob-badge[data-status='job-succeeded']")
           ).to_have_count(12, timeout=60_000)
    expect(page.locator(".gpjob-board-summary")).to_contain_text("12 of 13 jobs ended")
    expect(rows.nth(0).locator(".gpjob-badge svg path")).to_be_visible()
    shot(page, f"board-{app}")
    cancel = rows.nth(12).locator(".gpjob-board-cancel")
    expect(cancel).to_be_enabled()
    cancel.click()
    expect(rows.nth(12).locator(".gpjob-badge")).to_have_attribute("data-status",
                                                                   "job-cancelled")
    job_id = kernel_eval(page, "print(long.job_id)").strip()
    assert job_server.jobs[job_id].esri_status == "esriJobCancelled"
    expect(page.locator(".gpjob-board-cancel-all")).to_be_disabled()


def test_a_batch_board_rolls_up_queues_retries_and_cancels(lab, page, job_server):
    job_server.add_task("Batch", Task(duration=2, steps=2, fail_if={"county": "Nowhere"},
                                      error="ERROR 000732: county Nowhere does not exist",
                                      results={"buffers": "GPFeatureRecordSetLayer_polygons"}))
    counties = ["Nowhere" if i == 4 else f"county {i}" for i in range(12)]
    cells = ["import os\nfrom gpjob_widget import JobBoard\n"
             f"board = JobBoard.map({job_server.task_url('Batch')!r}, "
             f"[(c, {{'county': c}}) for c in {counties!r}], max_in_flight=3, retries=0, "
             "token=os.environ['GPJOB_E2E_TOKEN'])\nboard"]
    open_notebook(page, lab, "batch.ipynb", cells)
    run_all(page)
    summary = page.locator(".gpjob-board-summary")
    expect(summary).to_contain_text("3 running", timeout=30_000)
    expect(page.locator(".gpjob-board .gpjob-badge[data-status='batch-queued']").first
           ).to_contain_text("Queued here")
    shot(page, "batch-running")
    expect(summary).to_contain_text("12 of 12 done (11 succeeded, 1 failed)", timeout=90_000)
    nowhere = page.locator(".gpjob-board-row[data-key='Nowhere']")
    expect(nowhere.locator(".gpjob-board-message")).to_contain_text("ERROR 000732")
    done = page.locator(".gpjob-board-row[data-key='county 0']")
    expect(done.locator(".gpjob-board-message")).to_contain_text("buffers: 2 polygons")
    expect(done.locator("img.gpjob-board-thumb")).to_be_visible()
    retry = page.get_by_role("button", name="Run the failed inputs again")
    expect(retry).to_be_visible()
    shot(page, "batch-done")
    before = len(job_server.jobs)
    retry.click()
    expect(nowhere.locator(".gpjob-board-title")).to_contain_text("(attempt 2)", timeout=30_000)
    assert len(job_server.jobs) == before + 1
    expect(summary).to_contain_text("12 of 12 done (11 succeeded, 1 failed)", timeout=60_000)
