"""The answer decides the flavour, not the URL: real Mission-style job resources outside
``/rest/`` and ``/admin/`` (USGS LANDFIRE's LFPS, recorded by the rlandfire R package), ArcGIS
Hub downloads, OGC servers under ``/rest/`` (52°North), replayed over HTTP; admin failures
keep their deepest reason. Sources: tests/fixtures/real/SOURCES.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpjob_widget import Job, JobWidget, flavours
from gpjob_widget import status as st
from gpjob_widget.errors import JobNotFound

REAL = Path(__file__).parent / "fixtures" / "real"
LFPS_ZIP = ("/arcgis/rest/directories/arcgisjobs/landfireproductservice_gpserver/"
            "jd0285f8499c448f7b795044b0d16966a/scratch/jd0285f8499c448f7b795044b0d16966a.zip")


def real(name: str) -> dict:
    return json.loads((REAL / name).read_text())


def on_loopback(body: dict, server) -> dict:
    """A recorded answer whose product URLs point at the loopback server instead (offline)."""
    return json.loads(json.dumps(body).replace("https://lfps.usgs.gov", server.url))


def watched(url: str, poller, **options) -> Job:
    job = Job(url, **options)
    job.watch(poll_interval=0.05, poller=poller)
    return job


@pytest.mark.parametrize("path", ["/api/job/jobs/be7fab41", "/api/job/status?JobId=be7fab41"])
def test_a_mission_style_job_outside_rest_is_read_as_what_it_says(server, poller, path,
                                                                    tmp_path):
    """LANDFIRE: Pending (queue position), then Succeeded with Esri-typed messages and the
    product in a top-level ``outputFile``. Both URL forms: a path resource, and LFPS's own."""
    server.replay(path.split("?")[0], real("lfps_status_pending_rlandfire.json"),
                  on_loopback(real("lfps_status_succeeded_rlandfire.json"), server))
    server.replay(LFPS_ZIP, b"PK\x03\x04 landfire", content_type="application/zip")
    job = watched(server.url + path, poller)
    assert job.wait(timeout=30) == st.SUCCEEDED
    assert job.flavour.name == "mission" and job.job_id == "be7fab41-867e-41a5-b594-c469f118bc49"
    assert len(job.messages) == 19
    assert job.messages[0] == {"type": "informative",
                               "description": "Start Time: Monday, April 21, 2025 10:51:05 AM"}
    assert job.output_names() == ["outputFile"]
    file = job.result("outputFile", download_dir=tmp_path)
    assert file.name.endswith(".zip") and file.read_bytes() == b"PK\x03\x04 landfire"
    assert not any(r.path.endswith("/results") for r in server.request_log)


def test_queue_position_is_shown_while_pending(server, poller):
    url = server.replay("/api/job/jobs/j1", real("lfps_status_pending_rlandfire.json"))
    job = Job(url)
    snapshot = job.check_status()
    assert snapshot.status == st.WAITING and snapshot.progress_message == "Queued (position 1)"


def test_a_failed_mission_style_job_shows_its_error_messages(server, poller):
    url = server.replay("/api/job/jobs/8753139d", real("lfps_status_failed_rlandfire.json"))
    job = watched(url, poller)
    assert job.wait(timeout=30) == st.FAILED
    assert "ERROR: Invalid products:  NOTAPRODUCT" in job.error
    assert job.last.results == {}  # outputFile: null is no output


def test_cancel_of_a_mission_style_job_posts_to_cancel_not_delete(server):
    url = server.replay("/api/job/jobs/6f5ba39c", real("lfps_status_pending_rlandfire.json"))
    server.replay("/api/job/jobs/6f5ba39c/cancel", real("lfps_cancel_rlandfire.json"),
                  method="POST")
    job = Job(url)
    job.check_status()
    assert job.cancel() == st.CANCELLING
    methods = [(r.method, r.path) for r in server.request_log]
    assert ("POST", "/api/job/jobs/6f5ba39c/cancel") in methods
    assert not any(method == "DELETE" for method, _ in methods)


def test_cancel_of_an_lfps_job_uses_its_own_cancel_operation(server):
    server.replay("/api/job/status", real("lfps_status_pending_rlandfire.json"))
    server.replay("/api/job/cancel", real("lfps_cancel_rlandfire.json"))
    job = Job(server.url + "/api/job/status?JobId=6f5ba39c")
    job.check_status()
    job.cancel()
    cancel = [r for r in server.request_log if r.path == "/api/job/cancel"]
    assert cancel and cancel[0].method == "GET" and cancel[0].query["JobId"] == "6f5ba39c"


