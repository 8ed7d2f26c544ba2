"""The `gpjob` command, run for real in a subprocess against the loopback server."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from gpjob_widget.server import JobServer, Task

GPJOB = [sys.executable, "-m", "gpjob_widget"]


def gpjob(*args: str, env: dict[str, str] | None = None, timeout: float = 90,
          **kwargs) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "GPJOB_TOKEN"}
    environment.update({"GPJOB_HISTORY": "0", **(env or {})})
    return subprocess.run([*GPJOB, *args], capture_output=True, text=True, timeout=timeout,
                          env=environment, **kwargs)


@pytest.fixture
def srv():
    with JobServer() as server:
        server.add_task("Quick", Task(duration=0.5, steps=2, results={
            "count": ("GPLong", 7), "table": "GPRecordSet", "report": "GPDataFile",
            "when": "GPDate"}))
        server.add_task("Fails", Task(duration=0.3, outcome="failed",
                                      error="ERROR 000732: parcels does not exist"))
        server.add_task("Long", Task(duration=120, steps=10))
        yield server


def test_submit_wait_and_results(srv, tmp_path):
    run = gpjob("submit", srv.task_url("Quick"), "-p", "distance=5", "-p", "name=Redlands",
                "-p", 'spec={"a": 1}', "--wait", "--no-progress")
    assert run.returncode == 0, run.stderr
    job_url = run.stdout.strip().splitlines()[0]
    assert "/jobs/j" in job_url and "succeeded" in run.stderr
    body = next(r.body for r in srv.request_log if r.path.endswith("/submitJob"))
    assert "distance=5" in body and "name=Redlands" in body

    results = gpjob("results", job_url, "--out", str(tmp_path))
    assert results.returncode == 0, results.stderr
    lines = dict(line.split(": ", 1) for line in results.stdout.strip().splitlines())
    assert lines["count"] == "7" and lines["table"] == "3 rows × 5 columns"  # the summaries
    assert lines["when"] == "2023-11-14 22:13:20 UTC"  # this machine's time (TZ unset: UTC)
    summary, path = lines["report"].split(" → ")
    assert summary == "report.csv · 48 bytes"
    assert Path(path).parent == tmp_path and Path(path).exists()
    as_json = json.loads(gpjob("results", job_url, "--json", "--out", str(tmp_path)).stdout)
    assert as_json["count"] == 7 and as_json["when"].startswith("2023-11-14T22:13:20")
    assert len(as_json["table"]) == 3 and as_json["report"].endswith("report.csv")


def test_results_one_unreadable_output_hides_no_other(srv, tmp_path):
    srv.add_task("Partly", Task(duration=0.2, results={
        "count": ("GPLong", 7), "gone": "GPDataFile_missing",
        "buffers": "GPFeatureRecordSetLayer_polygons"}))
    url = gpjob("submit", srv.task_url("Partly"), "--wait", "--no-progress").stdout.split()[0]
    run = gpjob("results", url, "--out", str(tmp_path))
    assert run.returncode == 1  # said in the exit code…
    lines = dict(line.split(": ", 1) for line in run.stdout.strip().splitlines())
    assert lines == {"count": "7", "buffers": "2 polygons · EPSG:3857"}  # …the others shown
    assert "gone: could not be read:" in run.stderr and "404" in run.stderr
    as_json = json.loads(gpjob("results", url, "--json", "--out", str(tmp_path)).stdout)
    assert as_json["count"] == 7 and "404" in as_json["gone"]["error"]


def test_watch_exit_codes_and_the_servers_words(srv):
    url = gpjob("submit", srv.task_url("Fails")).stdout.strip()
    run = gpjob("watch", url, "--no-progress")
    assert run.returncode == 1 and "ERROR 000732: parcels does not exist" in run.stderr
    ok = gpjob("watch", gpjob("submit", srv.task_url("Quick")).stdout.strip())
    assert ok.returncode == 0 and ok.stderr.strip().endswith("succeeded")
    timed = gpjob("watch", gpjob("submit", srv.task_url("Long")).stdout.strip(),
                  "--timeout", "0.5")
    assert timed.returncode == 1 and "keeps running" in timed.stderr


@pytest.mark.parametrize("args", [
    ["watch", "http://127.0.0.1:9/arcgis/rest/services/S/GPServer/T"],  # a task, not a job
    ["watch", "not a url"], ["status"], ["frobnicate", "x"],
    ["submit", "http://127.0.0.1:9/arcgis/rest/services/S/GPServer/T", "-p", "novalue"],
])
def test_usage_errors_exit_2(args):
    run = gpjob(*args)
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr


def test_status_and_cancel(srv):
    url = gpjob("submit", srv.task_url("Long")).stdout.strip()
    status = json.loads(gpjob("status", url, "--json").stdout)
    assert status["status"] in ("job-submitted", "job-executing") and status["job_url"] == url
    assert "Long" in gpjob("status", url).stdout
    cancel = gpjob("cancel", url)
    assert cancel.returncode == 0 and "cancel" in cancel.stdout
    job_id = url.rsplit("/", 1)[1]
    deadline = time.monotonic() + 30
    while srv.jobs[job_id].esri_status != "esriJobCancelled" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.jobs[job_id].esri_status == "esriJobCancelled"
    refused = gpjob("cancel", url)  # already ended: the server's words, exit 1
    assert refused.returncode == 1 and "CancelError" in refused.stderr


def test_token_from_env_or_file_never_from_argv_and_never_printed(tmp_path):
    with JobServer(token="s3cret-tok") as srv:
        srv.add_task("Quick", Task(duration=0.2))
        denied = gpjob("submit", srv.task_url("Quick"), "--wait")
        assert denied.returncode == 1 and "Token Required" in denied.stderr
        ok = gpjob("submit", srv.task_url("Quick"), "--wait", env={"GPJOB_TOKEN": "s3cret-tok"})
        assert ok.returncode == 0, ok.stderr
        token_file = tmp_path / "token"
        token_file.write_text("s3cret-tok\n")
        via_file = gpjob("watch", ok.stdout.strip(), "--token-file", str(token_file))
        assert via_file.returncode == 0
        for run in (denied, ok, via_file):
            assert "s3cret-tok" not in run.stdout + run.stderr
        assert gpjob("watch", ok.stdout.strip(), "--token", "x").returncode == 2  # no such option
        headers = {r.headers.get("X-Esri-Authorization") for r in srv.request_log}
        assert "Bearer s3cret-tok" in headers
        assert all("token" not in r.query for r in srv.request_log)


def _run_in_a_terminal(args: list[str], interrupt_after: str | None = None,
                       timeout: float = 120) -> tuple[int, str]:
    """Run gpjob with stderr on a pseudo-terminal (24×100); optionally Ctrl-C once *text* shows."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    env = {**os.environ, "GPJOB_HISTORY": "0"}
    # Ctrl-C as a terminal delivers it: a run started in the background (CI, `cmd &`) inherits
    # SIGINT *ignored*, and Python then never raises KeyboardInterrupt
    proc = subprocess.Popen([*GPJOB, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=slave, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    os.close(slave)
    seen, sent = b"", False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not select.select([master], [], [], 0.5)[0]:
            continue  # nothing yet: look at the deadline again
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if interrupt_after and not sent and interrupt_after.encode() in seen:
            proc.send_signal(signal.SIGINT)
            sent = True
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"gpjob did not end (interrupt sent: {sent}); it showed: "
                             f"{seen.decode(errors='replace')[-2000:]!r}") from None
    finally:
        os.close(master)
    return proc.returncode, seen.decode(errors="replace")


def test_watch_draws_a_live_bar_on_a_terminal(srv):
    srv.add_task("Steps", Task(duration=3, steps=3, messages=["Buffering {braces} ok"]))
    url = gpjob("submit", srv.task_url("Steps")).stdout.strip()
    code, screen = _run_in_a_terminal(["watch", url])
    assert code == 0
    frames = screen.replace("\r\n", "\n").split("\r")
    assert any("Running" in f and "%|" in f for f in frames), frames[-5:]
    assert any("100%" in f and "Succeeded" in f for f in frames), frames[-5:]
    final = [f for f in frames if "Succeeded" in f and "%|" in f]
    assert len(final) == 1, final  # the last frame is drawn once, not three times


def test_ctrl_c_stops_watching_and_says_the_job_still_runs(srv):
    url = gpjob("submit", srv.task_url("Long")).stdout.strip()
    code, screen = _run_in_a_terminal(["watch", url], interrupt_after="Running")
    assert code == 130, screen[-2000:]
    assert "still running on the server" in screen and f"gpjob cancel {url}" in screen
    assert srv.jobs[url.rsplit("/", 1)[1]].esri_status == "esriJobExecuting"
    code, screen = _run_in_a_terminal(["watch", url, "--cancel-on-interrupt"],
                                      interrupt_after="Running")
    assert code == 130 and "cancel" in screen, screen[-2000:]
    assert srv.jobs[url.rsplit("/", 1)[1]].esri_status in ("esriJobCancelling",
                                                           "esriJobCancelled")


def test_no_bar_when_stderr_is_not_a_terminal(srv):
    url = gpjob("submit", srv.task_url("Quick")).stdout.strip()
    run = gpjob("watch", url)
    assert "%|" not in run.stderr and "\r" not in run.stderr


def test_help_for_every_command():
    for command in ("watch", "submit", "cancel", "results", "status"):
        run = gpjob(command, "--help")
        assert run.returncode == 0 and "--token-file" in run.stdout
    script = Path(sys.executable).parent / "gpjob"  # the console script pip installed
    entry = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert entry.returncode == 0 and "submit" in entry.stdout
