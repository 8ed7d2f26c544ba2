"""Record sets and feature sets ⇄ typed ``pandas`` / ``geopandas`` frames.

THE field-type table (:data:`FIELD_TYPES`, one row per Esri field type) decides column dtypes;
geometry comes from :mod:`gpjob_widget.geometry`. The other way (frames as task inputs), dtypes
decide field types and values become plain JSON (:func:`frame_to_record_set`,
:func:`frame_to_feature_set`, :func:`frame_to_geojson`). pandas / geopandas are imported on first
use.
"""

from __future__ import annotations

import contextlib
import gc
import math
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, time, timedelta, timezone
from typing import Any

from .geometry import (
    crs_of,
    esri_geometry_type,
    geometries_to_shapes,
    shapes_to_geometries,
    spatial_reference,
)

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y")


def to_datetime(value: Any, _download: Any = None) -> datetime | None:
    """Epoch milliseconds (UTC), an ISO string or ``m/d/Y [H:M:S]`` → aware datetime.

    Naive strings are taken as UTC; a string with an offset keeps its offset.
    """
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            return None
        return EPOCH + timedelta(milliseconds=value)
    text = str(value).strip()
    if re.fullmatch(r"-?\d+(\.\d*)?", text):
        return EPOCH + timedelta(milliseconds=float(text))
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"not a date: {text!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


# -- tables: one row per field type ---------------------------------------------------------------
def _ints(values: list[Any]) -> Any:
    import pandas as pd

    try:
        return pd.array(values, dtype="Int64")  # exact for BigInteger (no float round trip)
    except (TypeError, ValueError):
        return _floats(values)  # e.g. 3.5 in an Integer field: keep the value


def _floats(values: list[Any]) -> Any:
    import numpy as np

    try:
        return np.array(values, dtype="float64")  # None → NaN
    except (TypeError, ValueError):
        return _untyped(values)


def _strings(values: list[Any]) -> Any:
    import pandas as pd

    return pd.array(values, dtype="string")


def _untyped(values: list[Any]) -> Any:
    import numpy as np

    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


def _dates(values: list[Any]) -> Any:
    """Epoch ms (UTC) → ``datetime64[ms, UTC]``; ISO strings are tolerated."""
    import numpy as np
    import pandas as pd

    try:
        ms = np.array(values, dtype="float64")
    except (TypeError, ValueError):  # strings among the numbers
        parsed = [to_datetime(v) for v in values]
        return pd.to_datetime(pd.Series(parsed, dtype=object), utc=True).dt.as_unit("ms").array
    missing = np.isnan(ms)
    whole = np.where(missing, np.iinfo(np.int64).min, np.nan_to_num(ms)).astype("int64")
    return pd.Series(whole.view("datetime64[ms]")).dt.tz_localize("UTC").array


def _day(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value.strip()) <= 10:  # "2024-05-01"
        return datetime.fromisoformat(value.strip())
    return to_datetime(value).replace(tzinfo=None)  # type: ignore[union-attr]


def _date_only(values: list[Any]) -> Any:
    """``"2024-05-01"`` → naive ``datetime64[ms]`` at midnight (as GDAL/pyogrio read DATE)."""
    import pandas as pd

    parsed = [_day(v) for v in values]
    return pd.to_datetime(pd.Series(parsed, dtype=object)).dt.as_unit("ms").array


def _time_only(values: list[Any]) -> Any:
    """``"14:35:00"`` → ``datetime.time`` objects (pandas has no time dtype)."""
    return _untyped([None if v is None or v == "" else time.fromisoformat(str(v))
                     for v in values])


def _timestamp_offset(values: list[Any]) -> Any:
    """ISO strings with offsets → tz-aware datetime64: that offset when all share one, else UTC."""
    import pandas as pd

    parsed = [to_datetime(v) for v in values]
    column = pd.to_datetime(pd.Series(parsed, dtype=object), utc=True).dt.as_unit("ms")
    offsets = {d.utcoffset() for d in parsed if d is not None}
    if len(offsets) == 1:
        column = column.dt.tz_convert(timezone(offsets.pop()))  # type: ignore[arg-type]
    return column.array


