"""Realistic values for every GP output data type, served by the loopback server.

``SAMPLES[name]`` is ``(dataType, value)``; values that point at files use ``{base}`` for the
server URL and are filled in when served. ``FILES`` are served under ``/arcgis/rest/directories``.
"""

from __future__ import annotations

import functools
import math
import random
from typing import Any

WGS84 = {"wkid": 4326, "latestWkid": 4326}
WEB_MERCATOR = {"wkid": 102100, "latestWkid": 3857}
FILE_ROOT = "/arcgis/rest/directories/arcgisjobs/files"

FIELDS = [
    {"name": "OBJECTID", "type": "esriFieldTypeOID", "alias": "OBJECTID"},
    {"name": "name", "type": "esriFieldTypeString", "alias": "Name", "length": 50},
    {"name": "population", "type": "esriFieldTypeInteger", "alias": "Population"},
    {"name": "area_km2", "type": "esriFieldTypeDouble", "alias": "Area (km²)"},
    {"name": "surveyed", "type": "esriFieldTypeDate", "alias": "Surveyed"},
]
ROWS = [
    {"OBJECTID": 1, "name": "Redlands", "population": 73168, "area_km2": 93.1,
     "surveyed": 1700000000000},
    {"OBJECTID": 2, "name": "Loma Linda", "population": None, "area_km2": 19.3,
     "surveyed": None},
    {"OBJECTID": 3, "name": "Yucaipa, \"the\" <city>", "population": 54542, "area_km2": None,
     "surveyed": 1577836800000},
]


def _record_set() -> dict[str, Any]:
    return {"fields": FIELDS, "features": [{"attributes": dict(r)} for r in ROWS],
            "exceededTransferLimit": False}


def _points() -> dict[str, Any]:
    coords = [(-117.18, 34.05, 350.5), (-117.26, 34.05, 380.0), (-117.04, 34.03, 810.2)]
    features = [{"geometry": {"x": x, "y": y, "z": z}, "attributes": dict(r)}
                for (x, y, z), r in zip(coords, ROWS, strict=True)]
    features.append({"geometry": None, "attributes": {**ROWS[0], "OBJECTID": 4,
                                                      "name": "No geometry"}})
    return {"geometryType": "esriGeometryPoint", "spatialReference": WGS84, "hasZ": True,
            "fields": FIELDS, "features": features}


def _polygons() -> dict[str, Any]:
    # Esri rings: exterior clockwise, holes counter-clockwise. Feature 1: a square with a hole.
    # Feature 2: two parts (multipart), the first with a hole.
    square = [[0, 0], [0, 10], [10, 10], [10, 0], [0, 0]]
    hole = [[3, 3], [6, 3], [6, 6], [3, 6], [3, 3]]
    island = [[20, 0], [20, 5], [25, 5], [25, 0], [20, 0]]
    fields = FIELDS[:2]
    return {"geometryType": "esriGeometryPolygon", "spatialReference": WEB_MERCATOR,
            "fields": fields,
            "features": [
                {"geometry": {"rings": [square, hole]},
                 "attributes": {"OBJECTID": 1, "name": "with hole"}},
                {"geometry": {"rings": [square, hole, island]},
                 "attributes": {"OBJECTID": 2, "name": "multipart"}},
            ]}


def _polylines() -> dict[str, Any]:
    return {"geometryType": "esriGeometryPolyline",
            "spatialReference": {"wkt": 'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID['
                                        '"WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich"'
                                        ',0.0],UNIT["Degree",0.0174532925199433]]'},
            "fields": FIELDS[:2],
            "features": [
                {"geometry": {"paths": [[[-117.2, 34.0], [-117.1, 34.1]]]},
                 "attributes": {"OBJECTID": 1, "name": "one path"}},
                {"geometry": {"paths": [[[-117.2, 34.0], [-117.1, 34.1]],
                                        [[-117.0, 34.2], [-116.9, 34.3], [-116.8, 34.2]]]},
                 "attributes": {"OBJECTID": 2, "name": "two paths"}},
            ]}


