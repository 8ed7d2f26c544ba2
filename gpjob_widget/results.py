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

import contextlib
import functools
import gc
import itertools
import json
import math
import os
import re
import secrets
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import requests

from .errors import GPJobError, ResultError

Download = Callable[[str], Path]
Progress = Callable[[int, "int | None"], None]
CHUNK = 1 << 16
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

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


_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y")


def to_datetime(value: Any, _download: Download | None = None) -> datetime | None:
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


# -- geometry: Esri JSON → shapely, whole columns at once -----------------------------------------
def _kind_of(geometry: Any) -> str:
    if not geometry or not isinstance(geometry, Mapping):
        return ""
    for key, kind in (("x", "point"), ("rings", "polygon"), ("curveRings", "polygon"),
                      ("paths", "polyline"), ("curvePaths", "polyline"),
                      ("points", "multipoint"), ("xmin", "envelope")):
        if key in geometry:
            return kind
    return ""


def _coord(geometry: Mapping[str, Any] | None, key: str) -> float:
    value = geometry.get(key) if geometry else None
    return math.nan if value is None else float(value)  # "NaN" strings are empty, per Esri


def _points(geometries: Sequence[Mapping[str, Any]], has_z: bool) -> Any:
    import numpy as np
    import shapely

    n = len(geometries)
    xs = np.fromiter((_coord(g, "x") for g in geometries), float, n)
    ys = np.fromiter((_coord(g, "y") for g in geometries), float, n)
    has_z = has_z or any(g and g.get("z") is not None for g in geometries)
    coords = [xs, ys]
    if has_z:
        coords.append(np.fromiter((_coord(g, "z") for g in geometries), float, n))
    shapes = shapely.points(np.column_stack(coords)).astype(object)
    shapes[np.isnan(xs) | np.isnan(ys)] = None  # empty points (x null or "NaN")
    return shapes


def _envelopes(geometries: Sequence[Mapping[str, Any]], _has_z: bool) -> Any:
    import numpy as np
    import shapely

    n = len(geometries)
    bounds = [np.fromiter((_coord(g, k) for g in geometries), float, n)
              for k in ("xmin", "ymin", "xmax", "ymax")]
    shapes = shapely.box(*bounds).astype(object)
    shapes[np.isnan(np.column_stack(bounds)).any(axis=1)] = None
    return shapes


def _densify_curves(part: list[Any]) -> list[Any]:
    """Esri true-curve segments (``{"c"}``, ``{"b"}``, ``{"a"}``) → plain vertices.

    Circular arcs and Béziers are densified; elliptic arcs become a straight segment to their end.
    """
    out: list[Any] = []
    for item in part:
        if not isinstance(item, Mapping):
            out.append(item)
            continue
        if "c" in item and out:
            out.extend(_arc(out[-1], item["c"][1], item["c"][0]))
        elif "b" in item and out:
            end, c1, c2 = item["b"]
            start = out[-1]
            for i in range(1, 17):
                t = i / 16
                a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
                out.append([a * start[k] + b * c1[k] + c * c2[k] + d * end[k] for k in (0, 1)]
                           + list(end[2:]))
        else:
            out.append(next(iter(item.values()))[0])  # "a" (elliptic arc): its end point
    return out


