"""Results over real HTTP on 127.0.0.1: every served sample, downloads, failures, security.

The loopback JobServer serves the samples and files; a tiny extra server below misbehaves in
ways the JobServer does not (a body cut short, gzip, a hostile file name). No mocks.
"""

from __future__ import annotations

import gzip
import http.server
import itertools
import json
import threading
import time
import tracemalloc
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from gpjob_widget import Job, PartialResults, ResultError
from gpjob_widget import status as st
from gpjob_widget.downloads import download_file
from gpjob_widget.results import LinearUnit, ResultURL, convert_result, to_python
from gpjob_widget.server import JobServer, Task
from gpjob_widget.server.samples import (
    ALL_TYPES,
    FILE_ROOT,
    LARGE_FILE_SIZE,
    SAMPLES,
    fill_base,
    resolve,
)
from gpjob_widget.transport import Transport


def _done(server, watch, tmp_path, name="T", **task):
    server.add_task(name, Task(**{"duration": 0.2, **task}))
    w = watch(server.task_url(name), submit={"distance": 5}, download_dir=tmp_path)
    assert w.wait(timeout=30) == st.SUCCEEDED
    return w


def finished_job(server: JobServer, results: dict, token: str | None = None) -> Job:
    """A GP job on *server* that has succeeded with *results* (display-free client)."""
    server.add_task("Done", Task(duration=0.1, results=results))
    job = Job.submit(server.task_url("Done"), {}, token=token)
    deadline = time.monotonic() + 20
    while job.check_status().status != st.SUCCEEDED:
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.05)
    return job


def transport_for(server: JobServer, token: str | None = None) -> Transport:
    return Transport(f"{server.url}/arcgis/rest/services/Demo/GPServer/T/jobs/j1", token)


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".part")] if folder.exists() \
        else []


# -- every served sample, converted as served ----------------------------------------------------
SERVED = [n for n in SAMPLES if n not in ("GPDataFile_missing", "GPFeatureRecordSetLayer_50k",
                                          "GPDataFile_large")]


def test_every_served_sample_converts_like_the_local_value(server, tmp_path):
    job = finished_job(server, {n: n for n in SERVED})
    for name in SERVED:
        got = job.fetch_result_data(name, download_dir=tmp_path)
        data_type, value = resolve(name)
        local = to_python(data_type, fill_base(value, server.url),
                          download=lambda url: tmp_path / url.rsplit("/", 1)[1])
        if isinstance(local, pd.DataFrame):
            assert type(got) is type(local), name
            pd.testing.assert_frame_equal(pd.DataFrame(got.drop(columns="geometry",
                                                                errors="ignore")),
                                          pd.DataFrame(local.drop(columns="geometry",
                                                                  errors="ignore")), obj=name)
            if isinstance(local, gpd.GeoDataFrame):
                assert got.crs == local.crs, name
                assert all((a is None and b is None) or a.equals(b)
                           for a, b in zip(got.geometry, local.geometry, strict=True)), name
        else:
            assert got == local, name


def test_every_type_arrives_as_the_python_object_expected(server, watch, tmp_path):
    w = _done(server, watch, tmp_path, results={n: n for n in ALL_TYPES})
    assert w.results_state == "available"
    results = w.results
    assert set(results) == set(ALL_TYPES)
    assert results["GPLong"] == 42 and isinstance(results["GPDate"], datetime)
    assert results["GPLinearUnit"] == LinearUnit(5, "esriMiles")
    assert isinstance(results["GPRecordSet"], pd.DataFrame)
    assert isinstance(results["GPFeatureRecordSetLayer"], gpd.GeoDataFrame)
    assert Path(results["GPDataFile"]).read_text().startswith("name,population")
    assert Path(results["GPRasterDataLayer"]).name == "elevation.tif"
    assert results["GPMultiValue:GPString"] == ["a", "b", None]
    assert results["GPUnknownType"] == {"anything": [1, 2]}
    assert w.results["GPRecordSet"] is results["GPRecordSet"]  # fetched once, cached


