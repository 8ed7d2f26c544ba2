"""THE data-type table: a GP result's ``dataType`` → the Python object a data scientist expects.

One row per GP data type in :data:`DATA_TYPES`, one row per field type in :data:`FIELD_TYPES`.
pandas / shapely / geopandas are imported only when a table or feature set is converted.
Unknown data types come back as the raw JSON value, never a crash; a value that cannot be
converted raises :class:`~gpjob_widget.errors.ResultError` naming the parameter.

==========================  ==================================================================
dataType                    Python value
==========================  ==================================================================
GPString, GPSQLExpression   ``str`` (None for null); an object value (Spatial Analysis) is
                            converted by its shape: a feature collection → GeoDataFrame,
                            ``{"url"}`` / ``{"itemId"}`` → :class:`ResultURL` (``.read()``)
GPField, Field              :class:`Field`: a ``str`` (the field name) with ``type`` and
                            ``alias``
GPValueTable                ``pandas.DataFrame``, one row per value-table row
GPLong / GPDouble           ``int`` (3.0 → 3) / ``float``; None for null
GPBoolean                   ``bool``
GPDate                      aware ``datetime`` in UTC (epoch ms, or an ISO string)
GPLinearUnit / GPArealUnit  :class:`LinearUnit` / :class:`ArealUnit` (``str()`` → "5 mi")
GPMultiValue:<type>         ``list`` of <type>
GPRecordSet                 ``pandas.DataFrame`` typed by field type (see FIELD_TYPES)
GPFeatureRecordSetLayer     ``geopandas.GeoDataFrame`` (shapely geometry, CRS, true curves
                            densified), also from a feature collection ``{"layerDefinition",
                            "featureSet"}``; a DataFrame with geometry JSON without geopandas;
                            ``{"url"}`` or ``{"mapImage"}`` → :class:`ResultURL` (not fetched)
GPDataFile, GPRasterData,   a downloaded local ``pathlib.Path``; a ``mapImage`` or a service
GPRasterDataLayer           URL (…/ImageServer) stays a :class:`ResultURL`
OGC (API – Processes)       GeoJSON FeatureCollection → GeoDataFrame (EPSG:4326 unless a
                            ``crs``); ``{"href"}`` → downloaded file; ``{"value"}`` → the value
anything else               an object value as for GPString, else the raw JSON value
==========================  ==================================================================
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import inputs
from .errors import GPJobError, ResultError, ResultTooBig
from .frames import (
    feature_collection,
    features_frame,
    gc_paused,
    geojson_frame,
    is_feature_collection,
    record_set_frame,
    to_datetime,
)
from .inputs import Coercer
from .references import GetJSON, ResultURL
from .units import ArealUnit, LinearUnit

Download = Callable[[str], Path]


@dataclass(frozen=True)
class Fetch:
    """How a converter reaches the server: files are downloaded, references read later."""

    download: Download | None = None
    get_json: GetJSON | None = None


NO_FETCH = Fetch()

class Field(str):
    """A GPField / Field result: the field's name (use it as a column name), with its Esri
    ``type`` (``esriFieldTypeInteger``…) and ``alias``."""

    type: str
    alias: str

    def __new__(cls, name: str, type: str = "", alias: str = "") -> Field:
        field = super().__new__(cls, name)
        field.type, field.alias = type, alias or name
        return field

    def __repr__(self) -> str:
        return f"Field({str(self)!r}, type={self.type!r})"


# -- scalars --------------------------------------------------------------------------------------
def _string(value: Any, fetch: Fetch = NO_FETCH) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping | list):  # Spatial Analysis: objects under "GPString"
        return _object(value, "GPString", fetch)
    return str(value) if isinstance(value, int | float | bool) else value


def _field(value: Any, _fetch: Fetch = NO_FETCH) -> Field | None:
    if value is None or value == "":
        return None
    if isinstance(value, Mapping):
        return Field(str(value.get("name") or ""), str(value.get("type") or ""),
                     str(value.get("alias") or ""))
    return Field(str(value))


def _value_table(value: Any, _fetch: Fetch = NO_FETCH) -> Any:
    """Rows of a value table: objects keyed by column, or plain lists."""
    if value is None:
        return None
    import pandas as pd

    rows = value.get("rows", value) if isinstance(value, Mapping) else value
    return pd.DataFrame(list(rows)).infer_objects()


def _long(value: Any, _fetch: Fetch = NO_FETCH) -> int | float | None:
    if value is None or value == "":
        return None
    number = float(value) if isinstance(value, str) else value
    if isinstance(number, float):
        if math.isnan(number):
            return None
        # 3.0 → 3; a fractional value is kept as it is rather than silently truncated
        return int(number) if number.is_integer() else number
    return int(number)


def _double(value: Any, _fetch: Fetch = NO_FETCH) -> float | None:
    return None if value is None or value == "" else float(value)


def _boolean(value: Any, _fetch: Fetch = NO_FETCH) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("true", "1", "yes"):
            return True
        if word in ("false", "0", "no", ""):
            return False
        raise ValueError(f"not a boolean: {value!r}")
    return bool(value)




def _number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _linear(value: Any, _fetch: Fetch = NO_FETCH) -> LinearUnit | None:
    if value is None:
        return None
    return LinearUnit(_number(value.get("distance")), str(value.get("units") or ""))


def _areal(value: Any, _fetch: Fetch = NO_FETCH) -> ArealUnit | None:
    if value is None:
        return None
    return ArealUnit(_number(value.get("area")), str(value.get("units") or ""))


# -- feature sets and references ------------------------------------------------------------------
SERVICE_URL = re.compile(r"/(MapServer|FeatureServer|ImageServer|SceneServer|VectorTileServer)"
                         r"(/\d+)?/?$", re.IGNORECASE)


def _reference(value: Any, data_type: str, fetch: Fetch = NO_FETCH) -> ResultURL | None:
    """A value that only points somewhere: ``{"url"}`` / ``{"itemId", "url"}`` (alone),
    ``{"mapImage"}``, a URL string."""
    if isinstance(value, str) and re.match(r"https?://", value):
        return ResultURL(value, data_type, kind="layer", _get_json=fetch.get_json)
    if not isinstance(value, Mapping):
        return None
    if "mapImage" in value:
        image = value["mapImage"]
        href = image.get("href", "") if isinstance(image, Mapping) else str(image)
        return ResultURL(href, data_type, kind="map image")
    if ("url" in value or "itemId" in value) and not {"features", "fields"} & set(value):
        item = str(value.get("itemId") or "")
        url = str(value.get("url") or "")
        kind = "item" if item and (not url or "/content/items/" in url) else "layer"
        return ResultURL(url, data_type, str(value.get("format") or ""), kind, item,
                         _get_json=fetch.get_json)
    return None


def _object(value: Any, data_type: str, fetch: Fetch) -> Any:
    """A value converted by its shape whatever its dataType (as Esri's own clients do): a
    feature collection or feature set → a frame, a reference → :class:`ResultURL`."""
    if is_feature_collection(value):
        with gc_paused():
            return feature_collection(value)
    if isinstance(value, Mapping) and isinstance(value.get("features"), list) and \
            ("fields" in value or "geometryType" in value):
        with gc_paused():
            return features_frame(value)
    reference = _reference(value, data_type, fetch) if isinstance(value, Mapping) else None
    return value if reference is None else reference


def _frame_or_reference(value: Any, fetch: Fetch, data_type: str,
                        frame: Callable[[Mapping[str, Any]], Any]) -> Any:
    """A table / feature set: a reference stays one, a feature collection or *frame* of it."""
    if value is None:
        return None
    reference = _reference(value, data_type, fetch)
    if reference is not None:
        return reference
    with gc_paused():
        return feature_collection(value) if is_feature_collection(value) else frame(value)


def _record_set(value: Any, fetch: Fetch = NO_FETCH) -> Any:
    return _frame_or_reference(value, fetch, "GPRecordSet", record_set_frame)


def _feature_set(value: Any, fetch: Fetch = NO_FETCH) -> Any:
    return _frame_or_reference(value, fetch, "GPFeatureRecordSetLayer", features_frame)



# -- files ----------------------------------------------------------------------------------------
def _file(value: Any, fetch: Fetch = NO_FETCH, data_type: str = "GPDataFile") -> Any:
    if value is None:
        return None
    if isinstance(value, Mapping) and "mapImage" in value:  # drawn by the result map service
        return _reference(value, data_type)
    url = value.get("url") if isinstance(value, Mapping) else value
    if not url:
        return None  # {"url": ""} / {}: the optional output was not produced
    url = str(url)
    fmt = str(value.get("format") or "") if isinstance(value, Mapping) else ""
    if SERVICE_URL.search(urlsplit(url).path):  # e.g. a raster analysis' image service
        return ResultURL(url, data_type, fmt, "service")
    if fetch.download is None:
        return ResultURL(url, data_type, fmt, "file")
    return fetch.download(url)


def _raster(value: Any, fetch: Fetch = NO_FETCH) -> Any:
    return _file(value, fetch, "GPRasterData")


def _raster_layer(value: Any, fetch: Fetch = NO_FETCH) -> Any:
    return _file(value, fetch, "GPRasterDataLayer")


# -- OGC API – Processes outputs ------------------------------------------------------------------
def _ogc(value: Any, fetch: Fetch = NO_FETCH) -> Any:
    """An OGC output: GeoJSON → GeoDataFrame, ``{"href"}`` → a downloaded file (credentials to
    the job's origin only), a qualified ``{"value"}`` → its value, anything else as it is."""
    if not isinstance(value, Mapping):
        return value
    if value.get("type") == "FeatureCollection":
        with gc_paused():
            return geojson_frame(value)
    if isinstance(value.get("href"), str):
        href = value["href"]
        if not re.match(r"https?://", href) or fetch.download is None:
            return ResultURL(href, "OGC", str(value.get("type") or ""), "file")
        return fetch.download(href)
    if "value" in value and set(value) <= {"value", "mediaType", "encoding", "schema", "id"}:
        return _ogc(value["value"], fetch)
    return value


# -- THE table ------------------------------------------------------------------------------------
Converter = Callable[[Any, Fetch], Any]


@dataclass(frozen=True)
class DataType:
    """One row of THE table, both directions: how a result of this type becomes Python, which
    form control takes an input of it and how its form value becomes Python (``inputs.py``),
    and what the card's preview shows of it (``preview.py``)."""

    to_python: Converter
    control: str        # static/form.js: text, integer, number, checkbox, datetime, linear, …
    from_form: Coercer
    shows_as: str       # preview kind: value, table, features, file, raster, or by the value


def _as_is(value: Any, _fetch: Fetch = NO_FETCH) -> Any:
    return value


def _any(value: Any, _fetch: Fetch = NO_FETCH) -> Any:
    return _object(value, "", _fetch) if isinstance(value, Mapping) else value


TEXT = DataType(_string, "text", inputs.text, "value")
DATA_TYPES: dict[str, DataType] = {
    "GPString": TEXT, "GPSQLExpression": TEXT,
    "GPField": DataType(_field, "text", inputs.text, "value"),
    "Field": DataType(_field, "text", inputs.text, "value"),
    "GPValueTable": DataType(_value_table, "valuetable", inputs.rows, "table"),
    "GPLong": DataType(_long, "integer", inputs.integer, "value"),
    "GPDouble": DataType(_double, "number", inputs.number_, "value"),
    "GPBoolean": DataType(_boolean, "checkbox", inputs.boolean, "value"),
    "GPDate": DataType(to_datetime, "datetime", inputs.moment, "value"),
    "GPLinearUnit": DataType(_linear, "linear", inputs.linear, "value"),
    "GPArealUnit": DataType(_areal, "areal", inputs.areal, "value"),
    "GPRecordSet": DataType(_record_set, "records", inputs.features, "table"),
    "GPFeatureRecordSetLayer": DataType(_feature_set, "features", inputs.features, "features"),
    "GPDataFile": DataType(_file, "file", inputs.file_ref, "file"),
    "GPRasterData": DataType(_raster, "file", inputs.file_ref, "raster"),
    "GPRasterDataLayer": DataType(_raster_layer, "file", inputs.file_ref, "raster"),
    "GPMultiValue": DataType(_as_is, "multi", inputs.items, "value"),  # of its member type
    "OGC": DataType(_ogc, "json", inputs.parsed_json, "auto"),  # flavours.ogc_outputs
    "OGCBoundingBox": DataType(_as_is, "bbox", inputs.bbox, "value"),  # OGC inputs only
    "OGCGeometry": DataType(_as_is, "geometry", inputs.geometry, "value"),  # OGC inputs only
}
UNKNOWN = DataType(_any, "json", inputs.parsed_json, "auto")  # any other dataType


def data_type(name: str) -> DataType:
    """The row of *name* (``GPMultiValue:<T>`` → the multi-value row; unknown → :data:`UNKNOWN`)."""
    return DATA_TYPES.get(name.partition(":")[0] if name.startswith("GPMultiValue:") else name,
                          UNKNOWN)


MULTI_VALUE = "GPMultiValue"


def to_python(data_type: str, value: Any, *, download: Download | None = None,
              get_json: GetJSON | None = None) -> Any:
    """Convert one GP value by its ``dataType``; ``GPMultiValue:<inner>`` gives a list.

    ``download(url) -> Path`` fetches file results (without it they stay :class:`ResultURL`);
    ``get_json(url, params)`` lets layer references :meth:`~ResultURL.read` later.
    """
    return _convert(data_type, value, Fetch(download, get_json))


def _convert(data_type: str, value: Any, fetch: Fetch) -> Any:
    if data_type.startswith(MULTI_VALUE):
        inner = data_type.partition(":")[2]
        if value is None:
            return None
        items = value if isinstance(value, list | tuple) else [value]
        return [_convert(inner, item, fetch) for item in items]
    row = DATA_TYPES.get(data_type)
    if row is None:
        return _object(value, data_type, fetch) if isinstance(value, Mapping) else value
    return row.to_python(value, fetch)


def convert_result(payload: Mapping[str, Any], *, download: Download | None = None,
                   get_json: GetJSON | None = None) -> Any:
    """``{"paramName", "dataType", "value"}`` → Python value; failures are :class:`ResultError`."""
    name = str(payload.get("paramName", ""))
    data_type = str(payload.get("dataType") or "")
    try:
        return to_python(data_type, payload.get("value"), download=download, get_json=get_json)
    except ResultTooBig as exc:
        raise ResultTooBig(exc.size, exc.budget, param=exc.param or name) from None
    except ResultError as exc:
        if exc.param or not name:
            raise
        raise ResultError(str(exc), param=name) from exc
    except GPJobError as exc:
        raise ResultError(str(exc), param=name) from exc
    except Exception as exc:  # a malformed value: say which output and why, not a raw traceback
        raise ResultError(f"cannot convert {data_type or 'the value'}: "
                          f"{type(exc).__name__}: {exc}", param=name) from exc


# -- descriptions for the card --------------------------------------------------------------------
def _size(num: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if num < 1000 or unit == "GB":
            return f"{num:.0f} {unit}" if unit == "bytes" else f"{num:.1f} {unit}"
        num /= 1000
    return ""


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def describe(value: Any) -> tuple[str, str]:
    """A short type name and shape for the card.

    ("GeoDataFrame", "120 rows × 5 columns"), ("Path", "2.1 MB"), ("datetime", ""),
    ("list", "3 items"), ("LinearUnit", "5 mi"), ("URL", "map image").
    """
    kind = type(value).__name__
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and len(shape) == 2:
        return kind, f"{_count(shape[0], 'row')} × {_count(shape[1], 'column')}"
    if isinstance(value, Path):
        return "Path", _size(value.stat().st_size) if value.is_file() else "missing"
    if isinstance(value, ResultURL):
        return "URL", value.kind or value.data_type
    if isinstance(value, Field):
        return "Field", value.type.removeprefix("esriFieldType")
    if isinstance(value, LinearUnit | ArealUnit):
        return kind, str(value)
    if isinstance(value, list | tuple | set):
        return kind, _count(len(value), "item")
    if isinstance(value, dict):
        return kind, _count(len(value), "key")
    if value is None:
        return "None", ""
    return kind, ""