def _arc(start: Sequence[float], through: Sequence[float], end: Sequence[float]) -> list[Any]:
    (x1, y1), (x2, y2), (x3, y3) = start[:2], through[:2], end[:2]
    if (x1, y1) == (x3, y3):  # a full circle: the interior point is the opposite one
        ux, uy = (x1 + x2) / 2, (y1 + y2) / 2
        radius, a1 = math.hypot(x1 - ux, y1 - uy), math.atan2(y1 - uy, x1 - ux)
        # clockwise, as Esri draws exterior rings
        return [[ux + radius * math.cos(a1 - 2 * math.pi * i / 64),
                 uy + radius * math.sin(a1 - 2 * math.pi * i / 64)] for i in range(1, 64)] \
            + [list(end)]
    d = 2 * (x1 * (y2 - y3) + x2 * (y3 - y1) + x3 * (y1 - y2))
    if abs(d) < 1e-12:  # collinear: a straight segment
        return [list(end)]
    s1, s2, s3 = x1**2 + y1**2, x2**2 + y2**2, x3**2 + y3**2
    ux = (s1 * (y2 - y3) + s2 * (y3 - y1) + s3 * (y1 - y2)) / d  # the circle's centre
    uy = (s1 * (x3 - x2) + s2 * (x1 - x3) + s3 * (x2 - x1)) / d
    radius = math.hypot(x1 - ux, y1 - uy)
    a1, a2, a3 = (math.atan2(y - uy, x - ux) for x, y in ((x1, y1), (x2, y2), (x3, y3)))
    sweep = (a3 - a1) % (2 * math.pi) or 2 * math.pi  # counter-clockwise sweep start → end
    if (a2 - a1) % (2 * math.pi) > sweep:  # the arc passes through the other way round
        sweep -= 2 * math.pi
    steps = max(4, int(abs(sweep) / (math.pi / 32)))
    points: list[Any] = [[ux + radius * math.cos(a1 + sweep * i / steps),
                          uy + radius * math.sin(a1 + sweep * i / steps)]
                         for i in range(1, steps)]
    return [*points, list(end)]


def _flatten(geometries: Sequence[Mapping[str, Any]], key: str, minimum: int,
             dims: int) -> tuple[Any, Any, Any]:
    """Every part of every geometry → (coords N×dims, part lengths, owning geometry index)."""
    import numpy as np

    flat: list[Any] = []
    lengths: list[int] = []
    owners: list[int] = []
    curve_key = "curve" + key[0].upper() + key[1:]
    for i, geometry in enumerate(geometries):
        if not geometry:
            continue
        parts = geometry.get(key)
        if parts is None and curve_key in geometry:
            parts = [_densify_curves(p) for p in geometry[curve_key]]
        for part in parts or ():
            if len(part) >= minimum:
                flat.extend(part)
                lengths.append(len(part))
                owners.append(i)
    widths = set(map(len, flat))
    coords = None
    if len(widths) == 1:  # the usual case: every vertex [x, y] (or [x, y, z], …)
        width = widths.pop()
        try:
            coords = np.fromiter(itertools.chain.from_iterable(flat), "float64",
                                 len(flat) * width).reshape(len(flat), width)
        except (TypeError, ValueError):
            coords = None
    if coords is None:  # ragged vertices (some with Z or M, some without), or odd values
        coords = np.array([(list(c[:dims]) + [math.nan] * dims)[:dims] for c in flat],
                          dtype="float64").reshape(len(flat), dims)
    if coords.shape[1] < dims:
        coords = np.hstack([coords, np.full((len(coords), dims - coords.shape[1]), math.nan)])
    return coords[:, :dims], np.array(lengths, dtype="int64"), np.array(owners, dtype="int64")


def _polylines(geometries: Sequence[Mapping[str, Any]], has_z: bool) -> Any:
    import numpy as np
    import shapely

    coords, lengths, owners = _flatten(geometries, "paths", 2, 3 if has_z else 2)
    out = np.full(len(geometries), None, dtype=object)
    if not len(lengths):
        return out
    lines = shapely.linestrings(coords, indices=np.repeat(np.arange(len(lengths)), lengths))
    counts = np.bincount(owners, minlength=len(geometries))
    single = counts[owners] == 1
    out[owners[single]] = lines[single]
    if (~single).any():
        shapely.multilinestrings(lines[~single], indices=owners[~single], out=out)
    return out


def _multipoints(geometries: Sequence[Mapping[str, Any]], has_z: bool) -> Any:
    import numpy as np
    import shapely

    # a multipoint's "points" is one part: wrap it so _flatten sees parts of vertices
    wrapped = [{"points": [g.get("points") or []]} if g else None for g in geometries]
    coords, lengths, owners = _flatten(wrapped, "points", 1, 3 if has_z else 2)
    out = np.full(len(geometries), None, dtype=object)
    if len(lengths):
        shapely.multipoints(shapely.points(coords), indices=np.repeat(owners, lengths), out=out)
    return out