def _feature_collection() -> dict[str, Any]:
    """A feature collection layer, as Spatial Analysis and GP services return one."""
    points = _points()
    return {"layerDefinition": {"name": "Buffers", "geometryType": "esriGeometryPoint",
                                "objectIdField": "OBJECTID", "fields": FIELDS,
                                "extent": {"spatialReference": WGS84}},
            "featureSet": {"geometryType": "esriGeometryPoint", "spatialReference": WGS84,
                           "features": points["features"][:3]}}


CIRCLE_RADIUS = 1000.0
CIRCLE_CENTRE = (-13046000.0, 4036000.0)


def _true_curve_buffer() -> dict[str, Any]:
    """A buffer circle stored as one arc (end = start), as ArcGIS Pro's Buffer writes it."""
    cx, cy = CIRCLE_CENTRE
    start = [cx, cy + CIRCLE_RADIUS]
    return {"geometryType": "esriGeometryPolygon", "spatialReference": WEB_MERCATOR,
            "fields": FIELDS[:2],
            "features": [{"geometry": {"curveRings": [[start, {"a": [start, [cx, cy], 0, 1]}]]},
                          "attributes": {"OBJECTID": 1, "name": "1 km buffer"}}]}


SA_ITEM_ID = "3754b700a028480da874f6cd6e100e65"


@functools.lru_cache(maxsize=2)
def big_points(count: int = 50_000) -> dict[str, Any]:
    """A deterministic feature set of *count* points (cached)."""
    rng = random.Random(42)
    towns = [(-117.2 + rng.uniform(-2, 2), 34.5 + rng.uniform(-2, 2), rng.uniform(0.05, 0.4))
             for _ in range(7)]

    def place() -> tuple[float, float]:  # most sites cluster around towns, some lie anywhere
        if rng.random() < 0.08:
            return -120 + rng.random() * 6, 32 + rng.random() * 6
        x, y, spread = rng.choice(towns)
        return (min(-114.0, max(-120.0, rng.gauss(x, spread))),
                min(38.0, max(32.0, rng.gauss(y, spread))))

    sites = [place() for _ in range(count)]
    features = [{"geometry": {"x": round(sites[i][0], 6), "y": round(sites[i][1], 6)},
                 "attributes": {"OBJECTID": i + 1, "name": f"site {i + 1}",
                                "population": rng.randint(0, 10_000) if i % 17 else None,
                                "area_km2": round(rng.random() * 100, 3),
                                "surveyed": 1600000000000 + i * 60_000}}
                for i in range(count)]
    return {"geometryType": "esriGeometryPoint", "spatialReference": WGS84, "fields": FIELDS,
            "features": features, "exceededTransferLimit": False}


