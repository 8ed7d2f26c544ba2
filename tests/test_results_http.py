"""Results over real HTTP: every type, options, downloads, failures, other flavours, security."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from gpjob_widget import ResultError
from gpjob_widget import status as st
from gpjob_widget.results import LinearUnit, ResultURL
from gpjob_widget.server import JobServer, Task
from gpjob_widget.server.samples import ALL_TYPES, FILE_ROOT, LARGE_FILE_SIZE


def _done(server, watch, tmp_path, name="T", **task):
    server.add_task(name, Task(**{"duration": 0.2, **task}))
    w = watch(server.task_url(name), submit={"distance": 5}, download_dir=tmp_path)
    assert w.wait(timeout=30) == st.SUCCEEDED
    return w


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


def test_big_feature_set_and_streamed_download_with_progress(server, watch, tmp_path):
    w = _done(server, watch, tmp_path, results={"big": "GPFeatureRecordSetLayer_50k",
                                               "file": "GPDataFile_large"})
    seen: list[dict] = []
    w.observe(lambda change: seen.append(change["new"]), names="download")
    assert len(w.result("big")) == 50_000
    path = w.result("file")
    assert path.stat().st_size == LARGE_FILE_SIZE
    assert not list(tmp_path.glob(".*.part"))
    progress = [d for d in seen if d]
    assert progress and progress[-1]["total"] == LARGE_FILE_SIZE and seen[-1] == {}


def test_a_missing_file_is_a_result_error_and_nothing_is_half_assigned(server, watch, tmp_path):
    w = _done(server, watch, tmp_path, results={"count": "GPLong", "file": "GPDataFile_missing"})
    namespace: dict = {}
    with pytest.raises(ResultError, match="(?i)not found"):
        w.load_results(namespace)
    assert namespace == {} and w.results_state == "error" and "Not Found" in w.results_error
    assert not list(tmp_path.iterdir()) or not any(p.suffix == ".part" for p in tmp_path.iterdir())


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
