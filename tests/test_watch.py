"""The display-free watch engine: Job.wait / wait_async in scripts, updates, interrupts."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import textwrap
import threading

import pytest

from gpjob_widget import Job, JobFailed, JobWidget
from gpjob_widget import status as st
from gpjob_widget.server import JobServer, Task


@pytest.fixture
def job(server, poller):
    """Make Jobs watched fast on the private poller; stop them at the end."""
    made: list[Job] = []

    def make(task: Task, **options) -> Job:
        server.add_task("T", task)
        j = Job.submit(server.task_url("T"), {"d": 1}, **options)
        j.watch(poll_interval=0.05, poller=poller)
        made.append(j)
        return j

    yield make
    for j in made:
        j.watcher.close()


def test_job_wait_in_a_plain_script_with_the_cards_policy():
    script = textwrap.dedent("""
        import sys
        from gpjob_widget import Job
        from gpjob_widget.server import JobServer, Task
        with JobServer() as srv:
            srv.add_task("T", Task(duration=1, steps=4, results={"n": ("GPLong", 7)}))
            job = Job.submit(srv.task_url("T"), {"d": 1})
            seen = []
            status = job.wait(timeout=60, callback=lambda j: seen.append(j.status))
            print(status, job.results, len(seen) > 0, "IPython" in sys.modules)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["job-succeeded", "{'n':", "7}", "True", "False"]
    assert run.stderr == ""  # stderr is not a terminal: no bar unless asked


def test_updates_are_published_in_order_and_a_broken_view_hurts_nobody(job):
    j = job(Task(duration=0.6, steps=3, messages=["a", "b"]))
    statuses: list[str] = []
    first_indexes: list[int] = []

    def broken(update):
        raise RuntimeError("a view with a bug")

    j.watcher.subscribe(broken)
    unsubscribe = j.watcher.subscribe(lambda u: (statuses.append(u.state.status),
                                                 u.messages and first_indexes.append(u.first)))
    assert j.wait(timeout=30) == st.SUCCEEDED
    unsubscribe()
    order = [s for i, s in enumerate(statuses) if i == 0 or statuses[i - 1] != s]
    assert order[-1] == st.SUCCEEDED and st.EXECUTING in order
    assert first_indexes == sorted(set(first_indexes))  # each message delivered once, in order
    assert j.state.message_count == len(j.messages) >= 2


def test_job_and_widget_wait_share_one_engine(server, poller):
    server.add_task("T", Task(duration=0.5, outcome="failed", error="Nope"))
    j = Job.submit(server.task_url("T"), {})
    w = JobWidget(_job=j, poller=poller, poll_interval=0.05)
    try:
        assert w.job is j and w._watch is j.watcher
        with pytest.raises(JobFailed, match="Nope"):
            j.wait(timeout=30, raise_on_failure=True)
        assert w.status == j.status == st.FAILED and w.error == j.error
    finally:
        w.close()


def test_wait_async_returns_the_final_status_and_calls_back(job):
    j = job(Task(duration=0.6, steps=3))
    calls: list[str] = []

    async def main():
        return await j.wait_async(timeout=30, callback=lambda jj: calls.append(jj.status))

    assert asyncio.run(main()) == st.SUCCEEDED
    assert calls and all(not st.is_terminal(s) for s in calls)


def test_await_a_job_and_time_out(job):
    j = job(Task(duration=60))

    async def main():
        with pytest.raises(TimeoutError, match="keeps running"):
            await j.wait_async(timeout=0.3)
        return j.watching

    assert asyncio.run(main()) is True


@pytest.fixture
def ctrl_c(monkeypatch):
    """SIGINT raises KeyboardInterrupt here, even when the suite was started in the background
    (which makes SIGINT ignored in every process it starts)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _interrupt_main_thread_soon(delay: float = 0.3) -> threading.Timer:
    main = threading.main_thread().ident
    timer = threading.Timer(delay, signal.pthread_kill, args=(main, signal.SIGINT))
    timer.start()
    return timer


def test_interrupt_stops_waiting_not_watching_and_says_so(job, server, ctrl_c):
    j = job(Task(duration=60, steps=10))
    _interrupt_main_thread_soon()
    with pytest.raises(KeyboardInterrupt, match="still running on the server") as info:
        j.wait(timeout=30)
    assert "job.cancel()" in str(info.value)
    assert j.watching and j.state.notice == str(info.value)
    assert server.jobs[j.job_id].esri_status in ("esriJobSubmitted", "esriJobExecuting")


def test_interrupt_with_cancel_on_interrupt_cancels_on_the_server(job, server, ctrl_c):
    j = job(Task(duration=60, steps=10))
    _interrupt_main_thread_soon()
    with pytest.raises(KeyboardInterrupt, match="cancel"):
        j.wait(timeout=30, cancel_on_interrupt=True)
    assert j.wait(timeout=30) == st.CANCELLED
    assert server.jobs[j.job_id].esri_status == "esriJobCancelled"


def test_a_job_that_ends_before_watching_needs_no_thread(poller):
    with JobServer() as srv:
        srv.add_task("T", Task(duration=0))
        j = Job.submit(srv.task_url("T"), {})
        j.watch(poller=poller)
        j.watcher.check_now()
        assert j.status == st.SUCCEEDED and j.wait() == st.SUCCEEDED
        assert poller.threads == 0


def test_an_interrupt_traceback_ends_at_the_users_call(job, ctrl_c):
    """The interrupt's message says what to do; the traceback shows the user's own call and
    the one public method it went into, not a page of our internals."""
    import traceback

    j = job(Task(duration=60, steps=10))
    for wait in (j.wait, lambda timeout: JobWidget(j).wait(timeout=timeout)):
        _interrupt_main_thread_soon()
        with pytest.raises(KeyboardInterrupt) as info:
            wait(timeout=30)
        frames = traceback.extract_tb(info.value.__traceback__)
        ours = [f for f in frames if "gpjob_widget" in f.filename]
        assert len(ours) <= 2, traceback.format_list(frames)  # JobWidget.wait → Job.wait
        assert info.value.__suppress_context__
