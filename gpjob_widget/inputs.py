"""Form values → Python values: the input direction of the data-type table (``results.py``).

A form on the page edits JSON-able *form values* (numbers, text, ``{"distance", "units"}``,
``{"source": "variable", "name": …}``…). Each control's coercer here turns one into the Python
value a user would pass in code (``int``, aware ``datetime``, :class:`LinearUnit`, a
GeoDataFrame from the notebook…) or raises :class:`InputProblem` with words for the user.
The wire encoding of those Python values (epoch ms, feature-set JSON…) is
``flavours.encoding``'s business.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from .units import ArealUnit, LinearUnit, areal_units, linear_units, unit_word


class InputProblem(ValueError):
    """A form value that cannot be used, in words for the user ("must be 100 or less")."""


Namespace = Mapping[str, Any]
Coercer = Callable[[Any, Any, Namespace], Any]  # (form value, field, namespace) → Python value


def empty(value: Any) -> bool:
    """True for a value the user left blank."""
    if value is None:
        return True
    if isinstance(value, str | list | tuple | dict):
        return len(value) == 0
    return False


def _bounded(number: float, field: Any) -> float:
    low, high = getattr(field, "minimum", None), getattr(field, "maximum", None)
    if low is not None:
        if getattr(field, "exclusive_minimum", False) and number <= low:
            raise InputProblem(f"must be more than {low:g}")
        if number < low:
            raise InputProblem(f"must be {low:g} or more")
    if high is not None:
        if getattr(field, "exclusive_maximum", False) and number >= high:
            raise InputProblem(f"must be less than {high:g}")
        if number > high:
            raise InputProblem(f"must be {high:g} or less")
    return number


def text(value: Any, field: Any, ns: Namespace) -> str:
    return str(value)


def choice(value: Any, field: Any, ns: Namespace) -> Any:
    """One of the field's choices (the value sent, e.g. a coded value's code)."""
    allowed = [v for _, v in getattr(field, "choices", ())]
    if allowed and value not in allowed:
        raise InputProblem(f"must be one of {', '.join(map(str, allowed))}")
    return value


def integer(value: Any, field: Any, ns: Namespace) -> int:
    number = number_(value, None, ns)
    if not float(number).is_integer():
        raise InputProblem("must be a whole number")
    return int(_bounded(int(number), field))


def number_(value: Any, field: Any, ns: Namespace) -> float:
    if isinstance(value, bool):
        raise InputProblem("must be a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputProblem("must be a number") from None
    if not math.isfinite(number):
        raise InputProblem("must be a finite number")
    return _bounded(number, field) if field is not None else number


def boolean(value: Any, field: Any, ns: Namespace) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in ("true", "1", "yes", "on"):
        return True
    if word in ("false", "0", "no", "off", ""):
        return False
    raise InputProblem("must be true or false")


def moment(value: Any, field: Any, ns: Namespace) -> datetime:
    """ISO 8601 (the page sends the local time with its offset) or epoch ms → aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, timezone.utc)
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputProblem("must be a date and time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _quantity(value: Any, key: str, units: tuple[str, ...], default_unit: str) -> tuple:
    if isinstance(value, str):
        value = parse_quantity(value, key, units)
    if not isinstance(value, Mapping):
        raise InputProblem("must be a number and a unit")
    amount = number_(value.get(key), None, {})
    if amount < 0:
        raise InputProblem("must not be negative")
    unit = unit_word(str(value.get("units") or default_unit), units)
    if unit is None:
        raise InputProblem(f"unknown unit {value.get('units')!r}")
    return (int(amount) if amount.is_integer() else amount), unit


def linear(value: Any, field: Any, ns: Namespace) -> LinearUnit:
    amount, unit = _quantity(value, "distance", linear_units(), "esriMeters")
    return LinearUnit(amount, unit)


def areal(value: Any, field: Any, ns: Namespace) -> ArealUnit:
    amount, unit = _quantity(value, "area", areal_units(), "esriSquareMeters")
    return ArealUnit(amount, unit)


_QUANTITY = re.compile(r"^\s*(?P<n>[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?)?\s*(?P<u>[A-Za-z_ ]*)\s*$")


def parse_quantity(text_: str, key: str, units: tuple[str, ...]) -> dict[str, Any]:
    """``"5 Miles"``, ``"Meters"`` (a unit alone: 0 of it), ``"2.5 esriKilometers"`` → the
    ``{key, "units"}`` form; the forms seen in real task defaults."""
    match = _QUANTITY.match(text_)
    unit = unit_word(match.group("u"), units) if match and match.group("u").strip() else None
    if match is None or (match.group("u").strip() and unit is None):
        raise InputProblem(f"cannot read {text_!r} as a number and a unit")
    number = float(match.group("n")) if match.group("n") else 0.0
    return {key: int(number) if number.is_integer() else number, "units": unit or units[0]}


def parsed_json(value: Any, field: Any, ns: Namespace) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError as exc:
        raise InputProblem(f"is not valid JSON ({exc.args[0].split(':')[0]})") from None


def features(value: Any, field: Any, ns: Namespace) -> Any:
    """A table / feature input: a notebook variable (the object itself), a layer or item URL
    (``{"url"}``), or pasted JSON (a feature set, a feature collection, GeoJSON)."""
    if not isinstance(value, Mapping):
        raise InputProblem("choose a variable, give a layer URL, or paste JSON")
    source = value.get("source")
    if source == "variable":
        name = str(value.get("name") or "")
        if name not in ns:
            raise InputProblem(f"there is no variable {name!r} in the notebook")
        frame = ns[name]
        wanted = getattr(field, "geometry_types", ())
        kind = geometry_kind(frame)
        if wanted and kind and kind not in wanted:
            takes = ", ".join(_geometry_word(g) for g in wanted)
            raise InputProblem(f"{name} holds {_geometry_word(kind)}s; this input takes {takes}")
        return frame
    if source == "url":
        url = str(value.get("url") or "").strip()
        if not re.match(r"https?://", url):
            raise InputProblem("a layer URL starts with http:// or https://")
        return {"url": url}
    if source == "item":
        item = str(value.get("itemID") or value.get("itemId") or "").strip()
        if not re.fullmatch(r"[0-9a-fA-F]{32}", item):
            raise InputProblem("an item id is 32 hexadecimal characters")
        return {"itemId": item}
    if source == "json":
        parsed = parsed_json(value.get("text", ""), field, ns)
        if not isinstance(parsed, Mapping):
            raise InputProblem("pasted JSON must be an object (a feature set or collection)")
        return _in_protocol(dict(parsed), getattr(field, "protocol", "gp"))
    raise InputProblem("choose a variable, give a layer URL, or paste JSON")


def _in_protocol(pasted: dict[str, Any], protocol: str) -> dict[str, Any]:
    """Pasted GeoJSON for an ArcGIS input becomes a feature set, a pasted Esri feature set
    for an OGC input GeoJSON: what each server reads."""
    from . import frames

    is_geojson = pasted.get("type") == "FeatureCollection"
    is_feature_set = "features" in pasted and ("geometryType" in pasted or any(
        isinstance(f, Mapping) and "attributes" in f for f in pasted.get("features") or []))
    try:
        if protocol == "gp" and is_geojson:
            return frames.frame_to_feature_set(frames.geojson_frame(pasted))
        if protocol == "ogc" and is_feature_set and not is_geojson:
            return json.loads(json.dumps(frames.frame_to_geojson(frames.features_frame(pasted))))
    except (ValueError, TypeError, KeyError) as exc:
        raise InputProblem(f"cannot read the pasted features ({exc})") from None
    return pasted


def geometry(value: Any, field: Any, ns: Namespace) -> Any:
    """A GeoJSON geometry input (OGC): a notebook GeoDataFrame (its geometries as one, in
    WGS 84) or pasted GeoJSON; the GeoJSON geometry itself (so ``form.code`` shows it)."""
    if not isinstance(value, Mapping):
        raise InputProblem("choose a variable or paste a GeoJSON geometry")
    if value.get("source") == "variable":
        name = str(value.get("name") or "")
        frame = ns.get(name)
        if frame is None or not geometry_kind(frame):
            raise InputProblem(f"there is no GeoDataFrame {name!r} in the notebook")
        if frame.crs is not None and frame.crs.to_epsg() != 4326:
            frame = frame.to_crs(4326)
        shapes = frame.geometry.dropna()
        union = shapes.union_all() if hasattr(shapes, "union_all") else shapes.unary_union
        return json.loads(json.dumps(union.__geo_interface__))  # tuples → lists
    parsed = parsed_json(value.get("text", ""), field, ns)
    if not isinstance(parsed, Mapping) or "type" not in parsed or not (
            "coordinates" in parsed or "geometries" in parsed):
        raise InputProblem("pasted JSON must be a GeoJSON geometry ({\"type\", \"coordinates\"})")
    return dict(parsed)


def _geometry_word(esri: str) -> str:
    return esri.removeprefix("esriGeometry").lower()


def geometry_kind(frame: Any) -> str:
    """The Esri geometry type of a GeoDataFrame's geometries (``""`` for a plain table)."""
    geoms = getattr(frame, "geometry", None)
    if geoms is None or not hasattr(frame, "crs"):
        return ""
    kinds = {t for t in geoms.geom_type.dropna().unique()}
    for esri, names in (("esriGeometryPoint", {"Point"}),
                        ("esriGeometryMultipoint", {"MultiPoint", "Point"}),
                        ("esriGeometryPolyline", {"LineString", "MultiLineString"}),
                        ("esriGeometryPolygon", {"Polygon", "MultiPolygon"})):
        if kinds and kinds <= names:
            return esri
    return ""


def file_ref(value: Any, field: Any, ns: Namespace) -> dict[str, str]:
    """A file or raster input: a URL, or a portal item id (``{"url"}`` / ``{"itemID"}``; an
    OGC process takes ``{"href"}``)."""
    if not isinstance(value, Mapping):
        raise InputProblem("give a URL or an item id")
    ogc = getattr(field, "protocol", "gp") == "ogc"
    if value.get("source") == "item":
        item = str(value.get("itemID") or "").strip()
        if not re.fullmatch(r"[0-9a-fA-F]{32}", item):
            raise InputProblem("an item id is 32 hexadecimal characters")
        return {"itemID": item}
    url = str(value.get("url") or "").strip()
    if not re.match(r"https?://", url):
        raise InputProblem("a URL starts with http:// or https://")
    extensions = getattr(field, "extensions", ())
    path = url.split("?", 1)[0].lower()
    if extensions and not any(path.endswith("." + e.lower()) for e in extensions):
        raise InputProblem(f"must be a {', '.join('.' + e for e in extensions)} file")
    return {"href": url} if ogc else {"url": url}


def bbox(value: Any, field: Any, ns: Namespace) -> dict[str, Any]:
    """Four numbers (west, south, east, north), as OGC's bbox input takes them."""
    if isinstance(value, Mapping):
        value = value.get("bbox")
    try:
        corners = [float(v) for v in value]
    except (TypeError, ValueError):
        raise InputProblem("must be four numbers: west, south, east, north") from None
    if len(corners) != 4:
        raise InputProblem("must be four numbers: west, south, east, north")
    if corners[1] > corners[3]:
        raise InputProblem("the south edge must not be north of the north edge")
    return {"bbox": corners, "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}


def items(value: Any, field: Any, ns: Namespace) -> list[Any]:
    """A multi-value input: each item as its member field takes it."""
    if not isinstance(value, list | tuple):
        raise InputProblem("must be a list")
    low, high = getattr(field, "min_items", None), getattr(field, "max_items", None)
    if low is not None and len(value) < low:
        raise InputProblem(f"needs at least {low} item{'s' * (low != 1)}")
    if high is not None and len(value) > high:
        raise InputProblem(f"takes at most {high} item{'s' * (high != 1)}")
    member = field.member
    if member is None:
        return list(value)
    return [member.coerce(item, ns, where=f"item {i + 1}") for i, item in enumerate(value)
            if not empty(item)]


def rows(value: Any, field: Any, ns: Namespace) -> list[list[Any]]:
    """A value table: rows of cells, each cell as its column takes it."""
    if not isinstance(value, list | tuple):
        raise InputProblem("must be a list of rows")
    columns = field.columns
    table = []
    for r, row in enumerate(value):
        cells = list(row.values()) if isinstance(row, Mapping) else list(row)
        if all(empty(c) for c in cells):
            continue  # a blank row the user added and left
        table.append([column.coerce(cells[c] if c < len(cells) else None, ns,
                                    where=f"row {r + 1}, {column.label}")
                      for c, column in enumerate(columns)])
    return table
