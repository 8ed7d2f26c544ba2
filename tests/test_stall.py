"""A job that says nothing new for much longer than its own rhythm is called stalled, by every
view, until it moves again; nothing is imposed on it. Over real HTTP, and `gpjob` for real.

The jobs here are long and quiet; the test moves them on (``ServerJob.advance``) once the stall
was seen, so nothing depends on how fast the machine is."""

from __future__ import annotations

import io
import os
import queue
import subprocess
import sys
import threading

from gpjob_widget import Job, JobBoard, JobWidget
from gpjob_widget import status as st
from gpjob_widget.fallback import html_snapshot, text_repr
from gpjob_widget.server import Task
from gpjob_widget.terminal import LineLog, ProgressBar
from gpjob_widget.watch import STALL_AFTER, StallClock


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


def test_the_floor_is_ten_minutes_unless_told(server):
    server.add_task("Any", Task(duration=600))
    url = Job.submit(server.task_url("Any"), {}).job_url
    assert STALL_AFTER == 600
    assert Job(url).watcher._stall.floor == 600
    assert Job(url, stall_after=None).watcher._stall.floor is None


def test_a_quiet_job_is_said_to_be_stalled_until_it_moves(server, poller, until):
    server.add_task("Quiet", Task(duration=600, steps=2))  # 0 % for 300 s, then 50 %
    w = JobWidget.submit(server.task_url("Quiet"), {}, stall_after=0.5, poll_interval=0.1,
                         poller=poller)
    on_server = server.jobs[w.job_id]
    try:
        until(lambda: w.stalled, what="the quiet job to be called stalled")
        assert w.percent == 0 and w.status == st.EXECUTING and w.watching
        on_server.advance(300)                                 # it moves: 50 %
        until(lambda: w.percent == 50 and not w.stalled, what="the stall to clear by itself")
        assert w.status == st.EXECUTING                        # cleared while still running
        on_server.advance(300)
        assert w.wait(timeout=60) == st.SUCCEEDED
        assert not w.stalled and w.changed_at is not None
    finally:
        w.close()


def test_every_view_says_it_and_how_to_cancel(server, poller, until):
    server.add_task("Stuck", Task(duration=600, steps=1))
    job = Job.submit(server.task_url("Stuck"), {}, stall_after=0.5, poll_interval=0.1,
                     poller=poller, start=True)
    board = JobBoard(poller=poller, stall_after=0.5, poll_interval=0.1)
    try:
        until(lambda: job.state.stalled, what="the job to be called stalled")
        state = job.state.to_dict()
        assert "No progress reported for" in text_repr(state)
        assert "if it is stuck, cancel it" in text_repr(state)
        assert "No progress reported for" in html_snapshot(state)
        assert job.watching  # nothing is imposed on the job

        bar_out = io.StringIO()
        bar = ProgressBar(job.watcher, bar_out, cancel="cancel it: job.cancel()")
        bar.tick()
        bar.tick()
        said = [line for line in bar_out.getvalue().replace("\r", "\n").splitlines()
                if "if it is stuck, cancel it: job.cancel()" in line]
        assert len(said) == 1, bar_out.getvalue()   # a whole line, once, above the bar
        assert said[0].startswith("Stuck ") and "No progress reported for" in said[0]
        bar._unsubscribe()

        lines_out = io.StringIO()
        LineLog(job.watcher, lines_out, cancel="cancel it: gpjob cancel URL")._unsubscribe()
        assert "No progress reported for" in lines_out.getvalue()
        assert lines_out.getvalue().rstrip().endswith("if it is stuck, cancel it: gpjob cancel URL")

        row = board.add(job.job_url)
        until(lambda: board.row(0).get("stalled"), what="the board row to be stalled")
        assert board.row(0)["changed_at"] and row.watching
    finally:
        board.close()
        job.close()


def _read_lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line.rstrip("\n"))
    into.put(None)


def test_gpjob_watch_piped_prints_plain_lines_the_stall_and_how_to_cancel(server, until):
    server.add_task("Quiet", Task(duration=600, steps=2))
    job = Job.submit(server.task_url("Quiet"), {})
    url = job.job_url
    proc = subprocess.Popen([sys.executable, "-m", "gpjob_widget", "watch", url,
                             "--stall-after", "1"], stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True,
                            env={**os.environ, "GPJOB_HISTORY": "0"})
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_read_lines, args=(proc.stderr, lines), daemon=True).start()
    seen: list[str] = []

    def saw(text: str) -> bool:
        while not lines.empty():
            line = lines.get()
            if line is not None:
                seen.append(line)
        return any(text in line for line in seen)

    try:
        until(lambda: saw("No progress reported for"), timeout=90,
              what=f"a stall line from gpjob watch (saw {seen})")
        stall = next(line for line in seen if "No progress reported for" in line)
        assert stall.endswith(f"if it is stuck, cancel it: gpjob cancel {url}"), stall
        server.jobs[job.job_id].advance(600)                  # now it ends
        assert proc.wait(timeout=90) == 0
    finally:
        proc.kill()
        proc.wait()
    saw("")
    text = "\n".join(seen)
    assert any("Running" in line and "0%" in line for line in seen), seen
    assert any("Succeeded" in line and "100%" in line for line in seen), seen
    assert not any(c in text for c in "\r\x1b"), repr(text)
    assert len(seen) < 20  # one line per change, throttled


def test_plain_lines_are_throttled_but_a_new_status_and_the_end_are_said_at_once(server, poller):
    from gpjob_widget.terminal import LINE_EVERY, progress_bar

    server.add_task("Busy", Task(duration=4, steps=40))  # a new percent every 0.1 s
    job = Job.submit(server.task_url("Busy"), {}, poll_interval=0.05, poller=poller)
    out = io.StringIO()
    with progress_bar(job.watcher, "lines", out) as view:
        assert job.watcher.wait(60, on_tick=view.tick) == st.SUCCEEDED
    lines = out.getvalue().splitlines()
    assert "Succeeded" in lines[-1] and "100%" in lines[-1]
    # 40 percents went by: at most one line every LINE_EVERY s, plus the status changes
    assert 2 <= len(lines) <= 2 + 4 / LINE_EVERY + 2, lines
    assert not any(c in out.getvalue() for c in "\r\x1b")
