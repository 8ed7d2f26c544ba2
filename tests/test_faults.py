"""The fault matrix: every fault the loopback server can inject ends correctly, over real HTTP."""

from __future__ import annotations

import time

import pytest

from gpjob_widget import AuthError, CancelError, JobWidget, PermissionDenied, WatchError
from gpjob_widget import status as st
from gpjob_widget.server import JobServer, Task


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    """Transient-error backoff in seconds is right for users but slow for tests."""
    import gpjob_widget.poller as poller_module

    monkeypatch.setattr(poller_module, "BACKOFF_BASE", 0.05)


def _job(server, watch, duration=0.8, **task):
    server.add_task("T", Task(duration=duration, **task))
    return watch(server.task_url("T"), submit={}, timeout=(2, 2))


def _notices(widget):
    seen: list[str] = []
    widget.observe(lambda change: change["new"] and seen.append(change["new"]), names="notice")
    return seen


@pytest.mark.parametrize(("kind", "params"), [
    ("status", {"status": 500}), ("status", {"status": 502}), ("status", {"status": 503}),
    ("reset", {}), ("truncated_json", {}), ("invalid_json", {}), ("html", {}),
    ("error_body", {"code": 500}),
])
def test_transient_faults_are_retried_shown_and_recovered(server, watch, kind, params):
    w = _job(server, watch)
    notices = _notices(w)
    server.inject(kind, times=3, match="/jobs/", **params)
    assert w.wait(timeout=30) == st.SUCCEEDED
    assert notices, "the retry was not shown on the card"
    assert w.notice == "" and w.error == ""


def test_429_retry_after_is_honoured(server, watch):
    w = _job(server, watch)
    notices = _notices(w)
    server.inject("too_many_requests", times=1, match="/jobs/", retry_after=1)
    started = time.monotonic()
    assert w.wait(timeout=30) == st.SUCCEEDED
    assert time.monotonic() - started >= 0.9
    assert any("429" in n and "1 s" in n for n in notices), notices


def test_a_hanging_server_times_out_and_recovers(server, watch):
    w = _job(server, watch)
    notices = _notices(w)
    server.inject("hang", times=2, match="/jobs/", seconds=3)  # urllib3 retries once
    assert w.wait(timeout=30) == st.SUCCEEDED
    assert any("timeout" in n.lower() for n in notices), notices


def test_persistent_outage_gives_up_with_a_clear_error(server, watch, monkeypatch):
    import gpjob_widget.watch as watch_module

    monkeypatch.setattr(watch_module, "MAX_FAILURES", 3)
    w = _job(server, watch, duration=30)
    server.inject("status", times=100, match="/jobs/", status=503)
    with pytest.raises(WatchError, match=r"lost contact.*503"):
        w.wait(timeout=30)
    assert not w.watching and "503" in w.error


@pytest.mark.parametrize(("code", "cls"), [(403, PermissionDenied), (498, AuthError),
                                           (499, AuthError), (400, Exception)])
def test_permanent_error_bodies_stop_with_the_servers_words(server, watch, code, cls):
    w = _job(server, watch, duration=30)
    server.inject("error_body", times=100, match="/jobs/", code=code,
                  message=f"Server says {code}")
    with pytest.raises(cls, match=f"Server says {code}"):
        w.wait(timeout=30)
    assert f"Server says {code}" in w.error and not w.watching
    assert "{" not in w.error


def test_admin_error_shape(server, watch):
    url = server.create_job("admin", Task(duration=30))
    w = watch(url, timeout=(2, 2))
    server.inject("admin_error", times=100, match="/admin/jobs/", code=403,
                  messages=["User not authorized"])
    with pytest.raises(PermissionDenied, match="User not authorized"):
        w.wait(timeout=30)


def test_unknown_job_id(server, watch):
    w = watch(f"{server.task_url('Nope')}/jobs/jdoesnotexist")
    with pytest.raises(Exception, match=r"(?i)not found|invalid job id"):
        w.wait(timeout=30)
    assert w.error and not w.watching


def test_job_deleted_while_watched(server, watch):
    w = _job(server, watch, duration=30)
    deadline = time.monotonic() + 10
    while w.status not in (st.SUBMITTED, st.EXECUTING) and time.monotonic() < deadline:
        time.sleep(0.02)
    server.delete_job(w.job_id)
    with pytest.raises(Exception):  # noqa: B017 - deleted: either a status or "not found"
        w.wait(timeout=30, raise_on_failure=True)
    assert w.status == st.DELETED and not w.watching


def test_ignored_cancel_is_visible_and_bounded(server, watch, monkeypatch, until):
    import gpjob_widget.watch as watch_module

    monkeypatch.setattr(watch_module, "CANCEL_PATIENCE", 0.5)
    w = _job(server, watch, duration=60, ignore_cancel=True)
    until(lambda: w.checked_at, what="a first check")
    w.cancel()
    with pytest.raises(WatchError, match="still cancelling"):
        w.wait(timeout=30)
    assert w.cancel_state == "unconfirmed" and w.status == st.CANCELLING
    assert not w.watching


def test_cancel_of_a_terminal_job_shows_the_refusal(server, watch):
    w = _job(server, watch, duration=0.1)
    w.wait(timeout=30)
    with pytest.raises(CancelError):
        w.cancel()
    assert w.cancel_state == "refused" and w.cancel_error


def test_token_expiry_mid_job_with_a_static_token_is_a_clear_auth_error(watch, until):
    with JobServer(token="only") as srv:
        srv.add_task("T", Task(duration=30))
        w = watch(srv.task_url("T"), submit={}, token="only")
        until(lambda: w.checked_at, what="a first check with the token")
        srv.expire_tokens()
        with pytest.raises(AuthError, match=r"(?i)token"):
            w.wait(timeout=30)
        assert "only" not in w.error


def test_token_provider_is_asked_again_once_per_rejection(watch, until):
    with JobServer(token="t0") as srv:
        srv.add_task("T", Task(duration=1.0))
        calls: list[str] = []

        def provider() -> str:
            calls.append("x")
            return srv.issue_token() if len(calls) > 1 else "t0"

        w = watch(srv.task_url("T"), submit={}, token=provider)
        until(lambda: w.checked_at, what="a first check with the first token")
        srv.expire_tokens()
        assert w.wait(timeout=30) == st.SUCCEEDED
        assert 2 <= len(calls) <= 3


def test_never_a_raw_dict_in_any_error(server, watch):
    server.inject("error_body", times=100, match="/submitJob", code=400,
                  message="Invalid parameter", details=["distance must be > 0"])
    server.add_task("T", Task(duration=1))
    with pytest.raises(Exception) as info:
        JobWidget.submit(server.task_url("T"), {"distance": -1})
    assert "Invalid parameter" in str(info.value) and "distance must be > 0" in str(info.value)
    assert "{" not in str(info.value)
