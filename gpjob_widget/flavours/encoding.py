"""Task parameters as servers take them: GP form fields, OGC ``inputs`` JSON.

Python values go in as a user has them: numbers, text, aware datetimes, ``LinearUnit`` /
``ArealUnit``, a (Geo)DataFrame (a feature or record set for ArcGIS, GeoJSON for OGC), dicts
and lists of those.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import date, datetime, timezone
from pathlib import PurePath
from typing import Any


def encode_param(value: Any) -> str:
    """A task parameter as the form field ArcGIS expects (JSON for structures, epoch ms dates)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return str(int(aware.timestamp() * 1000))
    if isinstance(value, date):
        return encode_param(datetime(value.year, value.month, value.day, tzinfo=timezone.utc))
    if value is None:
        return ""
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(json_param(value, dates=_epoch_ms, protocol="gp"), default=str)


def _epoch_ms(value: date) -> int:
    return int(encode_param(value))


def _iso(value: date) -> str:
    return value.isoformat()


def json_param(value: Any, dates: Any = _iso, protocol: str = "ogc") -> Any:
    """A parameter as a JSON value: dates as ISO 8601 (OGC inputs), or as *dates* makes them
    (epoch ms inside GP JSON); frames as feature / record sets (ArcGIS) or GeoJSON (OGC);
    units as their ``{"distance" | "area", "units"}`` objects; the rest as it is."""
    if isinstance(value, datetime | date):
        return dates(value)
    if _is_frame(value):
        from .. import frames

        if hasattr(value, "crs") and hasattr(value, "geometry"):
            return frames.frame_to_geojson(value) if protocol == "ogc" else \
                frames.frame_to_feature_set(value)
        return json.loads(value.to_json(orient="records", date_format="iso")) \
            if protocol == "ogc" else frames.frame_to_record_set(value)
    if hasattr(value, "__geo_interface__") and hasattr(value, "geom_type"):  # shapely
        return json.loads(json.dumps(value.__geo_interface__)) if protocol == "ogc" else \
            _esri_geometry(value)
    from ..references import ResultURL

    if isinstance(value, ResultURL):  # an output of an earlier job, as an input
        return {"itemId": value.item_id} if value.kind == "item" and value.item_id and \
            not value.url else {"url": value.url}
    if isinstance(value, PurePath):
        raise TypeError(f"a local file ({value}) cannot be sent as a parameter: upload it "
                        "somewhere the server can read and pass {'url': …} or {'itemID': …}")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return json_param(dataclasses.asdict(value), dates, protocol)  # LinearUnit, ArealUnit
    if isinstance(value, Mapping):
        return {str(k): json_param(v, dates, protocol) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_param(v, dates, protocol) for v in value]
    return value


def _esri_geometry(shape: Any) -> Any:
    from ..geometry import to_esri_geometry

    return to_esri_geometry(shape, has_z=bool(getattr(shape, "has_z", False)))


def _is_frame(value: Any) -> bool:
    return hasattr(value, "columns") and hasattr(value, "to_json") and hasattr(value, "dtypes")
