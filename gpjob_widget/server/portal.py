"""The portal side of the loopback server: hosted feature layers and items (where Spatial
Analysis outputs point), and just enough of ``/sharing/rest`` for Esri's ``GIS(url)`` to sign in
(over HTTPS: it insists) with an API key or a generated token."""

from __future__ import annotations

import re
import time
from typing import Any

from .http import Reply, ServerState, error

HOSTED = "/arcgis/rest/services/Hosted"
ITEMS = "/sharing/rest/content/items"
MAX_RECORDS = 2  # tiny on purpose: reading a layer must follow the pages


def route_feature_service(app: ServerState, m: re.Match[str], params: dict[str, str], method):
    layer = app.layers.get(m["name"])
    if layer is None:
        return error(400, "Invalid URL", [f"Service {m['name']} not found."])
    return Reply({"layers": [{"id": 0, "name": m["name"]}], "tables": [],
                  "maxRecordCount": MAX_RECORDS})


def route_layer(app: ServerState, m: re.Match[str], params: dict[str, str], method):
    layer = app.layers.get(m["name"])
    if layer is None or m["layer"] != "0":
        return error(400, "Invalid URL", ["Layer not found."])
    return Reply({"id": 0, "name": m["name"], "type": "Feature Layer",
                  "geometryType": layer.get("geometryType"), "fields": layer.get("fields"),
                  "maxRecordCount": MAX_RECORDS})


def route_query(app: ServerState, m: re.Match[str], params: dict[str, str], method):
    layer = app.layers.get(m["name"])
    if layer is None or m["layer"] != "0":
        return error(400, "Invalid URL", ["Layer not found."])
    features = layer.get("features") or []
    offset = int(params.get("resultOffset") or 0)
    count = min(int(params.get("resultRecordCount") or MAX_RECORDS), MAX_RECORDS)
    page = features[offset:offset + count]
    return Reply({**{k: v for k, v in layer.items() if k != "features"}, "features": page,
                  "exceededTransferLimit": offset + count < len(features)})


def route_item(app: ServerState, m: re.Match[str], params: dict[str, str], method):
    item = app.items.get(m["id"])
    if item is None:
        return error(400, "Item does not exist or is inaccessible.", [])
    return Reply({"id": m["id"], **item})


SHARING = "/sharing/rest"


def route_sharing_root(app: ServerState, m: re.Match[str], params: dict[str, str], method):
    return Reply({"currentVersion": "2024.1"})


def route_info(app: ServerState, m: re.Match[str], params: dict[str, str], method):
    return Reply({"owningSystemUrl": app.url, "authInfo": {
        "isTokenBasedSecurity": True, "tokenServicesUrl": f"{app.url}{SHARING}/generateToken"}})


def route_portal_self(app: ServerState, m: re.Match[str], params: dict[str, str], method):
    return Reply({"id": "loopback", "name": "Loopback portal", "portalName": "Loopback portal",
                  "isPortal": True, "currentVersion": "2024.1", "allSSL": False,
                  "supportsOAuth": False, "helperServices": {},
                  "portalHostname": app.url.split("://", 1)[1]})


def route_generate_token(app: ServerState, m: re.Match[str], params: dict[str, str], method):
    if method != "POST":
        return error(405, "generateToken requires POST")
    if (params.get("username"), params.get("password")) not in app.users.items():
        return error(400, "Unable to generate token.", ["Invalid username or password."])
    return Reply({"token": app.issue_token(), "expires": int(time.time() * 1000) + 3_600_000,
                  "ssl": app.url.startswith("https")})


ROUTES: list[tuple[str, Any]] = [
    (rf"^{SHARING}/?$", route_sharing_root),
    (rf"^{SHARING}/info/?$", route_info),
    (rf"^{SHARING}/portals/self/?$", route_portal_self),
    (rf"^{SHARING}/generateToken/?$", route_generate_token),
    (rf"^{HOSTED}/(?P<name>[^/]+)/FeatureServer/?$", route_feature_service),
    (rf"^{HOSTED}/(?P<name>[^/]+)/FeatureServer/(?P<layer>\d+)/?$", route_layer),
    (rf"^{HOSTED}/(?P<name>[^/]+)/FeatureServer/(?P<layer>\d+)/query/?$", route_query),
    (rf"^{ITEMS}/(?P<id>[0-9a-f]{{32}})/?$", route_item),
]

PUBLIC = frozenset({route_sharing_root, route_info, route_portal_self, route_generate_token})
