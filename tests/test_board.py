"""JobBoard over real HTTP: rows as coalesced deltas, aggregate, per-row cancel, cancel all."""

from __future__ import annotations

import time

from gpjob_widget import JobBoard
from gpjob_widget import status as st
from gpjob_widget.board import _on_board_message
from gpjob_widget.server import Task


def _board(server, poller, n=20, **task):
    server.add_task("T", Task(**{"duration": 0.6, "steps": 3, **task}))
    board = JobBoard(poller=poller, poll_interval=0.05)
    sent: list[dict] = []
    board.send = lambda content, buffers=None: sent.append(content)
    for i in range(n):
        board.submit(server.task_url("T"), {"i": i})
    return board, sent


def test_board_follows_every_job_with_coalesced_row_deltas(server, poller):
    board, sent = _board(server, poller)
    try:
        statuses = board.wait(timeout=60)
        board.flush()
        assert set(statuses.values()) == {st.SUCCEEDED} and len(statuses) == 20
        assert board.counts == {st.SUCCEEDED: 20} and board.total == 20
        assert board.aggregate == 100.0
        rows = [row for message in sent for row in message["rows"]]
        assert {row["index"] for row in rows} == set(range(20))
        # coalesced: far fewer messages than row changes
        assert len(sent) < len(rows)
        assert "20/20 ended" in repr(board)
    finally:
        board.close()


def test_rows_action_sends_every_row(server, poller):
    board, sent = _board(server, poller, n=5)
    try:
        sent.clear()
        _on_board_message(board, {"action": "rows"}, [])
        assert [r["index"] for r in sent[0]["rows"]] == [0, 1, 2, 3, 4]
        assert set(sent[0]["rows"][0]) >= {"title", "job_id", "status", "percent", "cancellable"}
    finally:
        board.close()


def test_cancel_one_row_and_cancel_all_reach_the_server(server, poller):
    board, _ = _board(server, poller, n=6, duration=60)
    try:
        deadline = time.monotonic() + 10
        while not all(w.cancellable for w in board.jobs) and time.monotonic() < deadline:
            time.sleep(0.02)
        _on_board_message(board, {"action": "cancel", "index": 2}, [])
        board.jobs[2].wait(timeout=20)
        assert server.jobs[board.jobs[2].job_id].esri_status == "esriJobCancelled"
        assert board.jobs[3].status != st.CANCELLED
        _on_board_message(board, {"action": "cancel_all"}, [])
        board.wait(timeout=30)
        assert all(server.jobs[w.job_id].esri_status == "esriJobCancelled" for w in board.jobs)
        board.flush()
        assert board.counts == {st.CANCELLED: 6}
    finally:
        board.close()


def test_board_accepts_urls_and_widgets(server, poller, watch):
    server.add_task("T", Task(duration=0.3))
    existing = watch(server.task_url("T"), submit={})
    board = JobBoard([existing, existing.job_url], poller=poller, poll_interval=0.05)
    try:
        assert board.jobs[0] is existing.job and board.jobs[1].job_id == existing.job_id
        assert set(board.wait(timeout=30).values()) == {st.SUCCEEDED}
    finally:
        board.close()
