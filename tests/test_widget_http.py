"""JobWidget over real HTTP against the loopback server: every flavour to every end."""

from __future__ import annotations

import threading
import time

import pytest

from gpjob_widget import CancelError, InvalidJobURL, JobFailed, JobWidget, WatchError
from gpjob_widget import status as st
from gpjob_widget.server import Message, Task

GP_ENDS = [("succeeded", st.SUCCEEDED, "esriJobSucceeded"),
           ("failed", st.FAILED, "esriJobFailed"),
           ("timed-out", st.TIMED_OUT, "esriJobTimedOut")]


@pytest.mark.parametrize(("outcome", "status", "word"), GP_ENDS)
def test_gp_submit_to_each_end(server, watch, outcome, status, word):
    server.add_task("T", Task(duration=0.4, steps=4, outcome=outcome, error="Boom: bad input"))
    w = watch(server.task_url("T"), submit={"distance": 5, "flag": True, "spec": {"a": 1}})
    assert w.job_id.startswith("j") and w.flavour == "gp" and w.title == "T"
    assert w.wait(timeout=20) == status
    assert w.raw_status == word
    assert not w.watching and not w.cancellable
    assert w.ended_at is not None and w.started_at is not None
    job = server.jobs[w.job_id]
    assert job.esri_status == word
    submit = next(r for r in server.request_log if r.path.endswith("/submitJob"))
    assert submit.method == "POST"
    if status == st.SUCCEEDED:
        assert w.percent == 100.0 and w.error == ""
    else:
        assert "Boom: bad input" in w.error


def test_percent_advances_from_step_progress(server, watch):
    server.add_task("Steps", Task(duration=1.5, steps=5))
    w = watch(server.task_url("Steps"), submit={})
    seen: list[float] = []
    w.observe(lambda change: seen.append(change["new"]), names="percent")
    w.wait(timeout=20)
    numbers = [p for p in seen if p is not None]
    assert len(set(numbers)) >= 3, seen
    assert numbers == sorted(numbers) and numbers[-1] == 100.0


def test_default_progress_is_indeterminate(server, watch):
    server.add_task("NoPct", Task(duration=0.6, steps=0, messages=["a", "b"]))
    w = watch(server.task_url("NoPct"), submit={})
    seen: list = []
    w.observe(lambda change: seen.append(change["new"]), names="percent")
    assert w.percent is None  # indeterminate while running
    w.wait(timeout=20)
    assert seen == [100.0]  # no number until it ended
    assert w.progress_message


def test_messages_are_normalised_and_counted(server, watch):
    server.add_task("Msgs", Task(duration=0.5, messages=[
        Message("informative", "Started"), Message("warning", "Low <b>memory</b>"),
        Message("error", "Disk C:\\tmp full\r\n")], outcome="failed", error="Gave up"))
    w = watch(server.task_url("Msgs"), submit={})
    w.wait(timeout=20)
    types = [m["type"] for m in w.messages]
    texts = [m["description"] for m in w.messages]
    assert {"informative", "warning", "error"} <= set(types)
    assert "Low <b>memory</b>" in texts and "Disk C:\\tmp full\r\n" in texts
    assert w.message_count == len(w.messages)
    assert w.warning_count == types.count("warning")
    assert w.error_count == types.count("error") + types.count("abort")
    assert len(texts) == len(set(texts)) or texts.count("Started") == 1  # nothing repeated


def test_watch_an_existing_job_url(server, watch):
    server.add_task("T", Task(duration=0.3))
    first = watch(server.task_url("T"), submit={}, start=False)
    w = watch(first.job_url)
    assert w.wait(timeout=20) == st.SUCCEEDED and w.job_id == first.job_id


@pytest.mark.parametrize(("flavour", "outcome", "status"), [
    ("mission", "succeeded", st.SUCCEEDED), ("mission", "failed", st.FAILED),
    ("notebook", "succeeded", st.SUCCEEDED), ("admin", "succeeded", st.SUCCEEDED),
    ("admin", "failed", st.FAILED)])
def test_other_flavours_reach_their_end(server, watch, flavour, outcome, status):
    url = server.create_job(flavour, Task(duration=0.5, steps=5, outcome=outcome,
                                          error="It broke", messages=["one", "two"]))
    w = watch(url)
    assert w.wait(timeout=20) == status
    expected = {"mission": "mission", "notebook": "mission", "admin": "admin"}[flavour]
    assert w.flavour == expected
    assert w.messages or flavour == "admin"
    if status == st.FAILED:
        assert w.error


def test_mission_percent_from_steps(server, watch):
    url = server.create_job("mission", Task(duration=1.2, steps=4))
    w = watch(url)
    seen: list = []
    w.observe(lambda change: seen.append(change["new"]), names="percent")
    w.wait(timeout=20)
    assert any(p is not None and 0 < p < 100 for p in seen), seen


def test_notebook_web_tool_on_gp(server, watch):
    server.add_task("NbTool", Task(duration=0.3, flavour="notebook"))
    w = watch(server.task_url("NbTool"), submit={})
    assert w.wait(timeout=20) == st.SUCCEEDED and w.flavour == "gp"


