"""Shapes real ArcGIS servers send (REFERENCE §9), replayed over real HTTP.

Recorded payloads live in tests/fixtures/real/ (their sources in SOURCES.md); the loopback
server replays them (``JobServer.replay``) or serves the same shapes from its own samples.
"""

from __future__ import annotations

import json
import math
import time
from datetime import datetime
from pathlib import Path

import pytest
import shapely

from gpjob_widget import Job, JobWidget
from gpjob_widget import status as st
from gpjob_widget.errors import AuthError, JobNotFound, ServerError
from gpjob_widget.flavours import AdminFlavour
from gpjob_widget.references import ResultURL
from gpjob_widget.results import Field, to_python
from gpjob_widget.server import Task
from gpjob_widget.server.demo import register
from gpjob_widget.server.samples import CIRCLE_RADIUS

REAL = Path(__file__).parent / "fixtures" / "real"
JOB = "/arcgis/rest/services/Real/GPServer/Tool/jobs/jreal"


def real(name: str) -> dict:
    return json.loads((REAL / name).read_text())


def watched(url: str, poller, **options) -> Job:
    job = Job(url, **options)
    job.watch(poll_interval=0.05, poller=poller)
    return job


# -- job resources ---------------------------------------------------------------------------
def test_a_real_failed_job_ends_failed_with_the_servers_words(server, poller):
    url = server.replay(JOB, real("gp_job_failed_live_solutions_webappbuilder_issue89.json"))
    job = watched(url, poller)
    assert job.wait(timeout=30) == st.FAILED
    assert job.error == "Failed." and [m["type"] for m in job.messages][-1] == "error"


def test_real_executing_then_succeeded_with_results_and_inputs(server, poller):
    url = server.replay(JOB, real("gp_job_executing_messages_ioer_sora.json"),
                        real("gp_job_executing_submitted_executing_messages_esri_doc.json"),
                        real("gp_job_succeeded_results_inputs_messages_esri_doc.json"))
    job = watched(url, poller)
    assert job.wait(timeout=30) == st.SUCCEEDED
    assert job.output_names() == ["Output_Long", "Output_Feature_Class"]
    assert set(job.last.inputs) == {"Input_String", "Input_Feature_Class"}
    texts = [m["description"] for m in job.messages]
    assert texts[0] == "Submitted." and any(t.startswith("Start Time") for t in texts)


def test_the_geoservices_spelling_without_the_esri_prefix(server, poller):
    url = server.replay(JOB, real("geoservices_spec_gp_job_succeeded_no_esri_prefix.json"))
    job = watched(url, poller)
    assert job.wait(timeout=30) == st.SUCCEEDED and job.state.raw_status == "JobSucceeded"
    assert len(job.messages) == 3 and {m["type"] for m in job.messages} == {"informative"}


def test_a_real_export_job_offers_its_products(server, poller):
    url = server.replay(JOB, real("vtile_export_job_basemap_outputurl_array_esri_doc.json"))
    job = watched(url, poller)
    assert job.wait(timeout=30) == st.SUCCEEDED
    (product,) = job.result_refs["output"]["value"]
    assert product["url"].startswith("https://lws-job-results-prd0.s3.amazonaws.com/export/")


def test_the_loopback_export_job_downloads_its_products(server, poller, tmp_path):
    server.add_task("Export", Task(duration=0.3, export_files=["tiles.vtpk"]))
    job = Job.submit(server.task_url("Export"), {})
    job.watch(poll_interval=0.05, poller=poller)
    assert job.wait(timeout=30) == st.SUCCEEDED
    (path,) = job.result("output", download_dir=tmp_path)
    assert path == tmp_path / "tiles.vtpk" and path.read_bytes().startswith(b"PK")