FIELD_TYPES: dict[str, Callable[[list[Any]], Any]] = {
    "esriFieldTypeOID": _ints, "esriFieldTypeSmallInteger": _ints,
    "esriFieldTypeInteger": _ints, "esriFieldTypeBigInteger": _ints, "esriFieldTypeLong": _ints,
    "esriFieldTypeSingle": _floats, "esriFieldTypeDouble": _floats, "esriFieldTypeFloat": _floats,
    "esriFieldTypeString": _strings, "esriFieldTypeGUID": _strings,
    "esriFieldTypeGlobalID": _strings, "esriFieldTypeXML": _strings,
    "esriFieldTypeDate": _dates, "esriFieldTypeDateOnly": _date_only,
    "esriFieldTypeTimeOnly": _time_only, "esriFieldTypeTimestampOffset": _timestamp_offset,
}
# The JS API's short names for the same field types (seen in feature collections).
FIELD_TYPE_ALIASES = {
    "oid": "esriFieldTypeOID", "small-integer": "esriFieldTypeSmallInteger",
    "integer": "esriFieldTypeInteger", "big-integer": "esriFieldTypeBigInteger",
    "long": "esriFieldTypeLong", "single": "esriFieldTypeSingle", "double": "esriFieldTypeDouble",
    "string": "esriFieldTypeString", "guid": "esriFieldTypeGUID",
    "global-id": "esriFieldTypeGlobalID", "xml": "esriFieldTypeXML", "date": "esriFieldTypeDate",
    "date-only": "esriFieldTypeDateOnly", "time-only": "esriFieldTypeTimeOnly",
    "timestamp-offset": "esriFieldTypeTimestampOffset", "geometry": "esriFieldTypeGeometry",
}
NOT_ATTRIBUTES = {"esriFieldTypeGeometry"}  # the shape lives in the geometry, not a column


def record_set_frame(value: Mapping[str, Any]) -> Any:
    """A GPRecordSet / feature set's attributes → ``pandas.DataFrame`` typed by field type.

    Columns follow the field order (also when there are no features); attributes the field list
    does not declare become extra columns. ``df.attrs`` keeps ``exceededTransferLimit`` and the
    field aliases.
    """
    import pandas as pd

    rows = [f.get("attributes") or {} for f in value.get("features") or []]
    kinds: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for field in value.get("fields") or []:
        name = field.get("name")
        kind = FIELD_TYPE_ALIASES.get(field.get("type", ""), field.get("type", ""))
        if name and name not in kinds and kind not in NOT_ATTRIBUTES:
            kinds[name] = kind
            if field.get("alias") and field["alias"] != name:
                aliases[name] = field["alias"]
    names = list(kinds)
    names += dict.fromkeys(k for row in rows for k in row if k not in kinds)
    columns = {}
    for name in names:
        values = [row.get(name) for row in rows]
        build = FIELD_TYPES.get(kinds.get(name, ""))
        columns[name] = build(values) if build else pd.Series(values, dtype=object).infer_objects()
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(rows)))
    frame.attrs["exceededTransferLimit"] = bool(value.get("exceededTransferLimit", False))
    if aliases:
        frame.attrs["aliases"] = aliases
    return frame


def is_feature_collection(value: Any) -> bool:
    """``{"layerDefinition", "featureSet"}`` (a feature collection layer) or ``{"layers": […]}``."""
    return isinstance(value, Mapping) and (
        isinstance(value.get("featureSet"), Mapping) or (
            isinstance(value.get("layers"), list) and
            any(isinstance(layer, Mapping) and "featureSet" in layer for layer in value["layers"])))


def as_feature_set(layer: Mapping[str, Any]) -> dict[str, Any]:
    """A feature collection layer → one feature set: features from ``featureSet``; fields,
    geometry type and spatial reference from wherever the layer keeps them."""
    definition = layer.get("layerDefinition") or {}
    features = dict(layer.get("featureSet") or {})
    for key in ("fields", "geometryType", "hasZ", "hasM", "spatialReference"):
        if not features.get(key) and definition.get(key):
            features[key] = definition[key]
    if not features.get("spatialReference"):
        extent = definition.get("extent") or {}
        if isinstance(extent, Mapping) and extent.get("spatialReference"):
            features["spatialReference"] = extent["spatialReference"]
    return features


