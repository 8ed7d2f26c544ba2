"""Status checks take a short path (urllib3 straight), and leave it for requests' way where
that is what is right: redirects, cookies, proxies. Over real HTTP to the loopback server."""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from gpjob_widget import Job, JobNotFound, transport
from gpjob_widget import status as st
from gpjob_widget.server import JobServer, Task
from gpjob_widget.server_errors import decode_json

SECRET = "fast-path-S3CRET"


@pytest.fixture
def long_job(server):
    server.add_task("Long", Task(duration=60, steps=10))
    job = Job.submit(server.task_url("Long"), {})
    yield job
    job.cancel()


def _job_gets(server, job):
    path = urlsplit(job.job_url).path
    return [r for r in server.request_log if r.method == "GET" and r.path == path]


def test_a_redirected_status_check_is_followed(server, long_job):
    server.faults.add("redirect", times=2, match=urlsplit(long_job.job_url).path)
    before = len(_job_gets(server, long_job))
    assert long_job.check_status().status in (st.SUBMITTED, st.EXECUTING)
    assert len(_job_gets(server, long_job)) - before == 3  # short path, requests, redirected


def test_a_redirect_to_another_origin_carries_no_credentials():
    with JobServer(token=SECRET) as home, JobServer() as elsewhere:
        home.add_task("Long", Task(duration=60, steps=10))
        job = Job.submit(home.task_url("Long"), {}, SECRET)
        try:
            path = urlsplit(job.job_url).path
            home.faults.add("redirect", times=2, match=path, to=elsewhere.url)
            with pytest.raises(JobNotFound):  # the other server knows no such job
                job.check_status()
            seen = [r for r in elsewhere.request_log if r.path == path]
            assert seen, "the redirect was not followed"
            for record in seen:
                headers = {k.lower(): v for k, v in record.headers.items()}
                assert "x-esri-authorization" not in headers and "authorization" not in headers
                assert SECRET not in repr(record)
        finally:
            job.cancel()


def test_a_cookie_the_server_sets_is_sent_back(server, long_job):
    """Load balancers (AWSALB, JSESSIONID) pin a client to one machine with a cookie."""
    server.faults.add("set_cookie", match=urlsplit(long_job.job_url).path,
                      cookie="AWSALB=sticky-42; Path=/")
    long_job.check_status()
    long_job.check_status()
    last = _job_gets(server, long_job)[-1]
    assert "AWSALB=sticky-42" in {k.lower(): v for k, v in last.headers.items()}["cookie"]


class _Proxy(BaseHTTPRequestHandler):
    """A forward HTTP proxy that remembers what it forwarded."""

    protocol_version = "HTTP/1.1"
    forwarded: list[str] = []

    def _forward(self) -> None:
        target = urlsplit(self.path)  # absolute form: the client knows it talks to a proxy
        self.forwarded.append(f"{self.command} {target.path}")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("proxy-connection", "connection")}
        upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
        upstream.request(self.command, target.path + (f"?{target.query}" if target.query
                                                      else ""), body, headers)
        answer = upstream.getresponse()
        data = answer.read()
        upstream.close()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _forward

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_status_checks_go_through_the_proxy_the_environment_names(server, monkeypatch):
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    _Proxy.forwarded = []
    monkeypatch.setattr(transport, "_sessions", {})  # the environment is read once per origin
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_port}")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    try:
        server.add_task("Quick", Task(duration=0.3, steps=2))
        job = Job.submit(server.task_url("Quick"), {})
        assert job.wait(timeout=30) == st.SUCCEEDED
        path = urlsplit(job.job_url).path
        assert any(f.startswith("POST ") and f.endswith("/submitJob") for f in _Proxy.forwarded)
        assert f"GET {path}" in _Proxy.forwarded
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_the_same_answer_is_the_same_dict_and_a_new_one_is_parsed(server, long_job):
    t = long_job.transport
    first = t.get_json(long_job.job_url)
    assert t.get_json(long_job.job_url) is first  # byte-for-byte the same: not parsed again
    long_job.cancel()
    assert t.get_json(long_job.job_url) is not first


def test_a_body_in_the_charset_its_content_type_names_is_read_in_it():
    body = '{"jobId": "j1", "jobStatus": "esriJobSucceeded", "messages": [' \
           '{"type": "esriJobMessageTypeInformative", "description": "Résumé à Zürich"}]}'
    value = decode_json(body.encode("latin-1"), 200, "http://h/job", "ISO-8859-1")
    assert value["messages"][0]["description"] == "Résumé à Zürich"
    assert decode_json(body.encode(), 200, "http://h/job", "")["messages"][0][
        "description"] == "Résumé à Zürich"