def test_polygons_reprojected_by_the_server_keep_their_holes(server, tmp_path):
    job = finished_job(server, {"zones": "GPFeatureRecordSetLayer_polygons"})
    frame = job.fetch_result_data("zones", out_sr=4326)
    assert frame.crs.to_epsg() == 4326
    assert len(frame.geometry[0].interiors) == 1
    assert frame.geometry[1].geom_type == "MultiPolygon" and frame.geometry.is_valid.all()


def test_result_options(server, watch, tmp_path):
    w = _done(server, watch, tmp_path, results={"pts": "GPFeatureRecordSetLayer",
                                               "ref": "GPFeatureRecordSetLayer_url"})
    assert not w.result("pts").geometry[0].has_z
    assert w.result("pts", return_z=True).geometry[0].has_z
    assert w.result("pts", out_sr=3857).crs.to_epsg() == 3857
    assert isinstance(w.result("ref"), ResultURL)
    assert isinstance(w.result("ref", return_type="data"), gpd.GeoDataFrame)
    with pytest.raises(ResultError, match="Invalid outSR"):
        w.result("pts", out_sr=2230)
    with pytest.raises(ResultError, match="no output 'nope'"):
        w.result("nope")


def test_a_50k_feature_result_over_http(server):
    job = finished_job(server, {"big": "GPFeatureRecordSetLayer_50k"})
    start = time.perf_counter()
    frame = job.fetch_result_data("big")
    elapsed = time.perf_counter() - start
    assert frame.shape == (50_000, 6) and frame.crs.to_epsg() == 4326
    assert frame.geometry.notna().all() and str(frame["OBJECTID"].dtype) == "Int64"
    assert elapsed < 30  # fetch + parse + convert; about 1 s on a developer machine


# -- downloads -------------------------------------------------------------------------------------
def test_a_large_file_streams_through_a_temporary_file(server, tmp_path):
    url = f"{server.url}{FILE_ROOT}/large.bin"
    target = tmp_path / "large.bin"
    calls: list[tuple[int, int | None]] = []
    during: list[tuple[bool, list[str]]] = []

    def progress(received, total):
        calls.append((received, total))
        if len(calls) == 100:  # mid-way: only the hidden .part file exists
            during.append((target.exists(), leftovers(tmp_path)))

    tracemalloc.start()
    try:
        path = download_file(transport_for(server), url, tmp_path, progress=progress)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert path == target and path.stat().st_size == LARGE_FILE_SIZE
    with path.open("rb") as f:
        assert f.read(512) == bytes(range(256)) * 2  # the bytes the server generated
    assert calls[0] == (0, LARGE_FILE_SIZE) and calls[-1] == (LARGE_FILE_SIZE, LARGE_FILE_SIZE)
    assert len(calls) > 100 and all(a[0] <= b[0] for a, b in itertools.pairwise(calls))
    assert during == [(False, during[0][1])] and len(during[0][1]) == 1
    assert leftovers(tmp_path) == []
    assert peak < 5_000_000, f"{peak:,} bytes traced: the 20 MB file was not streamed"


def test_a_second_download_replaces_the_file_whole(server, tmp_path):
    url = f"{server.url}{FILE_ROOT}/report.csv"
    (tmp_path / "report.csv").write_text("old")
    path = download_file(transport_for(server), url, tmp_path)
    assert path.read_text().startswith("name,population") and leftovers(tmp_path) == []


def test_a_missing_file_is_a_result_error_naming_the_output(server, tmp_path):
    transport = transport_for(server)
    url = f"{server.url}{FILE_ROOT}/missing.csv"
    with pytest.raises(ResultError, match="missing.csv failed: HTTP 404 Not Found"):
        download_file(transport, url, tmp_path)
    with pytest.raises(ResultError, match="^result 'report': download of missing.csv") as info:
        convert_result({"paramName": "report", "dataType": "GPDataFile", "value": {"url": url}},
                       download=lambda u: download_file(transport, u, tmp_path))
    assert info.value.param == "report"
    assert list(tmp_path.iterdir()) == []


