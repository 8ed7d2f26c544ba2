"""TaskForm: real task and process descriptions → fields; form values → Python values (the
data-type table's input direction); a form submitted over real HTTP sends what code would, and
its ``code`` reproduces the same job. Descriptions: tests/fixtures/real/SOURCES.md."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, Polygon

from gpjob_widget import JobWidget, TaskForm
from gpjob_widget import status as st
from gpjob_widget.errors import ArcGISError
from gpjob_widget.flavours.descriptions import gp_field, gp_fields, ogc_fields
from gpjob_widget.flavours.encoding import encode_param
from gpjob_widget.form import to_form
from gpjob_widget.inputs import InputProblem
from gpjob_widget.server import Task
from gpjob_widget.server.demo import ALL_INPUTS, BUFFER_INPUTS
from gpjob_widget.units import ArealUnit, LinearUnit

REAL = Path(__file__).parent / "fixtures" / "real"


def real(name: str) -> dict:
    return json.loads((REAL / name).read_text())


# -- descriptions → fields ------------------------------------------------------------------
def test_esris_task_example_with_feature_filters():
    inputs, outputs = gp_fields(real("gp_task_feature_filters_line_polygon_esri-rest-docs.json"))
    features, service_name = inputs
    assert features.control == "features" and features.required
    assert features.geometry_types == ("esriGeometryPolygon", "esriGeometryPolyline")
    assert features.schema["spatialReference"] == {"wkid": 102100, "latestWkid": 3857}
    assert features.default is None  # an empty feature set is a schema, not a value
    assert service_name.name == "esri_out_feature_service_name" and not service_name.required
    assert service_name.control == "text"
    assert [o.name for o in outputs] == ["Output_Feature_Class"]


def test_a_value_table_with_range_filtered_columns():
    inputs, outputs = gp_fields(real("gp_task_valuetable_range_filters_esri-rest-docs.json"))
    (table,) = inputs
    assert table.control == "valuetable"
    low, high = table.columns
    assert (low.control, low.minimum, low.maximum) == ("integer", -99999, 99999)
    assert (high.control, high.minimum, high.maximum) == ("number", -12345678.9, 98765.4321)
    assert table.default == [[567, -56756.567], [-6567, 67886.678]]
    assert table.coerce(table.default, {}) == [[567, -56756.567], [-6567, 67886.678]]
    with pytest.raises(InputProblem, match="row 1, input long column: must be 99999 or less"):
        table.coerce([[100000, 1.0]], {})
    assert outputs[0].data_type == "GPMultiValue:GPRasterDataLayer" and outputs[0].output


def test_coded_values_show_names_and_send_codes():
    fragments = real("gp_fragment_filters_esri-rest-docs.json")
    dissolve = gp_field({"name": "dissolve", "dataType": "GPString", "displayName": "Dissolve",
                         "defaultValue": "NONE", "parameterType": "esriGPParameterTypeOptional",
                         **fragments["codedValue_localized_strings_example_PairwiseBuffer_"
                                     "DissolveType"]})
    assert dissolve.control == "select"
    assert dissolve.choices[0] == ("No Dissolve", "NONE")
    assert dissolve.coerce("ALL", {}) == "ALL"
    with pytest.raises(InputProblem, match="must be one of NONE, ALL, LIST"):
        dissolve.coerce("No Dissolve", {})  # the name is shown, the code is sent
    paper = gp_field({"name": "size", "dataType": "GPString", **fragments["choiceList_sample"]})
    assert paper.choices == (("A3", "A3"), ("A4", "A4"), ("Letter", "Letter"),
                             ("Legal", "Legal"))
    files = gp_field({"name": "f", "dataType": "GPDataFile", **fragments["composite_example"]})
    assert files.extensions == ("pdf", "txt") and files.geometry_types


@pytest.mark.parametrize("default, expected", [
    ({"distance": 5, "units": "esriMiles"}, LinearUnit(5, "esriMiles")),
    ("5 Miles", LinearUnit(5, "esriMiles")),
    ("2.5 Kilometers", LinearUnit(2.5, "esriKilometers")),
    ("Meters", LinearUnit(0, "esriMeters")),
    ("10 DecimalDegrees", LinearUnit(10, "esriDecimalDegrees")),
])
def test_linear_unit_defaults_in_every_form_seen(default, expected):
    field = gp_field({"name": "d", "dataType": "GPLinearUnit", "defaultValue": default})
    assert field.control == "linear" and field.coerce(field.default, {}) == expected


def test_areal_dates_multivalues_and_unknown_types():
    area = gp_field({"name": "a", "dataType": "GPArealUnit", "defaultValue": "3 SquareMiles"})
    assert area.coerce(area.default, {}) == ArealUnit(3, "esriSquareMiles")
    when = gp_field({"name": "w", "dataType": "GPDate", "defaultValue": 1700000000000})
    assert when.coerce(when.default, {}) == datetime(2023, 11, 14, 22, 13, 20,
                                                     tzinfo=timezone.utc)
    assert when.coerce("2024-03-01T09:30:00+01:00", {}).utcoffset().total_seconds() == 3600
    tags = gp_field({"name": "t", "dataType": "GPMultiValue:GPString",
                     "choiceList": ["a", "b"], "defaultValue": ["a"]})
    assert tags.control == "multiselect" and tags.coerce(["b", "a"], {}) == ["b", "a"]
    numbers = gp_field({"name": "n", "dataType": "GPMultiValue:GPDouble"})
    assert numbers.control == "multi" and numbers.coerce(["1.5", None, 2], {}) == [1.5, 2.0]
    other = gp_field({"name": "x", "dataType": "GPComposite", "defaultValue": {"a": 1}})
    assert other.control == "json" and other.coerce(other.default, {}) == {"a": 1}
    with pytest.raises(InputProblem, match="not valid JSON"):
        other.coerce("{oops", {})


def test_ogcs_own_example_process():
    inputs, outputs = ogc_fields(real("ogc_process_echo_v1_ogcapi-processes.json"))
    by = {f.name: f for f in inputs}
    assert by["stringInput"].control == "select" and by["stringInput"].required
    assert by["dateInput"].control == "datetime"
    assert (by["doubleInput"].minimum, by["doubleInput"].maximum) == (0, 10)
    array = by["arrayInput"]
    assert array.control == "multi" and (array.min_items, array.max_items) == (2, 10)
    assert array.member.control == "integer"
    assert by["boundingBoxInput"].control == "bbox"
    assert by["featureCollectionInput"].control == "features"
    assert by["measureInput"].control == "json"
    assert by["geometryInput"].member.control == "geometry"  # from a GeoDataFrame, or pasted
    assert {o.name for o in outputs} >= {"stringOutput", "featureCollectionOutput"}
    assert by["boundingBoxInput"].coerce([-10, 40, 5, 50], {}) == {
        "bbox": [-10.0, 40.0, 5.0, 50.0], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}
    with pytest.raises(InputProblem, match="at least 2 items"):
        array.coerce([1], {})


def test_pygeoapis_processes_as_shipped():
    inputs, _ = ogc_fields(real("ogc_process_hello-world_pygeoapi.json"))
    name, message = inputs[:2]
    assert name.label == "Name" and name.required and not message.required  # titles in "en"
    shapely_inputs, _ = ogc_fields(real("ogc_process_shapely-functions_pygeoapi.json"))
    operation = shapely_inputs[0]
    assert operation.control == "select" and ("set:union", "set:union") in operation.choices
    legacy, _ = ogc_fields(real("ogc_process_jsonarray2netcdf_legacy-formats_weaver.json"))
    assert legacy[0].control == "json" and legacy[0].required  # minOccurs "1" (a string)


def test_feature_inputs_take_notebook_frames_of_the_right_geometry():
    (field,) = [f for f in gp_fields({"parameters": [{
        "name": "in", "dataType": "GPFeatureRecordSetLayer", "displayName": "Points",
        "parameterType": "esriGPParameterTypeRequired",
        "filter": {"type": "featureClass", "list": ["esriGeometryPoint"]}}]})[0]]
    points = gpd.GeoDataFrame({"n": [1]}, geometry=[Point(1, 2)], crs=4326)
    areas = gpd.GeoDataFrame({"n": [1]}, geometry=[Polygon([(0, 0), (0, 1), (1, 0)])],
                             crs=4326)
    ns = {"points": points, "areas": areas}
    assert field.coerce({"source": "variable", "name": "points"}, ns) is points
    with pytest.raises(InputProblem, match="areas holds polygons; this input takes point"):
        field.coerce({"source": "variable", "name": "areas"}, ns)
    with pytest.raises(InputProblem, match="no variable 'gone'"):
        field.coerce({"source": "variable", "name": "gone"}, ns)
    assert field.coerce({"source": "url", "url": "https://h/FeatureServer/0"}, ns) == {
        "url": "https://h/FeatureServer/0"}
    with pytest.raises(InputProblem, match="Points: is required"):
        field.coerce(None, ns)
    assert to_form(field, points, ns) == {"source": "variable", "name": "points"}


def test_exclusive_bounds_of_either_json_schema_draft():
    (share, draft4, whole) = [f for f in ogc_fields({"inputs": {
        "share": {"schema": {"type": "number", "exclusiveMinimum": 0, "maximum": 1}},
        "old": {"schema": {"type": "number", "minimum": 0, "exclusiveMinimum": True,
                           "maximum": 5, "exclusiveMaximum": True}},
        "n": {"schema": {"type": "integer", "minimum": 1, "maximum": 9}}}})[0]]
    assert (share.minimum, share.exclusive_minimum, share.maximum) == (0, True, 1)
    assert not share.exclusive_maximum and share.coerce(1, {}) == 1
    with pytest.raises(InputProblem, match="must be more than 0"):
        share.coerce(0, {})
    assert draft4.exclusive_minimum and draft4.exclusive_maximum
    with pytest.raises(InputProblem, match="must be less than 5"):
        draft4.coerce(5, {})
    assert not whole.exclusive_minimum and whole.coerce(1, {}) == 1


def test_a_geojson_geometry_input_from_a_notebook_frame_or_pasted():
    (site,) = ogc_fields({"inputs": {"site": {"schema": {"allOf": [
        {"format": "geojson-geometry"}, {"$ref": "https://geojson.org/schema/Geometry.json"}]}}}})[0]
    assert site.control == "geometry"
    square = Polygon([(0, 0), (0, 1000), (1000, 1000), (1000, 0)])
    ns = {"areas": gpd.GeoDataFrame({"n": [1]}, geometry=[square], crs=3857)}
    value = site.coerce({"source": "variable", "name": "areas"}, ns)
    assert value["type"] == "Polygon"  # one geometry, in WGS 84 (a few hundredths of a degree)
    assert max(abs(c) for ring in value["coordinates"] for xy in ring for c in xy) < 0.01
    pasted = {"type": "Point", "coordinates": [8.5, 47.4]}
    assert site.coerce({"source": "json", "text": json.dumps(pasted)}, ns) == pasted
    with pytest.raises(InputProblem, match="GeoJSON geometry"):
        site.coerce({"source": "json", "text": '{"type": "FeatureCollection"}'}, ns)
    with pytest.raises(InputProblem, match="no GeoDataFrame 'gone'"):
        site.coerce({"source": "variable", "name": "gone"}, ns)


def test_pasted_esri_features_become_geojson_for_an_ogc_input():
    (places,) = ogc_fields({"inputs": {"places": {"schema": {
        "format": "geojson-feature-collection"}}}})[0]
    pasted = {"geometryType": "esriGeometryPoint", "spatialReference": {"wkid": 4326},
              "features": [{"geometry": {"x": 8.5, "y": 47.4}, "attributes": {"id": 7}}]}
    value = places.coerce({"source": "json", "text": json.dumps(pasted)}, {})
    assert value["type"] == "FeatureCollection"
    (feature,) = value["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [8.5, 47.4]}
    assert feature["properties"]["id"] == 7


def test_every_other_source_of_a_data_input_reaches_the_server(demo, poller):
    """Layer URL, item id and pasted JSON (a feature set, GeoJSON), a table's pasted record
    set, a file's item id: sent as the service expects, and reproduced by the code."""
    pasted = {"geometryType": "esriGeometryPolygon", "spatialReference": {"wkid": 4326},
              "features": [{"geometry": {"rings": [[[0, 0], [0, 1], [1, 1], [0, 0]]]},
                            "attributes": {"id": 1}}]}
    item = "0123456789abcdef0123456789abcdef"
    cases = [
        ({"source": "url", "url": "https://h.example/FeatureServer/0"},
         {"url": "https://h.example/FeatureServer/0"}),
        ({"source": "item", "itemID": item}, {"itemId": item}),
        ({"source": "json", "text": json.dumps(pasted)}, pasted),
    ]
    geojson = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"id": 1},
        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}
    for form_value, wire in cases:
        form = TaskForm(demo.task_url("AllTypes"), namespace={}, poller=poller,
                        poll_interval=0.05)
        form.view.values = {**form.view.values, "features": form_value,
                            "report": {"source": "item", "itemID": item}}
        assert form.validate() == {}, form.validate()
        w = form.submit()
        sent = received(demo, w.job_id)
        assert json.loads(sent["features"]) == wire
        assert json.loads(sent["report"]) == {"itemID": item}
        scope: dict = {}
        exec(form.code.rstrip().removesuffix("w"), scope)
        try:
            assert received(demo, scope["w"].job_id) == sent  # the code sends the same
        finally:
            scope["w"].close()
            form.close()
    # pasted GeoJSON, for an ArcGIS input: sent as a feature set
    form = TaskForm(demo.task_url("AllTypes"), namespace={})
    form.view.values = {**form.view.values, "features": {"source": "json",
                                                         "text": json.dumps(geojson)}}
    feature_set = json.loads(encode_param(form.params["features"]))
    assert feature_set["geometryType"] == "esriGeometryPolygon"
    assert feature_set["spatialReference"]["wkid"] == 4326
    assert feature_set["features"][0]["attributes"]["id"] == 1
    assert feature_set["features"][0]["geometry"]["rings"][0][0] == [0, 0]
    form.close()
    form = TaskForm(demo.task_url("AllTypes"), namespace={})
    form.view.values = {**form.view.values, "features": {"source": "item", "itemID": "abc"}}
    assert form.validate() == {"features": "Areas: an item id is 32 hexadecimal characters"}
    form.close()


