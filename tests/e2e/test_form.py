"""TaskForm in real JupyterLab and Chromium: every control kind filled with the keyboard (typing,
arrow keys in selects, date segments) and the mouse (checkboxes, buttons, categories), then
submitted; the server receives exactly the expected encodings, the card appears below the form,
"Copy as code" copies ``form.code``, which reproduces the same job; values set from Python show
on the page; the server's refusal shows next to the form. The same on the real pygeoapi.

The page runs in America/Denver (UTC-7 in January): a date typed on the page is the user's
local time, and the server must get that moment.
"""

from __future__ import annotations

import json

import pytest
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
    "layers": Param("GPMultiValue:GPFeatureRecordSetLayer", [], "More layers", category="Data"),
    "table": Param("GPRecordSet", None, "Table", category="Data"),
    "report": Param("GPDataFile", None, "Report", category="Data"),
    "extra": Param("GPComposite", None, "Extra", category="Data"),
}
STATION_FIELDS = [{"name": "name", "type": "esriFieldTypeString", "alias": "name",
                   "length": 1}]
STATIONS = [{"geometry": {"x": x, "y": y}, "attributes": {"name": name}}
            for name, x, y in (("a", 1.0, 2.0), ("b", 3.0, 4.0), ("c", 5.0, 6.0))]
EXPECTED = {  # what the server must receive, decoded from its form fields
    "title": "Ten buffers", "dissolve": "ALL", "count": "7", "ratio": "0.25", "flag": "true",
    "when": "1704189845000",  # 2024-01-02 03:04:05 in Denver (MST) = 10:04:05 UTC
    "distance": {"distance": 5, "units": "esriMiles"},
    "area": {"area": 2, "units": "esriSquareKilometers"},
    "tags": ["roads", "rail"], "weights": [1.5, 2], "stats": [["population", "MEAN"]],
    "stations": {"geometryType": "esriGeometryPoint",
                 "spatialReference": {"wkid": 4326, "latestWkid": 4326},
                 "fields": STATION_FIELDS, "features": STATIONS},
    "layers": [{"url": "https://example.com/arcgis/rest/services/Roads/FeatureServer/0"}],
    "table": {"fields": [{"name": "site", "type": "esriFieldTypeString", "alias": "site",
                          "length": 1},
                         {"name": "n", "type": "esriFieldTypeInteger", "alias": "n"}],
              "features": [{"attributes": {"site": "a", "n": 1}},
                           {"attributes": {"site": "b", "n": 2}}]},
    "report": {"url": "https://example.com/data/report.csv"},
    "extra": {"a": [1, 2]},
}


@pytest.fixture
def denver(browser, request):
    """A page in America/Denver (en-US), allowed to use the clipboard."""
    from .conftest import ARTIFACTS

    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  timezone_id="America/Denver", locale="en-US",
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-final.png"), full_page=True)
    context.close()


def field(page, name: str):
    return page.locator(f".gpjob-form [data-param={name!r}]")


def type_in(control, text: str) -> None:
    """Click into *control* and type *text* with the keyboard (replacing what was there)."""
    control.click()
    control.page.keyboard.press("Control+A")
    control.page.keyboard.type(text)


def choose(select, label: str) -> None:
    """Pick *label* in a <select> with the arrow keys, as a keyboard user does."""
    labels = select.evaluate("s => [...s.options].map((o) => o.textContent)")
    steps = labels.index(label) - select.evaluate("s => s.selectedIndex")
    select.focus()
    for _ in range(abs(steps)):
        select.page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    expect(select.locator("option:checked")).to_have_text(label)


def type_date(control, month: str, day: str, year: str, time: tuple[str, str, str]) -> None:
    """Type a date and time into a datetime-local input, segment by segment (en-US)."""
    control.focus()
    keyboard = control.page.keyboard
    for part in (month, day, year):
        keyboard.type(part)
    keyboard.press("ArrowRight")  # a year may have more digits: move on by hand
    for part in (*time, "AM"):
        keyboard.type(part)


def open_group(page, title: str) -> None:
    """Open a category's group with a click (groups with a required input start open)."""
    group = page.locator("details.gpjob-form-group", has=page.get_by_text(title, exact=True))
    if not group.evaluate("(d) => d.open"):
        group.locator("summary").click()
    expect(group).to_have_attribute("open", "")


def decode(params: dict[str, str]) -> dict:
    return {k: json.loads(v) if v[:1] in "[{" else v for k, v in params.items()}


