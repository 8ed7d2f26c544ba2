"""Task and process descriptions → form fields: GP ``<task>?f=json`` and OGC ``/processes/{id}``.

Plain data → data. Each :class:`FormField` names its data type in the GP vocabulary (OGC JSON
Schemas are mapped onto it: ``integer`` → ``GPLong``, ``date-time`` → ``GPDate``, GeoJSON →
``GPFeatureRecordSetLayer``…), so THE data-type table (``results.DATA_TYPES``) gives its
control and turns its form value into Python, both for ArcGIS and OGC.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from ..inputs import InputProblem, empty, parse_quantity
from ..units import areal_units, linear_units

INPUT, OUTPUT = "esriGPParameterDirectionInput", "esriGPParameterDirectionOutput"


@dataclasses.dataclass(frozen=True)
class FormField:
    """One parameter as a form shows it."""

    name: str
    label: str
    data_type: str                       # GP vocabulary (GPString, GPMultiValue:GPDouble…)
    help: str = ""
    required: bool = False
    default: Any = None                  # a form value (JSON-able), see inputs.py
    choices: tuple[tuple[str, Any], ...] = ()   # (what is shown, what is sent)
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False       # JSON Schema's exclusiveMinimum: more than, not "or more"
    exclusive_maximum: bool = False
    category: str = ""
    geometry_types: tuple[str, ...] = ()  # a featureClass filter
    extensions: tuple[str, ...] = ()      # a file filter
    columns: tuple[FormField, ...] = ()   # a value table's
    member: FormField | None = None       # a multi-value's item
    min_items: int | None = None
    max_items: int | None = None
    protocol: str = "gp"                  # "gp" or "ogc": how inputs travel
    output: bool = False
    schema: Mapping[str, Any] | None = None  # feature / record inputs: the expected schema

    @property
    def control(self) -> str:
        """The form control (static/form.js), from the data-type table; a choice list makes a
        select (a multi-value with one, a multi-select)."""
        from ..results import data_type

        control = data_type(self.data_type).control
        if self.choices and control in ("text", "integer", "number", "json"):
            return "select"
        if control == "multi" and self.member is not None and self.member.choices:
            return "multiselect"
        return control

    def coerce(self, value: Any, ns: Mapping[str, Any], where: str = "") -> Any:
        """This field's form value as the Python value a user would pass (None when blank);
        :class:`InputProblem` ("Count: must be 100 or less") otherwise."""
        from ..results import data_type

        if empty(value) and not (self.control == "checkbox" and value is False):
            if self.required:
                raise InputProblem(f"{where or self.label}: is required")
            return None
        try:
            if self.control == "select":
                from ..inputs import choice

                return choice(value, self, ns)
            return data_type(self.data_type).from_form(value, self, ns)
        except InputProblem as exc:
            if str(exc).startswith(f"{where or self.label}:"):
                raise
            raise InputProblem(f"{where or self.label}: {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        """What the front end gets (JSON)."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name not in ("columns", "member", "schema")}
        data.update(control=self.control, choices=[list(c) for c in self.choices],
                    columns=[c.to_dict() for c in self.columns],
                    member=self.member.to_dict() if self.member else None)
        return data


# -- GP tasks -------------------------------------------------------------------------------
def gp_fields(task: Mapping[str, Any]) -> tuple[list[FormField], list[FormField]]:
    """A GP task description → (inputs, outputs). Derived parameters are outputs."""
    inputs, outputs = [], []
    for raw in task.get("parameters") or []:
        if not isinstance(raw, Mapping) or not raw.get("name"):
            continue
        is_output = raw.get("direction") == OUTPUT or \
            str(raw.get("parameterType", "")).endswith("Derived")
        field = gp_field(raw, output=is_output)
        (outputs if is_output else inputs).append(field)
    return inputs, outputs