DESCRIPTIONS = sorted(p.name for p in REAL.glob("gp_task_*.json")) + \
    sorted(p.name for p in REAL.glob("ogc_process_*.json"))
CONTROLS = {"text", "select", "integer", "number", "checkbox", "datetime", "linear", "areal",
            "json", "bbox", "multiselect", "multi", "valuetable", "features", "records", "file",
            "geometry"}


@pytest.mark.parametrize("name", DESCRIPTIONS)
def test_every_real_description_makes_a_form(name):
    """Each recorded description: every input gets a control the page knows, its default is
    a value the form accepts, and the outputs are listed apart."""
    about = real(name)
    inputs, outputs = ogc_fields(about) if name.startswith("ogc_") else gp_fields(about)
    assert inputs or outputs
    for field in inputs:
        assert field.control in CONTROLS, (field.name, field.data_type)
        for column in field.columns:
            assert column.control in CONTROLS, (field.name, column.name)
        if field.default not in (None, [], "") and \
                field.control not in ("features", "records", "file"):
            field.coerce(field.default, {})  # a task's own default is never refused
        assert json.dumps(field.to_dict())  # what the page gets is plain JSON
    assert all(o.output for o in outputs)


def test_spatial_analysis_choose_best_facilities_as_esri_describes_it():
    inputs, outputs = gp_fields(real(
        "gp_task_analysis_tasks_ChooseBestFacilities_esri-analysis-assets.json"))
    by = {f.name: f for f in inputs}
    assert {f.category for f in inputs} >= {"Demand Locations", "Facilities", "Measure"}
    features = [f for f in inputs if f.control == "features"]
    assert len(features) == 6 and all(f.geometry_types for f in features)
    assert all(f.default is None for f in features)  # `{}` is no value
    assert by["timeOfDay"].control == "datetime"
    assert any(f.control == "select" and f.default in dict(f.choices).values() for f in inputs)
    assert len(outputs) == 3  # the derived parameters are outputs, not inputs


