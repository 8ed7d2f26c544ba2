"""OGC API – Processes servers answer a submit in more than one shape (REFERENCE §13), and give
links relative to the document they came in: recorded answers replayed over HTTP.

pygeoapi ≤ 0.21: ``201``, body ``null``, the job only in ``Location`` (geopython/pygeoapi#2105);
pygeoapi 0.22: ``{"id", "status", "type"}`` (#2197); ZOO-Project: a full status document;
ECMWF's data stores: relative asset ``href``s. Sources: tests/fixtures/real/SOURCES.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin

import pytest

from gpjob_widget import Job, JobWidget
from gpjob_widget import status as st

REAL = Path(__file__).parent / "fixtures" / "real"
RECORDED = Path(__file__).parent / "ogc" / "recorded"
ROOT = "/ogcapi"
JOB_ID = "96f944b8-eb2f-11f1-a555-02fc00000001"  # pygeoapi 0.24's recorded hello-world job


def load(path: Path) -> object:
    return json.loads(path.read_text())


def recorded_job(server, *, results_href: str = "") -> str:
    """pygeoapi 0.24's recorded hello-world job and results, served under ROOT. The results
    live where the job's link says: *results_href* (relative to the job's URL) when given."""
    done = load(RECORDED / "job_hello-world_done.json")
    job_path = f"{ROOT}/jobs/{JOB_ID}"
    results_path = urljoin(job_path, results_href) if results_href else job_path + "/results"
    done["links"][0]["href"] = results_href or server.url + results_path
    server.replay(job_path, done, content_type="application/json")
    server.replay(results_path, load(RECORDED / "results_hello-world.json"),
                  content_type="application/json")
    return f"{server.url}{job_path}"


@pytest.mark.parametrize("fixture", [
    "ogcapi-processes_submit-async_201-null-body_pygeoapi-0.21.json",
    "ogcapi-processes_submit-async_statusinfo-jobID_pygeoapi-0.23.json",
])
def test_a_201_is_a_job_whatever_its_body(server, poller, fixture):
    answer = load(REAL / fixture)
    body = json.loads(json.dumps(answer["body"]).replace("<jobID>", JOB_ID))
    server.replay(f"{ROOT}/processes/hello-world/execution", body, status=201,
                  content_type="application/json",
                  headers={"Location": f"{{url}}{ROOT}/jobs/{JOB_ID}"}, method="POST")
    job_url = recorded_job(server)
    job = Job.submit(f"{server.url}{ROOT}/processes/hello-world", {"name": "World"})
    assert job.job_url == job_url and job.job_id == JOB_ID and job.flavour.name == "ogc"
    job.watch(poll_interval=0.05, poller=poller)
    assert job.wait(timeout=30) == st.SUCCEEDED
    assert job.results == {"echo": "Hello World!"}


def test_pygeoapi_022_answers_id_not_jobid(server, poller):
    body = load(REAL / "ogcapi-processes_submit-async_statusinfo-id_pygeoapi-0.22-issue2197.json")
    job_id = body["id"]
    server.replay(f"{ROOT}/processes/hello-world/execution", body, status=201,
                  content_type="application/json", method="POST")  # no Location at all
    done = {**load(RECORDED / "job_hello-world_done.json"), "jobID": job_id, "links": []}
    server.replay(f"{ROOT}/jobs/{job_id}", done, content_type="application/json")
    server.replay(f"{ROOT}/jobs/{job_id}/results", load(RECORDED / "results_hello-world.json"),
                  content_type="application/json")
    job = Job.submit(f"{server.url}{ROOT}/processes/hello-world", {"name": "World"})
    assert job.job_url == f"{server.url}{ROOT}/jobs/{job_id}" and job.job_id == job_id
    assert job.last.status == st.SUBMITTED
    job.watch(poll_interval=0.05, poller=poller)
    assert job.wait(timeout=30) == st.SUCCEEDED and job.results == {"echo": "Hello World!"}


def test_a_zoo_project_201_carries_a_running_status_document(server):
    body = load(REAL / "ogcapi-processes_submit-async_201-body_zoo-dru-doc.json")
    headers = load(REAL / "ogcapi-processes_submit-async_201-headers_zoo-dru-doc.json")["headers"]
    location = headers["location"].replace("http://localhost:8080", "{url}")
    server.replay("/acme/ogc-api/processes/water-bodies/execution", body, status=201,
                  content_type="application/json", headers={"Location": location},
                  method="POST")
    job = Job.submit(server.url + "/acme/ogc-api/processes/water-bodies", {"aoi": "x"})
    assert job.job_url == server.url + "/acme/ogc-api/jobs/" + body["jobID"]
    assert job.last.status == st.EXECUTING and job.last.progress_message == body["message"]


@pytest.mark.parametrize("href", [
    f"{ROOT}/results-store/{JOB_ID}",   # root-relative (RFC 8288), not <job>/results
    f"../results-store/{JOB_ID}",       # relative to the job document's own URL
])
def test_relative_links_are_resolved_against_their_document(server, poller, href):
    url = recorded_job(server, results_href=href)
    job = Job(url)
    job.watch(poll_interval=0.05, poller=poller)
    assert job.wait(timeout=30) == st.SUCCEEDED
    assert job.results == {"echo": "Hello World!"}
    asked = [r.path for r in server.request_log if "results" in r.path]
    assert asked == [f"{ROOT}/results-store/{JOB_ID}"], asked  # only where the link said


@pytest.mark.parametrize("location", [f"{ROOT}/jobs/{JOB_ID}", f"../../jobs/{JOB_ID}"])
def test_a_relative_location_is_resolved_against_the_request(server, poller, location):
    server.replay(f"{ROOT}/processes/hello-world/execution", None, status=201,
                  content_type="application/json", headers={"Location": location},
                  method="POST")
    job_url = recorded_job(server)
    job = Job.submit(f"{server.url}{ROOT}/processes/hello-world", {"name": "World"})
    assert job.job_url == job_url
    job.watch(poll_interval=0.05, poller=poller)
    assert job.wait(timeout=30) == st.SUCCEEDED and job.results == {"echo": "Hello World!"}


def test_relative_result_hrefs_download_from_the_results_url(server, poller, tmp_path):
    """ECMWF data stores: ``{"asset": {"value": {"href": "./<checksum>"}}}``."""
    results = load(REAL / "ogcapi-processes_job-results_ecmwf-cads-mock.json")
    status = load(REAL / "ogcapi-processes_job-status_successful_ecmwf-cads-mock.json")
    base = "/api/retrieve/v1/jobs/" + status["jobID"]
    status = json.loads(json.dumps(status).replace("http://localhost:8080", server.url))
    server.replay(base, status)
    server.replay(base + "/results", results)
    checksum = results["asset"]["value"]["href"].removeprefix("./")
    server.replay(f"/api/retrieve/v1/jobs/{status['jobID']}/{checksum}", b"CDF\x01netcdf",
                  content_type="application/netcdf")
    job = Job(server.url + base)
    job.watch(poll_interval=0.05, poller=poller)
    assert job.wait(timeout=30) == st.SUCCEEDED
    value = job.fetch_result_data("asset", download_dir=tmp_path)
    assert Path(value).read_bytes() == b"CDF\x01netcdf"


@pytest.mark.parametrize("entry", ["Job", "Job.submit", "JobWidget", "JobWidget.submit"])
def test_flavour_override_on_every_entry_point(server, poller, entry):
    server.add_process("count", __import__("gpjob_widget.server", fromlist=["Task"]).Task(
        duration=0.3, steps=3))
    process = server.process_url("count")
    made = []
    if entry.endswith("submit"):
        cls = Job if entry.startswith("Job.") else JobWidget
        made.append(cls.submit(process, {}, flavour="ogc", poller=poller, poll_interval=0.05))
    else:
        url = Job.submit(process, {}).job_url
        cls = Job if entry == "Job" else JobWidget
        made.append(cls(url, flavour="ogc", poller=poller, poll_interval=0.05))
    job = made[0]
    try:
        assert job.wait(timeout=30) == st.SUCCEEDED
        assert (job.flavour if isinstance(job, JobWidget) else job.flavour.name) == "ogc"
    finally:
        job.close()
