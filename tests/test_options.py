"""Every documented option works on every entry point (README, *The API*): no TypeError, and
the option takes effect. Over real HTTP against the loopback server."""

from __future__ import annotations

import warnings

import pytest

from gpjob_widget import Job, JobBoard, JobWidget, TaskForm
from gpjob_widget.server import Task

# option → (value, what the resulting Job must show)
OPTIONS = {
    "flavour": ("gp", lambda job: job.flavour.name == "gp"),
    "verify": (False, lambda job: job.transport.verify is False),
    "timeout": ((2.0, 7.0), lambda job: job.transport.timeout == (2.0, 7.0)),
    "poll_interval": (0.2, lambda job: job.watcher.poll_interval == 0.2),
    "max_interval": (3.0, lambda job: job.watcher.max_interval == 3.0),
    "stall_after": (900.0, lambda job: job.watcher._stall.floor == 900.0),
}


def _entry(name: str, server, option: str, value):
    """A Job made through entry point *name* with ``option=value`` (and what to close)."""
    task = server.task_url("Long")
    options = {option: value}
    if name == "JobWidget.submit":
        w = JobWidget.submit(task, {}, **options)
        return w.job, w
    if name == "JobWidget":
        w = JobWidget(Job.submit(task, {}).job_url, **options)
        return w.job, w
    if name == "Job.submit":
        job = Job.submit(task, {}, **options)
        return job, job
    if name == "Job":
        job = Job(Job.submit(task, {}).job_url, **options)
        return job, job
    if name == "JobBoard.submit":
        board = JobBoard()
        return board.submit(task, {}, **options), board
    if name == "JobBoard":
        board = JobBoard(**options)
        return board.submit(task, {}), board
    if name == "TaskForm":
        form = TaskForm(task, **options)
        return form.submit().job, form
    if name == "JobBoard.add":
        board = JobBoard(**options)
        return board.add(Job.submit(task, {}).job_url), board
    raise AssertionError(name)


ENTRIES = ["JobWidget", "JobWidget.submit", "Job", "Job.submit", "JobBoard", "JobBoard.submit",
           "JobBoard.add", "TaskForm"]


@pytest.fixture(scope="module")
def long_server():
    from gpjob_widget.server import JobServer

    with JobServer() as srv:
        srv.add_task("Long", Task(duration=600, steps=10))
        yield srv


@pytest.mark.parametrize("option", list(OPTIONS))
@pytest.mark.parametrize("entry", ENTRIES)
def test_option_on_entry_point(long_server, entry, option):
    value, took_effect = OPTIONS[option]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # verify=False warns, as it should
        job, owner = _entry(entry, long_server, option, value)
    try:
        assert took_effect(job), f"{entry}({option}={value!r}) had no effect"
    finally:
        owner.close()


@pytest.mark.parametrize("entry", ["JobWidget", "JobWidget.submit", "Job", "Job.submit",
                                   "TaskForm"])
def test_start_option(long_server, entry):
    job, owner = _entry(entry, long_server, "start", False)
    try:
        assert not job.watcher.watching
    finally:
        owner.close()
    job, owner = _entry(entry, long_server, "start", True)
    try:
        assert job.watcher.watching
    finally:
        owner.close()


@pytest.mark.parametrize("entry", ["JobWidget.submit", "TaskForm"])
def test_card_options(long_server, tmp_path, entry):
    options = {"notify": True, "download_dir": tmp_path, "preview": False,
               "preview_budget": 1000}
    if entry == "TaskForm":
        owner = TaskForm(long_server.task_url("Long"), **options)
        w = owner.submit()
    else:
        w = owner = JobWidget.submit(long_server.task_url("Long"), {}, **options)
    try:
        assert w.notify is True and w.download_dir == tmp_path
        assert w._preview is False and w._preview_budget == 1000
    finally:
        owner.close()


def test_board_preview_options(long_server):
    board = JobBoard.map(long_server.task_url("Long"), [{}], preview=False, preview_budget=10)
    try:
        assert board._job_options["preview_budget"] == 10
    finally:
        board.cancel_all()
        board.close()


@pytest.mark.parametrize("make", [
    lambda url: Job(url, polling=1), lambda url: JobBoard(polling=1),
    lambda url: TaskForm(url.split("/jobs/")[0], polling=1),
    lambda url: Job(url).watch(polling=1)])
def test_a_misspelt_option_is_a_clear_type_error(long_server, make):
    url = Job.submit(long_server.task_url("Long"), {}).job_url
    with pytest.raises(TypeError, match="polling"):
        make(url)


def test_job_close_stop_start(long_server):
    job = Job.submit(long_server.task_url("Long"), {}, start=True)
    assert job.watching
    job.stop()
    assert not job.watching
    job.start()
    assert job.watching
    job.close()
    assert not job.watching
    job.start()  # closed for good
    assert not job.watching