def gp_field(raw: Mapping[str, Any], output: bool = False) -> FormField:
    data_type = str(raw.get("dataType") or "GPString")
    name = str(raw.get("name") or "")
    filt = raw.get("filter") if isinstance(raw.get("filter"), Mapping) else {}
    infos = [i for i in raw.get("parameterInfos") or [] if isinstance(i, Mapping)]
    base = FormField(
        name=name, label=str(raw.get("displayName") or name), data_type=data_type,
        help=str(raw.get("description") or ""),
        required=str(raw.get("parameterType", "")).endswith("Required"),
        category=str(raw.get("category") or ""), output=output,
        choices=_choices(raw, filt), **_filter_fields(filt))
    if data_type.startswith("GPMultiValue:"):
        member_raw = {**(infos[0] if infos else {}), "dataType": data_type.split(":", 1)[1],
                      "name": "", "displayName": ""}
        if raw.get("choiceList"):
            member_raw["choiceList"] = raw["choiceList"]
        base = dataclasses.replace(base, choices=(), member=gp_field(member_raw))
    if data_type == "GPValueTable":
        base = dataclasses.replace(base, columns=tuple(gp_field(i) for i in infos))
    if data_type in ("GPFeatureRecordSetLayer", "GPRecordSet") and \
            isinstance(raw.get("defaultValue"), Mapping):
        base = dataclasses.replace(base, schema=_schema_of(raw["defaultValue"]))
    return dataclasses.replace(base, default=form_default(base, raw.get("defaultValue")))


def _choices(raw: Mapping[str, Any], filt: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    if filt.get("type") == "codedValue":  # 12.0+: show the name, send the value
        return tuple((str(c.get("name", c.get("value"))), c.get("value"))
                     for c in filt.get("list") or [] if isinstance(c, Mapping))
    if isinstance(raw.get("choiceList"), list):
        return tuple((str(c), c) for c in raw["choiceList"])
    if filt.get("type") == "valueList" and isinstance(filt.get("list"), list):
        return tuple((str(c), c) for c in filt["list"])
    return ()


def _filter_fields(filt: Mapping[str, Any]) -> dict[str, Any]:
    kind = filt.get("type")
    if kind == "range":
        return {"minimum": _number(filt.get("minimum")), "maximum": _number(filt.get("maximum"))}
    if kind == "featureClass":
        return {"geometry_types": tuple(str(g) for g in filt.get("list") or [])}
    if kind == "file":
        return {"extensions": tuple(str(e).lstrip(".") for e in filt.get("list") or [])}
    if kind == "composite":  # several filters at once: take what each says
        merged: dict[str, Any] = {}
        for part in filt.get("list") or []:
            if isinstance(part, Mapping):
                merged.update(_filter_fields(part))
        return merged
    return {}


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def _schema_of(feature_set: Mapping[str, Any]) -> dict[str, Any]:
    return {k: feature_set[k] for k in ("geometryType", "spatialReference", "fields")
            if k in feature_set}


def form_default(field: FormField, value: Any) -> Any:
    """A task's ``defaultValue`` (in any of the shapes seen in the wild) as a form value."""
    if value is None or value == "":
        return [] if field.member is not None or field.columns else None
    control = field.control
    try:
        if control == "linear":
            return value if isinstance(value, Mapping) else \
                parse_quantity(str(value), "distance", linear_units())
        if control == "areal":
            return value if isinstance(value, Mapping) else \
                parse_quantity(str(value), "area", areal_units())
        if control == "datetime":
            return _iso(value)
    except (InputProblem, ValueError, OverflowError):
        return None  # a default we cannot read is no reason to refuse the task
    if control in ("features", "records"):
        has_rows = isinstance(value, Mapping) and (value.get("features") or value.get("url"))
        if isinstance(value, Mapping) and value.get("url"):
            return {"source": "url", "url": value["url"]}
        return {"source": "json", "text": json.dumps(value)} if has_rows else None
    if control == "file":
        return {"source": "url", "url": value.get("url")} if isinstance(value, Mapping) and \
            value.get("url") else None
    if control == "json":
        return value if isinstance(value, str) else json.dumps(value)
    if field.columns:
        names = [c.name for c in field.columns]
        return [[row.get(n) for n in names] if isinstance(row, Mapping) else list(row)
                for row in value if isinstance(row, Mapping | list | tuple)]
    if field.member is not None:
        items = value if isinstance(value, list) else [value]
        return [form_default(field.member, v) for v in items]
    return value


def _iso(value: Any) -> str:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, timezone.utc).isoformat()
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).isoformat()


# -- OGC API – Processes --------------------------------------------------------------------
def ogc_fields(process: Mapping[str, Any]) -> tuple[list[FormField], list[FormField]]:
    """An OGC process description → (inputs, outputs)."""
    inputs = [ogc_field(n, d) for n, d in (process.get("inputs") or {}).items()
              if isinstance(d, Mapping)]
    outputs = [dataclasses.replace(ogc_field(n, d), required=False, output=True)
               for n, d in (process.get("outputs") or {}).items() if isinstance(d, Mapping)]
    return inputs, outputs


def _title(value: Any, fallback: str) -> str:
    if isinstance(value, Mapping):  # multilingual titles: {"en": …}
        value = value.get("en") or next(iter(value.values()), "")
    return str(value or fallback)


