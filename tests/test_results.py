"""The GP data-type table: every type converts to the expected Python object (no HTTP)."""

from __future__ import annotations

import dataclasses
import random
import warnings
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
import shapely

from gpjob_widget import ResultError
from gpjob_widget.geometry import crs_of, geometries_to_shapes
from gpjob_widget.results import (
    ArealUnit,
    Field,
    LinearUnit,
    ResultURL,
    convert_result,
    describe,
    to_python,
)
from gpjob_widget.server.samples import SAMPLES, big_points

UTC = timezone.utc


def sample(name, **kwargs):
    data_type, value = SAMPLES[name]
    return to_python(data_type, value, **kwargs)


def feature_set(geometries, geometry_type="", **extra):
    return {"geometryType": geometry_type, "spatialReference": {"wkid": 4326},
            "fields": [{"name": "OBJECTID", "type": "esriFieldTypeOID"}],
            "features": [{"geometry": g, "attributes": {"OBJECTID": i}}
                         for i, g in enumerate(geometries)], **extra}


def shapes(geometries, geometry_type="", **extra):
    return list(to_python("GPFeatureRecordSetLayer",
                          feature_set(geometries, geometry_type, **extra)).geometry)


# -- scalars --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "expected"), [
    ("GPString", "Buffered 3 features"), ("GPString_null", None),
    ("GPSQLExpression", "population > 50000"), ("GPField", "population"),
    ("GPLong", 42), ("GPLong_null", None), ("GPDouble", 3.14159), ("GPDouble_null", None),
    ("GPBoolean", True), ("GPDate_null", None),
    ("GPLinearUnit", LinearUnit(5, "esriMiles")),
    ("GPArealUnit", ArealUnit(2, "esriSquareKilometers")),
    ("GPMultiValue:GPString", ["a", "b", None]), ("GPMultiValue:GPDouble", [1.5, 2.5]),
])
def test_served_samples(name, expected):
    assert sample(name) == expected


@pytest.mark.parametrize(("data_type", "value", "expected"), [
    ("GPLong", 3.0, 3), ("GPLong", "42", 42), ("GPLong", float("nan"), None),
    ("GPLong", 3.5, 3.5),  # kept, not silently truncated to 3
    ("GPLong", 2**62 + 1, 2**62 + 1), ("GPLong", "", None),
    ("GPDouble", 7, 7.0), ("GPDouble", "2.5", 2.5), ("GPDouble", None, None),
    ("GPBoolean", "false", False), ("GPBoolean", "True", True), ("GPBoolean", 0, False),
    ("GPBoolean", None, None),
    ("GPString", 5, "5"), ("GPString", "", ""),
])
def test_scalars(data_type, value, expected):
    got = to_python(data_type, value)
    assert got == expected and type(got) is type(expected)


def test_nan_double_stays_a_float():
    got = to_python("GPDouble", "NaN")
    assert isinstance(got, float) and got != got


