"""HTTPS: verify=False and CA bundles apply whatever REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE say."""

from __future__ import annotations

import warnings

import pytest
from urllib3.exceptions import InsecureRequestWarning

from gpjob_widget import Job, JobWidget, TransientError
from gpjob_widget.server import JobServer, Task

SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


@pytest.fixture
def https_server(monkeypatch):
    # the corporate-machine situation: a CA bundle in the environment that does not know our CA
    import certifi

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    monkeypatch.setenv("CURL_CA_BUNDLE", certifi.where())
    with JobServer(tls=True) as srv:
        srv.add_task("Buffer", Task(duration=0.3, steps=2, results={"n": ("GPLong", 7)}))
        yield srv


def _job_url(srv: JobServer, **options) -> str:
    return Job.submit(srv.task_url("Buffer"), {"d": 1}, **options).job_url


def test_a_self_signed_server_is_refused_by_default(https_server):
    assert https_server.url.startswith("https://127.0.0.1:")
    with pytest.raises(TransientError, match="TLS/certificate problem"):
        Job.submit(https_server.task_url("Buffer"), {"d": 1})


def test_verify_false_applies_even_with_a_ca_bundle_in_the_environment(https_server):
    with pytest.warns(UserWarning, match="verification is off"), warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureRequestWarning)
        url = _job_url(https_server, verify=False)
        snapshot = Job(url, verify=False).check_status()
    assert snapshot.job_id


def test_verify_accepts_a_ca_bundle_path(https_server, watch):
    w = watch(https_server.task_url("Buffer"), submit={"d": 1}, verify=https_server.tls_cert)
    assert w.job_url.startswith("https://")
    assert w.wait(timeout=30) == "job-succeeded"
    assert w.results == {"n": 7}


def test_a_missing_ca_bundle_is_a_clear_error():
    with pytest.raises(ValueError, match="no CA bundle"):
        JobWidget("https://127.0.0.1:1/arcgis/rest/services/A/GPServer/B/jobs/j1",
                  verify="/nonexistent/ca.pem", start=False)