def _polygons(geometries: Sequence[Mapping[str, Any]], has_z: bool) -> Any:
    """Rings → polygons. Esri: exterior rings clockwise, holes counter-clockwise.

    A feature with one exterior ring (the common case) is built vectorised. Features with
    several exteriors, or a hole outside its exterior, get each hole assigned to the smallest
    exterior containing it; a hole no exterior contains becomes an exterior itself (as Esri's
    arcgis-to-geojson does); only counter-clockwise rings: each one is an exterior.
    """
    import numpy as np
    import shapely

    coords, lengths, owners = _flatten(geometries, "rings", 3, 3 if has_z else 2)
    out = np.full(len(geometries), None, dtype=object)
    if not len(lengths):
        return out
    rings = shapely.linearrings(coords, indices=np.repeat(np.arange(len(lengths)), lengths))
    hole = shapely.is_ccw(rings)
    n = len(geometries)
    shells = np.bincount(owners[~hole], minlength=n)
    hole[shells[owners] == 0] = False  # no clockwise ring at all: every ring is an exterior
    shells = np.bincount(owners[~hole], minlength=n)
    simple = shells[owners] == 1
    # holes of one-exterior features must lie inside it, else the feature is done one by one
    holes_simple = simple & hole
    if holes_simple.any():
        shell_of = np.full(n, None, dtype=object)
        shell_of[owners[simple & ~hole]] = shapely.polygons(rings[simple & ~hole])
        inner = shapely.point_on_surface(shapely.polygons(rings[holes_simple]))
        inside = shapely.contains_xy(shell_of[owners[holes_simple]], shapely.get_x(inner),
                                     shapely.get_y(inner))
        stray = np.unique(owners[holes_simple][~inside])
        simple &= ~np.isin(owners, stray)
    order = np.lexsort((hole, owners))  # by feature, exterior first (stable for holes)
    order = order[simple[order]]
    if len(order):
        shapely.polygons(rings[order], indices=owners[order], out=out)
    holes = np.bincount(owners[hole], minlength=n)
    islands = ~simple & (holes[owners] == 0)  # several exteriors, no hole: vectorised too
    if islands.any():
        shapely.multipolygons(shapely.polygons(rings[islands]), indices=owners[islands], out=out)
    rest = np.flatnonzero(~simple & ~islands)  # ring indices, grouped by feature already
    for group in np.split(rest, np.flatnonzero(np.diff(owners[rest])) + 1) if len(rest) else ():
        out[owners[group[0]]] = _assemble(list(rings[group[~hole[group]]]),
                                          list(rings[group[hole[group]]]))
    return out


def _assemble(exteriors: list[Any], holes: list[Any]) -> Any:
    import shapely

    shells = [shapely.Polygon(r) for r in exteriors]
    owned: list[list[Any]] = [[] for _ in shells]
    for ring in holes:
        inner = shapely.Polygon(ring).point_on_surface()
        around = [i for i, s in enumerate(shells) if s.contains(inner)]
        if around:
            owned[min(around, key=lambda i: shells[i].area)].append(ring)
        else:  # an orphan hole: an exterior ring with the wrong orientation
            shells.append(shapely.Polygon(ring))
            owned.append([])
    parts = [shapely.Polygon(s.exterior, h) for s, h in zip(shells, owned, strict=True)]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


GEOMETRY_BUILDERS: dict[str, Callable[[Sequence[Mapping[str, Any]], bool], Any]] = {
    "point": _points, "multipoint": _multipoints, "polyline": _polylines,
    "polygon": _polygons, "envelope": _envelopes,
}


GEOMETRY_TYPES = {"esriGeometryPoint": "point", "esriGeometryMultipoint": "multipoint",
                  "esriGeometryPolyline": "polyline", "esriGeometryPolygon": "polygon",
                  "esriGeometryEnvelope": "envelope"}


def geometries_to_shapes(geometries: Sequence[Any], has_z: bool = False,
                         geometry_type: str = "") -> Any:
    """Esri JSON geometries → a numpy object array of shapely shapes (None for null/empty).

    Z is kept when ``has_z`` (the feature set's ``hasZ``) or a geometry's own ``hasZ`` says so, or
    a point has a ``z``; M values are dropped (shapely has no M). The feature set's
    ``geometryType`` is trusted when the first geometry agrees; otherwise each geometry's keys
    decide its kind.
    """
    import numpy as np

    out = np.full(len(geometries), None, dtype=object)
    declared = GEOMETRY_TYPES.get(geometry_type, "")
    first = next((g for g in geometries if g), None)
    if declared and (first is None or _kind_of(first) == declared):
        groups: dict[str, Any] = {declared: None}
    else:
        groups = {}
        for i, geometry in enumerate(geometries):
            groups.setdefault(_kind_of(geometry), []).append(i)
    for kind, where in groups.items():
        build = GEOMETRY_BUILDERS.get(kind)
        if build is None:
            continue
        subset = geometries if where is None else [geometries[i] for i in where]
        z = has_z or any(g and g.get("hasZ") for g in subset)
        if where is None:
            out = build(subset, z)
        else:
            out[np.array(where)] = build(subset, z)
    return out


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
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


