"""THE data-type table: a GP result's ``dataType`` → the Python object a data scientist expects.

One row per type in :data:`CONVERTERS`; pandas / geopandas are imported only when a table or
feature set is converted. Unknown types come back as the raw JSON value, never a crash.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import GPJobError, ResultError

Download = Callable[[str], Path]
Progress = Callable[[int, "int | None"], None]
CHUNK = 1 << 16

UNIT_ABBREVIATIONS = {
    "esriMiles": "mi", "esriKilometers": "km", "esriMeters": "m", "esriFeet": "ft",
    "esriYards": "yd", "esriNauticalMiles": "nmi", "esriInches": "in", "esriCentimeters": "cm",
    "esriMillimeters": "mm", "esriDecimalDegrees": "°",
    "esriSquareMiles": "mi²", "esriSquareKilometers": "km²", "esriSquareMeters": "m²",
    "esriSquareFeet": "ft²", "esriSquareYards": "yd²", "esriAcres": "acres",
    "esriHectares": "ha", "esriAres": "a",
}


@dataclass(frozen=True)
class LinearUnit:
    """A GPLinearUnit: ``LinearUnit(5, "esriMiles")`` prints as ``5 mi``."""

    distance: float
    units: str

    def __str__(self) -> str:
        return f"{self.distance:g} {UNIT_ABBREVIATIONS.get(self.units, self.units)}"


@dataclass(frozen=True)
class ArealUnit:
    """A GPArealUnit: ``ArealUnit(2, "esriSquareKilometers")`` prints as ``2 km²``."""

    area: float
    units: str

    def __str__(self) -> str:
        return f"{self.area:g} {UNIT_ABBREVIATIONS.get(self.units, self.units)}"


@dataclass(frozen=True)
class ResultURL:
    """A result that is a reference to a service or image, not data (not downloaded)."""

    url: str
    data_type: str = ""
    format: str = ""

    def __str__(self) -> str:
        return self.url


# -- scalars ----------------------------------------------------------------------------------
def _string(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping) and "name" in value:  # GPField as an object
        return str(value["name"])
    return str(value)


def _long(value: Any) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value)


def _double(value: Any) -> float | None:
    return None if value is None else float(value)


def _boolean(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def to_datetime(value: Any) -> datetime | None:
    """Epoch milliseconds (UTC) or an ISO string → timezone-aware datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _linear(value: Any) -> LinearUnit | None:
    return None if value is None else LinearUnit(value.get("distance"), value.get("units", ""))


def _areal(value: Any) -> ArealUnit | None:
    return None if value is None else ArealUnit(value.get("area"), value.get("units", ""))


# -- tables -----------------------------------------------------------------------------------
FIELD_DTYPES = {
    "esriFieldTypeOID": "Int64", "esriFieldTypeSmallInteger": "Int64",
    "esriFieldTypeInteger": "Int64", "esriFieldTypeBigInteger": "Int64",
    "esriFieldTypeSingle": "float64", "esriFieldTypeDouble": "float64",
    "esriFieldTypeString": "string", "esriFieldTypeGUID": "string",
    "esriFieldTypeGlobalID": "string", "esriFieldTypeXML": "string",
    "esriFieldTypeDateOnly": "string", "esriFieldTypeTimeOnly": "string",
}
DATE_FIELDS = ("esriFieldTypeDate", "esriFieldTypeTimestampOffset")


def record_set_frame(value: Mapping[str, Any]) -> Any:
    """A GPRecordSet / feature set's attributes → ``pandas.DataFrame`` typed by field type."""
    import pandas as pd

    fields = [f for f in value.get("fields") or [] if f.get("name")]
    names = [f["name"] for f in fields]
    rows = [f.get("attributes") or {} for f in value.get("features") or []]
    for row in rows:  # attributes the field list does not declare still become columns
        names.extend(k for k in row if k not in names)
    frame = pd.DataFrame.from_records(rows, columns=names)
    for field in fields:
        name, kind = field["name"], field.get("type", "")
        if kind in DATE_FIELDS:
            frame[name] = _date_column(frame[name])
        elif kind in FIELD_DTYPES:
            frame[name] = frame[name].astype(FIELD_DTYPES[kind])
    frame.attrs["exceededTransferLimit"] = bool(value.get("exceededTransferLimit", False))
    return frame


def _date_column(column: Any) -> Any:
    import pandas as pd

    if pd.api.types.is_numeric_dtype(column) or column.isna().all():
        return pd.to_datetime(column, unit="ms", utc=True)
    return pd.to_datetime(column, utc=True, format="mixed")


def _feature_set(value: Any) -> Any:
    if value is None:
        return None
    if set(value) <= {"url", "format"} and "url" in value:  # a layer reference, not data
        return ResultURL(value["url"], "GPFeatureRecordSetLayer")
    frame = record_set_frame(value)
    geometries = [f.get("geometry") for f in value.get("features") or []]
    try:
        import geopandas as gpd
    except ImportError:
        frame["geometry"] = geometries  # keep the geometry JSON
        frame.attrs["spatialReference"] = value.get("spatialReference")
        return frame
    from . import geometry

    kind = value.get("geometryType", "")
    if kind == "esriGeometryPoint":
        shapes = geometry.points(geometries)
    else:
        shapes = [geometry.to_shape(g, kind) for g in geometries]
    return gpd.GeoDataFrame(frame, geometry=shapes, crs=geometry.crs_of(value))