def test_an_arcgis_error_body_is_not_saved_as_the_file(server, tmp_path):
    server.inject("error_body", match="/report.csv", code=403,
                  message="You do not have permissions to access this resource or perform "
                          "this operation.")
    with pytest.raises(ResultError, match=r"do not have permissions.*\(code 403\)"):
        download_file(transport_for(server), f"{server.url}{FILE_ROOT}/report.csv", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_server_errors_and_resets_are_result_errors(server, tmp_path):
    url = f"{server.url}{FILE_ROOT}/report.csv"
    server.inject("status", times=3, match="/report.csv", status=503)  # outlasts the retries
    with pytest.raises(ResultError, match="HTTP 503"):
        download_file(transport_for(server), url, tmp_path)
    server.inject("reset", times=3, match="/report.csv")
    with pytest.raises(ResultError, match="report.csv failed: connection dropped"):
        download_file(transport_for(server), url, tmp_path)
    assert leftovers(tmp_path) == []
    assert download_file(transport_for(server), url, tmp_path).exists()  # then it works


def test_a_path_only_url_is_resolved_against_the_jobs_origin(server, tmp_path):
    path = download_file(transport_for(server), f"{FILE_ROOT}/report.csv", tmp_path)
    assert path.read_text().startswith("name,population")


def test_the_token_goes_only_to_the_jobs_own_origin(tmp_path):
    with JobServer(token="tok") as home, JobServer() as other, JobServer(token="x") as locked:
        transport = transport_for(home, token="tok")
        assert download_file(transport, f"{home.url}{FILE_ROOT}/report.csv", tmp_path).exists()
        assert download_file(transport, f"{other.url}{FILE_ROOT}/slope.tif", tmp_path).exists()
        home_files = [r for r in home.request_log if FILE_ROOT in r.path]
        assert home_files[-1].headers.get("X-Esri-Authorization") == "Bearer tok"
        assert "token" not in home_files[-1].query  # header only, never in the URL
        assert other.request_log and all(
            "X-Esri-Authorization" not in r.headers and "token" not in r.query
            and "tok" not in r.path for r in other.request_log)
        # a foreign server that wants a token of its own gets none from us, and its page
        # (instead of the file) is an error, not a file saved as elevation.tif
        with pytest.raises(ResultError, match="HTML page instead of elevation.tif"):
            download_file(transport, f"{locked.url}{FILE_ROOT}/elevation.tif", tmp_path)
        assert "X-Esri-Authorization" not in locked.request_log[-1].headers
    assert not (tmp_path / "elevation.tif").exists()


def test_credentials_go_to_file_downloads_only_on_the_jobs_origin(watch, tmp_path):
    with JobServer(token="tok") as home, JobServer() as other:
        home.add_task("T", Task(duration=0.2, results={
            "here": "GPDataFile",
            "there": ("GPDataFile", {"url": f"{other.url}{FILE_ROOT}/report.csv"})}))
        w = watch(home.task_url("T"), submit={}, token="tok", download_dir=tmp_path)
        assert w.wait(timeout=30) == st.SUCCEEDED
        assert w.result("here").exists() and w.result("there").exists()
        file_requests = [r for r in home.request_log if FILE_ROOT in r.path]
        assert file_requests[-1].headers.get("X-Esri-Authorization") == "Bearer tok"
        assert other.request_log and all(
            "X-Esri-Authorization" not in r.headers and "token" not in r.query
            for r in other.request_log)


# -- a server that misbehaves mid-body -------------------------------------------------------------
CSV = b"name,value\n" + b"".join(b"site %d,%d\n" % (i, i * i) for i in range(20_000))
BIG_JSON = json.dumps({"rows": [{"id": i, "name": f"n{i}"} for i in range(10_000)]}).encode()


class Misbehaving(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/cut.csv":  # promises 100 kB, sends 1 kB, hangs up
            self._head(200, "text/csv", {"Content-Length": "100000"})
            self.wfile.write(CSV[:1000])
            self.wfile.flush()
            self.close_connection = True
        elif path == "/zipped.csv":  # gzip on the wire: Content-Length counts compressed bytes
            body = gzip.compress(CSV)
            self._head(200, "text/csv", {"Content-Length": str(len(body)),
                                         "Content-Encoding": "gzip"})
            self.wfile.write(body)
        elif path == "/named":
            self._head(200, "application/octet-stream", {
                "Content-Length": "3",
                "Content-Disposition": 'attachment; filename="../../evil/.bashrc"'})
            self.wfile.write(b"abc")
        elif path == "/big.json":  # a legitimate JSON file result, chunked, no length
            self._head(200, "application/json", {"Transfer-Encoding": "chunked"})
            for i in range(0, len(BIG_JSON), 10_000):
                part = BIG_JSON[i:i + 10_000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/small.json":
            self._head(200, "application/json", {"Content-Length": "8"})
            self.wfile.write(b'{"a": 1}')
        else:
            self._head(404, "text/plain", {"Content-Length": "9"})
            self.wfile.write(b"not found")

    def _head(self, status, ctype, headers):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()


@pytest.fixture
def odd_server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_body_cut_short_leaves_no_file(odd_server, tmp_path):
    transport = Transport(f"{odd_server}/jobs/j1")
    cut = r"cut.csv was cut short after 1,000 of 100,000 bytes \(the connection broke\)"
    with pytest.raises(ResultError, match=cut):
        download_file(transport, f"{odd_server}/cut.csv", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_gzip_on_the_wire_is_saved_decoded_with_wire_progress(odd_server, tmp_path):
    calls: list[tuple[int, int | None]] = []
    path = download_file(Transport(f"{odd_server}/jobs/j1"), f"{odd_server}/zipped.csv",
                         tmp_path, progress=lambda r, t: calls.append((r, t)))
    assert path.read_bytes() == CSV
    wire = len(gzip.compress(CSV))
    assert calls[0] == (0, wire) and calls[-1][0] == calls[-1][1]


def test_a_hostile_file_name_stays_inside_the_folder(odd_server, tmp_path):
    path = download_file(Transport(f"{odd_server}/jobs/j1"), f"{odd_server}/named", tmp_path)
    assert path.parent == tmp_path and path.name == "bashrc" and path.read_bytes() == b"abc"


def test_json_files_that_are_not_errors_are_saved(odd_server, tmp_path):
    transport = Transport(f"{odd_server}/jobs/j1")
    calls: list[tuple[int, int | None]] = []
    big = download_file(transport, f"{odd_server}/big.json", tmp_path,
                        progress=lambda r, t: calls.append((r, t)))
    assert big.read_bytes() == BIG_JSON
    assert calls[0] == (0, None) and calls[-1] == (len(BIG_JSON), len(BIG_JSON))
    assert download_file(transport, f"{odd_server}/small.json", tmp_path).read_text() == \
        '{"a": 1}'


# -- the job and widget layer on top ---------------------------------------------------------------
def test_big_feature_set_and_streamed_download_with_progress(server, watch, tmp_path):
    w = _done(server, watch, tmp_path, results={"big": "GPFeatureRecordSetLayer_50k",
                                               "file": "GPDataFile_large"})
    seen: list[dict] = []
    w.observe(lambda change: seen.append(change["new"]), names="download")
    assert len(w.result("big")) == 50_000
    path = w.result("file")
    assert path.stat().st_size == LARGE_FILE_SIZE
    assert leftovers(tmp_path) == []
    progress = [d for d in seen if d]
    assert progress and progress[-1]["total"] == LARGE_FILE_SIZE and seen[-1] == {}


def test_a_missing_file_hides_no_other_output_and_names_its_url(server, watch, tmp_path):
    w = _done(server, watch, tmp_path, results={"count": "GPLong", "file": "GPDataFile_missing"})
    namespace: dict = {}
    with pytest.raises(PartialResults, match="(?i)not found") as info:
        w.load_results(namespace)
    assert namespace["count"] == 42 and "file" not in namespace  # what could be, is loaded
    assert info.value.results == {"count": 42} and set(info.value.failures) == {"file"}
    assert w.results_state == "partial" and "Not Found" in w.results_error
    assert "'file'" in w.results_error  # the card names the output that failed…
    missing = f"{server.url}{FILE_ROOT}/missing.csv"
    assert missing in w.results_error and missing in str(info.value)  # …and where it is
    assert [item["variable"] for item in w.loaded] == ["count"]
    assert w.result("count") == 42
    with pytest.raises(PartialResults):
        w.results  # noqa: B018 - the property fetches
    assert leftovers(tmp_path) == []


def test_a_failed_download_names_its_url_without_the_query_string(server, watch, tmp_path):
    signed = "{base}/arcgis/rest/directories/arcgisjobs/files/gone.tif?token=SECRET&expires=1"
    w = _done(server, watch, tmp_path, results={"raster": ("GPRasterDataLayer", {"url": signed}),
                                               "n": ("GPLong", 3)})
    namespace: dict = {}
    with pytest.raises(PartialResults) as info:
        w.load_results(namespace)  # the card's Load results
    where = f"{server.url}/arcgis/rest/directories/arcgisjobs/files/gone.tif"
    assert f"[file: {where}]" in str(info.value) and where in w.results_error
    assert "SECRET" not in str(info.value) and "expires" not in str(info.value)
    assert "SECRET" not in w.results_error and "SECRET" not in repr(w)
    assert info.value.results == {"n": 3} and namespace["n"] == 3 and "raster" not in namespace


def test_load_results_into_a_namespace(server, watch, tmp_path):
    w = _done(server, watch, tmp_path, results={"out table": "GPRecordSet", "count": "GPLong"})
    namespace = {"count": "user's own"}
    loaded = w.load_results(namespace, prefix="")
    assert namespace["count"] == "user's own" and namespace["count_2"] == 42
    assert isinstance(namespace["out_table"], pd.DataFrame)
    assert w.results_state == "loaded"
    assert {(x["variable"], x["shape"]) for x in w.loaded} == {
        ("out_table", "3 rows × 5 columns"), ("count_2", "")}
    assert next(x.note for x in loaded if x.variable == "count_2").startswith("renamed")
    again = w.load_results(namespace)  # the same cached objects: the same names
    assert {x.variable for x in again} == {"out_table", "count_2"}


def test_succeeded_without_outputs(server, watch, tmp_path):
    w = _done(server, watch, tmp_path)
    assert w.results_state == "none" and w.results == {}
    assert w.load_results({}) == []


def test_results_before_success_are_refused_clearly(server, watch, tmp_path):
    server.add_task("Slow", Task(duration=30, results={"n": "GPLong"}))
    w = watch(server.task_url("Slow"), submit={})
    with pytest.raises(ResultError, match="once the job succeeds"):
        w.results  # noqa: B018


def test_inputs_image_and_map_service(server, watch, tmp_path):
    w = _done(server, watch, tmp_path, results={"n": "GPLong"})
    assert w.inputs == {"distance": "5"}
    image = w.fetch_result_image(size="30,20")
    assert image._repr_png_()[:4] == b"\x89PNG"
    assert w.fetch_result_map_image_layer().endswith(f"/MapServer/jobs/{w.job_id}")


@pytest.mark.parametrize("flavour", ["mission", "admin"])
def test_inline_results_of_other_flavours(server, watch, flavour):
    w = watch(server.create_job(flavour, Task(duration=0.2)))
    assert w.wait(timeout=30) == st.SUCCEEDED
    if flavour == "mission":
        assert set(w.results) == {"missionId"}
    else:
        assert w.results["result"]["serviceName"] == "Fire"
