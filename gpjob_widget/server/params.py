"""Task parameters as real services describe them: GP task JSON (``parameters[]``) and OGC
process descriptions (``inputs`` / ``outputs`` with JSON Schemas), and echoes of what a job
received.

A task's input is a :class:`Param`; a sample name of :mod:`samples` (or a ``(dataType,
value)`` pair) is shorthand for an optional parameter with that default.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from . import samples

DIRECTION = "esriGPParameterDirection"
KIND = "esriGPParameterType"
GEOMETRY_TYPES = ("esriGeometryPoint", "esriGeometryMultipoint", "esriGeometryPolyline",
                  "esriGeometryPolygon")


@dataclass(frozen=True)
class Param:
    """One input parameter of a scripted task, in the words of Esri's task JSON."""

    data_type: str
    default: Any = None
    display_name: str = ""
    description: str = ""
    required: bool = False
    category: str = ""
    choices: tuple[str, ...] = ()          # choiceList
    filter: dict[str, Any] | None = None   # range / featureClass / file / codedValue / field
    columns: tuple[dict[str, Any], ...] = ()  # parameterInfos: a value table's columns
    schema: dict[str, Any] | None = None   # OGC: the JSON Schema, when the GP type says too little
    extra: dict[str, Any] = field(default_factory=dict)  # other fields, verbatim


def as_param(spec: Any) -> Param:
    """A :class:`Param`, or the shorthand (a sample name / ``(dataType, value)``)."""
    if isinstance(spec, Param):
        return spec
    data_type, value = samples.resolve(spec)
    return Param(data_type, default=value)


def _label(name: str) -> str:
    return name.replace("_", " ").strip().capitalize()


def gp_parameter(name: str, spec: Any, direction: str) -> dict[str, Any]:
    """One entry of a GP task's ``parameters[]`` with every field clients read (Esri's
    ``import_toolbox`` needs them all; forms need choice lists, filters and columns)."""
    if direction == "Output":
        data_type, _ = samples.resolve(spec)
        return {"name": name, "dataType": data_type, "displayName": _label(name),
                "description": "", "direction": f"{DIRECTION}Output", "defaultValue": None,
                "parameterType": f"{KIND}Derived", "category": ""}
    param = as_param(spec)
    body = {"name": name, "dataType": param.data_type,
            "displayName": param.display_name or _label(name),
            "description": param.description, "direction": f"{DIRECTION}Input",
            "defaultValue": param.default,
            "parameterType": f"{KIND}{'Required' if param.required else 'Optional'}",
            "category": param.category}
    if param.choices:
        body["choiceList"] = list(param.choices)
    if param.filter:
        body["filter"] = param.filter
    if param.columns:
        body["parameterInfos"] = [dict(c) for c in param.columns]
    return {**body, **param.extra}


# GP data types as OGC API – Processes JSON Schemas (what a pygeoapi plugin would declare)
SCHEMAS: dict[str, dict[str, Any]] = {
    "GPString": {"type": "string"}, "GPLong": {"type": "integer"},
    "GPDouble": {"type": "number"}, "GPBoolean": {"type": "boolean"},
    "GPDate": {"type": "string", "format": "date-time"},
    "GPFeatureRecordSetLayer": {"type": "object", "format": "geojson-feature-collection"},
}


def ogc_schema(param: Param) -> dict[str, Any]:
    """The JSON Schema of *param* as an OGC process input."""
    if param.schema is not None:
        return dict(param.schema)
    inner = param.data_type.split(":", 1)
    if inner[0] == "GPMultiValue" and len(inner) == 2:
        return {"type": "array", "items": ogc_schema(Param(inner[1], choices=param.choices))}
    schema = dict(SCHEMAS.get(param.data_type, {}))
    if param.choices:
        schema["enum"] = list(param.choices)
    if param.filter and param.filter.get("type") == "range":
        schema.update(minimum=param.filter["minimum"], maximum=param.filter["maximum"])
    if param.default is not None:
        schema["default"] = param.default
    return schema


def ogc_input(name: str, spec: Any) -> dict[str, Any]:
    param = as_param(spec)
    return {"title": param.display_name or _label(name), "description": param.description,
            "schema": ogc_schema(param), "minOccurs": 1 if param.required else 0,
            "maxOccurs": 1}


def echo(tool: str, params: dict[str, str]) -> str:
    """The line a GP service logs when a job starts: the tool and the values it received."""
    shown = " ".join(_short(v) for v in params.values())
    return f"Executing ({tool}): {tool} {shown}".rstrip()


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= 60 else text[:57] + "..."


TEXT_TYPES = ("GPString", "GPSQLExpression", "GPField", "Field")


def received(raw: str, data_type: str = "GPString") -> Any:
    """A form field as the value of its declared type: text stays text, the rest is the JSON
    value it holds (or the text itself, when it is not JSON)."""
    if data_type in TEXT_TYPES:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw
