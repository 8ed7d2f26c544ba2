"""The GP data-type table: every type converts to the expected Python object (no HTTP)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
import shapely

from gpjob_widget import ResultError
from gpjob_widget.geometry import crs_of, to_shape
from gpjob_widget.results import (
    ArealUnit,
    LinearUnit,
    ResultURL,
    convert_result,
    describe,
    to_python,
)
from gpjob_widget.server.samples import SAMPLES, big_points


def sample(name, **kwargs):
    data_type, value = SAMPLES[name]
    return to_python(data_type, value, **kwargs)


@pytest.mark.parametrize(("name", "expected"), [
    ("GPString", "Buffered 3 features"), ("GPString_null", None),
    ("GPSQLExpression", "population > 50000"), ("GPField", "population"),
    ("GPLong", 42), ("GPLong_null", None), ("GPDouble", 3.14159), ("GPDouble_null", None),
    ("GPBoolean", True), ("GPDate_null", None),
    ("GPLinearUnit", LinearUnit(5, "esriMiles")),
    ("GPArealUnit", ArealUnit(2, "esriSquareKilometers")),
    ("GPMultiValue:GPString", ["a", "b", None]), ("GPMultiValue:GPDouble", [1.5, 2.5]),
])
def test_scalars(name, expected):
    assert sample(name) == expected


def test_long_that_arrives_as_float_is_an_int():
    assert to_python("GPLong", 3.0) == 3 and isinstance(to_python("GPLong", 3.0), int)
    assert to_python("GPBoolean", "false") is False


def test_dates_are_timezone_aware_utc():
    value = sample("GPDate")
    assert value == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
    assert to_python("GPDate", "2024-01-02T03:04:05Z").tzinfo is not None
    assert sample("GPMultiValue:GPDate")[1] is None


def test_units_print_nicely():
    assert str(sample("GPLinearUnit")) == "5 mi"
    assert str(sample("GPArealUnit")) == "2 km²"


def test_record_set_dtypes_from_field_types():
    frame = sample("GPRecordSet")
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == [
        "OBJECTID", "name", "population", "area_km2", "surveyed"]
    assert str(frame["OBJECTID"].dtype) == "Int64"
    assert str(frame["population"].dtype) == "Int64" and pd.isna(frame["population"][1])
    assert frame["area_km2"].dtype == "float64" and pd.isna(frame["area_km2"][2])
    assert str(frame["surveyed"].dtype).startswith("datetime64") and \
        str(frame["surveyed"].dt.tz) == "UTC"
    assert pd.isna(frame["surveyed"][1])
    assert frame.attrs["exceededTransferLimit"] is False


def test_empty_record_set_keeps_its_columns():
    frame = sample("GPRecordSet_empty")
    assert frame.empty and list(frame.columns)[:2] == ["OBJECTID", "name"]


def test_points_with_z_and_null_geometry_to_geodataframe():
    import geopandas as gpd

    frame = sample("GPFeatureRecordSetLayer")
    assert isinstance(frame, gpd.GeoDataFrame) and frame.crs.to_epsg() == 4326
    assert frame.geometry[0].has_z and frame.geometry[0].z == 350.5
    assert frame.geometry[3] is None
    assert len(frame) == 4


def test_multipart_polygons_with_holes():
    frame = sample("GPFeatureRecordSetLayer_polygons")
    assert frame.crs.to_epsg() == 3857  # latestWkid wins over 102100
    with_hole = frame.geometry[0]
    assert with_hole.geom_type == "Polygon" and len(with_hole.interiors) == 1
    assert with_hole.area == pytest.approx(100 - 9)
    multipart = frame.geometry[1]
    assert multipart.geom_type == "MultiPolygon" and len(multipart.geoms) == 2
    assert multipart.area == pytest.approx(91 + 25)


def test_polylines_and_wkt_crs():
    frame = sample("GPFeatureRecordSetLayer_polylines")
    assert frame.geometry[0].geom_type == "LineString"
    assert frame.geometry[1].geom_type == "MultiLineString"
    assert frame.crs is not None and frame.crs.is_geographic


def test_url_only_feature_set_stays_a_url():
    value = sample("GPFeatureRecordSetLayer_url")
    assert isinstance(value, ResultURL) and value.url.endswith("/MapServer/0")


def test_files_use_the_downloader_and_stay_urls_without_one(tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("x")
    got = sample("GPDataFile", download=lambda url: target)
    assert got == target
    assert isinstance(sample("GPRasterDataLayer"), ResultURL)
    image = to_python("GPRasterDataLayer", {"mapImage": {"href": "http://h/i.png"}})
    assert isinstance(image, ResultURL) and image.url == "http://h/i.png"


def test_unknown_types_come_back_raw():
    assert sample("GPUnknownType") == {"anything": [1, 2]}


def test_conversion_errors_are_result_errors_with_the_param_name():
    with pytest.raises(ResultError, match="'count'"):
        convert_result({"paramName": "count", "dataType": "GPLong", "value": "many"})


def test_geometry_edge_cases():
    assert to_shape(None) is None and to_shape({"x": None, "y": None}) is None
    assert to_shape({"x": float("nan"), "y": 1}) is None
    assert to_shape({"points": [[1, 2], [3, 4]]}).geom_type == "MultiPoint"
    assert to_shape({"paths": []}) is None
    # counter-clockwise-only rings (bad data) are still polygons, not dropped
    ccw = to_shape({"rings": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]})
    assert isinstance(ccw, shapely.Polygon) and ccw.area == 1
    # M values are dropped, Z kept
    line = to_shape({"hasZ": True, "hasM": True, "paths": [[[0, 0, 5, 9], [1, 1, 6, 9]]]})
    assert line.has_z and line.coords[0] == (0, 0, 5)


def test_crs_of():
    assert crs_of({"spatialReference": {"wkid": 102100}}) == "EPSG:3857"
    assert crs_of({"spatialReference": {"wkid": 102003}}) == "ESRI:102003"
    assert crs_of({"spatialReference": {"wkt": "GEOGCS[]"}}) == "GEOGCS[]"
    assert crs_of({}) is None


def test_without_geopandas_geometry_stays_json(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_geopandas(name, *args, **kwargs):
        if name == "geopandas":
            raise ImportError("not installed")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_geopandas)
    frame = sample("GPFeatureRecordSetLayer")
    assert type(frame) is pd.DataFrame and frame["geometry"][0] == {"x": -117.18, "y": 34.05,
                                                                      "z": 350.5}


def test_a_big_feature_set_converts():
    frame = to_python("GPFeatureRecordSetLayer", big_points(5000))
    assert frame.shape == (5000, 6) and frame.geometry.notna().all()


def test_describe(tmp_path):
    file = tmp_path / "f.bin"
    file.write_bytes(b"x" * 2100)
    assert describe(sample("GPRecordSet")) == ("DataFrame", "3 rows × 5 columns")
    assert describe(file) == ("file", "2.1 kB")
    assert describe([1, 2]) == ("list", "2 items")
    assert describe(None) == ("None", "")
    assert describe(Path("/nope")) == ("file", "missing")