# -- spatial reference ----------------------------------------------------------------------------
WKID_ALIASES = {102100: 3857, 102113: 3857, 900913: 3857}


def _wkid(value: Any) -> int | None:
    try:
        return int(float(value)) if value not in (None, "", True, False) else None
    except (TypeError, ValueError):
        return None


@functools.lru_cache(maxsize=64)
def _crs(wkids: tuple[int, ...], wkt: str) -> Any:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    candidates = []
    for wkid in wkids:
        code = WKID_ALIASES.get(wkid, wkid)
        candidates += [f"EPSG:{code}", f"ESRI:{code}"]  # ESRI's own codes: 54030, 102003, …
    if wkt:
        candidates.append(wkt)
    for candidate in candidates:
        try:
            return CRS.from_user_input(candidate)
        except CRSError:
            continue
    return None


def crs_of(spatial_reference: Mapping[str, Any] | None) -> Any:
    """``spatialReference`` → ``pyproj.CRS``: ``latestWkid``, then ``wkid``, then ``wkt``/``wkt2``.

    None when it is absent or unknown to PROJ (a warning says so; the JSON stays in attrs).
    """
    sr = spatial_reference or {}
    wkids = tuple(w for w in (_wkid(sr.get("latestWkid")), _wkid(sr.get("wkid"))) if w)
    wkt = str(sr.get("wkt") or sr.get("wkt2") or "")
    if not wkids and not wkt:
        return None
    crs = _crs(wkids, wkt)
    if crs is None:
        warnings.warn(f"unknown spatial reference {dict(sr)}: the result has no CRS",
                      stacklevel=2)
    return crs


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
    with _gc_paused():
        return record_set_frame(value)


def _feature_set(value: Any, _download: Download | None = None) -> Any:
    if value is None:
        return None
    reference = _reference(value, "GPFeatureRecordSetLayer")
    if reference is not None:
        return reference
    with _gc_paused():
        return _features(value)


def _features(value: Mapping[str, Any]) -> Any:
    frame = record_set_frame(value)
    geometries = [f.get("geometry") for f in value.get("features") or []]
    sr = value.get("spatialReference")
    for key in ("geometryType", "spatialReference", "hasZ", "hasM"):
        if value.get(key) is not None:
            frame.attrs[key] = value[key]
    if "geometry" in frame.columns:  # an attribute called "geometry" must not be lost
        frame = frame.rename(columns={"geometry": "geometry_attribute"})
    try:
        import geopandas as gpd
    except ImportError:
        frame["geometry"] = geometries  # the geometry JSON as it came
        return frame
    shapes = geometries_to_shapes(geometries, bool(value.get("hasZ")),
                                  str(value.get("geometryType") or ""))
    return gpd.GeoDataFrame(frame, geometry=shapes, crs=crs_of(sr))


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


# -- downloads ------------------------------------------------------------------------------------
def _filename(url: str, response: Any) -> str:
    disposition = response.headers.get("Content-Disposition", "")
    match = re.search(r"filename\*\s*=\s*(?:UTF-8|utf-8)?''([^;]+)", disposition) or \
        re.search(r'filename\s*=\s*"?([^";]+)"?', disposition)
    name = unquote(match.group(1)) if match else unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    name = name.replace("\\", "/").rsplit("/", 1)[-1]  # never a path, only its last part
    return re.sub(r"[^\w.\-]+", "_", name).strip("._") or "result"