def ogc_field(name: str, described: Mapping[str, Any]) -> FormField:
    schema = described.get("schema") if isinstance(described.get("schema"), Mapping) else {}
    min_occurs = _int(described.get("minOccurs"), 1)
    max_occurs = described.get("maxOccurs", 1)
    many = max_occurs == "unbounded" or _int(max_occurs, 1) > 1
    if "enum" in described and "enum" not in schema:  # seen beside the schema (pygeoapi)
        schema = {**schema, "enum": described["enum"]}
    field = _schema_field(name, schema)
    field = dataclasses.replace(field, label=_title(described.get("title"), name),
                                help=_title(described.get("description"), ""),
                                required=min_occurs > 0)
    if many and not field.data_type.startswith("GPMultiValue:"):
        field = dataclasses.replace(
            field, data_type=f"GPMultiValue:{field.data_type}", member=field, choices=(),
            min_items=min_occurs or None,
            max_items=None if max_occurs == "unbounded" else _int(max_occurs, None))
    return dataclasses.replace(field, default=form_default(field, schema.get("default")))


def _int(value: Any, fallback: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return fallback


def _bound(schema: Mapping[str, Any], inclusive: str, exclusive: str, flag: str) -> dict:
    """A JSON Schema bound: ``minimum``, ``exclusiveMinimum: n`` (draft 6 and later), or
    ``minimum`` with ``exclusiveMinimum: true`` (draft 4)."""
    limit, strict = schema.get(exclusive), False
    if isinstance(limit, bool):
        strict, limit = limit, None
    if _number(limit) is not None:
        return {inclusive: _number(limit), flag: True}
    return {inclusive: _number(schema.get(inclusive)), flag: strict and
            _number(schema.get(inclusive)) is not None}


def _schema_field(name: str, schema: Mapping[str, Any]) -> FormField:
    """A JSON Schema → a field of the matching GP data type."""
    field = FormField(name=name, label=name, data_type="OGC", protocol="ogc")
    if isinstance(schema.get("allOf"), list):  # e.g. [{"format": "ogc-bbox"}, {"$ref": …}]
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            if isinstance(part, Mapping):
                merged.update(part)
        return _schema_field(name, merged)
    if "oneOf" in schema or "anyOf" in schema:  # a choice of encodings
        options = [_schema_field(name, s) for s in schema.get("oneOf") or schema.get("anyOf")
                   or [] if isinstance(s, Mapping)]
        best = next((o for o in options if o.data_type in (
            "GPFeatureRecordSetLayer", "OGCGeometry")), None)
        if best is None and any(isinstance(s, Mapping) and s.get("contentMediaType")
                                for s in schema.get("oneOf") or schema.get("anyOf") or []):
            best = dataclasses.replace(field, data_type="GPDataFile")  # by reference
        return best or next((o for o in options if o.data_type != "OGC"), field)
    kind, fmt = schema.get("type"), str(schema.get("format") or "")
    ref = str(schema.get("$ref") or "")
    if "bbox" in fmt or "bbox" in ref.lower() or (kind == "object" and "bbox" in (
            schema.get("properties") or {})):
        return dataclasses.replace(field, data_type="OGCBoundingBox")
    if fmt == "geojson-feature-collection" or "featurecollection" in ref.lower():
        return dataclasses.replace(field, data_type="GPFeatureRecordSetLayer")
    if "geojson" in fmt or "geojson" in ref.lower():
        return dataclasses.replace(field, data_type="OGCGeometry")  # pasted as GeoJSON
    if kind == "array":
        items = schema.get("items") if isinstance(schema.get("items"), Mapping) else {}
        member = _schema_field("", items)
        return dataclasses.replace(
            field, data_type=f"GPMultiValue:{member.data_type}", member=member,
            min_items=schema.get("minItems"), max_items=schema.get("maxItems"))
    types = {"string": "GPString", "integer": "GPLong", "number": "GPDouble",
             "boolean": "GPBoolean"}
    if kind == "string" and fmt in ("date-time", "date"):
        return dataclasses.replace(field, data_type="GPDate")
    if kind in types:
        enum = schema.get("enum")
        return dataclasses.replace(
            field, data_type=types[kind],
            choices=tuple((str(v), v) for v in enum) if isinstance(enum, list) and enum else (),
            **_bound(schema, "minimum", "exclusiveMinimum", "exclusive_minimum"),
            **_bound(schema, "maximum", "exclusiveMaximum", "exclusive_maximum"))
    return field  # an object or anything else: JSON