def test_an_unknown_lfps_job_is_not_found_in_the_servers_words(server):
    recorded = real("lfps_status_notfound_http500_rlandfire.json")
    url = server.replay("/api/job/status", recorded["body"], status=recorded["status"])
    with pytest.raises(JobNotFound, match="JobId not found."):
        Job(url + "?JobId=123456").check_status()


def test_arcgis_hub_download_words_and_result_url():
    """Esri hub.js mocks: Pending → PagingData (percent) → Completed with ``resultUrl``."""
    url = "https://hub.example/api/download/jobs/d1"
    flavour = flavours.detect(real("hub_download_pending_hubjs-mock.json"), url)
    assert flavour.name == "mission"
    assert flavour.parse(real("hub_download_pending_hubjs-mock.json"), url).status == st.WAITING
    paging = flavour.parse(real("hub_download_paging_hubjs-mock.json"), url)
    assert paging.status == st.EXECUTING and paging.percent == 50.0
    done = flavour.parse(real("hub_download_completed_hubjs-mock.json"), url)
    assert done.status == st.SUCCEEDED
    assert done.results["resultUrl"]["value"] == {"url": "https://hub.example/api/download/jobs/"
                                                         "fake-url"}


def test_an_ogc_job_under_rest_is_ogc_by_its_answer(server, poller):
    """52°North javaPS lives at …/javaps/rest/processes/<p>/jobs/<id>: ``jobID`` says OGC."""
    status = real("ogcapi-processes_job-status_successful_52north-owslib.json")
    base = "/javaps/rest/processes/org.n52.javaps.test.EchoProcess/jobs/" + status["jobID"]
    body = json.loads(json.dumps(status).replace("http://geoprocessing.demo.52north.org:8080",
                                                 server.url))
    url = server.replay(base, body)
    server.replay(base + "/results",
                  real("ogcapi-processes_job-results-outputs-list_52north-owslib.json"))
    job = watched(url, poller)
    assert job.wait(timeout=30) == st.SUCCEEDED and job.flavour.name == "ogc"
    assert job.results["literalOutput"] == {"inlineValue": 0.05}
    assert set(job.results) == {"literalOutput", "complexOutput", "boundingboxOutput"}


def test_the_url_hint_is_used_only_when_the_answer_is_silent():
    assert flavours.detect({}, "https://h/ogc/jobs/j1").name == "ogc"
    assert flavours.detect({}, "https://h/arcgis/rest/services/S/GPServer/T/jobs/j1").name == "gp"
    assert flavours.detect({}, "https://h/anything/jobs/j1?").name == "ogc"
    lfps = real("lfps_status_succeeded_rlandfire.json")
    assert flavours.detect(lfps, "https://h/api/job/jobs/j1").name == "mission"
    weaver = real("ogcapi-processes_job-status_succeeded_weaver-doc-old.json")
    snapshot = flavours.detect(weaver, "https://h/weaver/jobs/a305").parse(weaver, "https://h/x")
    assert snapshot.status == st.SUCCEEDED  # the 2.0 draft's "succeeded"
    ecmwf = real("ogcapi-processes_job-status_successful_ecmwf-cads-mock.json")
    assert flavours.detect(ecmwf, "https://cds.example/api/retrieve/v1/jobs/9b").name == "ogc"


def test_a_failed_admin_operation_shows_its_deepest_reason_and_machine(server, poller):
    """Esri's own example: COMPLETED, ``operationResponse`` says "service failed to start",
    and the reason is in ``detail.machines[].reports[].message``."""
    url = server.replay("/arcgis/admin/system/jobs/jcbdbf7aa",
                        real("arcgis-admin_job_failed-start-machines-reports_esri-doc.json"))
    w = JobWidget(url, poller=poller, poll_interval=0.05)
    try:
        assert w.wait(timeout=30) == st.FAILED
        reason = ("Cannot open file \\\\server\\share\\USA.MSD. The system cannot find the file "
                  "specified or it is inaccessible to the server.")
        assert reason in w.error and "MACHINE.DOMAIN.COM" in w.error
        assert w.error.startswith("service failed to start: ")
        assert any(reason in m["description"] and m["type"] == "error" for m in w.messages)
    finally:
        w.close()
