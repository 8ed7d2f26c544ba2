"""The token never leaks: not in traits, saved state, reprs, logs, errors or URLs."""

from __future__ import annotations

import json
import logging

import pytest
from ipywidgets import embed

from gpjob_widget import AuthError, JobWidget
from gpjob_widget import status as st
from gpjob_widget.server import JobServer, Task
from gpjob_widget.transport import Transport

SECRET = "S3CRET-t0ken-value"


@pytest.fixture
def secured():
    with JobServer(token=SECRET) as srv:
        srv.add_task("T", Task(duration=0.5, messages=["hello"], outcome="failed",
                               error="It failed"))
        yield srv


def _everything_visible(widget: JobWidget) -> str:
    data, _ = widget._repr_mimebundle_()
    return "\n".join([
        json.dumps(widget.get_state(), default=str),
        json.dumps(embed.embed_data(views=[widget])["manager_state"], default=str),
        repr(widget), json.dumps(data, default=str), json.dumps(widget.to_json()),
        widget.job_url, widget.error, widget.notice, repr(widget._job), repr(widget._job.transport),
    ])


def test_token_stays_out_of_everything_a_user_or_notebook_sees(secured, watch, caplog):
    caplog.set_level(logging.DEBUG)
    w = watch(secured.task_url("T"), submit={}, token=SECRET)
    assert w.wait(timeout=20) == st.FAILED
    assert SECRET not in _everything_visible(w)
    assert SECRET not in caplog.text
    assert all(r.headers.get("X-Esri-Authorization") == f"Bearer {SECRET}"
               for r in secured.request_log)
    assert all("token" not in r.query for r in secured.request_log)


def test_a_token_in_the_url_is_moved_to_the_header(secured, watch):
    first = watch(secured.task_url("T"), submit={}, token=SECRET, start=False)
    w = watch(f"{first.job_url}?token={SECRET}&f=pjson")
    assert w.wait(timeout=20) == st.FAILED
    assert SECRET not in w.job_url and SECRET not in _everything_visible(w)
    last = secured.request_log[-1]
    assert last.headers.get("X-Esri-Authorization") == f"Bearer {SECRET}"
    assert "token" not in last.query


def test_auth_errors_do_not_echo_the_token(secured, watch):
    with pytest.raises(AuthError) as info:
        JobWidget.submit(secured.task_url("T"), {}, token="wrong-" + SECRET)
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)


def test_token_goes_only_to_the_jobs_origin():
    with JobServer() as home, JobServer() as other:
        transport = Transport(f"{home.url}/arcgis/rest/services/S/GPServer/T/jobs/j1", SECRET)
        transport.get_json(f"{home.url}/arcgis/rest/services/Demo/GPServer")
        transport.get_json(f"{other.url}/arcgis/rest/services/Demo/GPServer")
        assert home.request_log[-1].headers.get("X-Esri-Authorization") == f"Bearer {SECRET}"
        assert all(SECRET not in json.dumps(r.headers) + json.dumps(r.query)
                   for r in other.request_log)


def test_tls_verification_is_on_by_default():
    transport = Transport("https://example.invalid/x/jobs/j1", SECRET)
    assert transport.verify is True