SAMPLES: dict[str, tuple[str, Any]] = {
    "GPString": ("GPString", "Buffered 3 features"),
    "GPString_null": ("GPString", None),
    "GPSQLExpression": ("GPSQLExpression", "population > 50000"),
    "GPField": ("GPField", {"name": "population", "type": "esriFieldTypeInteger",
                            "alias": "Population"}),
    "GPLong": ("GPLong", 42),
    "GPLong_null": ("GPLong", None),
    "GPDouble": ("GPDouble", 3.14159),
    "GPDouble_null": ("GPDouble", None),
    "GPBoolean": ("GPBoolean", True),
    "GPDate": ("GPDate", 1700000000000),
    "GPDate_null": ("GPDate", None),
    "GPLinearUnit": ("GPLinearUnit", {"distance": 5, "units": "esriMiles"}),
    "GPArealUnit": ("GPArealUnit", {"area": 2, "units": "esriSquareKilometers"}),
    "GPRecordSet": ("GPRecordSet", _record_set()),
    "GPRecordSet_empty": ("GPRecordSet", {"fields": FIELDS, "features": []}),
    "GPFeatureRecordSetLayer": ("GPFeatureRecordSetLayer", _points()),
    "GPFeatureRecordSetLayer_polygons": ("GPFeatureRecordSetLayer", _polygons()),
    "GPFeatureRecordSetLayer_polylines": ("GPFeatureRecordSetLayer", _polylines()),
    "GPFeatureRecordSetLayer_url": ("GPFeatureRecordSetLayer",
                                    {"url": "{base}/arcgis/rest/services/Demo/MapServer/0"}),
    "GPFeatureRecordSetLayer_50k": ("GPFeatureRecordSetLayer", None),  # big_points(), lazily
    "GPDataFile": ("GPDataFile", {"url": "{base}" + FILE_ROOT + "/report.csv"}),
    "GPDataFile_large": ("GPDataFile", {"url": "{base}" + FILE_ROOT + "/large.bin"}),
    "GPDataFile_missing": ("GPDataFile", {"url": "{base}" + FILE_ROOT + "/missing.csv"}),
    "GPRasterDataLayer": ("GPRasterDataLayer",
                          {"url": "{base}" + FILE_ROOT + "/elevation.tif", "format": "tif"}),
    "GPRasterData": ("GPRasterData", {"url": "{base}" + FILE_ROOT + "/slope.tif",
                                      "format": "tif"}),
    "GPRasterDataLayer_mapImage": ("GPRasterDataLayer", {"mapImage": {
        "href": "{base}" + FILE_ROOT + "/map.png", "width": 240, "height": 160,
        "extent": {"xmin": -117.3, "ymin": 33.9, "xmax": -116.9, "ymax": 34.2,
                   "spatialReference": WGS84}, "scale": 250000}}),
    "GPDataFile_png": ("GPDataFile", {"url": "{base}" + FILE_ROOT + "/chart.png"}),
    "GPMultiValue:GPString": ("GPMultiValue:GPString", ["a", "b", None]),
    "GPMultiValue:GPDouble": ("GPMultiValue:GPDouble", [1.5, 2.5]),
    "GPMultiValue:GPDate": ("GPMultiValue:GPDate", [1700000000000, None]),
    "GPUnknownType": ("GPSomethingNew", {"anything": [1, 2]}),
    "Field": ("Field", {"name": "GiPValue", "type": "esriFieldTypeInteger", "alias": "GiPValue",
                        "editable": True, "nullable": True, "length": 0}),
    "GPValueTable": ("GPValueTable", [{"field": "population", "statistic": "SUM"},
                                      {"field": "area_km2", "statistic": "MEAN"}]),
    "GPFeatureRecordSetLayer_collection": ("GPFeatureRecordSetLayer", _feature_collection()),
    "GPFeatureRecordSetLayer_curves": ("GPFeatureRecordSetLayer", _true_curve_buffer()),
    # Spatial Analysis outputs: objects under "GPString" (a hosted layer, an item, a collection)
    "GPRasterDataLayer_imageService": ("GPRasterDataLayer", {
        "url": "{base}/arcgis/rest/services/Hosted/Slope/ImageServer", "format": ""}),
    "GPString_layer": ("GPString", {"url": "{base}/arcgis/rest/services/Hosted/Buffers/"
                                           "FeatureServer/0"}),
    "GPString_item": ("GPString", {"itemId": SA_ITEM_ID, "url": "{base}/sharing/rest/content/"
                                                                f"items/{SA_ITEM_ID}"}),
    "GPString_collection": ("GPString", _feature_collection()),
}
# One of each data type, as the "AllTypes" demo task returns them.
ALL_TYPES = [name for name in SAMPLES
             if not name.endswith(("_null", "_empty", "_url", "_50k", "_large", "_missing",
                                   "_imageService",
                                   "_mapImage", "_png",
                                   "_polygons", "_polylines", "_collection", "_curves",
                                   "_layer", "_item"))]
# What Spatial Analysis's CreateBuffers answers: its three output forms.
SPATIAL_ANALYSIS = {"bufferLayer": "GPString_layer", "bufferItem": "GPString_item",
                    "bufferCollection": "GPString_collection"}

def _png(width: int, height: int) -> bytes:
    from .http import tiny_png

    return tiny_png(width, height)