def test_a_form_with_every_control_kind_submits_exact_encodings(lab, denver, job_server):
    page = denver
    job_server.add_task("EveryKind", Task(duration=1, steps=1, inputs=EVERY_KIND,
                                          results={"n": ("GPLong", 1)}))
    url = job_server.task_url("EveryKind")
    open_notebook(page, lab, "form.ipynb", [SETUP, f"form = TaskForm({url!r}, token=TOKEN)\nform"])
    run_all(page)
    submit = page.get_by_role("button", name="Submit")
    expect(submit).to_be_disabled()  # Title and Stations are required and empty
    expect(field(page, "title").locator(".gpjob-form-problem")).to_have_text("is required")
    expect(field(page, "count").locator(".gpjob-form-range")).to_have_text("Allowed: 0 to 10. ")
    shot(page, "form-empty")

    type_in(field(page, "title").locator("input"), "Ten buffers")
    page.keyboard.press("Tab")
    choose(field(page, "dissolve").locator("select"), "Dissolve All")
    count = field(page, "count").locator("input")
    type_in(count, "12")
    expect(field(page, "count").locator(".gpjob-form-problem")).to_have_text(
        "must be 10 or less")
    type_in(count, "7")
    type_in(field(page, "ratio").locator("input"), "0.25")
    field(page, "flag").locator("input").click()
    type_date(field(page, "when").locator("input"), "01", "02", "2024", ("03", "04", "05"))
    open_group(page, "Units")  # a collapsed category opens on a click
    distance = field(page, "distance")
    type_in(distance.locator("input"), "5")
    choose(distance.locator("select"), "Miles")
    area = field(page, "area")
    type_in(area.locator("input"), "2")
    choose(area.locator("select"), "Square Kilometers")
    open_group(page, "Lists")
    field(page, "tags").get_by_label("rail").click()
    field(page, "tags").get_by_label("roads").click()
    weights = field(page, "weights")
    weights.get_by_role("button", name="+ Add item").click()
    weights.get_by_role("button", name="+ Add item").click()
    type_in(weights.locator("input").nth(0), "1.5")
    type_in(weights.locator("input").nth(1), "2")
    stats = field(page, "stats")
    stats.get_by_role("button", name="+ Add row").click()
    type_in(stats.locator("input").first, "population")
    choose(stats.locator("select").first, "MEAN")
    open_group(page, "Data")
    stations = field(page, "stations")
    choose(stations.locator("select").nth(1), "stations (3 points)")
    layers = field(page, "layers")  # a list of feature inputs: each item picks its source
    layers.get_by_role("button", name="+ Add item").click()
    choose(layers.locator("select").first, "Layer URL")
    type_in(layers.locator("input").first,
            "https://example.com/arcgis/rest/services/Roads/FeatureServer/0")
    choose(field(page, "table").locator("select").nth(1), "counts (2 rows)")
    type_in(field(page, "report").locator("input"), "https://example.com/data/report.csv")
    extra = field(page, "extra").locator("textarea")
    type_in(extra, "{oops")
    expect(field(page, "extra").locator(".gpjob-form-problem")).to_have_text("is not valid JSON")
    expect(submit).to_be_disabled()
    type_in(extra, '{"a": [1, 2]}')
    expect(submit).to_be_enabled()
    shot(page, "form-filled")
    page.set_viewport_size({"width": 1280, "height": 2000})
    shot(page, "form-filled-form", element=".gpjob-form")  # (docs/form.png)
    page.set_viewport_size({"width": 420, "height": 900})
    shot(page, "form-narrow")
    page.set_viewport_size({"width": 1280, "height": 900})

    # the server refuses the first submit: its own words, next to the form; nothing is lost
    job_server.inject("error_body", match="/EveryKind/submitJob", code=400,
                      message="Unable to complete operation.",
                      details=["ERROR 000735: <b>Title</b>: Value is required"])
    submit.click()
    refused = page.locator(".gpjob-form-refused")
    expect(refused).to_contain_text("ERROR 000735: <b>Title</b>: Value is required")  # as text
    expect(page.locator(".gpjob-card")).to_have_count(0)
    expect(submit).to_be_enabled()
    expect(submit).to_have_text("Submit")
    shot(page, "form-refused")

    before = set(job_server.jobs)
    submit.click()
    card = page.locator(".gpjob-card")
    expect(card).to_be_visible()
    expect(refused).to_be_hidden()
    expect(card.locator(".gpjob-badge")).to_have_attribute("data-status", "job-succeeded",
                                                           timeout=30_000)
    (job_id,) = set(job_server.jobs) - before
    sent = dict(job_server.jobs[job_id].params)
    assert decode(sent) == EXPECTED
    expect(page.locator(".gpjob-form-note")).to_contain_text("Submitted")
    expect(submit).to_have_text("Submit")  # its name stays: Submit runs another job
    shot(page, "form-submitted")

    # "Copy as code" copies form.code, which, run as it is, submits the very same job
    page.get_by_role("button", name="Copy as code").click()
    expect(page.locator(".gpjob-form-note")).to_have_text("Code copied.")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == kernel_eval(page, "print(form.code, end='')")
    before = set(job_server.jobs)
    out = kernel_eval(page, "exec(form.code.replace('token=token', 'token=TOKEN'));"
                            "print(w.job_id, end='')")
    (again,) = set(job_server.jobs) - before
    assert out == again and dict(job_server.jobs[again].params) == sent

    # values set from Python show on the page at once
    kernel_eval(page, "form.values = {**form.values, 'count': 3, 'flag': False}")
    expect(field(page, "count").locator("input")).to_have_value("3")
    expect(field(page, "flag").locator("input")).not_to_be_checked()


