"""Hosted feature layers and portal items on the loopback server: where Spatial Analysis
outputs point (``{"url"}`` / ``{"itemId"}``), so a test can read them back over HTTP."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .http import Reply, error

if TYPE_CHECKING:
    from .app import JobServer

HOSTED = "/arcgis/rest/services/Hosted"
ITEMS = "/sharing/rest/content/items"
MAX_RECORDS = 2  # tiny on purpose: reading a layer must follow the pages


def route_feature_service(app: JobServer, m: re.Match[str], params: dict[str, str], method):
    layer = app.layers.get(m["name"])
    if layer is None:
        return error(400, "Invalid URL", [f"Service {m['name']} not found."])
    return Reply({"layers": [{"id": 0, "name": m["name"]}], "tables": [],
                  "maxRecordCount": MAX_RECORDS})


def route_layer(app: JobServer, m: re.Match[str], params: dict[str, str], method):
    layer = app.layers.get(m["name"])
    if layer is None or m["layer"] != "0":
        return error(400, "Invalid URL", ["Layer not found."])
    return Reply({"id": 0, "name": m["name"], "type": "Feature Layer",
                  "geometryType": layer.get("geometryType"), "fields": layer.get("fields"),
                  "maxRecordCount": MAX_RECORDS})


def route_query(app: JobServer, m: re.Match[str], params: dict[str, str], method):
    layer = app.layers.get(m["name"])
    if layer is None or m["layer"] != "0":
        return error(400, "Invalid URL", ["Layer not found."])
    features = layer.get("features") or []
    offset = int(params.get("resultOffset") or 0)
    count = min(int(params.get("resultRecordCount") or MAX_RECORDS), MAX_RECORDS)
    page = features[offset:offset + count]
    return Reply({**{k: v for k, v in layer.items() if k != "features"}, "features": page,
                  "exceededTransferLimit": offset + count < len(features)})


def route_item(app: JobServer, m: re.Match[str], params: dict[str, str], method):
    item = app.items.get(m["id"])
    if item is None:
        return error(400, "Item does not exist or is inaccessible.", [])
    return Reply({"id": m["id"], **item})


ROUTES: list[tuple[str, Any]] = [
    (rf"^{HOSTED}/(?P<name>[^/]+)/FeatureServer/?$", route_feature_service),
    (rf"^{HOSTED}/(?P<name>[^/]+)/FeatureServer/(?P<layer>\d+)/?$", route_layer),
    (rf"^{HOSTED}/(?P<name>[^/]+)/FeatureServer/(?P<layer>\d+)/query/?$", route_query),
    (rf"^{ITEMS}/(?P<id>[0-9a-f]{{32}})/?$", route_item),
]
