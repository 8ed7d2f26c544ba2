"""TaskForm in real JupyterLab and Chromium: every control kind filled by keyboard and mouse,
submitted, the server receives exactly the expected encodings, the card appears below the
form, and ``form.code`` reproduces the same job; the same on the real pygeoapi."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from gpjob_widget.server import Task
from gpjob_widget.server.params import Param

from .conftest import kernel_eval, open_notebook, run_all, shot

SETUP = """import os
import geopandas as gpd
import pandas as pd
from shapely.geometry import Point
from gpjob_widget import TaskForm
TOKEN = os.environ['GPJOB_E2E_TOKEN']
stations = gpd.GeoDataFrame({'name': ['a', 'b', 'c']},
                            geometry=[Point(1, 2), Point(3, 4), Point(5, 6)], crs=4326)
counts = pd.DataFrame({'site': ['a', 'b'], 'n': [1, 2]})"""

EVERY_KIND = {
    "title": Param("GPString", "", "Title", "Any words.", required=True),
    "dissolve": Param("GPString", "NONE", "Dissolve", filter={"type": "codedValue", "list": [
        {"dataType": "GPString", "name": "No Dissolve", "value": "NONE"},
        {"dataType": "GPString", "name": "Dissolve All", "value": "ALL"}]}),
    "count": Param("GPLong", 5, "Count", required=True,
                   filter={"type": "range", "minimum": 0, "maximum": 10}),
    "ratio": Param("GPDouble", None, "Ratio"),
    "flag": Param("GPBoolean", False, "Flag"),
    "when": Param("GPDate", None, "When"),
    "distance": Param("GPLinearUnit", {"distance": 1, "units": "esriMeters"}, "Distance",
                      category="Units"),
    "area": Param("GPArealUnit", None, "Area", category="Units"),
    "tags": Param("GPMultiValue:GPString", [], "Tags", choices=("roads", "rivers", "rail"),
                  category="Lists"),
    "weights": Param("GPMultiValue:GPDouble", [], "Weights", category="Lists"),
    "stats": Param("GPValueTable", [], "Statistics", category="Lists", columns=(
        {"name": "field", "dataType": "GPString", "displayName": "Field"},
        {"name": "statistic", "dataType": "GPString", "displayName": "Statistic",
         "choiceList": ["SUM", "MEAN"]})),
    "stations": Param("GPFeatureRecordSetLayer", None, "Stations", required=True,
                      category="Data", filter={"type": "featureClass",
                                               "list": ["esriGeometryPoint"]}),
    "table": Param("GPRecordSet", None, "Table", category="Data"),
    "report": Param("GPDataFile", None, "Report", category="Data"),
    "extra": Param("GPComposite", None, "Extra", category="Data"),
}


def field(page, name: str):
    return page.locator(f".gpjob-form [data-param={name!r}]")


def test_a_form_with_every_control_kind_submits_exact_encodings(lab, page, job_server):
    job_server.add_task("EveryKind", Task(duration=1, steps=1, inputs=EVERY_KIND,
                                          results={"n": ("GPLong", 1)}))
    url = job_server.task_url("EveryKind")
    open_notebook(page, lab, "form.ipynb", [SETUP, f"form = TaskForm({url!r}, token=TOKEN)\nform"])
    run_all(page)
    submit = page.get_by_role("button", name="Submit")
    expect(submit).to_be_disabled()  # Title and Stations are required and empty
    expect(field(page, "title").locator(".gpjob-form-problem")).to_have_text("is required")
    shot(page, "form-empty")

    # keyboard: type, tab on
    field(page, "title").locator("input").click()
    page.keyboard.type("Ten buffers")
    page.keyboard.press("Tab")
    field(page, "dissolve").locator("select").select_option(label="Dissolve All")
    count = field(page, "count").locator("input")
    count.fill("12")
    expect(field(page, "count").locator(".gpjob-form-problem")).to_have_text(
        "must be 10 or less")
    count.fill("7")
    field(page, "ratio").locator("input").fill("0.25")
    field(page, "flag").locator("input").check()
    field(page, "when").locator("input").fill("2024-01-02T03:04:05")
    page.get_by_text("Units", exact=True).click()  # a collapsed category opens on a click
    distance = field(page, "distance")
    distance.locator("input").fill("5")
    distance.locator("select").select_option(label="Miles")
    area = field(page, "area")
    area.locator("input").fill("2")
    area.locator("select").select_option(label="Square Kilometers")
    page.get_by_text("Lists", exact=True).click()
    field(page, "tags").get_by_label("rail").check()
    field(page, "tags").get_by_label("roads").check()
    weights = field(page, "weights")
    weights.get_by_role("button", name="+ Add item").click()
    weights.get_by_role("button", name="+ Add item").click()
    weights.locator("input").nth(0).fill("1.5")
    weights.locator("input").nth(1).fill("2")
    stats = field(page, "stats")
    stats.get_by_role("button", name="+ Add row").click()
    stats.locator("input").first.fill("population")
    stats.locator("select").first.select_option(label="MEAN")
    page.get_by_text("Data", exact=True).click()
    stations = field(page, "stations")
    stations.locator("select").nth(1).select_option(label="stations (3 points)")
    table = field(page, "table")
    table.locator("select").nth(1).select_option(label="counts (2 rows)")
    report = field(page, "report")
    report.locator("input").fill("https://example.com/data/report.csv")
    extra = field(page, "extra").locator("textarea")
    extra.fill("{oops")
    expect(field(page, "extra").locator(".gpjob-form-problem")).to_have_text("is not valid JSON")
    expect(submit).to_be_disabled()
    extra.fill('{"a": [1, 2]}')
    expect(submit).to_be_enabled()
    shot(page, "form-filled")
    page.set_viewport_size({"width": 420, "height": 900})
    shot(page, "form-narrow")
    page.set_viewport_size({"width": 1280, "height": 900})

    before = set(job_server.jobs)
    submit.click()
    card = page.locator(".gpjob-card")
    expect(card).to_be_visible()
    expect(card.locator(".gpjob-badge")).to_have_attribute("data-status", "job-succeeded",
                                                           timeout=30_000)
    (job_id,) = set(job_server.jobs) - before
    sent = dict(job_server.jobs[job_id].params)
    decoded = {k: json.loads(v) if v[:1] in "[{" else v for k, v in sent.items()}
    assert decoded["title"] == "Ten buffers" and decoded["dissolve"] == "ALL"
    assert decoded["count"] == "7" and decoded["ratio"] == "0.25" and decoded["flag"] == "true"
    # the browser's local time (the suite's TZ) to epoch ms, as the server expects
    assert decoded["when"] == kernel_eval(page, "print(int(form.values['when'].timestamp()"
                                                " * 1000), end='')")
    assert decoded["distance"] == {"distance": 5, "units": "esriMiles"}
    assert decoded["area"] == {"area": 2, "units": "esriSquareKilometers"}
    assert decoded["tags"] == ["roads", "rail"] and decoded["weights"] == [1.5, 2.0]
    assert decoded["stats"] == [["population", "MEAN"]]
    assert decoded["stations"]["geometryType"] == "esriGeometryPoint"
    assert [f["geometry"] for f in decoded["stations"]["features"]] == [
        {"x": 1.0, "y": 2.0}, {"x": 3.0, "y": 4.0}, {"x": 5.0, "y": 6.0}]
    assert decoded["stations"]["spatialReference"]["wkid"] == 4326
    assert decoded["table"]["features"][1]["attributes"] == {"site": "b", "n": 2}
    assert decoded["report"] == {"url": "https://example.com/data/report.csv"}
    assert decoded["extra"] == {"a": [1, 2]}
    expect(page.locator(".gpjob-form-note")).to_have_text("Submitted: the job's card is below.")
    shot(page, "form-submitted")

    # form.code, run as it is, submits the very same job
    before = set(job_server.jobs)
    out = kernel_eval(page, "exec(form.code.replace('token=token', 'token=TOKEN'));"
                            "print(w.job_id, end='')")
    (again,) = set(job_server.jobs) - before
    assert out == again and dict(job_server.jobs[again].params) == sent


def test_a_form_for_a_process_of_the_real_pygeoapi(lab, page, pygeoapi):
    open_notebook(page, lab, "form-ogc.ipynb", [
        SETUP, f"form = TaskForm({pygeoapi + '/processes/form-inputs'!r})\nform"])
    run_all(page)
    submit = page.get_by_role("button", name="Submit")
    expect(submit).to_be_disabled()
    field(page, "label").locator("input").fill("from a form")
    field(page, "mode").locator("select").select_option(label="exact")
    field(page, "count").locator("input").fill("4")
    sizes = field(page, "sizes")
    sizes.get_by_role("button", name="+ Add item").click()
    sizes.locator("input").first.fill("2.5")
    corners = field(page, "area").locator("input")
    for i, value in enumerate(["7", "46", "9", "48"]):
        corners.nth(i).fill(value)
    field(page, "places").locator("select").nth(1).select_option(label="stations (3 points)")
    expect(submit).to_be_enabled()
    submit.click()
    card = page.locator(".gpjob-card")
    expect(card.locator(".gpjob-badge")).to_have_attribute("data-status", "job-succeeded",
                                                           timeout=60_000)
    shot(page, "form-ogc-submitted")
    got = json.loads(kernel_eval(page, "import json; print(json.dumps("
                                       "form.job.results['received']), end='')"))
    assert got["label"] == "from a form" and got["mode"] == "exact" and got["count"] == 4
    assert got["sizes"] == [2.5]
    assert got["area"] == {"bbox": [7, 46, 9, 48],
                           "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}
    assert [f["geometry"]["coordinates"] for f in got["places"]["features"]] == [
        [1, 2], [3, 4], [5, 6]]