def test_raster_analysis_viewshed_units_and_summarize_nearby_lists():
    inputs, _ = gp_fields(real("gp_task_rasteranalysis_CreateViewshed_esri-analysis-assets.json"))
    units = [f for f in inputs if f.data_type == "GPLinearUnit"]
    assert len(units) == 6 and all(f.control == "linear" and f.default is None for f in units)
    inputs, _ = gp_fields(real("gp_task_analysis_tasks_SummarizeNearby_esri-analysis-assets.json"))
    by = {f.name: f for f in inputs}
    assert by["distances"].control == "multi" and by["distances"].member.control == "number"
    assert by["distances"].required
    assert by["summaryFields"].control == "multi" and by["summaryFields"].member.control == "text"
    assert by["distances"].coerce(["1", 2.5], {}) == [1.0, 2.5]


def test_range_filters_and_value_tables_of_esri_tasks():
    inputs, _ = gp_fields(real(
        "gp_task_analysis_tasks_GenerateTessellations_esri-analysis-assets.json"))
    (resolution,) = [f for f in inputs if f.name == "binResolution"]
    assert (resolution.control, resolution.minimum, resolution.maximum) == ("integer", 0, 15)
    with pytest.raises(InputProblem, match="must be 15 or less"):
        resolution.coerce(16, {})
    inputs, _ = gp_fields(real(
        "gp_task_analysis_tasks_CalculateCompositeIndex_esri-analysis-assets.json"))
    tables = [f for f in inputs if f.control == "valuetable"]
    assert len(tables) == 2
    assert {c.control for t in tables for c in t.columns} >= {"text", "checkbox", "number"}
    inputs, _ = gp_fields(real("gp_task_gpportal_complextypesud_valuetables_exb-test.json"))
    by = {f.name: f for f in inputs}
    assert [c.control for c in by["Input_Features"].columns] == ["features"] * 3
    assert by["Input_Features"].default == [[None, None, None]]
    assert "esri_out_feature_service_name" in by