def test_real_admin_jobs(server, poller):
    url = server.replay("/context/admin/jobs/j2bc", real("admin_enterprise_job_executing_esri_doc"
                                                         ".json"))
    job = Job(url)
    snapshot = job.check_status()
    assert job.flavour.name == "admin" and snapshot.status == st.EXECUTING
    assert snapshot.title == "edit FireWatchWeather.MapServer" and snapshot.ended_at is None
    # Esri's own /admin/system/jobs example is not valid JSON (a raw line break and "\s"
    # escapes inside a string); repaired as little as possible, its shape must read right
    text = (REAL / "admin_server_job_completed_operationresponse_error_esri_doc.NOT_VALID_JSON"
                   ".txt").read_text()
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    body = json.loads(text.replace("\\", "\\\\").replace(".\n               ", ". "))
    snapshot = AdminFlavour().parse(body, "https://h/arcgis/admin/system/jobs/jcbd")
    assert snapshot.status == st.FAILED and snapshot.raw_status == "COMPLETED"
    assert snapshot.percent == 100.0
    assert "service failed to start" in snapshot.error_text
    assert snapshot.messages[0].description.startswith("Stopping the service 'USA'")


def test_server_admin_system_jobs_over_http(server, poller):
    url = server.create_job("system", Task(duration=1.2, steps=4, messages=[
        "Stopping", "Saving edits", "Starting", "Verifying"], outcome="failed",
        error="service failed to start"))
    assert "/arcgis/admin/system/jobs/" in url
    w = JobWidget(url, poller=poller, poll_interval=0.05)
    percents: list = []
    w.observe(lambda change: percents.append(change["new"]), names="percent")
    try:
        assert w.wait(timeout=30) == st.FAILED and w.flavour == "admin"
        assert "service failed to start" in w.error and w.raw_status == "COMPLETED"
        assert [m["description"] for m in w.messages][:2] == ["Stopping", "Saving edits"]
        assert any(p is not None and 0 < p < 100 for p in percents), percents
    finally:
        w.close()


def test_a_queued_job_is_waited_for_not_abandoned(server, poller, monkeypatch):
    import gpjob_widget.watch as watch_module

    monkeypatch.setattr(watch_module, "UNKNOWN_PATIENCE", 2)  # patience is for unknown words
    server.add_task("Queue", Task(duration=0.3, queue_time=1.5, queue_position=3,
                                  status_words={"submitted": "Pending"}))
    job = Job.submit(server.task_url("Queue"), {})
    job.watch(poll_interval=0.05, poller=poller)
    seen: list[tuple[str, str]] = []
    job.watcher.subscribe(lambda u: seen.append((u.state.status, u.state.progress_message)))
    assert job.wait(timeout=30) == st.SUCCEEDED
    assert (st.WAITING, "Queued (position 3)") in seen


def test_notebook_server_jobs_progress_outputs_and_cancel(server, poller):
    url = server.create_job("notebook", Task(duration=1.0, steps=4, results={
        "outputNotebook": ("GPString", "out.ipynb"), "rows": ("GPLong", 12)}))
    job = watched(url, poller)
    percents: list = []
    job.watcher.subscribe(lambda u: percents.append(u.state.percent))
    assert job.wait(timeout=30) == st.SUCCEEDED
    assert any(p is not None and 0 < p < 100 for p in percents), percents
    assert job.results["outputNotebook"] == "out.ipynb" and job.results["rows"] == 12
    running = watched(server.create_job("notebook", Task(duration=30, steps=4)), poller)
    running.watcher.check_now()
    assert running.cancel() == st.CANCELLING  # Esri documents {"status": "success"}
    assert running.wait(timeout=30) == st.CANCELLED


# -- errors ----------------------------------------------------------------------------------
def test_a_real_500_body_keeps_the_servers_words_and_retries(server, poller):
    body = real("error_500_service_not_started_live_gis_water_ca_gov.json")
    url = server.replay(JOB, body, {"jobId": "jreal", "jobStatus": "esriJobSucceeded"})
    job = Job(url)
    with pytest.raises(ServerError, match="i15_LandUse_Sacramento2015/MapServer not started"):
        job.check_status()  # transient (a service restarting): the engine retries it
    assert job.check_status().status == st.SUCCEEDED


