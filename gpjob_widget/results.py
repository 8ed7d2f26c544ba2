"""THE data-type table: a GP result's ``dataType`` → the Python object a data scientist expects.

One row per GP data type in :data:`DATA_TYPES`, one row per field type in :data:`FIELD_TYPES`.
pandas / shapely / geopandas are imported only when a table or feature set is converted.
Unknown data types come back as the raw JSON value, never a crash; a value that cannot be
converted raises :class:`~gpjob_widget.errors.ResultError` naming the parameter.

==========================  ==================================================================
dataType                    Python value
==========================  ==================================================================
GPString, GPSQLExpression   ``str`` (None for null); GPField as an object gives its ``name``
GPLong / GPDouble           ``int`` (3.0 → 3) / ``float``; None for null
GPBoolean                   ``bool``
GPDate                      aware ``datetime`` in UTC (epoch ms, or an ISO string)
GPLinearUnit / GPArealUnit  :class:`LinearUnit` / :class:`ArealUnit` (``str()`` → "5 mi")
GPMultiValue:<type>         ``list`` of <type>
GPRecordSet                 ``pandas.DataFrame`` typed by field type (see FIELD_TYPES)
GPFeatureRecordSetLayer     ``geopandas.GeoDataFrame`` (shapely geometry, CRS); a DataFrame with
                            geometry JSON without geopandas; ``{"url"}`` or ``{"mapImage"}`` →
                            :class:`ResultURL` (not fetched)
GPDataFile, GPRasterData,   a downloaded local ``pathlib.Path``; a ``mapImage`` or a service
GPRasterDataLayer           URL (…/ImageServer) stays a :class:`ResultURL`
anything else               the raw JSON value
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

from .errors import GPJobError, ResultError
from .frames import features_frame, gc_paused, record_set_frame, to_datetime

Download = Callable[[str], Path]

UNIT_ABBREVIATIONS = {
    "esriMiles": "mi", "esriKilometers": "km", "esriMeters": "m", "esriFeet": "ft",
    "esriYards": "yd", "esriNauticalMiles": "nmi", "esriInches": "in", "esriCentimeters": "cm",
    "esriMillimeters": "mm", "esriDecimeters": "dm", "esriPoints": "pt",
    "esriDecimalDegrees": "°", "esriUnknownUnits": "",
    "esriSquareMiles": "mi²", "esriSquareKilometers": "km²", "esriSquareMeters": "m²",
    "esriSquareFeet": "ft²", "esriSquareYards": "yd²", "esriSquareInches": "in²",
    "esriSquareCentimeters": "cm²", "esriSquareMillimeters": "mm²", "esriSquareDecimeters": "dm²",
    "esriAcres": "acres", "esriHectares": "ha", "esriAres": "a", "esriUnknownAreaUnits": "",
}


def _quantity(number: Any, units: str) -> str:
    text = f"{number:g}" if isinstance(number, int | float) else str(number)
    unit = UNIT_ABBREVIATIONS.get(units, units)
    return text + unit if unit == "°" else f"{text} {unit}".strip()


@dataclass(frozen=True)
class LinearUnit:
    """A GPLinearUnit: ``LinearUnit(5, "esriMiles")`` prints as ``5 mi``."""

    distance: float
    units: str

    def __str__(self) -> str:
        return _quantity(self.distance, self.units)


@dataclass(frozen=True)
class ArealUnit:
    """A GPArealUnit: ``ArealUnit(2, "esriSquareKilometers")`` prints as ``2 km²``."""

    area: float
    units: str

    def __str__(self) -> str:
        return _quantity(self.area, self.units)


@dataclass(frozen=True)
class ResultURL:
    """A result that is a reference, not data: a layer, a map image or a service (not fetched).

    ``kind`` is ``"layer"`` (a feature set / table given as a layer URL), ``"map image"``
    (rendered by the result map service; ask again with ``return_type="data"`` for the data),
    ``"service"`` (e.g. an image service a raster analysis created) or ``"file"`` (a file
    result converted without a downloader).
    """

    url: str
    data_type: str = ""
    format: str = ""
    kind: str = ""

    def __str__(self) -> str:
        return self.url


# -- scalars --------------------------------------------------------------------------------------
def _string(value: Any, _download: Download | None = None) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping) and "name" in value:  # GPField as a field object
        return str(value["name"])
    return str(value) if isinstance(value, int | float | bool) else value


def _long(value: Any, _download: Download | None = None) -> int | float | None:
    if value is None or value == "":
        return None
    number = float(value) if isinstance(value, str) else value
    if isinstance(number, float):
        if math.isnan(number):
            return None
        # 3.0 → 3; a fractional value is kept as it is rather than silently truncated
        return int(number) if number.is_integer() else number
    return int(number)


def _double(value: Any, _download: Download | None = None) -> float | None:
    return None if value is None or value == "" else float(value)


def _boolean(value: Any, _download: Download | None = None) -> bool | None:
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


def _linear(value: Any, _download: Download | None = None) -> LinearUnit | None:
    if value is None:
        return None
    return LinearUnit(_number(value.get("distance")), str(value.get("units") or ""))


def _areal(value: Any, _download: Download | None = None) -> ArealUnit | None:
    if value is None:
        return None
    return ArealUnit(_number(value.get("area")), str(value.get("units") or ""))


# -- feature sets and references ------------------------------------------------------------------
SERVICE_URL = re.compile(r"/(MapServer|FeatureServer|ImageServer|SceneServer|VectorTileServer)"
                         r"(/\d+)?/?$", re.IGNORECASE)


def _reference(value: Any, data_type: str) -> ResultURL | None:
    """A value that only points somewhere: ``{"url"}`` (alone), ``{"mapImage"}``, a URL string."""
    if isinstance(value, str) and re.match(r"https?://", value):
        return ResultURL(value, data_type, kind="layer")
    if not isinstance(value, Mapping):
        return None
    if "mapImage" in value:
        image = value["mapImage"]
        href = image.get("href", "") if isinstance(image, Mapping) else str(image)
        return ResultURL(href, data_type, kind="map image")
    if "url" in value and not {"features", "fields"} & set(value):
        return ResultURL(str(value["url"]), data_type, str(value.get("format") or ""), "layer")
    return None


def _record_set(value: Any, _download: Download | None = None) -> Any:
    if value is None:
        return None
    reference = _reference(value, "GPRecordSet")
    if reference is not None:
        return reference
    with gc_paused():
        return record_set_frame(value)


def _feature_set(value: Any, _download: Download | None = None) -> Any:
    if value is None:
        return None
    reference = _reference(value, "GPFeatureRecordSetLayer")
    if reference is not None:
        return reference
    with gc_paused():
        return features_frame(value)



# -- files ----------------------------------------------------------------------------------------
def _file(value: Any, download: Download | None = None, data_type: str = "GPDataFile") -> Any:
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
    if download is None:
        return ResultURL(url, data_type, fmt, "file")
    return download(url)


def _raster(value: Any, download: Download | None = None) -> Any:
    return _file(value, download, "GPRasterData")


def _raster_layer(value: Any, download: Download | None = None) -> Any:
    return _file(value, download, "GPRasterDataLayer")


# -- THE table ------------------------------------------------------------------------------------
Converter = Callable[[Any, "Download | None"], Any]

DATA_TYPES: dict[str, Converter] = {
    "GPString": _string, "GPSQLExpression": _string, "GPField": _string,
    "GPLong": _long, "GPDouble": _double, "GPBoolean": _boolean, "GPDate": to_datetime,
    "GPLinearUnit": _linear, "GPArealUnit": _areal,
    "GPRecordSet": _record_set, "GPFeatureRecordSetLayer": _feature_set,
    "GPDataFile": _file, "GPRasterData": _raster, "GPRasterDataLayer": _raster_layer,
}
MULTI_VALUE = "GPMultiValue"


def to_python(data_type: str, value: Any, *, download: Download | None = None) -> Any:
    """Convert one GP value by its ``dataType``; ``GPMultiValue:<inner>`` gives a list.

    ``download(url) -> Path`` fetches file results; without it they stay :class:`ResultURL`.
    """
    if data_type.startswith(MULTI_VALUE):
        inner = data_type.partition(":")[2]
        if value is None:
            return None
        items = value if isinstance(value, list | tuple) else [value]
        return [to_python(inner, item, download=download) for item in items]
    convert = DATA_TYPES.get(data_type)
    return value if convert is None else convert(value, download)


def convert_result(payload: Mapping[str, Any], *, download: Download | None = None) -> Any:
    """``{"paramName", "dataType", "value"}`` → Python value; failures are :class:`ResultError`."""
    name = str(payload.get("paramName", ""))
    data_type = str(payload.get("dataType") or "")
    try:
        return to_python(data_type, payload.get("value"), download=download)
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
    if isinstance(value, LinearUnit | ArealUnit):
        return kind, str(value)
    if isinstance(value, list | tuple | set):
        return kind, _count(len(value), "item")
    if isinstance(value, dict):
        return kind, _count(len(value), "key")
    if value is None:
        return "None", ""
    return kind, ""
