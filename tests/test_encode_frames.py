"""Frames as task inputs: DataFrame / GeoDataFrame → record set, feature set, GeoJSON (no HTTP).

Most tests go round the loop: encode, then read back with the converters results use.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, time, timedelta, timezone

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS, Transformer

from gpjob_widget import frames
from gpjob_widget.geometry import (
    crs_of,
    esri_geometry_type,
    geometries_to_shapes,
    shapes_to_geometries,
    spatial_reference,
    to_esri_geometry,
)

SQUARE = [(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]  # counter-clockwise (shapely's usual)
HOLE = [(3, 3), (3, 6), (6, 6), (6, 3), (3, 3)]  # clockwise
WITH_HOLE = shapely.Polygon(SQUARE, [HOLE])
TWO_PARTS = shapely.MultiPolygon([WITH_HOLE, shapely.Polygon(
    [(20, 0), (25, 0), (25, 5), (20, 5)], [[(21, 1), (21, 2), (22, 2), (22, 1)]])])


def dumps(value):
    return json.dumps(value, allow_nan=False)  # strict JSON: no NaN, no numpy scalars


def round_trip(gdf):
    feature_set = frames.frame_to_feature_set(gdf)
    return feature_set, frames.features_frame(json.loads(dumps(feature_set)))


def same_shapes(got, expected):
    return all((e is None and g is None) or (g is not None and g.equals(e) and g.has_z == e.has_z)
               for g, e in zip(got, expected, strict=True))


# -- geometry -------------------------------------------------------------------------------------
def test_single_geometries():
    assert to_esri_geometry(shapely.Point(1, 2, 3), has_z=True) == {"x": 1, "y": 2, "z": 3}
    assert to_esri_geometry(shapely.Point(1, 2, 3), has_z=False) == {"x": 1, "y": 2}
    assert to_esri_geometry(shapely.Point(1, 2), has_z=True) == {"x": 1, "y": 2}
    assert to_esri_geometry(shapely.MultiPoint([(0, 0), (1, 1)]), has_z=False) == {
        "points": [[0, 0], [1, 1]]}
    line = to_esri_geometry(shapely.LineString([(0, 0, 5), (1, 1, 6)]), has_z=True)
    assert line == {"hasZ": True, "paths": [[[0, 0, 5], [1, 1, 6]]]}
    assert geometries_to_shapes([line])[0].coords[1] == (1, 1, 6)  # its own hasZ keeps the Z
    assert to_esri_geometry(shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)]]),
                            has_z=False) == {"paths": [[[0, 0], [1, 1]], [[2, 2], [3, 3]]]}
    for empty in (None, shapely.Point(), shapely.Polygon(), shapely.MultiLineString()):
        assert to_esri_geometry(empty, has_z=True) is None


def test_rings_are_oriented_the_esri_way():
    # shapely's usual orientation is the opposite of Esri's: both rings get reversed
    rings = to_esri_geometry(WITH_HOLE, has_z=False)["rings"]
    assert rings == [[[0, 0], [0, 10], [10, 10], [10, 0], [0, 0]],
                     [[3, 3], [6, 3], [6, 6], [3, 6], [3, 3]]]
    assert not shapely.is_ccw(shapely.LinearRing(rings[0])) and shapely.is_ccw(
        shapely.LinearRing(rings[1]))
    already = shapely.Polygon(SQUARE[::-1], [HOLE[::-1]])  # Esri's orientation: kept as it is
    assert to_esri_geometry(already, has_z=False)["rings"] == rings


def test_many_polygons_of_either_orientation_come_back_the_same():
    rng = random.Random(3)
    shapes = []
    for i in range(2000):
        x, y = 1e7 + i * 100.0, 4e6  # Web Mercator sized coordinates, 1 m² holes
        shell = [(x, y), (x + 50, y), (x + 50, y + 50), (x, y + 50)]
        hole = [(x + 1, y + 1), (x + 1, y + 2), (x + 2, y + 2), (x + 2, y + 1)]
        island = [(x + 60, y), (x + 70, y), (x + 70, y + 10), (x + 60, y + 10)]
        flip = (lambda r: r[::-1]) if rng.random() < 0.5 else (lambda r: r)
        part = shapely.Polygon(flip(shell), [flip(hole)] if rng.random() < 0.7 else [])
        kind = rng.choice(["polygon", "multi", "null"])
        shapes.append(None if kind == "null" else part if kind == "polygon" else
                      shapely.MultiPolygon([part, shapely.Polygon(flip(island))]))
    geometries = shapes_to_geometries(shapes, has_z=False)
    for geometry, shape in zip(geometries, shapes, strict=True):
        if shape is None:
            assert geometry is None
            continue
        parts = getattr(shape, "geoms", [shape])
        ccw = [shapely.is_ccw(shapely.LinearRing(r)) for r in geometry["rings"]]
        assert len(ccw) == sum(1 + len(p.interiors) for p in parts)
        assert ccw.count(False) == len(parts)  # one clockwise exterior per part, holes ccw
    assert same_shapes(geometries_to_shapes(geometries, geometry_type="esriGeometryPolygon"),
                       shapes)


@pytest.mark.parametrize(("shapes", "expected"), [
    ([shapely.Point(0, 0), None, shapely.Point()], "esriGeometryPoint"),
    ([shapely.Point(0, 0), shapely.MultiPoint([(1, 1)])], "esriGeometryMultipoint"),
    ([shapely.LineString([(0, 0), (1, 1)]), shapely.MultiLineString([[(0, 0), (1, 1)]])],
     "esriGeometryPolyline"),
    ([WITH_HOLE, TWO_PARTS, shapely.GeometryCollection()], "esriGeometryPolygon"),
    ([shapely.Polygon(), None], "esriGeometryPolygon"),  # only empty shapes: their type
])
def test_esri_geometry_type(shapes, expected):
    assert esri_geometry_type(shapes) == expected


@pytest.mark.parametrize(("shapes", "found"), [
    ([shapely.Point(0, 0), shapely.LineString([(0, 0), (1, 1)])], "found LineString, Point"),
    ([WITH_HOLE, shapely.MultiPoint([(1, 1)])], "found MultiPoint, Polygon"),
    ([shapely.GeometryCollection([shapely.Point(0, 0)])], "found GeometryCollection"),
    ([None], "found no geometry at all"),
])
def test_mixed_geometry_types_are_a_clear_error(shapes, found):
    with pytest.raises(ValueError, match=f"one geometry type .*; {found}$"):
        esri_geometry_type(shapes)


def test_a_frame_of_mixed_geometry_types_is_refused():
    gdf = gpd.GeoDataFrame({"n": [1, 2]}, geometry=[shapely.Point(0, 0), WITH_HOLE])
    with pytest.raises(ValueError, match="found Point, Polygon"):
        frames.frame_to_feature_set(gdf)


# -- spatial reference ----------------------------------------------------------------------------
@pytest.mark.parametrize(("crs", "expected"), [
    (4326, {"wkid": 4326, "latestWkid": 4326}),
    (3857, {"wkid": 102100, "latestWkid": 3857}),  # as Esri writes Web Mercator
    ("EPSG:2227", {"wkid": 2227, "latestWkid": 2227}),
    ("ESRI:54030", {"wkid": 54030, "latestWkid": 54030}),
    ("OGC:CRS84", {"wkid": 4326, "latestWkid": 4326}),  # Esri has no axis order
])
def test_spatial_reference_of_a_coded_crs(crs, expected):
    assert spatial_reference(CRS.from_user_input(crs)) == expected
    assert crs_of(expected).equals(CRS.from_user_input(crs), ignore_axis_order=True)


def test_spatial_reference_without_a_code_is_esri_wkt():
    crs = CRS.from_proj4("+proj=tmerc +lat_0=1 +lon_0=5 +k=0.9996 +x_0=500 +y_0=0 +ellps=GRS80")
    sr = spatial_reference(crs)
    assert list(sr) == ["wkt"] and sr["wkt"].startswith("PROJCS[")
    assert 'PARAMETER["Central_Meridian",5.0]' in sr["wkt"]  # the ESRI flavour's names
    there = Transformer.from_crs(4326, crs, always_xy=True).transform(5.5, 1.5)
    back = Transformer.from_crs(4326, crs_of(sr), always_xy=True).transform(5.5, 1.5)
    assert back == pytest.approx(there, abs=1e-6)


def test_no_crs_writes_no_spatial_reference():
    assert spatial_reference(None) == {}
    feature_set, frame = round_trip(gpd.GeoDataFrame(geometry=[shapely.Point(1, 2)]))
    assert "spatialReference" not in feature_set and frame.crs is None


@pytest.mark.parametrize("epsg", [4326, 3857, 2227])
def test_feature_sets_keep_their_crs(epsg):
    feature_set, frame = round_trip(gpd.GeoDataFrame(geometry=[shapely.Point(1, 2)], crs=epsg))
    assert feature_set["spatialReference"]["latestWkid"] == epsg
    assert frame.crs.to_epsg() == epsg and frame.geometry[0].equals(shapely.Point(1, 2))


# -- feature sets ---------------------------------------------------------------------------------
def test_points_with_z():
    shapes = [shapely.Point(1, 2, 350.5), None, shapely.Point(-3.25, 4, 0)]
    gdf = gpd.GeoDataFrame({"name": ["a", "b", "c"]}, geometry=shapes, crs=4326)
    feature_set, frame = round_trip(gdf)
    assert feature_set["geometryType"] == "esriGeometryPoint" and feature_set["hasZ"] is True
    assert [f["geometry"] for f in feature_set["features"]] == [
        {"x": 1, "y": 2, "z": 350.5}, None, {"x": -3.25, "y": 4, "z": 0}]
    assert [f["name"] for f in feature_set["fields"]] == ["name"]  # no geometry attribute
    assert same_shapes(frame.geometry, shapes) and list(frame["name"]) == ["a", "b", "c"]


def test_points_without_z_say_no_has_z():
    feature_set, frame = round_trip(gpd.GeoDataFrame(geometry=[shapely.Point(1, 2)]))
    assert "hasZ" not in feature_set and not frame.geometry[0].has_z


def test_multipoints_and_points_mixed():
    shapes = [shapely.MultiPoint([(0, 0, 1), (1, 1, 2)]), shapely.Point(5, 5, 3), None]
    feature_set, frame = round_trip(gpd.GeoDataFrame(geometry=shapes, crs=3857))
    assert feature_set["geometryType"] == "esriGeometryMultipoint"
    assert feature_set["features"][1]["geometry"] == {"hasZ": True, "points": [[5, 5, 3]]}
    assert frame.geometry[0].equals(shapes[0]) and frame.geometry[0].has_z
    assert frame.geometry[1].equals(shapely.MultiPoint([(5, 5, 3)])) and frame.geometry[2] is None


def test_lines_single_and_multipart():
    shapes = [shapely.LineString([(0, 0), (1, 1), (2, 0)]),
              shapely.MultiLineString([[(0, 0), (1, 1)], [(5, 5), (6, 6), (7, 5)]]),
              shapely.LineString()]
    feature_set, frame = round_trip(gpd.GeoDataFrame(geometry=shapes, crs=2227))
    assert feature_set["geometryType"] == "esriGeometryPolyline"
    assert feature_set["features"][1]["geometry"] == {
        "paths": [[[0, 0], [1, 1]], [[5, 5], [6, 6], [7, 5]]]}
    assert feature_set["features"][2]["geometry"] is None  # empty → null
    assert same_shapes(frame.geometry, [*shapes[:2], None])


def test_lines_with_z_and_without_in_one_frame():
    shapes = [shapely.LineString([(0, 0, 5), (1, 1, 6)]), shapely.LineString([(0, 0), (2, 2)])]
    feature_set, frame = round_trip(gpd.GeoDataFrame(geometry=shapes))
    assert feature_set["hasZ"] is True
    assert feature_set["features"][0]["geometry"]["paths"] == [[[0, 0, 5], [1, 1, 6]]]
    assert feature_set["features"][1]["geometry"] == {"paths": [[[0, 0], [2, 2]]]}  # no z
    assert frame.geometry[0].coords[:] == [(0, 0, 5), (1, 1, 6)]
    assert [c[:2] for c in frame.geometry[1].coords] == [(0, 0), (2, 2)]


def test_multipart_polygons_with_holes():
    shapes = [WITH_HOLE, TWO_PARTS, None, shapely.Polygon(SQUARE[::-1])]
    feature_set, frame = round_trip(gpd.GeoDataFrame({"OBJECTID": [1, 2, 3, 4]},
                                                     geometry=shapes, crs=3857))
    assert feature_set["geometryType"] == "esriGeometryPolygon"
    assert feature_set["spatialReference"] == {"wkid": 102100, "latestWkid": 3857}
    assert len(feature_set["features"][1]["geometry"]["rings"]) == 4
    assert same_shapes(frame.geometry, shapes)
    assert list(frame.geometry.area[[0, 1, 3]]) == [91, 91 + 24, 100]
    assert frame.crs.to_epsg() == 3857 and frame.geometry.is_valid[[0, 1, 3]].all()


def test_polygons_with_z():
    shape = shapely.Polygon([(0, 0, 1), (4, 0, 2), (4, 4, 3), (0, 0, 1)])
    feature_set, frame = round_trip(gpd.GeoDataFrame(geometry=[shape]))
    ring = feature_set["features"][0]["geometry"]["rings"][0]
    assert ring == [[0, 0, 1], [4, 4, 3], [4, 0, 2], [0, 0, 1]]  # reversed, z with its vertex
    assert frame.geometry[0].equals(shape) and frame.geometry[0].has_z


def test_a_frame_read_from_a_feature_set_writes_it_back():
    source = {"geometryType": "esriGeometryPolygon",
              "spatialReference": {"wkid": 102100, "latestWkid": 3857},
              "fields": [{"name": "OBJECTID", "type": "esriFieldTypeOID", "alias": "OBJECTID"},
                         {"name": "area_km2", "type": "esriFieldTypeDouble",
                          "alias": "Area (km²)"}],
              "features": [{"geometry": {"rings": [[[0, 0], [0, 10], [10, 10], [10, 0], [0, 0]],
                                                   [[3, 3], [6, 3], [6, 6], [3, 6], [3, 3]]]},
                            "attributes": {"OBJECTID": 1, "area_km2": 0.5}},
                           {"geometry": None, "attributes": {"OBJECTID": 2, "area_km2": None}}]}
    assert frames.frame_to_feature_set(frames.features_frame(source)) == source


def test_an_empty_frame_keeps_the_geometry_type_it_was_read_with():
    source = {"geometryType": "esriGeometryPolyline", "spatialReference": {"wkid": 2227},
              "fields": [{"name": "name", "type": "esriFieldTypeString"}], "features": []}
    feature_set = frames.frame_to_feature_set(frames.features_frame(source))
    assert feature_set["geometryType"] == "esriGeometryPolyline"
    assert feature_set["spatialReference"] == {"wkid": 2227, "latestWkid": 2227}
    assert feature_set["fields"] == [{"name": "name", "type": "esriFieldTypeString",
                                      "alias": "name", "length": 1}]
    assert feature_set["features"] == []
    untyped = frames.frame_to_feature_set(gpd.GeoDataFrame(geometry=[None]))
    assert "geometryType" not in untyped and untyped["features"] == [
        {"geometry": None, "attributes": {}}]


def test_a_plain_data_frame_as_a_feature_set_is_a_record_set():
    df = pd.DataFrame({"a": [1]})
    assert frames.frame_to_feature_set(df) == frames.frame_to_record_set(df)


# -- attributes -----------------------------------------------------------------------------------
def field_types(record_set):
    return {f["name"]: f["type"] for f in record_set["fields"]}


def test_field_types_from_dtypes():
    df = pd.DataFrame({
        "OBJECTID": np.arange(1, 4), "small": np.array([1, -2, 3], dtype="int8"),
        "edge": [2**31 - 1, -(2**31), 0], "big": [2**31, 0, 1], "huge": [2**62 + 1, 0, -1],
        "nullable": pd.array([1, None, 3], dtype="Int64"), "u": np.array([1, 2, 3], "uint64"),
        "f": [1.5, 2.0, 3.0], "f32": np.array([0.5, 1, 2], dtype="float32"),
        "flag": [True, False, True], "s": ["a", "bbb", "cc"], "empty": ["", "", ""],
        "cat": pd.Categorical(["x", "yy", "x"]), "when": pd.to_datetime(["2024-01-01"] * 3),
        "day": [date(2024, 5, 1)] * 3, "at": [time(14, 35)] * 3,
    })
    rs = frames.frame_to_record_set(df)
    assert field_types(rs) == {
        "OBJECTID": "esriFieldTypeOID", "small": "esriFieldTypeInteger",
        "edge": "esriFieldTypeInteger", "big": "esriFieldTypeBigInteger",
        "huge": "esriFieldTypeBigInteger", "nullable": "esriFieldTypeInteger",
        "u": "esriFieldTypeInteger", "f": "esriFieldTypeDouble", "f32": "esriFieldTypeDouble",
        "flag": "esriFieldTypeSmallInteger", "s": "esriFieldTypeString",
        "empty": "esriFieldTypeString", "cat": "esriFieldTypeString",
        "when": "esriFieldTypeDate", "day": "esriFieldTypeDateOnly",
        "at": "esriFieldTypeTimeOnly"}
    lengths = {f["name"]: f.get("length") for f in rs["fields"]}
    assert (lengths["s"], lengths["empty"], lengths["cat"], lengths["f"]) == (3, 1, 2, None)
    first = rs["features"][0]["attributes"]
    assert first["flag"] == 1 and rs["features"][1]["attributes"]["flag"] == 0
    assert first["huge"] == 2**62 + 1 and first["day"] == "2024-05-01" and first["at"] == "14:35:00"
    back = frames.record_set_frame(json.loads(dumps(rs)))
    assert back["huge"][0] == 2**62 + 1 and back["edge"][1] == -(2**31)
    assert back["day"][0] == pd.Timestamp("2024-05-01") and back["at"][0] == time(14, 35)


def test_values_are_plain_python():
    df = pd.DataFrame({"i": np.array([7], "int32"), "u": np.array([7], "uint16"),
                       "f": np.array([0.25], "float32"), "b": np.array([True]),
                       "s": pd.array(["x"], dtype="string"), "o": [np.float64(1.5)],
                       "d": pd.to_datetime(["2024-01-01"])})
    attributes = frames.frame_to_record_set(df)["features"][0]["attributes"]
    assert {k: type(v) for k, v in attributes.items()} == {
        "i": int, "u": int, "f": float, "b": int, "s": str, "o": float, "d": int}
    assert attributes == {"i": 7, "u": 7, "f": 0.25, "b": 1, "s": "x", "o": 1.5,
                          "d": 1704067200000}


def test_nulls_in_every_column_type():
    df = pd.DataFrame({
        "i": pd.array([1, None], dtype="Int64"), "f": [1.5, np.nan], "inf": [np.inf, 2.0],
        "b": pd.array([True, None], dtype="boolean"), "s": ["a", None],
        "ss": pd.array(["a", pd.NA], dtype="string"), "d": pd.to_datetime(["2024-01-01", None]),
        "tz": pd.to_datetime(["2024-01-01T00:00:00Z", None]),
        "o": pd.Series([1, None], dtype=object), "day": [date(2024, 1, 1), None],
        "cat": pd.Categorical(["x", None]),
        "nothing": [None, None],
    })
    rs = frames.frame_to_record_set(df)
    dumps(rs)  # no NaN / NaT / pd.NA left
    second = rs["features"][1]["attributes"]
    assert second == {"i": None, "f": None, "inf": 2.0, "b": None, "s": None, "ss": None,
                      "d": None, "tz": None, "o": None, "day": None, "cat": None, "nothing": None}
    assert rs["features"][0]["attributes"]["inf"] is None  # ±inf has no JSON form: null
    back = frames.record_set_frame(rs)
    assert back.drop(columns="inf").iloc[1].isna().all() and back["i"][0] == 1 and back["b"][0] == 1
    assert back["d"][0] == back["tz"][0] == pd.Timestamp("2024-01-01", tz="UTC")


def test_dates_naive_are_utc_and_aware_are_converted():
    naive = pd.to_datetime(["2024-01-02 03:04:05.678", "1969-12-31 23:59:59", None],
                           format="ISO8601")
    aware = pd.to_datetime(["2024-01-02T03:04:05-08:00", "2024-01-02T03:04:05+01:00", None],
                           utc=True).tz_convert("America/Los_Angeles")
    mixed = [datetime(2024, 1, 2, 3, tzinfo=timezone(timedelta(hours=2))), datetime(2024, 1, 2),
             None]  # python datetimes with and without an offset, in one object column
    rs = frames.frame_to_record_set(pd.DataFrame({"naive": naive, "aware": aware, "mixed": mixed}))
    values = [[f["attributes"][k] for f in rs["features"]] for k in ("naive", "aware", "mixed")]
    assert values == [[1704164645678, -1000, None], [1704193445000, 1704161045000, None],
                      [1704157200000, 1704153600000, None]]
    back = frames.record_set_frame(rs)
    assert back["naive"][0] == pd.Timestamp("2024-01-02T03:04:05.678Z")
    assert back["aware"][0] == pd.Timestamp("2024-01-02T03:04:05-08:00")
    assert back["mixed"][0] == pd.Timestamp("2024-01-02T01:00:00Z") and pd.isna(back["mixed"][2])


def test_names_stay_and_aliases_come_back():
    df = pd.DataFrame({"Pop 2020": [1], "naïve": ["x"], 3: [2.5], "fid": [None]})
    df.attrs["aliases"] = {"Pop 2020": "Population (2020)"}
    rs = frames.frame_to_record_set(df)
    assert [(f["name"], f["alias"]) for f in rs["fields"]] == [
        ("Pop 2020", "Population (2020)"), ("naïve", "naïve"), ("3", "3"), ("fid", "fid")]
    assert field_types(rs)["fid"] == "esriFieldTypeString"  # all null: not an OID field
    assert rs["features"] == [{"attributes": {"Pop 2020": 1, "naïve": "x", "3": 2.5,
                                              "fid": None}}]
    assert frames.record_set_frame(rs).attrs["aliases"] == {"Pop 2020": "Population (2020)"}


def test_the_geometry_column_is_not_an_attribute_even_when_renamed():
    gdf = gpd.GeoDataFrame({"n": [1]}, geometry=[shapely.Point(1, 2)]).rename_geometry("shape")
    gdf["geometry"] = ["not a shape"]  # an ordinary column may still be called geometry
    feature_set = frames.frame_to_feature_set(gdf)
    assert [f["name"] for f in feature_set["fields"]] == ["n", "geometry"]
    assert feature_set["features"] == [{"geometry": {"x": 1, "y": 2},
                                        "attributes": {"n": 1, "geometry": "not a shape"}}]


def test_a_big_frame_encodes():
    n = 10_000  # about 0.15 s for the feature set and 0.2 s for GeoJSON on a laptop
    rng = np.random.default_rng(5)
    xs, ys = rng.uniform(-120, -119, n), rng.uniform(34, 35, n)
    gdf = gpd.GeoDataFrame({
        "OBJECTID": np.arange(1, n + 1), "value": rng.normal(size=n),
        "name": [f"site {i}" for i in range(n)],
        "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n), unit="min"),
    }, geometry=shapely.buffer(shapely.points(xs, ys), 0.01, quad_segs=4), crs=4326)
    feature_set = frames.frame_to_feature_set(gdf)
    assert len(feature_set["features"]) == n
    last = feature_set["features"][-1]
    assert last["attributes"]["OBJECTID"] == n and last["attributes"]["name"] == f"site {n - 1}"
    assert last["attributes"]["when"] == 1704067200000 + (n - 1) * 60_000
    back = frames.features_frame(json.loads(dumps(feature_set)))
    assert back.geometry.geom_equals_exact(gdf.geometry, tolerance=0).all()
    collection = frames.frame_to_geojson(gdf)
    assert len(collection["features"]) == n and dumps(collection)


# -- GeoJSON --------------------------------------------------------------------------------------
def test_geojson_is_wgs84_with_json_properties():
    here = shapely.Point(-13627361.0, 4548863.0)  # Web Mercator, near San Francisco
    gdf = gpd.GeoDataFrame({
        "n": pd.array([1, None], dtype="Int64"), "ok": [True, False],
        "when": pd.to_datetime(["2024-01-02T03:04:05.5-08:00", None], format="ISO8601"),
        "day": [date(2024, 5, 1), None],
    }, geometry=[here, None], crs=3857)
    collection = json.loads(dumps(frames.frame_to_geojson(gdf)))
    assert collection["type"] == "FeatureCollection" and "crs" not in collection
    first, second = collection["features"]
    lon, lat = Transformer.from_crs(3857, 4326, always_xy=True).transform(here.x, here.y)
    assert first["geometry"]["type"] == "Point"
    assert first["geometry"]["coordinates"] == pytest.approx([lon, lat])
    assert first["properties"] == {"n": 1, "ok": True, "when": "2024-01-02T11:04:05.500Z",
                                   "day": "2024-05-01"}
    assert second == {"type": "Feature", "geometry": None,
                      "properties": {"n": None, "ok": False, "when": None, "day": None}}
    back = frames.geojson_frame(collection)
    assert back.crs.to_epsg() == 4326 and back.geometry[0].x == pytest.approx(lon)


def test_geojson_keeps_wgs84_polygons_and_z_as_they_are():
    gdf = gpd.GeoDataFrame(geometry=[WITH_HOLE, shapely.Point(1, 2, 3)], crs="OGC:CRS84")
    features = json.loads(dumps(frames.frame_to_geojson(gdf)))["features"]
    assert features[0]["geometry"] == {"type": "Polygon",
                                       "coordinates": [[list(c) for c in SQUARE],
                                                       [list(c) for c in HOLE]]}
    assert features[1]["geometry"] == {"type": "Point", "coordinates": [1, 2, 3]}
    assert features[0]["properties"] == {}