def test_cancel_reaches_the_server(server, watch):
    server.add_task("Long", Task(duration=30, steps=10))
    w = watch(server.task_url("Long"), submit={})
    deadline = time.monotonic() + 10
    while w.status != st.EXECUTING and time.monotonic() < deadline:
        time.sleep(0.02)
    assert w.cancellable
    answered = w.cancel()
    assert answered in (st.CANCELLING, st.CANCELLED)
    assert w.wait(timeout=20) == st.CANCELLED
    assert server.jobs[w.job_id].esri_status == "esriJobCancelled"
    assert any(r.path.endswith("/cancel") for r in server.request_log)


@pytest.mark.parametrize("flavour", ["mission", "admin"])
def test_cancel_other_flavours(server, watch, flavour):
    url = server.create_job(flavour, Task(duration=30, steps=10))
    w = watch(url)
    w.cancel()
    assert w.wait(timeout=20) == st.CANCELLED


def test_cancel_of_a_finished_job_is_refused_with_the_servers_words(server, watch):
    server.add_task("Quick", Task(duration=0.1))
    w = watch(server.task_url("Quick"), submit={})
    w.wait(timeout=20)
    with pytest.raises(CancelError) as info:
        w.cancel()
    assert w.cancel_state == "refused" and w.cancel_error == str(info.value)
    assert "{" not in str(info.value)


def test_wait_timeout_raises_and_job_keeps_running(server, watch):
    server.add_task("Long", Task(duration=30))
    w = watch(server.task_url("Long"), submit={})
    with pytest.raises(TimeoutError, match="still"):
        w.wait(timeout=0.3)
    assert w.watching


def test_wait_raise_on_failure_and_callback(server, watch):
    server.add_task("Fails", Task(duration=0.4, outcome="failed", error="Nope"))
    w = watch(server.task_url("Fails"), submit={})
    calls: list[str] = []
    with pytest.raises(JobFailed, match="Nope"):
        w.wait(timeout=20, callback=lambda widget: calls.append(widget.status),
               raise_on_failure=True)
    assert calls and all(not st.is_terminal(s) for s in calls)


def test_close_stops_polling_promptly(server, watch, poller, until):
    server.add_task("Long", Task(duration=60))
    w = watch(server.task_url("Long"), submit={})
    until(lambda: w.checked_at, what="a first check")
    w.close()
    assert poller.pending == 0  # no check is due any more: nothing can poll again
    until(lambda: poller.threads == 0, timeout=3, what="idle poller threads to exit")
    assert not w.watching


def test_stop_keeps_the_card_and_start_resumes(server, watch):
    server.add_task("T", Task(duration=0.6))
    w = watch(server.task_url("T"), submit={})
    w.stop()
    assert not w.watching
    assert w.wait(timeout=20) == st.SUCCEEDED  # wait() resumes watching


@pytest.mark.parametrize("bad", ["", "not a url", "ftp://h/jobs/j1",
                                 "http://127.0.0.1:9/arcgis/rest/services/S/GPServer/T"])
def test_bad_urls_raise_before_any_thread_starts(bad, poller):
    before = {t.ident for t in threading.enumerate()}
    with pytest.raises(InvalidJobURL) as info:
        JobWidget(bad, poller=poller)
    assert isinstance(info.value, ValueError)
    assert not [t.name for t in threading.enumerate() if t.ident not in before]
    assert poller.threads == 0


def test_unknown_status_word_is_shown_with_bounded_patience(server, watch, monkeypatch):
    import gpjob_widget.watch as watch_module

    monkeypatch.setattr(watch_module, "UNKNOWN_PATIENCE", 5)
    server.add_task("Odd", Task(duration=30, status_words={"executing": "esriJobPaused"}))
    w = watch(server.task_url("Odd"), submit={})
    with pytest.raises(WatchError, match="esriJobPaused"):
        w.wait(timeout=20)
    assert w.status == st.UNKNOWN and w.raw_status == "esriJobPaused"
    assert not w.watching and "esriJobPaused" in w.error


def test_adaptive_polling_is_quick_then_backs_off(server, poller):
    server.add_task("Two", Task(duration=2))
    w = JobWidget.submit(server.task_url("Two"), {}, poller=poller)
    try:
        assert w.wait(timeout=20) == st.SUCCEEDED
    finally:
        w.close()
    polls = [r for r in server.request_log if "/jobs/" in r.path and r.method == "GET"]
    assert 2 <= len(polls) <= 8  # a fixed 0.1 s poller would have sent ~20


def test_token_header_and_refresh_on_498(watch, until):
    from gpjob_widget.server import JobServer

    with JobServer(token="first") as srv:
        srv.add_task("T", Task(duration=1.0))
        issued = ["first"]

        def provider() -> str:
            return issued[-1]

        w = watch(srv.task_url("T"), submit={}, token=provider)
        until(lambda: w.checked_at, what="a first check with the first token")
        srv.expire_tokens()  # the old token now answers 498
        issued.append(srv.issue_token())
        assert w.wait(timeout=20) == st.SUCCEEDED
        seen = {r.headers.get("X-Esri-Authorization") for r in srv.request_log}
        assert f"Bearer {issued[-1]}" in seen
        assert all("token" not in r.query for r in srv.request_log)
        assert "first" not in repr(w) and issued[-1] not in repr(w)