def _record_set(value: Any) -> Any:
    return None if value is None else record_set_frame(value)


# -- files ------------------------------------------------------------------------------------
def _file(download: Download | None) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Mapping) and "mapImage" in value:
            image = value["mapImage"]
            return ResultURL(image.get("href", "") if isinstance(image, Mapping) else str(image),
                             "mapImage")
        url = value.get("url") if isinstance(value, Mapping) else str(value)
        if not url:
            return value
        if download is None:
            return ResultURL(url, format=value.get("format", "") if isinstance(value, Mapping)
                             else "")
        return download(url)
    return convert


# -- the table ----------------------------------------------------------------------------------
def _converters(download: Download | None) -> dict[str, Callable[[Any], Any]]:
    return {
        "GPString": _string, "GPSQLExpression": _string, "GPField": _string,
        "GPLong": _long, "GPDouble": _double, "GPBoolean": _boolean, "GPDate": to_datetime,
        "GPLinearUnit": _linear, "GPArealUnit": _areal,
        "GPRecordSet": _record_set, "GPFeatureRecordSetLayer": _feature_set,
        "GPDataFile": _file(download), "GPRasterData": _file(download),
        "GPRasterDataLayer": _file(download),
    }


def to_python(data_type: str, value: Any, *, download: Download | None = None) -> Any:
    """Convert one GP value; ``GPMultiValue:<inner>`` gives a list of the inner type."""
    if data_type.startswith("GPMultiValue"):
        inner = data_type.partition(":")[2]
        return None if value is None else [to_python(inner, v, download=download)
                                           for v in value]
    convert = _converters(download).get(data_type)
    return value if convert is None else convert(value)


def convert_result(payload: Mapping[str, Any], *, download: Download | None = None) -> Any:
    """``{"paramName", "dataType", "value"}`` → Python value (or :class:`ResultError`)."""
    name = str(payload.get("paramName", ""))
    data_type = str(payload.get("dataType") or "")
    try:
        return to_python(data_type, payload.get("value"), download=download)
    except ResultError:
        raise
    except (GPJobError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ResultError(f"cannot convert {data_type or 'value'}: {exc}", param=name) from None


# -- downloads --------------------------------------------------------------------------------
def _filename(url: str, response: Any) -> str:
    disposition = response.headers.get("Content-Disposition", "")
    match = re.search(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)', disposition)
    name = unquote(match.group(1)) if match else unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    name = re.sub(r"[^\w.\-]+", "_", name).strip("._") or "result"
    return name


def download_file(transport: Any, url: str, dest_dir: Path | str, *,
                  progress: Progress | None = None) -> Path:
    """Stream *url* into *dest_dir*; the file appears complete or not at all.

    The token goes along only when *url* has the job's own origin (the transport decides).
    """
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    try:
        with transport.stream(url) as response:
            total = int(response.headers["Content-Length"]) \
                if response.headers.get("Content-Length", "").isdigit() else None
            target = dest_dir / _filename(url, response)
            fd, partial = tempfile.mkstemp(dir=dest_dir, prefix=f".{target.name}.", suffix=".part")
            received = 0
            try:
                with os.fdopen(fd, "wb") as out:
                    for chunk in response.iter_content(CHUNK):
                        out.write(chunk)
                        received += len(chunk)
                        if progress is not None:
                            progress(received, total)
                if total is not None and received != total:
                    raise ResultError(f"download of {target.name} stopped at {received} of "
                                      f"{total} bytes")
                os.replace(partial, target)
            finally:
                if os.path.exists(partial):
                    os.unlink(partial)
    except ResultError:
        raise
    except GPJobError as exc:
        raise ResultError(f"download failed: {exc}") from None
    except OSError as exc:
        raise ResultError(f"download failed: {exc}") from None
    return target


# -- descriptions for the card ------------------------------------------------------------------
def _size(num: float) -> str:
    for unit in ("bytes", "kB", "MB", "GB"):
        if num < 1000 or unit == "GB":
            return f"{num:.0f} {unit}" if unit == "bytes" else f"{num:.1f} {unit}"
        num /= 1000
    return ""


def describe(value: Any) -> tuple[str, str]:
    """A short type name and shape, e.g. ("GeoDataFrame", "120 rows × 5 columns")."""
    kind = type(value).__name__
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple) and len(shape) == 2:
        return kind, f"{shape[0]:,} rows × {shape[1]} columns"
    if isinstance(value, Path):
        return "file", _size(value.stat().st_size) if value.exists() else "missing"
    if isinstance(value, list | tuple | dict):
        return kind, f"{len(value)} items"
    if value is None:
        return "None", ""
    return kind, ""