@pytest.mark.parametrize(("value", "expected"), [
    (1700000000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
    (1199145600000, datetime(2008, 1, 1, tzinfo=UTC)),  # Esri's documented example
    (1700000000123, datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=UTC)),  # exact ms
    (-86400000, datetime(1969, 12, 31, tzinfo=UTC)),
    ("1700000000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
    ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2024-01-02T03:04:05", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),  # naive → UTC
    ("2024-01-02", datetime(2024, 1, 2, tzinfo=UTC)),
    ("1/2/2024 3:04:05 PM", datetime(2024, 1, 2, 15, 4, 5, tzinfo=UTC)),
    (None, None), ("", None),
])
def test_dates_are_timezone_aware(value, expected):
    got = to_python("GPDate", value)
    assert got == expected
    assert got is None or got.tzinfo is not None


def test_a_date_with_an_offset_keeps_it():
    got = to_python("GPDate", "2024-01-02T03:04:05-08:00")
    assert got.utcoffset() == timedelta(hours=-8)
    assert got == datetime(2024, 1, 2, 11, 4, 5, tzinfo=UTC)


def test_bad_dates_are_result_errors():
    with pytest.raises(ResultError, match="'when'.*not a date"):
        convert_result({"paramName": "when", "dataType": "GPDate", "value": "someday"})
    with pytest.raises(ResultError, match="'when'"):  # out of datetime's range, not OSError
        convert_result({"paramName": "when", "dataType": "GPDate", "value": 1e20})


def test_units_are_small_frozen_values_that_print_nicely():
    miles = to_python("GPLinearUnit", {"distance": 5, "units": "esriMiles"})
    assert miles == LinearUnit(5, "esriMiles") and str(miles) == "5 mi"
    assert str(to_python("GPLinearUnit", {"distance": 2.5, "units": "esriKilometers"})) == "2.5 km"
    assert str(LinearUnit(0.5, "esriDecimalDegrees")) == "0.5°"
    assert str(LinearUnit(3, "esriFurlongs")) == "3 esriFurlongs"  # unknown units shown as is
    assert str(LinearUnit(None, "esriMiles")) == "None mi"  # a null distance does not crash
    assert to_python("GPLinearUnit", {"distance": "5", "units": "esriFeet"}).distance == 5.0
    area = to_python("GPArealUnit", {"area": 2, "units": "esriSquareKilometers"})
    assert str(area) == "2 km²" and str(ArealUnit(1.5, "esriAcres")) == "1.5 acres"
    assert to_python("GPLinearUnit", None) is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        miles.distance = 6  # type: ignore[misc]
    assert len({miles, LinearUnit(5.0, "esriMiles")}) == 1  # hashable, 5 == 5.0


def test_multivalue_is_a_list_of_the_inner_type(tmp_path):
    assert sample("GPMultiValue:GPDate") == [datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC), None]
    assert to_python("GPMultiValue:GPLong", [1.0, 2, None]) == [1, 2, None]
    assert to_python("GPMultiValue:GPLinearUnit", [{"distance": 1, "units": "esriMeters"}]) == [
        LinearUnit(1, "esriMeters")]
    assert to_python("GPMultiValue:GPString", None) is None
    assert to_python("GPMultiValue:GPString", "one") == ["one"]  # not ["o", "n", "e"]
    assert to_python("GPMultiValue", [{"a": 1}]) == [{"a": 1}]  # no inner type: raw items
    got = to_python("GPMultiValue:GPDataFile", [{"url": "http://h/a.csv"}, {"url": "http://h/b"}],
                    download=lambda url: tmp_path / url.rsplit("/", 1)[1])
    assert got == [tmp_path / "a.csv", tmp_path / "b"]


# -- record sets ----------------------------------------------------------------------------------
def test_record_set_dtypes_from_field_types():
    frame = sample("GPRecordSet")
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == [
        "OBJECTID", "name", "population", "area_km2", "surveyed"]
    assert str(frame["OBJECTID"].dtype) == "Int64"
    assert str(frame["name"].dtype) == "string" and frame["name"][2] == 'Yucaipa, "the" <city>'
    assert str(frame["population"].dtype) == "Int64" and pd.isna(frame["population"][1])
    assert frame["area_km2"].dtype == "float64" and pd.isna(frame["area_km2"][2])
    assert str(frame["surveyed"].dtype) == "datetime64[ms, UTC]"
    assert frame["surveyed"][0] == pd.Timestamp(1700000000000, unit="ms", tz="UTC")
    assert pd.isna(frame["surveyed"][1])
    assert frame.attrs["exceededTransferLimit"] is False
    assert frame.attrs["aliases"]["area_km2"] == "Area (km²)"


def record_set(fields, *rows, **extra):
    return to_python("GPRecordSet", {
        "fields": [{"name": n, "type": t} for n, t in fields],
        "features": [{"attributes": r} for r in rows], **extra})


def test_integer_fields_are_nullable_int64_and_exact():
    frame = record_set([("a", "esriFieldTypeBigInteger"), ("b", "esriFieldTypeSmallInteger"),
                        ("c", "esriFieldTypeLong"), ("d", "integer")],
                       {"a": 2**62 + 1, "b": 3, "c": 4.0, "d": 5}, {"a": None, "b": None})
    assert [str(t) for t in frame.dtypes] == ["Int64"] * 4
    assert frame["a"][0] == 2**62 + 1  # no float round trip (BigInteger beyond 2**53)
    assert frame["c"][0] == 4 and pd.isna(frame["b"][1]) and pd.isna(frame["d"][1])


