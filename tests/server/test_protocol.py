"""The loopback server speaks the ArcGIS job protocols (plain requests over real HTTP)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest
import requests

from gpjob_widget.server import JobServer, Task
from gpjob_widget.server.samples import ALL_TYPES, LARGE_FILE_SIZE, SAMPLES


def _get(url, **params):
    return requests.get(url, params={"f": "json", **params}, timeout=10).json()


def _run(srv, name="T", **task):
    srv.add_task(name, Task(**{"duration": 0.2, **task}))
    job_id = requests.post(srv.task_url(name) + "/submitJob", data={"f": "json", "x": "1"},
                           timeout=10).json()["jobId"]
    return f"{srv.task_url(name)}/jobs/{job_id}"


def _until_done(url, key="jobStatus", done=("esriJobSucceeded", "esriJobFailed")):
    for _ in range(200):
        body = _get(url)
        if body.get(key) in done:
            return body
        time.sleep(0.05)
    raise AssertionError(body)


def test_without_f_json_the_server_answers_html(server):
    server.add_task("T", Task())
    response = requests.get(server.task_url("T"), timeout=10)
    assert response.headers["Content-Type"].startswith("text/html")


def test_service_and_task_info(server):
    server.add_task("T", Task(results={"out": "GPRecordSet"}))
    assert _get(server.task_url("T").rsplit("/", 1)[0])["tasks"] == ["T"]
    info = _get(server.task_url("T"))
    assert info["parameters"][0]["dataType"] == "GPRecordSet"


def test_gp_job_lifecycle_progress_and_typed_messages(server, until):
    url = _run(server, duration=3.0, steps=4, messages=["hello"])
    body = _get(url)
    assert body["jobStatus"] in ("esriJobSubmitted", "esriJobExecuting")
    body = until(lambda: (b := _get(url))["jobStatus"] != "esriJobSubmitted" and b,
                 what="the executing phase")
    assert body["progress"]["type"] == "step" and 0 <= body["progress"]["percent"] <= 100
    done = _until_done(url)
    assert "progress" not in done
    assert {m["type"] for m in done["messages"]} == {"esriJobMessageTypeInformative"}
    assert _get(url + "/inputs/x")["value"] == "1"


def test_every_sample_is_served_with_its_data_type(server):
    url = _run(server, results={name: name for name in SAMPLES if not name.endswith("_50k")})
    done = _until_done(url)
    assert set(done["results"]) == {n for n in SAMPLES if not n.endswith("_50k")}
    for name in ALL_TYPES:
        body = _get(f"{url}/{done['results'][name]['paramUrl']}")
        assert body["paramName"] == name and body["dataType"] == SAMPLES[name][0]
        assert "{base}" not in str(body["value"])


def test_result_options_out_sr_return_z_and_data(server):
    url = _run(server, results={"pts": "GPFeatureRecordSetLayer",
                                "ref": "GPFeatureRecordSetLayer_url"})
    _until_done(url)
    plain = _get(url + "/results/pts")["value"]
    assert "z" not in plain["features"][0]["geometry"]
    with_z = _get(url + "/results/pts", returnZ="true")["value"]
    assert with_z["features"][0]["geometry"]["z"] == 350.5
    merc = _get(url + "/results/pts", outSR="3857")["value"]
    assert merc["spatialReference"]["latestWkid"] == 3857
    assert abs(merc["features"][0]["geometry"]["x"] + 13044867) < 1000
    assert "Invalid outSR" in str(_get(url + "/results/pts", outSR="2230"))
    assert set(_get(url + "/results/ref")["value"]) == {"url"}
    assert "features" in _get(url + "/results/ref", returnType="data")["value"]


def test_results_before_success_and_unknown_ids_are_error_bodies(server):
    url = _run(server, duration=30, results={"out": "GPLong"})
    assert _get(url + "/results/out")["error"]["code"] == 400
    response = requests.get(url.rsplit("/", 1)[0] + "/jnope", params={"f": "json"}, timeout=10)
    assert response.status_code == 200 and response.json()["error"]["message"] == "Job not found"


def test_files_stream_and_404(server):
    base = f"{server.url}/arcgis/rest/directories/arcgisjobs/files"
    with requests.get(base + "/large.bin", stream=True, timeout=10) as response:
        assert int(response.headers["Content-Length"]) == LARGE_FILE_SIZE
        assert sum(len(c) for c in response.iter_content(1 << 16)) == LARGE_FILE_SIZE
    assert requests.get(base + "/missing.csv", timeout=10).status_code == 404


def test_map_service_export_is_a_real_png(server):
    url = _run(server, results={"out": "GPLong"})
    map_url = url.replace("/GPServer/T/", "/MapServer/")
    assert _get(map_url)["layers"][0]["name"] == "out"
    png = requests.get(map_url + "/export", params={"f": "image", "size": "20,10"}, timeout=10)
    assert png.headers["Content-Type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_cancel_gp_and_refusals(server):
    url = _run(server, duration=30)
    assert _get(url + "/cancel")["jobStatus"] == "esriJobCancelling"
    _until_done(url, done=("esriJobCancelled",))
    assert "cannot be cancelled" in _get(url + "/cancel")["error"]["message"]


def test_admin_job_shape_cancel_post_only_and_async_operation(server):
    url = server.create_job("admin", Task(duration=30))
    body = _get(url)
    assert body["status"] == "EXECUTING" and body["endtime"] == 0 and "jobid" in body
    assert _get(url + "/cancel")["status"] == "error"  # GET is refused
    assert requests.post(url + "/cancel", data={"f": "json"}, timeout=10).json()["status"] == \
        "success"
    op = requests.post(f"{server.url}/arcgis/admin/services/Fire.MapServer/edit",
                       data={"f": "json", "async": "true", "duration": "0.1"}, timeout=10).json()
    done = _until_done(op["jobsUrl"], key="status", done=("COMPLETED",))
    assert done["result"]["serviceName"] == "Fire" and done["endtime"] > 0


def test_mission_and_notebook_server_shapes(server):
    body = _get(server.create_job("mission", Task(duration=30, steps=4)))
    assert body["status"] == "PROCESSING" and body["customAttributes"]["totalSteps"] == 4
    assert all(isinstance(m, str) for m in body["messages"])
    url = server.create_job("notebook", Task(duration=30, steps=4))
    body = _get(url)  # Notebook Server: percent under customAttributes.openNotebookProgress
    assert body["status"] == "EXECUTING"
    assert "percent" in body["customAttributes"]["openNotebookProgress"]
    cancel = requests.post(url + "/cancel", data={"f": "json"}, timeout=10).json()
    assert cancel == {"status": "success"}  # as Esri documents it


def test_replayed_answers_come_in_order_then_the_last_repeats(server):
    url = server.replay("/recorded/jobs/j1", {"n": 1}, {"n": 2})
    assert [_get(url)["n"] for _ in range(4)] == [1, 2, 2, 2]
    url = server.replay("/recorded/err", {"error": {"code": 500, "message": "x"}}, status=500)
    assert requests.get(url, params={"f": "json"}, timeout=10).status_code == 500


def test_hosted_layers_page_their_features_and_items_point_at_them(server):
    from gpjob_widget.server.samples import SAMPLES

    url = server.add_layer("L", SAMPLES["GPFeatureRecordSetLayer"][1])
    first = _get(url + "/query", where="1=1", resultOffset=0)
    assert len(first["features"]) == 2 and first["exceededTransferLimit"] is True
    last = _get(url + "/query", resultOffset=2)
    assert len(last["features"]) == 2 and last["exceededTransferLimit"] is False
    item = _get(server.add_item("a" * 32, url.rsplit("/", 1)[0]))
    assert item["type"] == "Feature Service" and item["url"].endswith("/FeatureServer")


def test_tokens_header_param_missing_and_expired():
    with JobServer(token="tok") as srv:
        srv.add_task("T", Task())
        url = srv.task_url("T")
        assert _get(url)["error"]["code"] == 499
        ok = requests.get(url, params={"f": "json"}, timeout=10,
                          headers={"X-Esri-Authorization": "Bearer tok"}).json()
        assert ok["name"] == "T"
        assert _get(url, token="tok")["name"] == "T"
        assert srv.request_log[-1].query["token"] == "tok"  # recorded: tests can forbid it
        srv.expire_tokens()
        assert _get(url, token="tok")["error"]["code"] == 498


@pytest.mark.parametrize(("kind", "params", "check"), [
    ("status", {"status": 503}, lambda r: r.status_code == 503),
    ("too_many_requests", {"retry_after": 7}, lambda r: r.headers["Retry-After"] == "7"),
    ("html", {}, lambda r: r.text.startswith("<html>")),
    ("truncated_json", {}, lambda r: r.text.endswith("jobSta")),
    ("invalid_json", {}, lambda r: r.text.startswith("{'")),
    ("error_body", {"code": 403, "message": "no"}, lambda r: r.json()["error"]["code"] == 403),
    ("admin_error", {"code": 498}, lambda r: r.json()["status"] == "error"),
])
def test_faults_answer_as_injected_then_stop(server, kind, params, check):
    server.add_task("T", Task())
    server.inject(kind, times=1, match="/GPServer/T", **params)
    assert check(requests.get(server.task_url("T"), params={"f": "json"}, timeout=10))
    assert _get(server.task_url("T"))["name"] == "T"


def test_reset_and_hang_faults(server):
    server.add_task("T", Task())
    server.inject("reset", match="/GPServer/T")
    with pytest.raises(requests.ConnectionError):
        requests.get(server.task_url("T"), params={"f": "json"}, timeout=10)
    server.inject("hang", match="/GPServer/T", seconds=1.5)
    with pytest.raises(requests.Timeout):
        requests.get(server.task_url("T"), params={"f": "json"}, timeout=0.5)


def test_command_line_serves_the_demo_tasks():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "gpjob_widget.server", "--port", str(port)],
                            stdout=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert f"127.0.0.1:{port}" in first
        url = f"http://127.0.0.1:{port}/arcgis/rest/services/Demo/GPServer"
        assert "BufferPoints" in _get(url)["tasks"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