def feature_collection(value: Mapping[str, Any]) -> Any:
    """A feature collection → a (Geo)DataFrame; several layers → ``{layer name: frame}``."""
    layers = value.get("layers", [value])
    layers = [layer for layer in layers if isinstance(layer, Mapping) and "featureSet" in layer]
    frames = {str((layer.get("layerDefinition") or {}).get("name") or f"layer {i}"):
              features_frame(as_feature_set(layer)) for i, layer in enumerate(layers)}
    return next(iter(frames.values())) if len(frames) == 1 else frames


def features_frame(value: Mapping[str, Any]) -> Any:
    """A feature set → ``geopandas.GeoDataFrame`` (a typed DataFrame when it has no geometry or
    geopandas is missing)."""
    frame = record_set_frame(value)
    geometries = [f.get("geometry") for f in value.get("features") or []]
    sr = value.get("spatialReference")
    for key in ("geometryType", "spatialReference", "hasZ", "hasM"):
        if value.get(key) is not None:
            frame.attrs[key] = value[key]
    if "geometry" in frame.columns:  # an attribute called "geometry" must not be lost
        frame = frame.rename(columns={"geometry": "geometry_attribute"})
    if not any(geometries) and not value.get("geometryType"):
        return frame  # a table (e.g. a feature collection of attributes only)
    try:
        import geopandas as gpd
    except ImportError:
        frame["geometry"] = geometries  # the geometry JSON as it came
        return frame
    shapes = geometries_to_shapes(geometries, bool(value.get("hasZ")),
                                  str(value.get("geometryType") or ""))
    return gpd.GeoDataFrame(frame, geometry=shapes, crs=crs_of(sr))



@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a big result is converted.

    Building 100,000s of (acyclic) shapes and values otherwise triggers full collections that walk
    the whole parsed JSON again and again: about half the conversion time of a large feature set.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()



def geojson_frame(collection: Mapping[str, Any]) -> Any:
    """A GeoJSON FeatureCollection → ``GeoDataFrame`` (EPSG:4326 unless it names a ``crs``)."""
    crs = "EPSG:4326"
    named = ((collection.get("crs") or {}).get("properties") or {}).get("name")
    if isinstance(named, str) and named:
        crs = re.sub(r"^urn:ogc:def:crs:(\w+)::?(\d+)$", r"\1:\2", named).replace(
            "OGC:CRS84", "EPSG:4326")
    features = list(collection.get("features") or [])
    try:
        import geopandas as gpd
    except ImportError:
        import pandas as pd

        return pd.DataFrame([{**(f.get("properties") or {}), "geometry": f.get("geometry")}
                             for f in features])
    if not features:
        return gpd.GeoDataFrame(geometry=[], crs=crs)
    return gpd.GeoDataFrame.from_features(features, crs=crs)


# -- frames → Esri JSON / GeoJSON (task inputs) ---------------------------------------------------
OID_NAMES = {"objectid", "fid", "oid"}  # a non-null integer column named so is the OID field
INT32 = (-(2**31), 2**31 - 1)
_OBJECT_KINDS = {"boolean": "bool", "integer": "int", "floating": "float", "decimal": "float",
                 "mixed-integer-float": "float", "datetime": "date", "datetime64": "date",
                 "date": "day", "time": "time"}


def _kind_of_column(column: Any) -> str:
    """A column's dtype (objects: its values) → bool, int, float, date, day, time or string."""
    from pandas.api import types

    dtype = column.dtype
    if types.is_bool_dtype(dtype):
        return "bool"
    if types.is_integer_dtype(dtype):
        return "int"
    if types.is_float_dtype(dtype):
        return "float"
    if types.is_datetime64_any_dtype(dtype):
        return "date"
    if types.is_object_dtype(dtype):
        return _OBJECT_KINDS.get(types.infer_dtype(column, skipna=True), "string")
    return "string"  # strings, categories, timedeltas, other geometry columns, …: as text