def test_a_fractional_value_in_an_integer_field_is_kept():
    frame = record_set([("n", "esriFieldTypeInteger")], {"n": 1}, {"n": 2.5})
    assert frame["n"].dtype == "float64" and frame["n"][1] == 2.5


def test_float_and_string_fields():
    frame = record_set([("f", "esriFieldTypeSingle"), ("s", "esriFieldTypeString"),
                        ("g", "esriFieldTypeGlobalID")],
                       {"f": 1, "s": 5, "g": "{A-B}"}, {"f": None, "s": None, "g": None})
    assert frame["f"].dtype == "float64" and pd.isna(frame["f"][1])
    assert str(frame["s"].dtype) == "string" and frame["s"][0] == "5" and pd.isna(frame["s"][1])
    assert str(frame["g"].dtype) == "string"


def test_date_fields_tolerate_iso_strings_and_nulls():
    frame = record_set([("d", "esriFieldTypeDate")],
                       {"d": 1700000000000}, {"d": None}, {"d": "2024-01-02T03:04:05Z"})
    assert str(frame["d"].dtype) == "datetime64[ms, UTC]"
    assert frame["d"][2] == pd.Timestamp("2024-01-02T03:04:05Z") and pd.isna(frame["d"][1])


def test_date_only_time_only_and_timestamp_offset_fields():
    frame = record_set([("day", "esriFieldTypeDateOnly"), ("at", "esriFieldTypeTimeOnly"),
                        ("local", "esriFieldTypeTimestampOffset"),
                        ("mixed", "esriFieldTypeTimestampOffset")],
                       {"day": "2024-05-01", "at": "14:35:00",
                        "local": "2023-03-01T10:30:00.000-08:00",
                        "mixed": "2023-03-01T10:30:00-08:00"},
                       {"day": None, "at": None, "local": None,
                        "mixed": "2023-03-01T10:30:00+01:00"})
    assert str(frame["day"].dtype) == "datetime64[ms]"  # naive: a day has no time zone
    assert frame["day"][0] == pd.Timestamp("2024-05-01") and pd.isna(frame["day"][1])
    assert frame["at"][0] == time(14, 35) and frame["at"][1] is None
    # one offset for the whole column: kept, so wall-clock times read as they were recorded
    assert str(frame["local"].dtype) == "datetime64[ms, UTC-08:00]"
    assert frame["local"][0].hour == 10
    # several offsets: one column needs one time zone, so UTC (the instants are exact)
    assert str(frame["mixed"].dtype) == "datetime64[ms, UTC]"
    assert frame["mixed"][1] == pd.Timestamp("2023-03-01T09:30:00Z")


def test_empty_record_set_keeps_its_typed_columns():
    frame = sample("GPRecordSet_empty")
    assert frame.empty and list(frame.columns) == [
        "OBJECTID", "name", "population", "area_km2", "surveyed"]
    assert [str(t) for t in frame.dtypes] == [
        "Int64", "string", "Int64", "float64", "datetime64[ms, UTC]"]


def test_undeclared_attributes_follow_the_declared_fields_and_shape_fields_are_dropped():
    frame = record_set([("b", "esriFieldTypeString"), ("Shape", "esriFieldTypeGeometry"),
                        ("a", "esriFieldTypeInteger")],
                       {"extra": 1, "a": 2, "b": "x"}, {"a": None})
    assert list(frame.columns) == ["b", "a", "extra"]


def test_exceeded_transfer_limit_is_kept():
    frame = record_set([("a", "esriFieldTypeInteger")], {"a": 1}, exceededTransferLimit=True)
    assert frame.attrs["exceededTransferLimit"] is True


def test_a_record_set_given_as_a_url_stays_a_url():
    got = to_python("GPRecordSet", {"url": "https://h/arcgis/rest/services/S/MapServer/1"})
    assert isinstance(got, ResultURL) and got.kind == "layer"


