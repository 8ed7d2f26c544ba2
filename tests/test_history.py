"""The local job history: jobs found again after a restart, no token on disk, bounded, shared."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from gpjob_widget import Job, JobBoard, JobWidget, history
from gpjob_widget import status as st
from gpjob_widget.server import JobServer, Task


@pytest.fixture(autouse=True)
def own_history(tmp_path, monkeypatch):
    monkeypatch.setenv("GPJOB_HISTORY_DIR", str(tmp_path))
    monkeypatch.delenv("GPJOB_HISTORY", raising=False)
    yield tmp_path


def _in_another_process(code: str, env_dir, **env) -> str:
    """Run *code* in a fresh interpreter (a new kernel, as after a restart)."""
    import os

    run = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, timeout=120,
                         env={**os.environ, "GPJOB_HISTORY_DIR": str(env_dir), **env})
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_a_job_submitted_before_a_restart_is_found_and_followed(own_history):
    with JobServer(token="s3cret") as srv:
        srv.add_task("Long", Task(duration=4, steps=4))
        srv.add_task("Quick", Task(duration=0))
        url = _in_another_process(f"""
            from gpjob_widget import Job
            job = Job.submit({srv.task_url("Long")!r}, {{}}, token="s3cret")
            done = Job.submit({srv.task_url("Quick")!r}, {{}}, token="s3cret")
            done.wait(timeout=30)
            print(job.job_url)
        """, own_history)  # the "kernel" ends here: nothing of it is left but the history
        board = JobBoard.recent(token="s3cret", poll_interval=0.1)
        try:
            by_url = {job.job_url: job for job in board.jobs}
            assert url in by_url and len(board.jobs) == 2
            long_job = by_url[url]
            ended = next(j for j in board.jobs if j is not long_job)
            assert ended.status == st.SUCCEEDED and not ended.watching  # remembered, not polled
            assert long_job.watching and long_job.state.title == "Long"
            assert board.wait(timeout=60)[long_job.job_id] == st.SUCCEEDED
        finally:
            board.close()
    data = (own_history / "history.sqlite3").read_bytes()
    for wal in own_history.glob("history.sqlite3-*"):
        data += wal.read_bytes()
    assert b"s3cret" not in data


def test_a_recorded_job_brings_its_title_back(server, own_history):
    url = server.create_job("mission", Task(duration=0, job_type="addMission"))
    Job(url).wait(timeout=30)
    w = JobWidget(url, start=False)
    try:
        assert w.title == "addMission" and w.flavour == "mission"
    finally:
        w.close()


def test_history_can_be_turned_off_and_cleared(server, monkeypatch, own_history):
    server.add_task("T", Task(duration=0))
    Job.submit(server.task_url("T"), {}).wait(timeout=30)
    assert len(history.recent()) == 1
    history.clear()
    assert history.recent() == []
    monkeypatch.setenv("GPJOB_HISTORY", "0")
    Job.submit(server.task_url("T"), {}).wait(timeout=30)
    assert history.recent() == []
    monkeypatch.setenv("GPJOB_HISTORY", "1")
    assert history.recent() == []


def test_history_is_bounded(monkeypatch):
    monkeypatch.setattr(history, "PRUNE_EVERY", 10)
    monkeypatch.setattr(history, "MAX_JOBS", 25)
    for i in range(60):
        history.record(f"https://h/arcgis/rest/services/S/GPServer/T/jobs/j{i}", status=st.NEW)
    assert 25 <= len(history.recent()) < 35
    old = time.time() - (history.MAX_DAYS + 1) * 86400
    with history._db() as db:
        db.execute("UPDATE jobs SET last_seen = ?", (old,))
        history._prune(db, time.time())
    assert history.recent(days=365) == []


def test_two_kernels_write_at_once(own_history):
    code = """
        import sys
        from gpjob_widget import history
        for i in range(150):
            history.record(f"https://h/jobs/{sys.argv[1]}-{i}", status="job-executing")
            history.record(f"https://h/jobs/{sys.argv[1]}-{i}", status="job-succeeded")
    """
    import os

    procs = [subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), name],
                              env={**os.environ, "GPJOB_HISTORY_DIR": str(own_history)},
                              stderr=subprocess.PIPE, text=True) for name in ("a", "b")]
    for proc in procs:
        assert proc.wait(timeout=120) == 0, proc.stderr.read()
        assert "not saved" not in proc.stderr.read()
    entries = history.recent()
    assert len(entries) == 300 and {e.status for e in entries} == {st.SUCCEEDED}


def test_an_unwritable_history_never_breaks_watching(server, monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("GPJOB_HISTORY_DIR", str(blocker / "sub"))
    server.add_task("T", Task(duration=0))
    assert Job.submit(server.task_url("T"), {}).wait(timeout=30) == st.SUCCEEDED
