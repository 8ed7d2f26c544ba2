"""Polling never outlives what it serves: closed widgets, garbage, interpreter exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import weakref

from gpjob_widget import JobWidget
from gpjob_widget.server import JobServer, Task


def test_interpreter_exit_is_not_held_up_by_watching_threads():
    script = textwrap.dedent("""
        import time
        from gpjob_widget import JobWidget
        from gpjob_widget.server import JobServer, Task
        srv = JobServer().start()
        srv.add_task("Long", Task(duration=600))
        w = JobWidget.submit(srv.task_url("Long"), {})
        time.sleep(0.5)
        assert w.watching
        print("exiting", flush=True)
    """)
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert "exiting" in run.stdout
    assert time.monotonic() - started < 30


def test_the_poller_holds_no_strong_reference_to_a_widget(poller):
    with JobServer() as srv:
        srv.add_task("Long", Task(duration=600))
        w = JobWidget.submit(srv.task_url("Long"), {}, poller=poller, poll_interval=0.05)
        time.sleep(0.2)
        ref = weakref.ref(w)
        engine = w.job.watcher
        captured: list = []
        deadline = time.monotonic() + 5
        while not captured and time.monotonic() < deadline:  # the check is between runs
            captured = [c.cell_contents for e in list(poller._heap)
                        for c in e[2].__closure__ or ()]
            time.sleep(0.01)
        assert captured and all(c is not w and c is not engine for c in captured)
        assert any(isinstance(c, weakref.ref) and c() is engine for c in captured)
        w.close()
        assert ref() is not None and poller.pending == 0
        deadline = time.monotonic() + 3
        while poller.threads and time.monotonic() < deadline:
            time.sleep(0.05)
        assert poller.threads == 0


def test_stop_then_wait_resumes_and_close_is_idempotent(poller):
    with JobServer() as srv:
        srv.add_task("T", Task(duration=0.3))
        w = JobWidget.submit(srv.task_url("T"), {}, poller=poller, poll_interval=0.05)
        w.stop()
        w.stop()
        assert w.wait(timeout=20) == "job-succeeded"
        w.close()
        w.close()
