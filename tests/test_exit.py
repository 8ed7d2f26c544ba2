"""A script that watches jobs always exits: run after run, in fresh interpreters.

Interpreter shutdown freezes daemon threads where they stand; one frozen while holding a lock
holds it for ever, and a close path (ipywidgets' ``Widget.__del__`` → ``close()``) that takes
that lock hangs the exit. The scripts below are what users run (submit then exit, several
cards, a Job and a board, a check in flight on a slow server, a wait that times out), each run
many times; two more freeze a lock holder on purpose, which made the old close path hang
every time.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from gpjob_widget.server import JobServer, Task

RUNS = 10             # fresh interpreters per script
EXIT_DEADLINE = 45.0  # s: a run that takes longer is hung (a normal one takes ~1 s)
EXIT_WITHIN = 6.0     # s from the script's last line to the process's end (a loaded machine)

PRELUDE = """
import sys, time
from gpjob_widget import Job, JobBoard, JobWidget
long_task, slow_task = sys.argv[1], sys.argv[2]
"""
SCRIPTS = {
    "submit then exit": """
        w = JobWidget.submit(long_task, {"n": 1})
        assert w.watching
    """,
    "several cards watching": """
        cards = [JobWidget.submit(long_task, {"n": i}) for i in range(6)]
        time.sleep(0.3)
        assert all(w.watching for w in cards)
    """,
    "a Job and a JobBoard": """
        job = Job.submit(long_task, {"n": 1})
        job.watcher.start()
        board = JobBoard()
        board.submit(long_task, {"n": 2})
        board.add(job)
        time.sleep(0.3)
    """,
    "a check in flight on a slow server": """
        w = JobWidget.submit(slow_task, {"n": 1})
        time.sleep(0.5)  # the first check now waits for the server's answer
        assert w.watching
    """,
    "wait(timeout) that times out": """
        w = JobWidget.submit(long_task, {"n": 1})
        try:
            w.wait(timeout=0.5, progress=False)
        except TimeoutError:
            pass
        else:
            raise AssertionError("the wait should have timed out")
    """,
    "a lock held by a frozen poller thread": """
        import threading
        w = JobWidget.submit(long_task, {"n": 1})
        poller = w.job.watcher.poller
        # what interpreter shutdown does to a daemon thread caught holding the poller's lock
        threading.Thread(target=lambda: (poller._cond.acquire(), time.sleep(3600)),
                         daemon=True).start()
        time.sleep(0.2)
    """,
    "a lock held by a frozen engine thread": """
        import threading
        w = JobWidget.submit(long_task, {"n": 1})
        engine = w.job.watcher
        threading.Thread(target=lambda: (engine._cond.acquire(), time.sleep(3600)),
                         daemon=True).start()
        time.sleep(0.2)
    """,
}


@pytest.fixture(scope="module")
def exit_server():
    with JobServer() as srv:
        srv.add_task("Long", Task(duration=3600, steps=100))
        srv.add_task("Slow", Task(duration=3600, steps=100))
        srv.inject("hang", times=10_000, match="/GPServer/Slow/jobs/", seconds=4)
        yield srv


def _run(script: str, srv: JobServer) -> subprocess.CompletedProcess[str]:
    code = PRELUDE + textwrap.dedent(script) + \
        "\nprint('end of script', time.monotonic(), flush=True)\n"
    try:
        run = subprocess.run(
            [sys.executable, "-c", code, srv.task_url("Long"), srv.task_url("Slow")],
            capture_output=True, text=True, timeout=EXIT_DEADLINE,
            env={"GPJOB_HISTORY": "0", "PATH": "/usr/bin:/bin"})
        run.exit_took = time.monotonic() - float(run.stdout.split("end of script")[1].split()[0]) \
            if "end of script" in run.stdout else None
        return run
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        return subprocess.CompletedProcess(exc.cmd, -9, out, "hung at exit")


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_script_exits_every_time(name, exit_server):
    with ThreadPoolExecutor(max_workers=3) as pool:
        runs = list(pool.map(lambda _: _run(SCRIPTS[name], exit_server), range(RUNS)))
    for run in runs:
        assert "end of script" in run.stdout, run.stderr
        assert run.returncode == 0, f"{name}: exit code {run.returncode}: {run.stderr[-2000:]}"
        assert run.exit_took < EXIT_WITHIN, f"{name}: took {run.exit_took:.1f} s to exit"