# -- feature sets ---------------------------------------------------------------------------------
def test_points_with_z_and_null_geometry_to_geodataframe():
    import geopandas as gpd

    frame = sample("GPFeatureRecordSetLayer")
    assert isinstance(frame, gpd.GeoDataFrame) and frame.crs.to_epsg() == 4326
    assert frame.geometry[0].has_z and frame.geometry[0].z == 350.5
    assert frame.geometry[3] is None
    assert len(frame) == 4 and list(frame.columns)[-1] == "geometry"
    assert str(frame["population"].dtype) == "Int64"
    assert frame.attrs["geometryType"] == "esriGeometryPoint"


def test_empty_points_esri_style():
    # Esri's geometry doc: a point is empty when x is null *or the string "NaN"*
    got = shapes([{"x": "NaN", "y": 22.2}, {"x": None}, {"x": 1, "y": 2}, {}, None],
                 "esriGeometryPoint")
    assert got[:2] == [None, None] and got[2].equals(shapely.Point(1, 2)) and got[3:] == [None] * 2


def test_feature_set_level_has_z_keeps_z_of_lines_and_polygons():
    # hasZ sits on the feature set, not on each geometry; the third value is then Z
    line, ring = shapes([{"paths": [[[0, 0, 5], [1, 1, 6]]]},
                         {"rings": [[[0, 0, 1], [0, 1, 1], [1, 1, 1], [0, 0, 1]]]}], hasZ=True)
    assert line.has_z and line.coords[0] == (0, 0, 5)
    assert ring.has_z


def test_m_values_are_dropped_and_z_kept():
    only_m = shapes([{"paths": [[[0, 0, 9], [1, 1, 9]]]}], hasM=True)[0]
    assert not only_m.has_z and only_m.coords[0] == (0, 0)  # [x, y, m]: the 9 is M, not Z
    z_and_m = shapes([{"paths": [[[0, 0, 5, 9], [1, 1, 6, 9]]]}], hasZ=True, hasM=True)[0]
    assert z_and_m.coords[0] == (0, 0, 5)
    own = geometries_to_shapes([{"hasZ": True, "paths": [[[0, 0, 5], [1, 1, 6]]]}])[0]
    assert own.has_z  # a geometry's own hasZ counts too


def test_polylines_and_wkt_crs():
    frame = sample("GPFeatureRecordSetLayer_polylines")
    assert frame.geometry[0].geom_type == "LineString"
    assert frame.geometry[1].geom_type == "MultiLineString"
    assert len(frame.geometry[1].geoms) == 2
    assert frame.crs is not None and frame.crs.is_geographic


def test_multipart_polygons_with_holes():
    frame = sample("GPFeatureRecordSetLayer_polygons")
    assert frame.crs.to_epsg() == 3857  # latestWkid wins over 102100
    with_hole = frame.geometry[0]
    assert with_hole.geom_type == "Polygon" and len(with_hole.interiors) == 1
    assert with_hole.area == pytest.approx(100 - 9)
    multipart = frame.geometry[1]
    assert multipart.geom_type == "MultiPolygon" and len(multipart.geoms) == 2
    assert multipart.area == pytest.approx(91 + 25)
    assert frame.geometry.is_valid.all()


SQUARE = [[0, 0], [0, 10], [10, 10], [10, 0], [0, 0]]  # clockwise: an exterior
HOLE = [[3, 3], [6, 3], [6, 6], [3, 6], [3, 3]]  # counter-clockwise: a hole
ISLAND = [[20, 0], [20, 5], [25, 5], [25, 0], [20, 0]]
ISLAND_HOLE = [[21, 1], [22, 1], [22, 2], [21, 2], [21, 1]]