def test_a_form_for_a_process_of_the_real_pygeoapi(lab, denver, pygeoapi):
    page = denver
    open_notebook(page, lab, "form-ogc.ipynb", [
        SETUP, f"form = TaskForm({pygeoapi + '/processes/form-inputs'!r})\nform"])
    run_all(page)
    submit = page.get_by_role("button", name="Submit")
    expect(submit).to_be_disabled()
    type_in(field(page, "label").locator("input"), "from a form")
    choose(field(page, "mode").locator("select"), "exact")
    type_in(field(page, "count").locator("input"), "4")
    type_in(field(page, "ratio").locator("input"), "0.5")
    field(page, "flag").locator("input").click()
    type_date(field(page, "when").locator("input"), "07", "04", "2024", ("09", "30", "00"))
    sizes = field(page, "sizes")
    sizes.get_by_role("button", name="+ Add item").click()
    type_in(sizes.locator("input").first, "2.5")
    corners = field(page, "area").locator("input")
    for i, value in enumerate(["7", "46", "9", "48"]):
        type_in(corners.nth(i), value)
    choose(field(page, "places").locator("select").nth(1), "stations (3 points)")
    choose(field(page, "site").locator("select").nth(1), "stations (3 points)")
    share = field(page, "share")
    expect(share.locator(".gpjob-form-range")).to_have_text("Allowed: more than 0 and 1 or less. ")
    type_in(share.locator("input"), "0")
    expect(share.locator(".gpjob-form-problem")).to_have_text("must be more than 0")
    expect(submit).to_be_disabled()
    type_in(share.locator("input"), "0.1")
    expect(submit).to_be_enabled()
    submit.click()
    card = page.locator(".gpjob-card")
    expect(card.locator(".gpjob-badge")).to_have_attribute("data-status", "job-succeeded",
                                                           timeout=60_000)
    shot(page, "form-ogc-submitted")
    got = json.loads(kernel_eval(page, "import json; print(json.dumps("
                                       "form.job.results['received']), end='')"))
    points = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    assert got == {
        "label": "from a form", "mode": "exact", "count": 4, "ratio": 0.5, "flag": True,
        "when": "2024-07-04T15:30:00+00:00",  # 09:30 in Denver (MDT, UTC-6)
        "sizes": [2.5], "share": 0.1,
        "area": {"bbox": [7, 46, 9, 48], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
        "places": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": xy},
             "properties": {"name": name}} for name, xy in zip("abc", points, strict=True)]},
        "site": {"type": "MultiPoint", "coordinates": points},
    }, got
    # the form's code reproduces the same job on pygeoapi
    again = json.loads(kernel_eval(page, "exec(form.code); w.wait(timeout=60); "
                                         "print(json.dumps(w.results['received']), end='')"))
    assert again == got


def test_a_form_in_notebook_7(notebook7, page, job_server):
    job_server.add_task("FormNb7", Task(duration=0.5, steps=1, inputs={
        "title": Param("GPString", "", "Title", required=True),
        "units": Param("GPString", "esriMiles", "Units", choices=("esriMiles", "esriFeet")),
        "flag": Param("GPBoolean", False, "Flag")}, results={"n": ("GPLong", 1)}))
    open_notebook(page, notebook7, "form-nb7.ipynb", [
        SETUP, f"form = TaskForm({job_server.task_url('FormNb7')!r}, token=TOKEN)\nform"])
    run_all(page)
    submit = page.get_by_role("button", name="Submit")
    expect(submit).to_be_disabled(timeout=30_000)
    type_in(field(page, "title").locator("input"), "from Notebook 7")
    choose(field(page, "units").locator("select"), "esriFeet")
    field(page, "flag").locator("input").click()
    expect(submit).to_be_enabled()
    submit.click()
    expect(page.locator(".gpjob-card .gpjob-badge")).to_have_attribute(
        "data-status", "job-succeeded", timeout=30_000)
    (job,) = [j for j in job_server.jobs.values() if j.task_name == "FormNb7"]
    assert job.params == {"title": "from Notebook 7", "units": "esriFeet", "flag": "true"}
    shot(page, "form-notebook7")
