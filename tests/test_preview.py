"""Previews of outputs: the summaries (pure), the bounded binary thumbnail, the static HTML and
text twins, and a card's previews over real HTTP (fetched once, reused by ``results``)."""

from __future__ import annotations

import itertools
import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, Polygon

from gpjob_widget import JobWidget
from gpjob_widget import status as st
from gpjob_widget.fallback import html_snapshot, text_repr
from gpjob_widget.preview import MAX_BYTES, THUMB, features, scalar, summarize, svg, table
from gpjob_widget.server import Task
from gpjob_widget.units import LinearUnit


def test_polygons_with_holes_draw_north_up_and_aspect_true():
    square = Polygon([(0, 0), (0, 100), (200, 100), (200, 0)], [[(50, 25), (150, 25),
                                                                  (150, 75), (50, 75)]])
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[square], crs=3857)
    data, (coords, rings) = features(frame)
    assert data["summary"] == "1 polygon · EPSG:3857" and data["mode"] == "vector"
    assert (data["width"], data["height"]) == (THUMB[0], THUMB[0] // 2)  # 2:1, as the data
    xy = np.frombuffer(coords, dtype=np.uint16).reshape(-1, 2)
    starts = np.frombuffer(rings, dtype=np.uint32)
    assert len(starts) == 2  # the exterior and its hole
    grid = data["grid"]
    assert xy[:, 0].max() == THUMB[0] * grid and xy[:, 1].max() == THUMB[0] // 2 * grid
    top = xy[xy[:, 1] == 0]
    assert len(top), "y points down: the north edge (y=100) is row 0"
    picture = svg(data, [coords, rings])
    assert picture.startswith("<svg") and 'fill-rule="nonzero"' in picture
    assert "<script" not in picture


def test_ring_orientation_cuts_holes_whatever_the_input_order():
    outer = [(0, 0), (10, 0), (10, 10), (0, 10)]  # counter-clockwise
    inner = [(3, 3), (3, 6), (6, 6), (6, 3)]
    for shell, hole in ((outer, inner), (outer[::-1], inner[::-1])):
        frame = gpd.GeoDataFrame(geometry=[Polygon(shell, [hole])], crs=4326)
        _data, (coords, rings) = features(frame)
        xy = np.frombuffer(coords, dtype=np.uint16).reshape(-1, 2).astype(float)
        starts = [*np.frombuffer(rings, dtype=np.uint32).tolist(), len(xy)]
        areas = [shapely.Polygon(xy[a:b]).area * (1 if shapely.is_ccw(
            shapely.LinearRing(xy[a:b])) else -1) for a, b in itertools.pairwise(starts)]
        assert areas[0] * areas[1] < 0  # the exterior and the hole turn opposite ways


def test_100k_features_stay_within_the_comm_budget():
    rng = np.random.default_rng(7)
    points = shapely.points(rng.uniform(-180, 180, 100_000), rng.uniform(-80, 80, 100_000))
    frame = gpd.GeoDataFrame({"i": np.arange(100_000)}, geometry=points, crs=4326)
    data, buffers = features(frame)
    assert sum(len(b) for b in buffers) <= MAX_BYTES
    assert data["summary"] == "100,000 points · EPSG:4326"
    blobs = shapely.buffer(points, 0.5, quad_segs=2)
    data, buffers = features(gpd.GeoDataFrame(geometry=blobs, crs=4326))
    assert sum(len(b) for b in buffers) <= MAX_BYTES
    assert data["mode"] in ("vector", "density")
    if data["mode"] == "density":
        cells = np.frombuffer(buffers[0], dtype=np.uint8)
        assert len(cells) == data["width"] * data["height"] and cells.any()


def test_tables_values_and_units():
    import pandas as pd

    frame = pd.DataFrame({"name": ["a", "b"] * 5, "n": range(10), "when": pd.to_datetime(
        ["2024-01-02"] * 10, utc=True)})
    data = table(frame)
    assert data["summary"] == "10 rows × 3 columns" and len(data["head"]) == 5
    assert [c["type"] for c in data["columns"]] == ["text", "integer", "date"]
    assert data["head"][0] == ["a", "0", "2024-01-02T00:00:00+00:00"]
    assert scalar(LinearUnit(5, "esriMiles"))["summary"] == "5 Miles"
    assert scalar([1, 2, 3, 4, 5, 6])["summary"] == "6 items: 1, 2, 3, 4, 5, …"
    assert scalar(None)["summary"] == "(no value)"
    assert summarize("x", "<b>not html</b>")[0]["summary"] == "<b>not html</b>"


@pytest.fixture
def finished(server, poller):
    server.add_task("Five", Task(duration=0.2, steps=1, results={
        "polygons": "GPFeatureRecordSetLayer_polygons", "points": "GPFeatureRecordSetLayer_50k",
        "summary": "GPRecordSet", "map": "GPRasterDataLayer_mapImage", "report": "GPDataFile",
        "chart": "GPDataFile_png", "missing": "GPDataFile_missing",
        "distance": "GPLinearUnit"}))
    made = []

    def make(**options):
        w = JobWidget.submit(server.task_url("Five"), {}, poller=poller, poll_interval=0.05,
                             **options)
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()


def test_a_card_previews_every_output_and_results_reuse_what_it_fetched(server, finished,
                                                                        until, tmp_path):
    w = finished(download_dir=tmp_path)
    assert w.wait(timeout=30) == st.SUCCEEDED
    until(lambda: w.preview_state == "ready", what="the previews")
    p = w.previews
    assert p["polygons"]["summary"] == "2 polygons · EPSG:3857"
    assert p["points"]["summary"] == "50,000 points · EPSG:4326"
    assert p["summary"]["kind"] == "table" and p["summary"]["summary"] == "3 rows × 5 columns"
    assert p["map"]["kind"] == "raster" and p["map"]["image"] == "image/png"
    assert p["chart"]["image"] == "image/png" and p["report"]["summary"] == "report.csv · 48 bytes"
    assert p["missing"]["kind"] == "error" and "HTTP 404" in p["missing"]["summary"]
    assert p["distance"]["summary"] == "5 Miles"
    fetched = len(server.request_log)
    assert len(w.result("points")) == 50_000 and w.result("report").exists()
    assert len(server.request_log) == fetched  # never fetched twice
    html = w._repr_mimebundle_()[0]["text/html"]
    assert "<script" not in html
    blocks = static_blocks(html)
    assert "<svg" in blocks["polygons"] and "<path" in blocks["polygons"]  # the shapes
    # 50,000 points: bounded in the saved notebook (a small PNG of them inside the SVG)
    assert "<svg" in blocks["points"] and 'href="data:image/png;base64,' in blocks["points"]
    assert len(blocks["points"]) < 100_000
    assert blocks["summary"].count("<tr>") == 4 and "integer" in blocks["summary"]  # types
    assert '<img src="data:image/png;base64,' in blocks["map"]  # the map image itself
    assert '<img src="data:image/png;base64,' in blocks["chart"]
    assert "report.csv · 48 bytes" in blocks["report"]
    assert "HTTP 404" in blocks["missing"] and "5 Miles" in blocks["distance"]
    text = text_repr(w._state_for_display())
    assert "polygons: 2 polygons · EPSG:3857" in text and "distance: 5 Miles" in text


def static_blocks(html: str) -> dict[str, str]:
    """The saved snapshot's HTML of each output, by its ``data-output`` name."""
    parts = html.split('<div data-output="')[1:]
    return {part.split('"', 1)[0]: part for part in parts}


def test_a_result_over_the_budget_waits_for_preview_or_load(server, finished, until):
    w = finished(preview_budget=100_000)  # the 50,000 points are ~7 MB of JSON
    assert w.wait(timeout=30) == st.SUCCEEDED
    until(lambda: w.preview_state == "ready", what="the previews")
    assert w.previews["points"]["kind"] == "deferred"
    assert "not fetched automatically" in w.previews["points"]["summary"]
    assert w.previews["polygons"]["kind"] == "features"  # the small ones still show
    w._build_previews(["points"], None)  # the row's Preview button
    assert w.previews["points"]["summary"] == "50,000 points · EPSG:4326"


def test_preview_false_fetches_nothing(server, finished):
    w = finished(preview=False)
    assert w.wait(timeout=30) == st.SUCCEEDED
    assert w.preview_state == "off" and w.previews == {}
    assert not any("/results/" in r.path for r in server.request_log)


def test_static_html_of_a_saved_card_without_a_kernel():
    frame = gpd.GeoDataFrame({"name": ["<i>x</i>"]}, geometry=[Point(1, 2)], crs=4326)
    data, buffers = summarize("pts", frame, "GPFeatureRecordSetLayer")
    state = {"status": "job-succeeded", "title": "T", "job_id": "j1",
             "previews": {"pts": {**data, "svg": svg(data, buffers)}}}
    html = html_snapshot(state)
    assert 'data-output="pts"' in html and "<svg" in html and "<table" in html
    assert "<i>x</i>" not in html and "&lt;i&gt;x&lt;/i&gt;" in html
    assert json.dumps(state)  # what a saved notebook holds is plain data


def test_a_hosted_layer_output_shows_its_features_and_count(server, poller, until):
    """Spatial Analysis answers with references to hosted layers and items: the card draws
    their features (read on the job's own origin, a bounded number) and says how many."""
    from gpjob_widget.server.demo import register

    tasks = register(server)
    w = JobWidget.submit(tasks["CreateBuffers"], {"distance": 1}, poller=poller,
                         poll_interval=0.05)
    try:
        assert w.wait(timeout=60) == st.SUCCEEDED
        until(lambda: w.preview_state == "ready", what="the previews")
        for name in ("bufferLayer", "bufferItem"):
            p = w.previews[name]
            assert p["kind"] == "features" and p["count"] == 4, p
            assert p["summary"] == "4 points · EPSG:4326 · hosted layer", p
            assert p["url"].endswith("/Hosted/Buffers/FeatureServer/0")
        assert w.previews["bufferCollection"]["summary"] == "3 points · EPSG:4326"
        counted = [r for r in server.request_log if r.query.get("returnCountOnly") == "true"]
        assert counted
    finally:
        w.close()


def test_an_image_service_output_shows_the_picture_it_draws(server, poller, until):
    """A raster analysis output is an image service: its exportImage draws the preview."""
    server.add_task("Slope", Task(duration=0.2, results={
        "slope": "GPRasterDataLayer_imageService"}))
    w = JobWidget.submit(server.task_url("Slope"), {}, poller=poller, poll_interval=0.05)
    try:
        assert w.wait(timeout=30) == st.SUCCEEDED
        until(lambda: w.preview_state == "ready", what="the previews")
        p = w.previews["slope"]
        assert p["kind"] == "raster" and p["image"] == "image/png", p
        assert p["summary"] == "image service · 1 band · F32 · EPSG:3857"
        assert p["url"].endswith("/Hosted/Slope/ImageServer")
        (export,) = [r for r in server.request_log if r.path.endswith("/exportImage")]
        assert export.query["size"] == "240,160" and export.query["f"] == "image"
        assert '<img src="data:image/png;base64,' in w._repr_mimebundle_()[0]["text/html"]
    finally:
        w.close()


def test_show_opens_a_bigger_view_with_what_is_installed(server, finished, until, monkeypatch):
    import importlib.util

    import folium

    w = finished()
    assert w.wait(timeout=30) == st.SUCCEEDED
    until(lambda: w.preview_state == "ready", what="the previews")
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",  # as if lonboard were not installed
                        lambda name, *a: None if name == "lonboard" else real_find_spec(name, *a))
    view = w.show("polygons")
    assert isinstance(view, folium.Map)  # GeoDataFrame.explore(): an interactive map
    assert "Polygon" in view.get_root().render()
    assert w.show("summary") is w.result("summary")  # a table: the frame itself
    assert type(w.show("chart")).__name__ == "Image"  # a picture: shown as one
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)  # neither there
    with pytest.raises(ImportError, match="pip install lonboard.*pip install folium"):
        w.show("polygons")
