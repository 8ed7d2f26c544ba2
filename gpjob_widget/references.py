"""Results that point somewhere instead of holding data: a hosted layer, a portal item, a map
image, a service. :class:`ResultURL` reads a layer (or an item's layer) into a GeoDataFrame on
demand, with every page of its features.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ResultError

GetJSON = Callable[[str, "dict[str, Any] | None"], dict[str, Any]]
LAYER_URL = re.compile(r"/(FeatureServer|MapServer)/\d+/?$", re.IGNORECASE)
SERVICE_URL = re.compile(r"/(FeatureServer|MapServer)/?$", re.IGNORECASE)
ITEM_URL = re.compile(r"/sharing/rest/content/items/(?P<id>[0-9a-f]{32})/?$", re.IGNORECASE)
PAGE_SIZE = 2000


@dataclass(frozen=True)
class ResultURL:
    """A result that is a reference, not data (nothing is fetched until you ask).

    ``kind`` is ``"layer"`` (a hosted feature layer or table, e.g. a Spatial Analysis output:
    :meth:`read` gives its features), ``"item"`` (a portal item), ``"map image"`` (rendered by
    the result map service; ask again with ``return_type="data"`` for the data), ``"service"``
    (e.g. an image service a raster analysis created) or ``"file"``.
    """

    url: str
    data_type: str = ""
    format: str = ""
    kind: str = ""
    item_id: str = ""
    _get_json: GetJSON | None = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        return self.url or f"item {self.item_id}"

    def read(self, where: str = "1=1", out_fields: str = "*", *, token: Any = None,
             **params: Any) -> Any:
        """The layer's features now: a ``GeoDataFrame`` (a ``DataFrame`` for a table).

        Follows a feature service to its first layer and a portal item to its service. The
        job's credentials go only to the job's own origin; a layer elsewhere (e.g. hosted on
        ``services.arcgis.com``) gets ``token=`` if you give one.
        """
        get_json = self._reader(token)
        layer = self._layer_url(get_json)
        return read_layer(get_json, layer, where=where, out_fields=out_fields, **params)

    to_geodataframe = read

    def _reader(self, token: Any) -> GetJSON:
        if token is not None:
            from .transport import Transport

            return Transport(self.url or "https://localhost", token).get_json
        if self._get_json is None:
            raise ResultError(f"{self} was not made by a job: read it with "
                              "ResultURL.read(token=…) or your GIS client")
        return self._get_json

    def _layer_url(self, get_json: GetJSON) -> str:
        url = self.url.rstrip("/")
        match = ITEM_URL.search(url)
        if match or (self.item_id and not url):
            if not url:
                raise ResultError(f"item {self.item_id}: no portal URL to read it from")
            item = get_json(url, None)
            url = str(item.get("url") or "").rstrip("/")
            if not url:
                raise ResultError(f"item {match['id'] if match else self.item_id} "
                                  f"({item.get('type', 'unknown type')}) has no layer to read; "
                                  f"its data is at {self.url}/data")
        if SERVICE_URL.search(url):
            service = get_json(url, None)
            layers = list(service.get("layers") or []) + list(service.get("tables") or [])
            if not layers:
                raise ResultError(f"{url} has no layers")
            url = f"{url}/{layers[0].get('id', 0)}"
        if not LAYER_URL.search(url):
            raise ResultError(f"{url} is not a feature layer or table")
        return url


def read_layer(get_json: GetJSON, layer_url: str, *, where: str = "1=1",
               out_fields: str = "*", limit: int | None = None, **params: Any) -> Any:
    """Every feature of a layer (paged with ``resultOffset``), or the first *limit* → a
    typed frame."""
    from .frames import features_frame

    features: list[Any] = []
    first: Mapping[str, Any] | None = None
    while limit is None or len(features) < limit:
        wanted = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - len(features))
        page = get_json(f"{layer_url}/query", {
            "where": where, "outFields": out_fields, "returnGeometry": "true",
            "resultOffset": len(features), "resultRecordCount": wanted, **params})
        first = first or page
        features.extend(page.get("features") or [])
        if not page.get("exceededTransferLimit") or not page.get("features"):
            break
    return features_frame({**(first or {}), "features": features[:limit],
                           "exceededTransferLimit": False})
