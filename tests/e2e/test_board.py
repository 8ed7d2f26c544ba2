"""JobBoard in real JupyterLab and Chromium: rows, aggregate, per-row Cancel on the server."""

from __future__ import annotations

from gpjob_widget.server import Task

from .conftest import kernel_eval, open_notebook, run_all, shot, wait_for


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
    wait_for(lambda: rows.count() == 13, what="13 rows")
    wait_for(lambda: page.locator(".gpjob-board .gpjob-badge[data-status='job-succeeded']")
             .count() == 12, timeout=60, what="12 succeeded rows")
    assert "12 of 13 jobs ended" in page.locator(".gpjob-board-summary").inner_text()
    shot(page, "board")
    cancel = rows.nth(12).locator(".gpjob-board-cancel")
    wait_for(lambda: cancel.is_enabled(), what="an enabled row Cancel")
    cancel.click()
    wait_for(lambda: rows.nth(12).locator(".gpjob-badge").get_attribute("data-status")
             == "job-cancelled", what="the cancelled row")
    job_id = kernel_eval(page, "print(long.job_id)").strip()
    assert job_server.jobs[job_id].esri_status == "esriJobCancelled"
    assert page.locator(".gpjob-board-cancel-all").is_disabled()
