"""A job that says nothing new for much longer than its own rhythm is called stalled, by every
view, until it moves again; nothing is imposed on it. Over real HTTP, and `gpjob` for real."""

from __future__ import annotations

import os
import subprocess
import sys

from gpjob_widget import Job, JobWidget
from gpjob_widget import status as st
from gpjob_widget.fallback import text_repr
from gpjob_widget.server import Task
from gpjob_widget.watch import StallClock


def test_the_stall_clock_follows_the_jobs_rhythm():
    clock = StallClock(floor=10)
    assert clock.observe("a", 0) and not clock.stalled(5)
    assert clock.stalled(10.5)                  # the floor
    assert clock.observe("b", 11) and not clock.stalled(12)
    assert clock.observe("c", 41)               # a 30 s quiet spell is this job's rhythm
    assert not clock.stalled(41 + 100)          # 100 s quiet: within 5 × 30 s
    assert clock.stalled(41 + 151)
    assert not clock.observe("c", 200)          # the same answer again is no change
    assert StallClock(floor=None).observe("a", 0) and not StallClock(floor=None).stalled(1e9)


def test_a_quiet_job_is_said_to_be_stalled_until_it_moves(server, poller):
    # 0 % for 3 s, then 50 % for 3 s, then done
    server.add_task("Quiet", Task(duration=6, steps=2))
    w = JobWidget.submit(server.task_url("Quiet"), {}, stall_after=1, poll_interval=0.1,
                         poller=poller)
    seen: list[tuple[bool, float | None]] = []
    w.observe(lambda change: seen.append((change["new"], w.percent)), names="stalled")
    try:
        assert w.wait(timeout=60) == st.SUCCEEDED
    finally:
        w.close()
    assert (True, 0.0) in seen, seen                       # stalled while at 0 %
    assert seen.index((True, 0.0)) < len(seen) - 1
    assert not w.stalled and seen[-1][0] is False          # it moved, then it ended
    assert w.changed_at is not None


def test_stall_text_in_repr_and_job_state(server, poller, until):
    server.add_task("Stuck", Task(duration=600, steps=1))
    job = Job.submit(server.task_url("Stuck"), {}, stall_after=0.5, poll_interval=0.1,
                     poller=poller, start=True)
    try:
        until(lambda: job.state.stalled, what="the job to be called stalled")
        assert "No progress reported for" in text_repr(job.state.to_dict())
        assert job.watching  # nothing is imposed on the job
    finally:
        job.close()


def test_gpjob_watch_piped_prints_plain_lines_and_the_stall(server):
    server.add_task("Quiet", Task(duration=4, steps=2))
    url = Job.submit(server.task_url("Quiet"), {}).job_url
    run = subprocess.run([sys.executable, "-m", "gpjob_widget", "watch", url,
                          "--stall-after", "1"], capture_output=True, text=True, timeout=90,
                         env={**os.environ, "GPJOB_HISTORY": "0"})
    assert run.returncode == 0, run.stderr
    lines = run.stderr.splitlines()
    assert any("Running" in line and "0%" in line for line in lines), lines
    assert any("No progress reported for" in line for line in lines), lines
    assert any("Succeeded" in line and "100%" in line for line in lines), lines
    assert not any(c in run.stderr for c in "\r\x1b"), repr(run.stderr)
    assert len(lines) < 20  # one line per change, throttled