def _nulls(values: list[Any], missing: Any) -> list[Any]:
    import numpy as np

    for i in np.flatnonzero(missing):
        values[i] = None
    return values


def _encode_ints(column: Any) -> tuple[str, list[Any]]:
    import pandas as pd

    if pd.api.types.is_object_dtype(column.dtype):
        column = column.astype("Int64")
    missing = pd.isna(column).to_numpy()
    data = column.to_numpy(dtype=getattr(column.dtype, "numpy_dtype", column.dtype), na_value=0)
    present = data[~missing]
    small = not len(present) or (int(present.min()) >= INT32[0] and int(present.max()) <= INT32[1])
    kind = "esriFieldTypeInteger" if small else "esriFieldTypeBigInteger"
    return kind, _nulls(data.tolist(), missing)


def _encode_floats(column: Any) -> tuple[str, list[Any]]:
    import numpy as np

    data = column.to_numpy(dtype="float64", na_value=np.nan)
    return "esriFieldTypeDouble", _nulls(data.tolist(), ~np.isfinite(data))  # ±inf: null too


def _encode_bools(column: Any, geojson: bool) -> tuple[str, list[Any]]:
    import pandas as pd

    missing = pd.isna(column).to_numpy()
    data = column.astype("boolean").to_numpy(dtype=bool, na_value=False)
    values = data.tolist() if geojson else data.astype("int64").tolist()
    return "esriFieldTypeSmallInteger", _nulls(values, missing)


def _encode_dates(column: Any, geojson: bool) -> tuple[str, list[Any]]:
    """Naive = UTC, aware → UTC; epoch milliseconds (GeoJSON: ISO 8601 ``…Z`` strings)."""
    import numpy as np
    import pandas as pd

    ms = pd.to_datetime(column, utc=True).dt.tz_localize(None).to_numpy(dtype="datetime64[ms]")
    values = ([f"{t}Z" for t in np.datetime_as_string(ms, unit="ms")] if geojson else
              ms.astype("int64").tolist())
    return "esriFieldTypeDate", _nulls(values, np.isnat(ms))


def _encode_text(column: Any, kind: str) -> tuple[str, list[Any]]:
    """Strings as they are, anything else as ``str()``; dates and times as ISO 8601."""
    import pandas as pd

    missing = pd.isna(column).to_numpy()
    text = str if kind == "string" else lambda v: v.isoformat()
    values = [None if m else text(v) for v, m in
              zip(column.to_numpy(dtype=object), missing, strict=True)]
    return {"day": "esriFieldTypeDateOnly", "time": "esriFieldTypeTimeOnly"}.get(
        kind, "esriFieldTypeString"), values


def _encode_column(column: Any, geojson: bool = False) -> tuple[str, list[Any]]:
    """A column → (Esri field type, JSON-able values: plain Python, None for every null)."""
    import pandas as pd

    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(object)
    kind = _kind_of_column(column)
    with contextlib.suppress(TypeError, ValueError, OverflowError):  # odd objects: as text
        if kind == "bool":
            return _encode_bools(column, geojson)
        if kind == "int":
            return _encode_ints(column)
        if kind == "float":
            return _encode_floats(column)
        if kind == "date":
            return _encode_dates(column, geojson)
    return _encode_text(column, kind if kind in ("day", "time") else "string")


def _geometry_name(frame: Any) -> str | None:
    """The active geometry column of a GeoDataFrame (None for a plain DataFrame)."""
    try:
        return frame.geometry.name if hasattr(frame, "set_geometry") else None
    except AttributeError:  # a GeoDataFrame without an active geometry column
        return None


def _attributes(frame: Any, geojson: bool = False) -> tuple[list[dict[str, Any]], list[Any]]:
    """Every column but the geometry → (Esri fields, one ``{name: value}`` dict per row)."""
    skip = _geometry_name(frame)
    aliases = frame.attrs.get("aliases") or {}
    fields: list[dict[str, Any]] = []
    columns: list[list[Any]] = []
    for position, name in enumerate(frame.columns):
        if name == skip:
            continue
        kind, values = _encode_column(frame.iloc[:, position], geojson)
        field = {"name": str(name), "type": kind, "alias": str(aliases.get(name, name))}
        if kind == "esriFieldTypeString":
            field["length"] = max((len(v) for v in values if v is not None), default=1) or 1
        elif (kind == "esriFieldTypeInteger" and str(name).lower() in OID_NAMES
              and None not in values and not any(f["type"] == "esriFieldTypeOID" for f in fields)):
            field["type"] = "esriFieldTypeOID"
        fields.append(field)
        columns.append(values)
    names = [f["name"] for f in fields]
    rows = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    return fields, rows if columns else [{} for _ in range(len(frame))]