@pytest.mark.parametrize(("rings", "kind", "parts", "area", "holes"), [
    ([SQUARE], "Polygon", 1, 100, 0),
    ([HOLE, SQUARE], "Polygon", 1, 91, 1),  # a hole listed before its exterior
    ([SQUARE, ISLAND], "MultiPolygon", 2, 125, 0),
    ([SQUARE, ISLAND, HOLE, ISLAND_HOLE], "MultiPolygon", 2, 91 + 24, 2),  # holes find their part
    ([SQUARE[::-1]], "Polygon", 1, 100, 0),  # only counter-clockwise rings: still exteriors
    # a hole touching its exterior at a vertex (its first vertex is on the boundary) is kept
    ([SQUARE, [[0, 0], [5, 2], [2, 5], [0, 0]]], "Polygon", 1, 100 - 10.5, 1),
    # a "hole" outside every exterior becomes an exterior (as Esri's arcgis-to-geojson does)
    ([SQUARE, [[40, 40], [41, 40], [41, 41], [40, 41], [40, 40]]], "MultiPolygon", 2, 101, 0),
    ([SQUARE, [[1, 1], [2, 2]]], "Polygon", 1, 100, 0),  # a degenerate ring is ignored
])
def test_rings_to_polygons(rings, kind, parts, area, holes):
    got = shapes([{"rings": rings}], "esriGeometryPolygon")[0]
    assert got.geom_type == kind and got.is_valid
    assert len(getattr(got, "geoms", [got])) == parts
    assert got.area == pytest.approx(area)
    assert sum(len(p.interiors) for p in getattr(got, "geoms", [got])) == holes


def test_empty_geometries_are_none():
    assert shapes([{"rings": []}, {"paths": []}, {"points": []}, None, {}]) == [None] * 5


@pytest.mark.parametrize("declared", ["", "esriGeometryPolygon"])
def test_many_polygons_match_a_one_by_one_construction(declared):
    rng = random.Random(7)
    geometries, expected = [], []
    for i in range(3000):
        x = i * 30.0
        shell = [[x, 0], [x, 10], [x + 10, 10], [x + 10, 0], [x, 0]]
        hole = [[x + 3, 3], [x + 6, 3], [x + 6, 6], [x + 3, 6], [x + 3, 3]]
        island = [[x + 15, 0], [x + 15, 5], [x + 20, 5], [x + 20, 0], [x + 15, 0]]
        shape = rng.choice(["plain", "hole", "island", "both", "null"])
        rings = {"plain": [shell], "hole": [shell, hole], "island": [shell, island],
                 "both": [island, shell, hole], "null": None}[shape]
        geometries.append({"rings": rings} if rings else None)
        poly = shapely.Polygon(shell, [hole] if shape in ("hole", "both") else [])
        expected.append(None if shape == "null" else shapely.MultiPolygon(
            [poly, shapely.Polygon(island)]) if shape in ("island", "both") else poly)
    got = geometries_to_shapes(geometries, geometry_type=declared)
    assert all((e is None and g is None) or g.equals(e) for g, e in zip(got, expected, strict=True))


def test_multipoints_envelopes_and_curves():
    mp, empty = shapes([{"points": [[0, 0], [1, 1]]}, {"points": []}], "esriGeometryMultipoint")
    assert mp.geom_type == "MultiPoint" and len(mp.geoms) == 2 and empty is None
    box, blank = shapes([{"xmin": 0, "ymin": 0, "xmax": 2, "ymax": 1}, {"xmin": "NaN"}])
    assert box.area == 2 and blank is None
    circle = shapes([{"curveRings": [[[0, 0], {"c": [[0, 0], [10, 0]]}]]}])[0]
    assert circle.geom_type == "Polygon" and circle.area == pytest.approx(78.54, rel=0.01)
    arc = shapes([{"curvePaths": [[[0, 0], {"c": [[10, 0], [5, 5]]}]]}])[0]
    assert arc.length == pytest.approx(15.71, rel=0.01)  # a half circle, not a chord of 10
    bezier = shapes([{"curvePaths": [[[0, 0], {"b": [[10, 0], [3, 5], [7, 5]]}]]}])[0]
    assert len(bezier.coords) > 10 and bezier.coords[-1] == (10, 0)


def test_mixed_geometries_without_a_geometry_type():
    point, line = shapes([{"x": 1, "y": 2}, {"paths": [[[0, 0], [1, 1]]]}])
    assert point.geom_type == "Point" and line.geom_type == "LineString"