def test_sampleserver6s_hotspot_model_lists_its_outputs():
    inputs, outputs = gp_fields(
        real("gp_task_sampleserver6_911CallsHotspotPro_Model_exb-test.json"))
    assert [f.control for f in inputs] == ["text"]
    assert {o.data_type for o in outputs} == {"GPFeatureRecordSetLayer", "GPRasterDataLayer"}


# -- a form over HTTP -----------------------------------------------------------------------
@pytest.fixture
def demo(server):
    server.add_task("AllTypes", Task(duration=0.3, steps=1, inputs=ALL_INPUTS,
                                     results={"n": ("GPLong", 1)}))
    server.add_task("Buffer", Task(duration=0.3, steps=1, inputs=BUFFER_INPUTS,
                                   results={"n": ("GPLong", 1)}))
    return server


def received(server, job_id: str) -> dict[str, str]:
    return dict(server.jobs[job_id].params)


def test_a_form_submits_what_code_would_and_its_code_reproduces_the_job(demo, poller):
    areas = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Polygon([(0, 0), (0, 10), (10, 10),
                                                                (10, 0)])], crs=3857)
    ns = {"areas": areas}
    form = TaskForm(demo.task_url("AllTypes"), namespace=ns, poller=poller, poll_interval=0.05)
    assert form.validate() == {}  # every required input has its default
    form.values = {"count": 42, "features": areas, "distance": LinearUnit(2, "esriKilometers"),
                   "tags": ["rail", "roads"], "report": {"url": "https://h.example/r.csv"},
                   "when": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)}
    assert form.values["count"] == 42 and form.values["features"] is areas
    w = form.submit()
    assert form.job is w and w in form.children and w.wait(timeout=30) == st.SUCCEEDED
    sent = received(demo, w.job_id)
    assert sent["count"] == "42" and sent["when"] == "1704164645000"
    assert json.loads(sent["distance"]) == {"distance": 2, "units": "esriKilometers"}
    assert json.loads(sent["tags"]) == ["rail", "roads"]
    assert json.loads(sent["report"]) == {"url": "https://h.example/r.csv"}
    features = json.loads(sent["features"])
    assert features["geometryType"] == "esriGeometryPolygon"
    assert features["spatialReference"]["latestWkid"] == 3857
    assert features["features"][0]["attributes"] == {"name": "a"}
    assert "raster" not in sent  # a blank optional input is not sent
    # the code, run as it is, submits the very same parameters
    scope = dict(ns)
    exec(form.code.replace("\nw\n", "\n").rstrip().removesuffix("w"), scope)
    again = scope["w"]
    try:
        assert received(demo, again.job_id) == sent
    finally:
        again.close()
        form.close()


