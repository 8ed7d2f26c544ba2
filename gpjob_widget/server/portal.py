"""The portal side of the loopback server: hosted feature layers and items (where Spatial
Analysis outputs point), and just enough of ``/sharing/rest`` for Esri's ``GIS(url)`` to sign in
(over HTTPS: it insists) with an API key or a generated token."""

from __future__ import annotations

import re
import time
from typing import Any

from .http import Reply, ServerState, error, tiny_png

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
    if params.get("returnCountOnly", "").lower() == "true":
        return Reply({"count": len(features)})
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


# An image service as a raster analysis output points at (e.g. …/Hosted/Slope/ImageServer).
IMAGE_EXTENT = {"xmin": -13_100_000.0, "ymin": 3_980_000.0, "xmax": -13_000_000.0,
                "ymax": 4_040_000.0, "spatialReference": {"wkid": 102100, "latestWkid": 3857}}


def route_image_service(app: ServerState, m: re.Match[str], params: dict[str, str], method):
    return Reply({"currentVersion": 11.3, "name": f"Hosted/{m['name']}",
                  "serviceDataType": "esriImageServiceDataTypeElevation",
                  "extent": IMAGE_EXTENT, "initialExtent": IMAGE_EXTENT,
                  "fullExtent": IMAGE_EXTENT, "pixelSizeX": 30.0, "pixelSizeY": 30.0,
                  "bandCount": 1, "pixelType": "F32",
                  "spatialReference": IMAGE_EXTENT["spatialReference"],
                  "capabilities": "Image,Metadata"})


def route_export_image(app: ServerState, m: re.Match[str], params: dict[str, str], method):
    """``exportImage``: the picture itself with ``f=image``, else where it is (JSON)."""
    width, height = (int(v) for v in (params.get("size") or "400,400").split(","))
    if params.get("f") == "image":
        return Reply(tiny_png(width, height), content_type="image/png")
    return Reply({"href": f"{app.url}{HOSTED}/{m['name']}/ImageServer/exportImage?f=image&"
                          f"size={width},{height}", "width": width, "height": height,
                  "extent": IMAGE_EXTENT, "scale": 0})


ROUTES: list[tuple[str, Any]] = [
    (rf"^{SHARING}/?$", route_sharing_root),
    (rf"^{SHARING}/info/?$", route_info),
    (rf"^{SHARING}/portals/self/?$", route_portal_self),
    (rf"^{SHARING}/generateToken/?$", route_generate_token),
    (rf"^{HOSTED}/(?P<name>[^/]+)/FeatureServer/?$", route_feature_service),
    (rf"^{HOSTED}/(?P<name>[^/]+)/FeatureServer/(?P<layer>\d+)/?$", route_layer),
    (rf"^{HOSTED}/(?P<name>[^/]+)/FeatureServer/(?P<layer>\d+)/query/?$", route_query),
    (rf"^{ITEMS}/(?P<id>[0-9a-f]{{32}})/?$", route_item),
    (rf"^{HOSTED}/(?P<name>[^/]+)/ImageServer/?$", route_image_service),
    (rf"^{HOSTED}/(?P<name>[^/]+)/ImageServer/exportImage/?$", route_export_image),
]

PUBLIC = frozenset({route_sharing_root, route_info, route_portal_self, route_generate_token})