def test_http_500_saying_not_found_ends_watching_at_once(server, poller):
    url = server.replay(JOB, {"error": {"code": 500, "message": "JobId not found."}},
                        status=500)
    job = watched(url, poller)
    started = time.monotonic()
    with pytest.raises(JobNotFound, match="JobId not found"):
        job.wait(timeout=60)
    assert time.monotonic() - started < 10  # not minutes of retries
    assert "JobId not found." in job.error


@pytest.mark.parametrize("name", ["error_498_invalid_token_arcgis_rest_js.json",
                                  "error_499_token_required_arcgis_rest_js.json"])
def test_real_token_errors_are_auth_errors(server, name):
    url = server.replay(JOB, real(name))
    with pytest.raises(AuthError) as info:
        Job(url).check_status()
    assert info.value.code in (498, 499) and "{" not in str(info.value)


# -- results ---------------------------------------------------------------------------------
def _result(server, fixture: str, poller):
    payload = real(fixture)
    name = payload["paramName"]
    server.replay(JOB, {"jobId": "jreal", "jobStatus": "esriJobSucceeded",
                        "results": {name: {"paramUrl": f"results/{name}"}}})
    server.replay(f"{JOB}/results/{name}", payload)
    job = watched(server.url + JOB, poller)
    assert job.wait(timeout=30) == st.SUCCEEDED
    return job.result(name)


def test_real_field_results(server, poller):
    field = _result(server, "gp_result_field_datatype_esri_doc.json", poller)
    assert isinstance(field, Field) and field == "GiPValue"
    assert field.type == "esriFieldTypeInteger"


def test_real_value_tables(server, poller):
    table = _result(server, "gp_result_gpvaluetable_esri_doc.json", poller)
    assert table.shape == (2, 2) and table["output long column"].tolist() == [563, -87]


def test_real_feature_collection_as_a_feature_set(server, poller):
    frame = _result(server, "gp_result_gpfeaturerecordsetlayer_layerdefinition_featureset_esri_doc"
                            ".json", poller)
    assert type(frame).__name__ == "GeoDataFrame" and len(frame) > 0  # not a silent 0 rows
    assert frame.crs is not None and frame.geometry.notna().all()
    assert {"UserName", "BUFF_DIST"} <= set(frame.columns) and "Shape" not in frame.columns


@pytest.mark.parametrize(("fixture", "check"), [
    ("gp_result_gpfeaturerecordsetlayer_buffer_esri_doc.json",  # Esri's example has 0 features
     lambda v: len(v) == 0 and str(v.crs) == "EPSG:3857" and
     list(v.columns) == ["OBJECTID", "BUFF_DIST", "ORIG_FID", "shape_Length", "shape_Area",
                         "geometry"]),
    ("gp_result_gpfeaturerecordsetlayer_hasz_esri_doc.json", lambda v: v.has_z.all()),
    ("gp_result_gpdate_esri_doc.json", lambda v: isinstance(v, datetime) and v.tzinfo),
    ("rasteranalysis_result_gpstring_object_credits_imagery_explorer.json",
     lambda v: v == {"credits": 6.66}),  # an object that is no reference stays as it is
    ("gp_result_gpstring_value_is_array_ioer_sora.json", lambda v: isinstance(v, list)),
    ("sa_geocoding_batchgeocode_result_gpstring_itemid_url_esri_doc.json",
     lambda v: isinstance(v, ResultURL) and v.kind == "item" and
     v.item_id == "3754b700a028480da874f6cd6e100e65"),
    ("gp_result_gpmultivalue_gplinearunit_esri_doc.json",
     lambda v: isinstance(v, list) and all(str(u) for u in v)),
])
def test_real_results_arrive_typed(server, poller, fixture, check):
    assert check(_result(server, fixture, poller))


# -- geometry --------------------------------------------------------------------------------
def _shape(geometry: dict) -> shapely.Geometry:
    return to_python("GPFeatureRecordSetLayer", {"features": [{"geometry": geometry,
                                                               "attributes": {}}]}).geometry[0]