LARGE_FILE_SIZE = 20 * 1024 * 1024
FILES: dict[str, tuple[str, bytes | int]] = {
    "report.csv": ("text/csv", b"name,population\nRedlands,73168\nLoma Linda,24791\n"),
    "elevation.tif": ("image/tiff", b"II*\x00" + bytes(252)),
    "slope.tif": ("image/tiff", b"II*\x00" + bytes(124)),
    "large.bin": ("application/octet-stream", LARGE_FILE_SIZE),  # generated while streaming
    "tiles.vtpk": ("application/octet-stream", b"PK\x03\x04" + bytes(60)),  # exportTiles
    "map.png": ("image/png", _png(240, 160)),       # a result map image
    "chart.png": ("image/png", _png(120, 80)),      # a file output that is a picture
}


def resolve(spec: Any) -> tuple[str, Any]:
    """A task's result spec (sample name or ``(dataType, value)``) → ``(dataType, value)``."""
    if isinstance(spec, str):
        if spec == "GPFeatureRecordSetLayer_50k":
            return "GPFeatureRecordSetLayer", big_points()
        return SAMPLES[spec]
    data_type, value = spec
    return data_type, value


def fill_base(value: Any, base: str) -> Any:
    """Replace ``{base}`` in every string of *value* by the server URL."""
    if isinstance(value, str):
        return value.replace("{base}", base)
    if isinstance(value, dict):
        return {k: fill_base(v, base) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_base(v, base) for v in value]
    return value


# -- result request options: outSR, returnZ, returnM ---------------------------------------------
def _to_mercator(x: float, y: float) -> tuple[float, float]:
    r = 6378137.0
    return math.radians(x) * r, math.log(math.tan(math.pi / 4 + math.radians(y) / 2)) * r


def _to_wgs84(x: float, y: float) -> tuple[float, float]:
    r = 6378137.0
    return math.degrees(x / r), math.degrees(2 * math.atan(math.exp(y / r)) - math.pi / 2)


_WKID_ALIASES = {102100: 3857, 102113: 3857, 900913: 3857}
_PROJECT = {(4326, 3857): _to_mercator, (3857, 4326): _to_wgs84}


def _map_xy(geometry: dict[str, Any], fn) -> dict[str, Any]:
    def pt(p):
        x, y = fn(p[0], p[1])
        return [x, y, *p[2:]]

    out = dict(geometry)
    if "x" in geometry and geometry["x"] is not None:
        out["x"], out["y"] = fn(geometry["x"], geometry["y"])
    for key in ("paths", "rings"):
        if key in geometry:
            out[key] = [[pt(p) for p in part] for part in geometry[key]]
    if "points" in geometry:
        out["points"] = [pt(p) for p in geometry["points"]]
    return out


def _strip(geometry: dict[str, Any], z: bool, m: bool) -> dict[str, Any]:
    out = {k: v for k, v in geometry.items() if (k != "z" or z) and (k != "m" or m)}
    return out


def apply_options(value: dict[str, Any], out_sr: str | None, return_z: bool,
                  return_m: bool) -> dict[str, Any]:
    """Reproject (4326 ↔ 3857) and drop z/m of a feature set as a GP server would.

    Raises ValueError for an output spatial reference this little server cannot project to.
    """
    if not isinstance(value, dict) or "features" not in value or "geometryType" not in value:
        return value
    features = value["features"]
    fn = None
    sr = value.get("spatialReference") or {}
    if out_sr:
        target = int(out_sr) if str(out_sr).isdigit() else None
        source = _WKID_ALIASES.get(sr.get("latestWkid") or sr.get("wkid"),
                                   sr.get("latestWkid") or sr.get("wkid"))
        target = _WKID_ALIASES.get(target, target)
        if target is None or (source != target and (source, target) not in _PROJECT):
            raise ValueError(f"Invalid outSR: cannot project from {source} to {out_sr}")
        fn = _PROJECT.get((source, target))
        sr = {"wkid": int(out_sr), "latestWkid": target}
    new_features = []
    for feature in features:
        geometry = feature.get("geometry")
        if geometry:
            geometry = _strip(geometry, return_z, return_m)
            if fn is not None:
                geometry = _map_xy(geometry, fn)
        new_features.append({**feature, "geometry": geometry})
    out = {**value, "features": new_features, "spatialReference": sr}
    out["hasZ"] = bool(return_z and value.get("hasZ"))
    if not out["hasZ"]:
        out.pop("hasZ")
    return out