def _error_body(data: bytes) -> str | None:
    """The server's words when a "file" is an ArcGIS JSON error body (HTTP 200), else None."""
    try:
        body = json.loads(data)
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    details = [str(d) for d in error.get("details") or [] if d and d != error.get("message")]
    text = str(error.get("message") or "the server reported an error")
    if error.get("code") is not None:
        text += f" (code {error['code']})"
    return text + (": " + "; ".join(details) if details else "")


def _page_text(data: bytes, name: str) -> str:
    """A short account of an HTML page served where a file was expected (login, proxy, error)."""
    text = data.decode("utf-8", "replace")
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
    words = title.group(1) if title else re.sub(r"<[^>]+>", " ", text)
    words = " ".join(words.split())[:200]
    return f"the server answered with an HTML page instead of {name}" + \
        (f": {words}" if words else "")


def _name(url: str) -> str:
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or url


def download_file(transport: Any, url: str, dest_dir: Path | str, *,
                  progress: Progress | None = None) -> Path:
    """Stream *url* into *dest_dir* in chunks; the file appears complete or not at all.

    It is written to a hidden ``.part`` file that is renamed when every byte has arrived (an
    existing file of the same name is replaced). ``progress(received, total)`` is called with
    ``(0, total)`` first, after each chunk, and last with ``received == total`` (``total`` is None
    while unknown). A path-only URL is resolved against the job's origin; the token is sent only
    to the job's own origin (the transport decides). Failures are :class:`ResultError` with the
    server's words: HTTP errors, a JSON error body, a truncated or interrupted transfer.
    """
    dest_dir = Path(dest_dir)
    if url.startswith("/") and not url.startswith("//") and getattr(transport, "origin", ""):
        url = urljoin(transport.origin, url)
    partial: Path | None = None
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        with transport.stream(url) as response:
            headers = response.headers
            total = int(headers["Content-Length"]) \
                if headers.get("Content-Length", "").isdigit() else None
            encoded = headers.get("Content-Encoding", "").strip().lower() not in ("", "identity")
            raw = getattr(response, "raw", None)
            received = 0

            def wire() -> int:  # bytes over the wire: what Content-Length counts when encoded
                return raw.tell() if encoded and hasattr(raw, "tell") else received

            target = dest_dir / _filename(url, response)
            chunks = response.iter_content(CHUNK)
            head: list[bytes] = []
            ctype = headers.get("Content-Type", "").lower()
            page = "text/html" in ctype and not re.search(r"\.x?html?$", target.name, re.I)
            if "json" in ctype or "text/plain" in ctype or page:  # an error instead of the file?
                for chunk in chunks:
                    head.append(chunk)
                    if sum(map(len, head)) > CHUNK:
                        break
                else:
                    problem = _error_body(b"".join(head)) if not page else \
                        _page_text(b"".join(head), target.name)
                    if problem is not None:
                        raise ResultError(problem)
            partial = dest_dir / f".{target.name}.{secrets.token_hex(4)}.part"
            if progress is not None:
                progress(0, total)
            with open(partial, "xb") as out:
                try:
                    for chunk in itertools.chain(head, chunks):
                        out.write(chunk)
                        received += len(chunk)
                        if progress is not None:
                            progress(wire(), total)
                except requests.RequestException as exc:
                    of = f" of {total:,}" if total is not None else ""
                    got = raw.tell() if hasattr(raw, "tell") else received  # incl. a torn chunk
                    raise ResultError(f"download of {target.name} was cut short after "
                                      f"{got:,}{of} bytes ({_reason(exc)})") from None
            if total is not None and not encoded and received != total:
                raise ResultError(f"download of {target.name} stopped at {received:,} of "
                                  f"{total:,} bytes")
            os.replace(partial, target)
            partial = None
            if progress is not None:
                done = wire()
                progress(done, done)
    except ResultError:
        raise
    except GPJobError as exc:
        raise ResultError(f"download of {_name(url)} failed: {exc}") from None
    except requests.RequestException as exc:
        raise ResultError(f"download of {_name(url)} failed ({_reason(exc)})") from None
    except OSError as exc:
        raise ResultError(f"download of {_name(url)} could not be saved: {exc}") from None
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
    return target


def _reason(exc: BaseException) -> str:
    text = str(exc).lower()
    if "incompleteread" in text or "connection broken" in text:
        return "the connection broke"
    if "timed out" in text or "timeout" in text:
        return "no data within the timeout"
    return type(exc).__name__


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