def test_a_real_elliptic_arc_is_densified_onto_its_circle():
    end, centre, *_ = real("geometry_curve_segment_a_elliptic7_live_arcgis2geojson_issue17.json"
                           )["a"]
    radius = math.dist(end, centre)
    angle = math.atan2(end[1] - centre[1], end[0] - centre[0]) + 0.8  # a start on the arc
    start = [centre[0] + radius * math.cos(angle), centre[1] + radius * math.sin(angle)]
    segment = real("geometry_curve_segment_a_elliptic7_live_arcgis2geojson_issue17.json")
    line = _shape({"curvePaths": [[start, segment]]})
    coords = list(line.coords)
    assert len(coords) > 5 and coords[-1] == pytest.approx(tuple(end))
    assert all(math.dist(c, centre) == pytest.approx(radius, rel=1e-6) for c in coords)


@pytest.mark.parametrize("fixture", ["geometry_curvepaths_circular_arc_c_esri_doc.json",
                                     "geometry_curvepaths_elliptic_arc_a_esri_doc.json",
                                     "geometry_curvepaths_bezier_b_and_arc_a_esri_doc.json"])
def test_documented_curve_paths(fixture):
    line = _shape(real(fixture))
    assert line is not None and line.length > 0 and len(line.coords) > 3


def test_documented_curve_rings_with_m():
    polygon = _shape(real("geometry_curverings_hasm_b_c_esri_doc.json"))
    assert polygon is not None and not polygon.is_empty and polygon.area > 0


def test_a_true_curve_buffer_stays_a_circle_over_http(server, poller):
    server.add_task("Buffer", Task(duration=0.2, results={"out": "GPFeatureRecordSetLayer_curves"}))
    job = Job.submit(server.task_url("Buffer"), {})
    job.watch(poll_interval=0.05, poller=poller)
    job.wait(timeout=30)
    circle = job.results["out"].geometry[0]
    assert circle.area == pytest.approx(math.pi * CIRCLE_RADIUS ** 2, rel=0.01)
    assert str(job.results["out"].crs) == "EPSG:3857"


# -- Spatial Analysis ------------------------------------------------------------------------
def test_spatial_analysis_outputs_become_frames_and_readable_layers(server, poller):
    tasks = register(server)
    assert "/Analysis/GPServer/CreateBuffers" in tasks["CreateBuffers"]
    job = Job.submit(tasks["CreateBuffers"], {"distance": 1})
    job.watch(poll_interval=0.05, poller=poller)
    assert job.wait(timeout=60) == st.SUCCEEDED
    results = job.results
    collection = results["bufferCollection"]
    assert type(collection).__name__ == "GeoDataFrame" and len(collection) == 3
    assert str(collection.crs) == "EPSG:4326"
    layer, item = results["bufferLayer"], results["bufferItem"]
    assert isinstance(layer, ResultURL) and layer.kind == "layer"
    assert isinstance(item, ResultURL) and item.kind == "item"
    frame = layer.read()  # 4 features, served 2 a page: every page is read
    assert len(frame) == 4 and str(frame.crs) == "EPSG:4326" and frame.has_z.any()
    assert item.to_geodataframe()["name"].tolist() == frame["name"].tolist()
    queries = [r for r in server.request_log if r.path.endswith("/FeatureServer/0/query")]
    assert len(queries) >= 4


def test_feature_collections_over_http(server, poller):
    server.add_task("FC", Task(duration=0.2, results={
        "fc": "GPFeatureRecordSetLayer_collection", "field": "Field", "rows": "GPValueTable"}))
    job = Job.submit(server.task_url("FC"), {})
    job.watch(poll_interval=0.05, poller=poller)
    job.wait(timeout=30)
    out = job.results
    assert len(out["fc"]) == 3 and out["fc"]["population"].dtype.name == "Int64"
    assert out["field"] == "GiPValue" and out["rows"].shape == (2, 2)
