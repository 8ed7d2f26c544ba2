"""Task parameters as servers take them: GP form fields, OGC ``inputs`` JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, timezone
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
    return json.dumps(json_param(value, dates=_epoch_ms), default=str)


def _epoch_ms(value: date) -> int:
    return int(encode_param(value))


def _iso(value: date) -> str:
    return value.isoformat()


def json_param(value: Any, dates: Any = _iso) -> Any:
    """A parameter as a JSON value: dates as ISO 8601 (OGC inputs), or as *dates* makes them
    (epoch ms inside GP JSON), the rest as it is."""
    if isinstance(value, datetime | date):
        return dates(value)
    if isinstance(value, Mapping):
        return {str(k): json_param(v, dates) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_param(v, dates) for v in value]
    return value
