"""500 concurrent jobs on one loopback server and the kernel's one shared poller."""

from __future__ import annotations

import threading
import time

from gpjob_widget import JobWidget
from gpjob_widget import status as st
from gpjob_widget.poller import shared_poller
from gpjob_widget.server import JobServer, Task

N = 500
OUTCOMES = {"ok": (Task(duration=1.0, steps=2, messages=["a", "b"]), st.SUCCEEDED),
            "slow": (Task(duration=3.0, messages=["c"]), st.SUCCEEDED),
            "fails": (Task(duration=1.5, outcome="failed", error="bad"), st.FAILED)}


def _poller_threads() -> int:
    return sum(t.name.startswith("gpjob-poller") for t in threading.enumerate())


def test_500_jobs_all_end_right_on_a_few_threads():
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _poller_threads())
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    widgets: list[tuple[JobWidget, str]] = []
    with JobServer() as srv:
        for name, (task, _) in OUTCOMES.items():
            srv.add_task(name, task)
        names = list(OUTCOMES)
        try:
            for i in range(N):
                name = names[i % len(names)]
                widgets.append((JobWidget.submit(srv.task_url(name), {"i": i}), name))
            deadline = time.monotonic() + 120
            for widget, _ in widgets:
                widget.wait(timeout=max(0.1, deadline - time.monotonic()))
            for widget, name in widgets:
                assert widget.status == OUTCOMES[name][1], (widget.job_id, widget.status)
                assert widget.message_count == len(srv.jobs[widget.job_id].visible_messages())
            assert len({w.job_id for w, _ in widgets}) == N
        finally:
            for widget, _ in widgets:
                widget.close()
            stop.set()
    assert 1 <= peak[0] <= 8, peak[0]
    deadline = time.monotonic() + 10
    while _poller_threads() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _poller_threads() == 0 and shared_poller().pending == 0