def test_problems_block_submit_and_name_the_input(demo):
    form = TaskForm(demo.task_url("AllTypes"), namespace={})
    form.view.values = {**form.view.values, "count": 150, "ratio": "lots"}
    assert form.validate() == {"count": "Count: must be 100 or less",
                               "ratio": "Ratio: must be a number"}
    assert form.view.problems == form.validate()
    with pytest.raises(InputProblem, match="Count: must be 100 or less"):
        form.submit()
    assert form.job is None and not demo.jobs
    form.close()


def test_the_pages_submit_carries_the_values_it_showed(demo, poller):
    """A host may deliver the click before the state saved just before it (marimo did): the
    values shown at the click go with it, and are what the server receives."""
    form = TaskForm(demo.task_url("AllTypes"), namespace={}, poller=poller, poll_interval=0.05)
    shown = {**form.view.values, "count": 7, "not_an_input": 1}
    form._on_message(form.view, {"action": "submit", "values": shown}, [])
    w = form.job
    try:
        assert w is not None and w.wait(timeout=30) == st.SUCCEEDED
        assert received(demo, w.job_id)["count"] == "7"
        assert "not_an_input" not in form.view.values
    finally:
        form.close()


def test_the_servers_refusal_is_shown_in_its_words(demo):
    form = TaskForm(demo.task_url("Buffer"), namespace={})
    form.view.values = {**form.view.values, "in_features": {"source": "url",
                                                            "url": "https://h/FeatureServer/0"}}
    demo.inject("error_body", match="/submitJob", code=400,
                message="Unable to complete operation.",
                details=["ERROR 000735: Input Points: Value is required"])
    with pytest.raises(ArcGISError, match="ERROR 000735"):
        form.submit()
    assert "ERROR 000735: Input Points: Value is required" in form.view.submit_error
    assert form.view.phase == "editing" and form.job is None
    form.close()