@pytest.mark.parametrize(("sr", "expected"), [
    ({"wkid": 102100, "latestWkid": 3857}, "EPSG:3857"),
    ({"wkid": 102100}, "EPSG:3857"),  # the old Web Mercator code alone
    ({"wkid": 4326}, "EPSG:4326"),
    ({"wkid": 2230, "latestWkid": 2230}, "EPSG:2230"),
    ({"wkid": 54030}, "ESRI:54030"),  # an ESRI code below 100000 (Robinson)
    ({"wkid": 102003}, "ESRI:102003"),
    ({"latestWkid": "4326"}, "EPSG:4326"),
])
def test_crs_from_wkids(sr, expected):
    assert ":".join(crs_of(sr).to_authority()) == expected


def test_crs_from_wkt_and_unknown_references():
    wkt = SAMPLES["GPFeatureRecordSetLayer_polylines"][1]["spatialReference"]
    assert crs_of(wkt).is_geographic
    assert crs_of({}) is None and crs_of(None) is None
    with pytest.warns(UserWarning, match="unknown spatial reference"):
        assert crs_of({"wkid": 999999}) is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = to_python("GPFeatureRecordSetLayer", {**feature_set([{"x": 1, "y": 2}]),
                                                      "spatialReference": {"wkid": 999999}})
    assert frame.crs is None and frame.attrs["spatialReference"] == {"wkid": 999999}


def test_empty_feature_set_keeps_columns_and_crs():
    frame = to_python("GPFeatureRecordSetLayer", {
        **SAMPLES["GPFeatureRecordSetLayer_polygons"][1], "features": []})
    assert frame.empty and list(frame.columns) == ["OBJECTID", "name", "geometry"]
    assert frame.crs.to_epsg() == 3857 and str(frame["OBJECTID"].dtype) == "Int64"


def test_an_attribute_called_geometry_is_not_lost():
    value = feature_set([{"x": 1, "y": 2}])
    value["features"][0]["attributes"]["geometry"] = "point"
    frame = to_python("GPFeatureRecordSetLayer", value)
    assert frame["geometry_attribute"][0] == "point" and frame.geometry[0].x == 1


def test_url_only_feature_set_stays_a_url():
    value = sample("GPFeatureRecordSetLayer_url")
    assert isinstance(value, ResultURL) and value.url.endswith("/MapServer/0")
    assert value.kind == "layer" and str(value) == value.url


def test_a_feature_set_drawn_by_a_result_map_service_is_a_map_image():
    # Esri's GP result doc: with a result map service, a GPFeatureRecordSetLayer (and a
    # GPRasterDataLayer) defaults to a map image; returnType=data asks for the features.
    got = to_python("GPFeatureRecordSetLayer", {"mapImage": {
        "href": "https://h/arcgis/rest/directories/arcgisoutput/_ags_map1.png",
        "width": 400, "height": 400}})
    assert isinstance(got, ResultURL) and got.kind == "map image" and got.url.endswith(".png")


def test_without_geopandas_geometry_stays_json(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_geopandas(name, *args, **kwargs):
        if name == "geopandas":
            raise ImportError("not installed")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_geopandas)
    frame = sample("GPFeatureRecordSetLayer")
    assert type(frame) is pd.DataFrame
    assert frame["geometry"][0] == {"x": -117.18, "y": 34.05, "z": 350.5}
    assert frame["geometry"][3] is None
    assert frame.attrs["spatialReference"] == {"wkid": 4326, "latestWkid": 4326}


def test_a_big_feature_set_converts():
    frame = to_python("GPFeatureRecordSetLayer", big_points(5000))
    assert frame.shape == (5000, 6) and frame.geometry.notna().all()
    assert str(frame["population"].dtype) == "Int64" and frame["population"].isna().any()


# -- files, references, unknown types -------------------------------------------------------------
def test_files_use_the_downloader_and_stay_urls_without_one(tmp_path):
    target = tmp_path / "report.csv"
    asked: list[str] = []

    def download(url):
        asked.append(url)
        return target

    assert sample("GPDataFile", download=download) == target
    assert sample("GPRasterData", download=download) == target
    assert asked[1].endswith("/slope.tif")
    plain = sample("GPRasterDataLayer")
    assert isinstance(plain, ResultURL) and plain.kind == "file" and plain.format == "tif"
    assert to_python("GPDataFile", "http://h/x.zip", download=download) == target


