"""JobBoard.map: many jobs of one task under a concurrency cap, retries, one roll-up, one table
of results — over real HTTP, the loopback server counting the jobs it runs at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import geopandas as gpd
import pytest

from gpjob_widget import JobBoard
from gpjob_widget import status as st
from gpjob_widget.batch import DROPPED, QUEUED
from gpjob_widget.server import Task


def _map(server, poller, inputs, *, task=None, **options):
    server.add_task("Buffer", task or Task(duration=0.4, steps=2, fail_if={"county": "Nowhere"},
                                           error="ERROR 000732: county Nowhere does not exist",
                                           results={"buffers": "GPFeatureRecordSetLayer_polygons",
                                                    "n": ("GPLong", 3)}))
    options.setdefault("poll_interval", 0.05)
    return JobBoard.map(server.task_url("Buffer"), inputs, poller=poller, preview=False,
                        **options)


def test_forty_inputs_never_more_than_five_running_each_ends_right(server, poller):
    inputs = [(f"c{i}", {"county": "Nowhere" if i % 10 == 3 else f"c{i}"}) for i in range(40)]
    board = _map(server, poller, inputs, max_in_flight=5, retries=0)
    try:
        statuses = board.wait(timeout=120)
        assert server.peak_running <= 5  # the server's own count
        assert server.peak_running == 5  # and the cap was used
        assert sum(s == st.SUCCEEDED for s in statuses.values()) == 36
        assert {k for k, s in statuses.items() if s == st.FAILED} == {"c3", "c13", "c23", "c33"}
        assert board.failures["c3"] == "ERROR 000732: county Nowhere does not exist"
        roll = board.batch.rollup()
        assert (roll.total, roll.succeeded, roll.failed, roll.running, roll.queued) == (
            40, 36, 4, 0, 0) and roll.percent == 100.0
        board.flush()
        assert board.rollup["finished"] and "36 succeeded, 4 failed" in repr(board)
    finally:
        board.close()


def test_queued_inputs_wait_here_not_on_the_server(server, poller):
    board = _map(server, poller, [{"i": i} for i in range(6)], max_in_flight=2,
                 task=Task(duration=30, steps=10))
    try:
        rows = [board.row(i) for i in range(6)]
        statuses = [r["status"] for r in rows]
        assert statuses.count(QUEUED) >= 4 and len(server.jobs) <= 2
        assert next(r for r in rows if r["status"] == QUEUED)["job_id"] == ""
        assert list(board.statuses().values()).count(QUEUED) == statuses.count(QUEUED)
    finally:
        board.cancel_all()
        board.close()


def test_a_transient_submit_failure_and_a_failed_job_are_retried(server, poller):
    server.inject("status", times=1, match="/submitJob", status=503)
    task = Task(duration=0.3, steps=1, flaky=1, results={"n": ("GPLong", 3)})
    board = _map(server, poller, [("a", {"x": 1}), ("b", {"x": 2})], retries=1, task=task)
    try:
        assert board.wait(timeout=60) == {"a": st.SUCCEEDED, "b": st.SUCCEEDED}
        attempts = {item.key: [j.status for j in item.attempts] for item in board.batch.items}
        # each input's first job failed (flaky), its retry succeeded; the 503 made no job
        assert attempts == {"a": [st.FAILED, st.SUCCEEDED], "b": [st.FAILED, st.SUCCEEDED]}
        assert board.row(0)["attempts"] == 2
    finally:
        board.close()


def test_retries_are_bounded_and_retry_failed_runs_them_again(server, poller):
    task = Task(duration=0.2, steps=1, flaky=3, results={"n": ("GPLong", 3)})
    board = _map(server, poller, [("a", {"x": 1})], retries=1, task=task)
    try:
        assert board.wait(timeout=60) == {"a": st.FAILED}
        assert len(board.batch.items[0].attempts) == 2  # the first try and one retry
        assert board.retry_failed() == ["a"]
        assert board.wait(timeout=60) == {"a": st.FAILED}  # third failure of three
        assert board.retry_failed() == ["a"]
        assert board.wait(timeout=60) == {"a": st.SUCCEEDED}  # the fourth job works
    finally:
        board.close()


def test_a_job_deleted_while_watched_fails_its_input_and_the_batch_still_ends(
        server, poller, until):
    board = _map(server, poller, [("a", {"x": 1}), ("b", {"x": 2})], max_in_flight=2,
                 retries=1, task=Task(duration=30, steps=10))
    try:
        until(lambda: all(item.job is not None for item in board.batch.items), timeout=30)
        server.delete_job(board.batch.items[0].job.job_id)
        until(lambda: board.batch.rollup().failed == 1, timeout=30)
        assert "not found" in board.failures["a"].lower()  # the server's words, not retried
        assert len(board.batch.items[0].attempts) == 1 and board.batch.in_flight() == 1
        board.cancel_all()
        assert board.wait(timeout=30)["b"] == st.CANCELLED
    finally:
        board.close()


def test_cancel_all_leaves_nothing_running(server, poller, until):
    board = _map(server, poller, [{"i": i} for i in range(10)], max_in_flight=4,
                 task=Task(duration=60, steps=10))
    try:
        until(lambda: board.batch.in_flight() == 4, what="four jobs on the server")
        outcome = board.cancel_all()
        assert list(outcome.values()).count(DROPPED) == 6
        statuses = board.wait(timeout=60)
        assert server.running_count() == 0
        assert sorted(statuses.values()) == sorted([st.CANCELLED] * 4 + [DROPPED] * 6)
        assert len(server.jobs) == 4  # the dropped inputs never reached the server
    finally:
        board.close()


def test_cancel_all_also_cancels_a_job_whose_submit_was_on_its_way(server, poller, until):
    server.faults.add("hang", match="submitJob", seconds=1.5)  # one submit answers late
    board = _map(server, poller, [{"i": 0}, {"i": 1}], max_in_flight=2,
                 task=Task(duration=60, steps=10))
    try:
        until(lambda: board.batch.in_flight() == 1 and not server.jobs,
              what="the first submit on its way")
        board.cancel_all()
        statuses = board.wait(timeout=60)
        assert statuses == {0: st.CANCELLED, 1: DROPPED}
        assert len(server.jobs) == 1 and server.running_count() == 0
    finally:
        board.close()


def test_results_frame_concatenates_each_jobs_output_with_its_key(server, poller):
    board = _map(server, poller, [("north", {"county": "n"}), ("south", {"county": "s"})])
    try:
        board.wait(timeout=60)
        frame = board.results_frame("buffers")
        assert isinstance(frame, gpd.GeoDataFrame) and frame.crs.to_epsg() == 3857
        assert list(frame.columns[:1]) == ["key"] and len(frame) == 4
        assert frame["key"].tolist() == ["north", "north", "south", "south"]
        assert board.results == {"north": {"buffers": board.results["north"]["buffers"],
                                           "n": 3}, "south": board.results["south"]}
        fetched = len(server.request_log)
        board.results_frame("buffers")
        assert len(server.request_log) == fetched  # each output fetched once
        with pytest.raises(ValueError, match="not a table"):
            board.results_frame("n")
    finally:
        board.close()


def test_an_ogc_process_batch(server, poller):
    server.add_process("count", Task(duration=0.3, steps=2, results={"n": ("GPLong", 1)}))
    board = JobBoard.map(server.process_url("count"), [{"i": i} for i in range(4)],
                         max_in_flight=2, poller=poller, poll_interval=0.05, preview=False)
    try:
        assert set(board.wait(timeout=60).values()) == {st.SUCCEEDED}
        assert server.peak_running <= 2
    finally:
        board.close()


def test_a_batch_survives_the_session_in_the_history(server, poller):
    board = _map(server, poller, [("x", {"county": "x"}), ("y", {"county": "y"})],
                 name="counties")
    board.wait(timeout=60)
    board.close()
    again = JobBoard.recent(days=1, poll_interval=0.05, poller=poller)
    try:
        titles = [job.title for job in again.jobs]
        ours = [t for t in titles if t.startswith("counties · ")]
        assert ours[:2] == ["counties · x · Buffer", "counties · y · Buffer"]  # grouped
    finally:
        again.close()


def test_gpjob_map_runs_a_batch_from_a_jsonl_file(server, tmp_path):
    server.add_task("Buffer", Task(duration=0.3, steps=1, fail_if={"county": "Nowhere"},
                                   error="ERROR 000732: county Nowhere does not exist"))
    inputs = tmp_path / "inputs.jsonl"
    inputs.write_text("\n".join(json.dumps(p) for p in [
        {"key": "a", "params": {"county": "a"}}, {"county": "b"}, {"county": "Nowhere"}]))
    run = subprocess.run([sys.executable, "-m", "gpjob_widget", "map", server.task_url("Buffer"),
                          "--inputs", str(inputs), "--max-in-flight", "2", "--retries", "0"],
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "GPJOB_HISTORY": "0"})
    assert run.returncode == 1, run.stderr  # one input failed
    lines = run.stdout.strip().splitlines()
    assert json.loads(lines[0]) == {"key": "a", "status": "succeeded", "job_url": lines and
                                    json.loads(lines[0])["job_url"]}
    by_key = {json.loads(line)["key"]: json.loads(line) for line in lines}
    assert by_key[1]["status"] == "succeeded" and by_key[2]["status"] == "failed"
    assert "ERROR 000732" in by_key[2]["error"]
    assert "3 of 3 done (2 succeeded, 1 failed)" in run.stderr
    assert server.peak_running <= 2