def frame_to_record_set(df: Any) -> dict[str, Any]:
    """A ``DataFrame`` → a GPRecordSet ``{"fields", "features": [{"attributes"}]}``.

    Field types follow the dtypes: integers → Integer (BigInteger beyond 32 bits), floats →
    Double, bools → SmallInteger 0/1, datetimes → Date in epoch ms (naive ones are UTC), dates /
    times → DateOnly / TimeOnly, anything else → String (``length``: the longest value); a
    non-null integer column called OBJECTID / FID / OID → OID. Nulls of every kind → null. The
    index and a GeoDataFrame's geometry are not written; aliases come from ``df.attrs``.
    """
    fields, rows = _attributes(df)
    return {"fields": fields, "features": [{"attributes": row} for row in rows]}


def frame_to_feature_set(gdf: Any) -> dict[str, Any]:
    """A ``GeoDataFrame`` → a feature set: its geometry in Esri JSON, attributes as in
    :func:`frame_to_record_set` (a plain DataFrame → a record set).

    ``hasZ`` is written when a shape has Z; ``spatialReference`` only when the frame has a CRS
    (ArcGIS then assumes WGS84); ``geometryType`` only when a shape (or ``gdf.attrs``) tells it.
    """
    record_set = frame_to_record_set(gdf)
    name = _geometry_name(gdf)
    if name is None:
        return record_set
    import numpy as np
    import shapely

    shapes = np.asarray(gdf[name].values, dtype=object)
    has_z = bool(shapely.has_z(shapes[~shapely.is_missing(shapes)]).any())
    out: dict[str, Any] = {}
    kind = _geometry_type(shapes) or gdf.attrs.get("geometryType")
    if kind:
        out["geometryType"] = kind
    if gdf.crs is not None:
        out["spatialReference"] = spatial_reference(gdf.crs)
    if has_z:
        out["hasZ"] = True
    geometries = shapes_to_geometries(shapes, has_z=has_z)
    features = [{"geometry": g, "attributes": f["attributes"]}
                for g, f in zip(geometries, record_set["features"], strict=True)]
    return {**out, "fields": record_set["fields"], "features": features}


def _geometry_type(shapes: Any) -> str | None:
    """The shapes' Esri type (a ValueError when they mix); None when no shape tells it."""
    import shapely

    shapes = shapes[~shapely.is_missing(shapes)]
    if not shapely.is_empty(shapes).all():
        return esri_geometry_type(shapes)
    with contextlib.suppress(ValueError):  # only empty shapes: their types, if they agree
        return esri_geometry_type(shapes)
    return None


def frame_to_geojson(gdf: Any) -> dict[str, Any]:
    """A ``GeoDataFrame`` → a GeoJSON FeatureCollection in EPSG:4326.

    Reprojected from the frame's CRS (a frame without one is taken as WGS84 already); properties
    as in :func:`frame_to_record_set`, but bools stay booleans and datetimes are ISO 8601 UTC
    strings (``2024-01-02T03:04:05.000Z``). A plain DataFrame gives features without geometry.
    """
    import shapely
    from shapely.geometry import mapping

    name = _geometry_name(gdf)
    crs = gdf.crs if name is not None else None
    if crs is not None and not crs.equals("EPSG:4326", ignore_axis_order=True):
        gdf = gdf.to_crs(4326)
    _, rows = _attributes(gdf, geojson=True)
    shapes = list(gdf[name].values) if name is not None else [None] * len(gdf)
    geometries = [None if g is None or shapely.is_empty(g) else mapping(g) for g in shapes]
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": g, "properties": p}
                         for g, p in zip(geometries, rows, strict=True)]}