def test_map_images_and_services_are_not_downloaded():
    def download(url):
        raise AssertionError("must not download")

    image = to_python("GPRasterDataLayer", {"mapImage": {"href": "http://h/i.png"}},
                      download=download)
    assert isinstance(image, ResultURL) and image.url == "http://h/i.png"
    assert image.kind == "map image"
    service = to_python("GPRasterDataLayer", {
        "url": "https://h/server/rest/services/Hosted/slope/ImageServer", "itemId": "abc"},
        download=download)
    assert isinstance(service, ResultURL) and service.kind == "service"
    assert to_python("GPDataFile", {"url": ""}, download=download) is None
    assert to_python("GPDataFile", None, download=download) is None


def test_fields_are_names_with_their_type():
    # Esri documents dataType "Field" (gp_result_field_datatype_esri_doc.json); "GPField" too
    for data_type in ("Field", "GPField"):
        got = to_python(data_type, {"name": "GiPValue", "type": "esriFieldTypeInteger",
                                    "alias": "Gi P"})
        assert isinstance(got, Field) and got == "GiPValue" and got.type == "esriFieldTypeInteger"
        assert got.alias == "Gi P" and describe(got) == ("Field", "Integer")
    assert to_python("GPField", "pop") == "pop" and to_python("Field", None) is None


def test_value_tables_are_frames():
    rows = to_python("GPValueTable", [{"output long column": 563, "output double column": -657.5},
                                      {"output long column": -87, "output double column": 567.4}])
    assert list(rows.columns) == ["output long column", "output double column"]
    assert rows["output long column"].tolist() == [563, -87] and len(rows) == 2
    assert to_python("GPValueTable", [[1, "a"], [2, "b"]]).shape == (2, 2)


def test_unknown_types_come_back_raw():
    assert sample("GPUnknownType") == {"anything": [1, 2]}
    assert to_python("", [1]) == [1]


def test_conversion_errors_are_result_errors_with_the_param_name():
    with pytest.raises(ResultError, match="'count'.*GPLong") as info:
        convert_result({"paramName": "count", "dataType": "GPLong", "value": "many"})
    assert info.value.param == "count" and isinstance(info.value.__cause__, ValueError)
    with pytest.raises(ResultError, match="'table'"):
        convert_result({"paramName": "table", "dataType": "GPRecordSet", "value": [1, 2]})
    with pytest.raises(ResultError, match="'flag'.*not a boolean"):
        convert_result({"paramName": "flag", "dataType": "GPBoolean", "value": "maybe"})


def test_download_errors_get_the_param_name():
    def download(url):
        raise ResultError("download of x.csv failed: HTTP 404 Not Found")

    with pytest.raises(ResultError, match="^result 'out': download of x.csv") as info:
        convert_result({"paramName": "out", "dataType": "GPDataFile",
                        "value": {"url": "http://h/x.csv"}}, download=download)
    assert info.value.param == "out"


# -- describe -------------------------------------------------------------------------------------
def test_describe(tmp_path):
    file = tmp_path / "f.bin"
    file.write_bytes(b"x" * 2_100_000)
    assert describe(sample("GPRecordSet")) == ("DataFrame", "3 rows × 5 columns")
    assert describe(sample("GPFeatureRecordSetLayer")) == ("GeoDataFrame", "4 rows × 6 columns")
    assert describe(to_python("GPFeatureRecordSetLayer", big_points(1200))) == (
        "GeoDataFrame", "1,200 rows × 6 columns")
    assert describe(sample("GPRecordSet_empty")) == ("DataFrame", "0 rows × 5 columns")
    assert describe(file) == ("Path", "2.1 MB")
    assert describe(Path("/nope")) == ("Path", "missing")
    assert describe(sample("GPDate")) == ("datetime", "")
    assert describe([1, 2, 3]) == ("list", "3 items") and describe(["a"]) == ("list", "1 item")
    assert describe({"a": 1}) == ("dict", "1 key")
    assert describe(LinearUnit(5, "esriMiles")) == ("LinearUnit", "5 mi")
    assert describe(sample("GPFeatureRecordSetLayer_url")) == ("URL", "layer")
    assert describe(None) == ("None", "") and describe(42) == ("int", "")
