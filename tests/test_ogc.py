"""OGC API – Processes jobs against the loopback server's OGC mode (shaped as pygeoapi answers;
the same flows run against a real pygeoapi in test_pygeoapi.py)."""

from __future__ import annotations

import pytest

from gpjob_widget import Job, JobWidget
from gpjob_widget import status as st
from gpjob_widget.errors import AuthError, JobNotFound, NotFound
from gpjob_widget.flavours import OGCFlavour, ogc_outputs
from gpjob_widget.server import JobServer, Task
from gpjob_widget.server.samples import FILE_ROOT

POINTS = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "id": i, "geometry": {"type": "Point", "coordinates": [i, 2 * i]},
     "properties": {"name": f"p{i}", "tick": i}} for i in range(3)]}
OUTPUTS = {"points": ("OGC", POINTS), "count": ("OGC", 3),
           "report": ("OGC", {"href": "{base}" + FILE_ROOT + "/report.csv", "type": "text/csv"})}


@pytest.fixture
def ogc(server):
    server.add_process("count", Task(duration=1.2, steps=4, messages=["tick 1", "tick 2"],
                                     results=OUTPUTS))
    server.add_process("broken", Task(duration=0.3, outcome="failed", error="no such layer"))
    server.add_process("long", Task(duration=60, steps=10))
    return server


def _watched(job: Job, poller) -> Job:
    job.watch(poll_interval=0.05, poller=poller)
    return job


def test_submit_follow_percent_and_typed_results(ogc, poller, tmp_path):
    job = _watched(Job.submit(ogc.process_url("count"), {"seconds": 2}), poller)
    assert job.flavour.name == "ogc" and "/ogc/jobs/" in job.job_url
    execute = next(r for r in ogc.request_log if r.path.endswith("/execution"))
    assert execute.method == "POST" and execute.headers["Prefer"] == "respond-async"
    assert '"inputs": {"seconds": 2}' in execute.body
    percents: list = []
    job.watcher.subscribe(lambda u: percents.append(u.state.percent))
    assert job.wait(timeout=30) == st.SUCCEEDED
    assert any(p is not None and 0 < p < 100 for p in percents), percents
    assert job.state.title == "count" and job.state.started_at and job.state.ended_at
    results = {name: job.result(name, download_dir=tmp_path) for name in job.output_names()}
    assert str(results["points"].crs) == "EPSG:4326" and len(results["points"]) == 3
    assert results["points"]["name"].tolist() == ["p0", "p1", "p2"]
    assert results["count"] == 3 and results["report"] == tmp_path / "report.csv"
    fetch = next(r for r in ogc.request_log if r.path.endswith("/results"))
    assert fetch.query.get("f") == "json" and "application/json" in fetch.headers["Accept"]


def test_a_failing_process_shows_the_servers_message(ogc, poller):
    job = _watched(Job.submit(ogc.process_url("broken"), {}), poller)
    assert job.wait(timeout=30) == st.FAILED
    assert "no such layer" in job.error


def test_cancel_is_dismiss_and_ends_cancelled_not_deleted(ogc, poller):
    w = JobWidget.submit(ogc.process_url("long"), {}, poller=poller, poll_interval=0.05)
    try:
        w.check_status()
        assert w.cancel() == st.CANCELLED
        assert w.wait(timeout=30) == st.CANCELLED and w.error == ""
        delete = next(r for r in ogc.request_log if r.method == "DELETE")
        assert delete.path == f"/ogc/jobs/{w.job_id}"
        w.start()  # a later 404 for the job we dismissed is not "deleted"
        assert w.status == st.CANCELLED
    finally:
        w.close()


def test_a_synchronous_answer_gives_a_job_that_already_succeeded(ogc, poller):
    ogc.add_process("quick", Task(duration=0, results=OUTPUTS, job_type="sync-execute"))
    job = Job.submit(ogc.process_url("quick"), {"x": 1})
    assert job.status == st.SUCCEEDED and job.last.terminal
    assert set(job.output_names()) == {"points", "count", "report"}
    assert job.results["count"] == 3 and len(job.results["points"]) == 3
    assert not any(r.path.endswith("/results") for r in ogc.request_log)  # given inline
    assert job.wait(timeout=5) == st.SUCCEEDED  # nothing to watch, nothing polled
    assert ogc_outputs({"id": "echo", "value": "Hello World!"}) == {
        "echo": {"dataType": "OGC", "value": "Hello World!"}}  # pygeoapi's single output


def test_watching_an_existing_job_url_detects_the_flavour(ogc, poller):
    started = Job.submit(ogc.process_url("count"), {})
    job = _watched(Job(started.job_url), poller)
    assert isinstance(job.flavour, OGCFlavour)  # the URL says so (no /rest/, no /admin/)
    assert job.wait(timeout=30) == st.SUCCEEDED and job.results["count"] == 3


def test_bearer_tokens_only_to_the_jobs_own_origin(poller, tmp_path):
    with JobServer(token="ogc-secret") as srv, JobServer() as other:
        other_file = other.url + FILE_ROOT + "/report.csv"
        srv.add_process("p", Task(duration=0.2, results={
            "mine": ("OGC", {"href": "{base}" + FILE_ROOT + "/report.csv"}),
            "theirs": ("OGC", {"href": other_file})}))
        with pytest.raises(AuthError, match="bearer token is required"):
            Job.submit(srv.process_url("p"), {})
        job = _watched(Job.submit(srv.process_url("p"), {}, token="ogc-secret"), poller)
        assert job.wait(timeout=30) == st.SUCCEEDED
        job.result("mine", download_dir=tmp_path)
        job.result("theirs", download_dir=tmp_path / "other")
        sent = {r.headers.get("Authorization") for r in srv.request_log}
        assert "Bearer ogc-secret" in sent
        assert all("X-Esri-Authorization" not in r.headers for r in srv.request_log)
        assert all("Authorization" not in r.headers and "X-Esri-Authorization" not in r.headers
                   for r in other.request_log)


def test_unknown_process_and_job_errors_keep_the_servers_words(ogc):
    with pytest.raises(NotFound, match="Process nope not found"):
        Job.submit(ogc.url + "/ogc/processes/nope", {})
    with pytest.raises(JobNotFound, match="Job jnope not found"):
        Job(ogc.url + "/ogc/jobs/jnope").check_status()


def test_the_card_follows_an_ogc_job(ogc, poller):
    w = JobWidget.submit(ogc.process_url("count"), {}, poller=poller, poll_interval=0.05)
    try:
        assert w.flavour == "ogc" and w.title == "count"
        assert w.wait(timeout=30) == st.SUCCEEDED
        assert w.results_state == "available" and w.percent == 100.0
        loaded = w.load_results(namespace={})
        assert {item.name for item in loaded} == {"points", "count", "report"}
    finally:
        w.close()