def test_the_loopback_process_form_and_jobwidget_form(server, poller):
    from gpjob_widget.server.params import Param

    server.add_process("count", Task(duration=0.2, steps=1, inputs={
        "n": Param("GPLong", 3, "N", required=True, filter={"type": "range", "minimum": 1,
                                                              "maximum": 9})},
        results={"n": ("GPLong", 1)}))
    form = JobWidget.form(server.process_url("count"), namespace={}, poller=poller,
                          poll_interval=0.05)
    (n,) = form.inputs
    assert (n.control, n.minimum, n.maximum, n.default) == ("integer", 1, 9, 3)
    form.values = {"n": 7}
    w = form.submit()
    assert w.wait(timeout=30) == st.SUCCEEDED and w.flavour == "ogc"
    body = next(r.body for r in server.request_log if r.path.endswith("/execution"))
    assert json.loads(body) == {"inputs": {"n": 7}}
    form.close()


def test_form_on_the_real_pygeoapi(pygeoapi, poller):
    form = TaskForm(f"{pygeoapi}/processes/form-inputs", namespace={
        "places": gpd.GeoDataFrame({"name": ["p"]}, geometry=[Point(8.5, 47.4)], crs=4326)},
        poller=poller, poll_interval=0.2)
    by = {f.name: f for f in form.inputs}
    assert by["mode"].control == "select" and by["count"].control == "integer"
    assert by["area"].control == "bbox" and by["places"].control == "features"
    assert form.validate() == {"label": "Label: is required"}
    form.view.values = {**form.view.values, "label": "hi", "sizes": [1.5, 2],
                        "area": [7, 46, 9, 48], "places": {"source": "variable",
                                                           "name": "places"},
                        "when": "2024-01-02T03:04:05Z", "flag": True}
    w = form.submit()
    assert w.wait(timeout=60) == st.SUCCEEDED
    got = w.results["received"]
    assert got["label"] == "hi" and got["count"] == 3 and got["mode"] == "fast"
    assert got["flag"] is True and got["sizes"] == [1.5, 2.0]
    assert got["when"] == "2024-01-02T03:04:05+00:00"
    assert got["area"]["bbox"] == [7.0, 46.0, 9.0, 48.0]
    assert got["places"]["type"] == "FeatureCollection"
    assert got["places"]["features"][0]["geometry"]["coordinates"] == [8.5, 47.4]
    form.close()


def test_a_geometry_and_an_exclusive_bound_on_the_real_pygeoapi(pygeoapi, poller):
    ns = {"places": gpd.GeoDataFrame({"name": ["p"]}, geometry=[Point(8.5, 47.4)], crs=4326)}
    form = TaskForm(f"{pygeoapi}/processes/form-inputs", namespace=ns, poller=poller,
                    poll_interval=0.2)
    by = {f.name: f for f in form.inputs}
    assert by["site"].control == "geometry" and by["share"].exclusive_minimum
    form.view.values = {**form.view.values, "label": "hi", "share": 0,
                        "site": {"source": "variable", "name": "places"}}
    assert form.validate() == {"share": "Share: must be more than 0"}
    form.view.values = {**form.view.values, "share": 0.5}
    w = form.submit()
    assert w.wait(timeout=60) == st.SUCCEEDED
    got = w.results["received"]
    assert got["site"] == {"type": "Point", "coordinates": [8.5, 47.4]} and got["share"] == 0.5
    form.close()
