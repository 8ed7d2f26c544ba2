"""Result values → small summaries the card (and its static snapshot) show at a glance.

Which kind of preview an output gets comes from THE data-type table (``DataType.shows_as``),
else from the value itself. Feature outputs become a north-up, aspect-true thumbnail in the
output's own CRS: coordinates quantised to the thumbnail's pixel grid, consecutive duplicates
dropped, sent as binary buffers (never GeoJSON), at most :data:`MAX_BYTES` per output; past
that, the occupied pixels as a tiny raster. Tables give their first rows; scalars their value,
formatted; files their name, size, type (and the image itself when small).
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import math
from collections.abc import Mapping
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from .references import ResultURL
from .results import Field, data_type
from .units import ArealUnit, LinearUnit, unit_label

THUMB = (240, 160)        # CSS pixels the thumbnail fits in
GRID = 2                  # grid cells per CSS pixel (crisp on high-DPI screens)
MAX_BYTES = 256_000       # per output over the comm
HEAD_ROWS = 5
TEXT_MAX = 200            # characters of a value shown inline
IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}

Summary = tuple[dict[str, Any], list[bytes]]  # the JSON part, and binary buffers


def summarize(name: str, value: Any, dtype: str = "", *, label: str = "") -> Summary:
    """One output's preview: ``({"name", "label", "kind", "summary", …}, buffers)``."""
    kind = data_type(dtype).shows_as if dtype else "auto"
    head = {"name": name, "label": label or name}
    if _is_geoframe(value):
        data, buffers = features(value)
    elif hasattr(value, "columns") and hasattr(value, "dtypes"):
        data, buffers = table(value), []
    elif isinstance(value, Path):
        data, buffers = file(value, raster=kind == "raster")
    elif isinstance(value, ResultURL) and value.kind in ("layer", "item"):
        data, buffers = layer(value)
    elif isinstance(value, ResultURL):
        data, buffers = link(value), []
    else:
        data, buffers = scalar(value), []
    return {**head, **data}, buffers


def failed(name: str, reason: str, *, label: str = "") -> dict[str, Any]:
    """The row of an output that could not be read: the reason, in the server's words."""
    return {"name": name, "label": label or name, "kind": "error", "summary": reason}


def deferred(name: str, size: int | None, *, label: str = "") -> dict[str, Any]:
    """The row of an output too big to fetch on its own: it waits for Preview / Load."""
    words = f"{_bytes(size)}, more than" if size else "more than"
    return {"name": name, "label": label or name, "kind": "deferred",
            "summary": f"{words} the preview budget: not fetched automatically"}


# -- features ---------------------------------------------------------------------------------
def _is_geoframe(value: Any) -> bool:
    return hasattr(value, "geometry") and hasattr(value, "crs") and hasattr(value, "columns")


# shapely's geometry type ids → the thumbnail's families
FAMILIES = {0: "point", 4: "point", 1: "line", 2: "line", 5: "line", 3: "polygon",
            6: "polygon"}


def features(frame: Any, box: tuple[int, int] = THUMB) -> Summary:
    """A GeoDataFrame as a thumbnail: ``family`` point / line / polygon, ``coords`` (uint16
    x, y pairs on a ``grid`` of width × height cells, y down), ``rings`` (uint32 start of each
    ring or path), or a ``density`` raster (uint8, one byte per CSS pixel) when that is
    smaller than the vector would be."""
    import numpy as np
    import shapely

    geoms = np.asarray(frame.geometry.values, dtype=object)
    present = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    kinds = {FAMILIES.get(int(t), "shape") for t in np.unique(shapely.get_type_id(present))}
    family = kinds.pop() if len(kinds) == 1 else "shape"  # a mix is drawn as a raster
    count = len(frame)
    data: dict[str, Any] = {
        "kind": "features", "count": count, "family": family, "crs": crs_name(frame.crs),
        "summary": f"{count:,} {family}{'s' * (count != 1)} · {crs_name(frame.crs) or 'no CRS'}",
        "table": table(frame.drop(columns=[frame.geometry.name]), rows=3),
    }
    if not len(present):
        return {**data, "width": 0, "height": 0}, []
    minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(present))
    span = max(maxx - minx, maxy - miny) or 1.0
    if maxx - minx < span * 1e-3:  # a vertical line or one point: give it some width
        minx, maxx = minx - span / 2, maxx + span / 2
    if maxy - miny < span * 1e-3:
        miny, maxy = miny - span / 2, maxy + span / 2
    scale = min(box[0] / (maxx - minx), box[1] / (maxy - miny))
    width, height = max(1, round((maxx - minx) * scale)), max(1, round((maxy - miny) * scale))
    data.update(width=width, height=height, bounds=[minx, miny, maxx, maxy])
    for grid in (GRID, 1) if family != "shape" else ():
        coords, rings = _quantised(present, family, minx, maxy, scale * grid,
                                   width * grid, height * grid)
        size = coords.nbytes + rings.nbytes
        if size <= MAX_BYTES:
            return {**data, "mode": "vector", "grid": grid}, [coords.tobytes(), rings.tobytes()]
    xy = shapely.get_coordinates(present)
    px = np.clip(((xy[:, 0] - minx) * scale).astype(int), 0, width - 1)
    py = np.clip(((maxy - xy[:, 1]) * scale).astype(int), 0, height - 1)
    counts = np.bincount(py * width + px, minlength=width * height)
    # vertices per pixel, log-scaled to 1…255 (0: empty): a crowded place shows darker
    top = np.log1p(counts.max()) or 1.0
    density = np.where(counts > 0, 1 + np.log1p(counts) / top * 254, 0).astype(np.uint8)
    return {**data, "mode": "density"}, [density.tobytes()]


def _quantised(geoms: Any, family: str, minx: float, maxy: float, scale: float,
               width: int, height: int) -> tuple[Any, Any]:
    """(coords uint16 x,y pairs, ring starts uint32) on the grid; consecutive duplicates
    dropped; polygon exteriors one way round and holes the other (nonzero fill cuts holes)."""
    import numpy as np
    import shapely

    if family == "point":
        xy = shapely.get_coordinates(geoms)
        q = _to_grid(xy, minx, maxy, scale, width, height)
        cells = np.unique(q[:, 1].astype(np.uint32) * (width + 1) + q[:, 0])
        q = np.stack([cells % (width + 1), cells // (width + 1)], axis=1).astype(np.uint16)
        return q, np.zeros(0, dtype=np.uint32)
    parts = shapely.get_parts(geoms)
    if family == "polygon":
        rings, exterior = _rings(parts)
    else:
        rings, exterior = parts, np.zeros(len(parts), dtype=bool)
    counts = shapely.get_num_coordinates(rings)
    xy = shapely.get_coordinates(rings)
    q = _to_grid(xy, minx, maxy, scale, width, height).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    first = np.zeros(len(q), dtype=bool)
    first[starts[counts > 0]] = True
    keep = first.copy()
    keep[1:] |= np.any(q[1:] != q[:-1], axis=1)
    ring_of = np.cumsum(first) - 1
    q, ring_of = q[keep], ring_of[keep]
    new_starts = np.flatnonzero(np.concatenate([[True], ring_of[1:] != ring_of[:-1]]))
    if family == "polygon" and len(q):
        q = _oriented(q, new_starts, exterior[ring_of[new_starts]])
    return q.astype(np.uint16), new_starts.astype(np.uint32)


def _to_grid(xy: Any, minx: float, maxy: float, scale: float, width: int,
             height: int) -> Any:
    import numpy as np

    qx = np.clip(np.rint((xy[:, 0] - minx) * scale), 0, width)
    qy = np.clip(np.rint((maxy - xy[:, 1]) * scale), 0, height)
    return np.stack([qx, qy], axis=1).astype(np.uint16)


def _rings(polygons: Any) -> tuple[Any, Any]:
    """Every ring of every polygon, and which are exteriors."""
    import numpy as np
    import shapely

    holes = shapely.get_num_interior_rings(polygons)
    rings = shapely.get_rings(polygons)
    exterior = np.zeros(len(rings), dtype=bool)
    exterior[np.concatenate([[0], np.cumsum(holes + 1)[:-1]]).astype(int)] = True
    return rings, exterior


def _oriented(q: Any, starts: Any, exterior: Any) -> Any:
    """Reverse the rings whose turning does not match their role (shoelace per ring)."""
    import numpy as np

    x, y = q[:, 0].astype(np.int64), q[:, 1].astype(np.int64)
    nxt = np.arange(1, len(q) + 1)
    ends = np.append(starts[1:], len(q))
    nxt[ends - 1] = starts  # each ring closes on its own first point
    area = np.add.reduceat(x * y[nxt] - x[nxt] * y, starts)
    wrong = (area < 0) != exterior  # y points down: positive is clockwise on screen
    out = q.copy()
    for ring in np.flatnonzero(wrong):
        out[starts[ring]:ends[ring]] = q[starts[ring]:ends[ring]][::-1]
    return out


def crs_name(crs: Any) -> str:
    if crs is None:
        return ""
    epsg = crs.to_epsg(min_confidence=70) if hasattr(crs, "to_epsg") else None
    return f"EPSG:{epsg}" if epsg else str(getattr(crs, "name", crs))


STATIC_SVG_MAX = 60_000  # characters: a bigger thumbnail is saved as a small PNG instead


def svg(data: Mapping[str, Any], buffers: list[bytes], *, stroke: str = "#1d70b8") -> str:
    """The thumbnail as inline SVG (static snapshots, nbconvert, GitHub): no script, and
    bounded: past :data:`STATIC_SVG_MAX` the vertices per pixel, as a PNG inside the SVG."""
    drawn = _svg(data, buffers, stroke)
    if len(drawn) <= STATIC_SVG_MAX or data.get("mode") != "vector":
        return drawn
    width, height = data["width"], data["height"]
    png = base64.b64encode(density_png(_vertex_counts(data, buffers), width, height,
                                       stroke)).decode()
    label = html.escape(str(data["summary"]), quote=True)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
            f'<image width="{width}" height="{height}" href="data:image/png;base64,{png}"/>'
            f'</svg>')


def _vertex_counts(data: Mapping[str, Any], buffers: list[bytes]) -> Any:
    """Vertices per CSS pixel of a vector thumbnail."""
    import numpy as np

    width, height = data["width"], data["height"]
    xy = (np.frombuffer(buffers[0], dtype=np.uint16).reshape(-1, 2) // data["grid"]).astype(int)
    px, py = np.clip(xy[:, 0], 0, width - 1), np.clip(xy[:, 1], 0, height - 1)
    return np.bincount(py * width + px, minlength=width * height)


def density_png(counts: Any, width: int, height: int, stroke: str = "#1d70b8") -> bytes:
    """A PNG of *counts* per pixel in the stroke colour, more opaque where more (log scale)."""
    import struct
    import zlib

    import numpy as np

    top = np.log1p(counts.max()) or 1.0
    alpha = np.where(counts > 0, 70 + np.log1p(counts) / top * 185, 0).astype(np.uint8)
    rgb = [int(stroke[i:i + 2], 16) for i in (1, 3, 5)]
    pixels = np.zeros((height, width, 4), dtype=np.uint8)
    pixels[..., :3] = rgb
    pixels[..., 3] = alpha.reshape(height, width)
    raw = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + \
            struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def _svg(data: Mapping[str, Any], buffers: list[bytes], stroke: str) -> str:
    import numpy as np

    width, height = data.get("width", 0), data.get("height", 0)
    if not width or data.get("mode") != "vector":
        box = (f'<rect x="0.5" y="0.5" width="{max(width - 1, 1)}" height="{max(height - 1, 1)}"'
               f' fill="none" stroke="{stroke}" stroke-dasharray="3 2"/>') if width else ""
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width or 1}" '
                f'height="{height or 1}" role="img" aria-label="extent">{box}</svg>')
    grid = data["grid"]
    coords = np.frombuffer(buffers[0], dtype=np.uint16).reshape(-1, 2) / grid
    family = data["family"]
    if family == "point":
        dots = "".join(f"M{x:g} {y:g}h0" for x, y in coords.tolist())
        body = (f'<path d="{dots}" stroke="{stroke}" stroke-width="3" '
                'stroke-linecap="round"/>')
    else:
        starts = [*np.frombuffer(buffers[1], dtype=np.uint32).tolist(), len(coords)]
        rings = []
        for a, b in itertools.pairwise(starts):
            pts = coords[a:b].tolist()
            rings.append("M" + "L".join(f"{x:g} {y:g}" for x, y in pts) +
                         ("Z" if family == "polygon" else ""))
        fill = f'fill="{stroke}" fill-opacity="0.25" fill-rule="nonzero"' \
            if family == "polygon" else 'fill="none"'
        body = f'<path d="{"".join(rings)}" {fill} stroke="{stroke}" stroke-width="1"/>'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{html.escape(str(data["summary"]), quote=True)}">'
            f'{body}</svg>')


# -- tables, values, files --------------------------------------------------------------------
COLUMN_WORDS = (("int", "integer"), ("float", "number"), ("bool", "true/false"),
                ("datetime", "date"), ("date", "date"), ("geometry", "geometry"),
                ("string", "text"), ("str", "text"), ("object", "text"), ("category", "text"))


def _column_type(dtype: Any) -> str:
    name = str(dtype).lower()
    return next((word for key, word in COLUMN_WORDS if key in name), name)


def table(frame: Any, rows: int = HEAD_ROWS) -> dict[str, Any]:
    """The first rows of a table, as text, with column names and types."""
    n_rows, n_cols = frame.shape
    head = frame.head(rows)
    return {"kind": "table", "rows": int(n_rows), "columns": [
        {"name": str(c), "type": _column_type(t)} for c, t in frame.dtypes.items()],
        "head": [[_cell(v) for v in row] for row in head.itertuples(index=False, name=None)],
        "summary": f"{n_rows:,} row{'s' * (n_rows != 1)} × {n_cols} column"
                   f"{'s' * (n_cols != 1)}"}


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if str(value) in ("NaT", "<NA>", "nan", "None"):  # pandas' missing values
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def scalar(value: Any) -> dict[str, Any]:
    """A value inline: dates for the page to show in local time, units in words."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        # the page shows date_ms in the viewer's time; text and snapshots in this machine's
        return {"kind": "value", "date_ms": aware.timestamp() * 1000,
                "summary": aware.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")}
    if isinstance(value, date):
        return {"kind": "value", "summary": value.isoformat()}
    if isinstance(value, LinearUnit):
        return {"kind": "value", "summary": f"{value.distance:g} {unit_label(value.units)}"}
    if isinstance(value, ArealUnit):
        return {"kind": "value", "summary": f"{value.area:g} {unit_label(value.units)}"}
    if isinstance(value, Field):
        return {"kind": "value", "summary": f"{value} ({value.type.removeprefix('esriFieldType')})"
                if value.type else str(value)}
    if value is None:
        return {"kind": "value", "summary": "(no value)"}
    if isinstance(value, list | tuple):
        shown = ", ".join(_short(v) for v in value[:5]) + (", …" if len(value) > 5 else "")
        return {"kind": "value", "summary": f"{len(value)} item{'s' * (len(value) != 1)}: "
                                            f"{shown}"}
    if isinstance(value, Mapping):
        return {"kind": "value", "summary": _short(json.dumps(value, default=str))}
    return {"kind": "value", "summary": _short(value)}


def _short(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= TEXT_MAX else text[:TEXT_MAX - 1] + "…"


LAYER_FEATURES = 2000  # features of a hosted layer fetched for its thumbnail (one page)


def layer(value: ResultURL) -> Summary:
    """A hosted layer (a Spatial Analysis output): its count, a thumbnail of its first
    :data:`LAYER_FEATURES` features and its first rows, read with the job's credentials on
    the job's own origin only; a plain link when it cannot be read that way."""
    from .errors import GPJobError
    from .references import read_layer

    try:
        get_json = value._reader(None)
        url = value._layer_url(get_json)
        count = get_json(f"{url}/query", {"where": "1=1", "returnCountOnly": "true"})
        frame = read_layer(get_json, url, limit=LAYER_FEATURES)
    except (GPJobError, ValueError, TypeError, KeyError) as exc:
        data = link(value)
        return {**data, "summary": f"{data['summary']} (not previewed: {exc})"}, []
    total = int(count.get("count") or len(frame)) if isinstance(count, Mapping) else len(frame)
    data, buffers = features(frame) if _is_geoframe(frame) else (table(frame), [])
    words = data["summary"].split(" ", 1)[1]  # "polygons · EPSG:3857", "rows × 5 columns"
    if data["kind"] == "table":
        words = f"row{'s' * (total != 1)} × {words.split(' × ', 1)[1]}"
    elif total == 1:
        words = words.replace("s · ", " · ", 1)
    drawn = f" (the first {len(frame):,} drawn)" if total > len(frame) else ""
    return {**data, "count": total, "url": url.split("?", 1)[0],
            "summary": f"{total:,} {words} · hosted layer{drawn}"}, buffers


def link(value: ResultURL) -> dict[str, Any]:
    where = value.url.split("?", 1)[0]
    return {"kind": "link", "url": where, "summary": f"{value.kind or 'reference'}: "
                                                     f"{where or value.item_id}"}


def file(path: Path, *, raster: bool = False) -> Summary:
    """A downloaded file: name, size, type, and its bytes when it is a small image."""
    size = path.stat().st_size if path.is_file() else 0
    with open(path, "rb") as f:
        magic = f.read(8)
    mime = next((m for sig, m in IMAGE_MAGIC.items() if magic.startswith(sig)), "")
    kind = "raster" if raster else "file"
    data = {"kind": kind, "file": path.name, "size": size, "downloadable": True,
            "type": mime or (path.suffix.lstrip(".").upper() or "file"),
            "summary": f"{path.name} · {_bytes(size)}"}
    if mime and size <= MAX_BYTES:
        return {**data, "image": mime}, [path.read_bytes()]
    return data, []


def _bytes(size: int | None) -> str:
    if not size:
        return "0 bytes"
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return ""


# -- from a job ---------------------------------------------------------------------------------
BUDGET = 50_000_000  # bytes: a bigger result is not fetched for a preview (Preview / Load)


def of_output(job: Any, name: str, *, budget: int | None = BUDGET, label: str = "",
              download_dir: Path | None = None) -> Summary:
    """The preview of *job*'s output *name*, from the value :meth:`Job.result` fetched (and
    caches: ``w.results`` / Load results reuse it); within *budget* bytes, else deferred."""
    from .errors import ResultError, ResultTooBig

    try:
        value = job.result(name, download_dir=download_dir, max_bytes=budget)
    except ResultTooBig as exc:
        return deferred(name, exc.size, label=label), []
    except ResultError as exc:
        return failed(name, str(exc).removeprefix(f"result {name!r}: "), label=label), []
    data, buffers = summarize(name, value, job.data_types.get(name, ""), label=label)
    if isinstance(value, ResultURL) and value.kind == "map image" and value.url:
        image = _image_at(job, value.url)  # drawn by the server: show the picture itself
        if image:
            size = f" · {value.width} × {value.height}" if getattr(value, "width", 0) else ""
            data.update(kind="raster", image=image[0], file=value.url.rsplit("/", 1)[-1],
                        type="map image", summary=f"map image drawn by the server{size}")
            buffers = [image[1]]
    if isinstance(value, ResultURL) and value.kind == "service" and \
            "/imageserver" in value.url.lower():
        data, buffers = image_service(job, value, data)
    if isinstance(value, Path):
        source = job.sources.get(value, "")
        if source and not job.transport.has_credentials:  # a plain link works as it is
            data["href"] = source.split("?", 1)[0]
        if data["kind"] == "raster" and "image" not in data:
            image = rendered(job, name)
            if image:
                data["image"] = "image/png"
                buffers = [image]
    return data, buffers


def _image_at(job: Any, url: str) -> tuple[str, bytes] | None:
    """(mime, bytes) of a small PNG / JPEG at *url* (the job's credentials on its own origin
    only, as for every download), or None."""
    from .errors import GPJobError

    try:
        with job.transport.stream(url) as response:
            data = b""
            for chunk in response.iter_content(1 << 16):
                data += chunk
                if len(data) > MAX_BYTES:
                    return None
    except GPJobError:
        return None
    mime = next((m for sig, m in IMAGE_MAGIC.items() if data.startswith(sig)), "")
    return (mime, data) if mime else None


def rendered(job: Any, name: str) -> bytes | None:
    """A raster output as the job's result map service draws it (a PNG), or None."""
    from .errors import GPJobError

    try:
        service = job.transport.get_json(job.result_map_service_url)
        layer = next((lyr.get("id") for lyr in service.get("layers") or []
                      if lyr.get("name") == name), None)
        extent = service.get("fullExtent") or {}
        if layer is None or not {"xmin", "ymin", "xmax", "ymax"} <= set(extent):
            return None
        bbox = ",".join(str(extent[k]) for k in ("xmin", "ymin", "xmax", "ymax"))
        png = job.fetch_result_image(size=f"{THUMB[0]},{THUMB[1]}", bbox=bbox,
                                     layers=f"show:{layer}", transparent="true")
    except GPJobError:
        return None
    return png if png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) <= MAX_BYTES else None


def image_service(job: Any, value: ResultURL, data: dict[str, Any]) -> Summary:
    """A raster output that is an image service (raster analysis): the picture its
    ``exportImage`` draws of its whole extent, and what it holds (the job's credentials on
    its own origin only, as for every request)."""
    from .errors import GPJobError
    from .geometry import crs_of

    url = value.url.split("?", 1)[0].rstrip("/")
    try:
        about = job.transport.get_json(url)
    except GPJobError as exc:
        return {**data, "summary": f"{data['summary']} (not previewed: {exc})"}, []
    extent = about.get("fullExtent") or about.get("extent") or {}
    bands = about.get("bandCount")
    words = [w for w in (
        f"{bands} band{'s' * (bands != 1)}" if isinstance(bands, int) else "",
        str(about.get("pixelType") or ""),
        crs_name(crs_of(extent.get("spatialReference") or about.get("spatialReference"))))
        if w]
    out = {**data, "kind": "raster", "type": "image service", "url": url,
           "summary": "image service" + (f" · {' · '.join(words)}" if words else "")}
    if not {"xmin", "ymin", "xmax", "ymax"} <= set(extent):
        return out, []
    bbox = ",".join(str(extent[k]) for k in ("xmin", "ymin", "xmax", "ymax"))
    image = _image_at(job, f"{url}/exportImage?f=image&format=png&bbox={bbox}"
                           f"&size={THUMB[0]},{THUMB[1]}")
    return ({**out, "image": image[0]}, [image[1]]) if image else (out, [])


def output_descriptions(job: Any) -> dict[str, dict[str, str]]:
    """Each output as the task (or process) describes it: ``{name: {"label", "shows"}}``,
    its display name and the preview kind its data type shows as (THE data-type table:
    ``features``, ``table``, ``value``, ``file``, ``raster``; "" when it depends on the
    value). {} when the description cannot be had."""
    from .errors import GPJobError
    from .flavours.descriptions import gp_fields, ogc_fields
    from .results import data_type

    url = job.job_url.rsplit("/jobs/", 1)[0]
    ogc = job.flavour is not None and job.flavour.name == "ogc"
    if ogc:
        process = (job.last.title if job.last else "") or ""
        if not process:
            return {}
        url = f"{url}/processes/{process}"
    elif "/GPServer/" not in url:
        return {}
    try:
        about = job.transport.get_json(url)
    except GPJobError:
        return {}
    _, outputs = ogc_fields(about) if ogc else gp_fields(about)
    out = {}
    for field in outputs:
        shows = data_type(field.data_type).shows_as
        out[field.name] = {"label": field.label,
                           "shows": "" if shows == "auto" or field.member else shows}
    return out


def _title(value: Any, fallback: str) -> str:
    if isinstance(value, Mapping):
        value = value.get("en") or next(iter(value.values()), "")
    return str(value or fallback)


def show(value: Any) -> Any:
    """A bigger, interactive view of *value* with what is installed (never a dependency of
    the base install): lonboard or ``GeoDataFrame.explore()`` (folium) for features."""
    import importlib.util

    if _is_geoframe(value):
        if importlib.util.find_spec("lonboard") is not None:
            import lonboard

            return lonboard.viz(value)
        if all(importlib.util.find_spec(m) for m in ("folium", "mapclassify", "matplotlib")):
            return value.explore()
        raise ImportError("an interactive map needs lonboard (pip install lonboard) or folium "
                          "(pip install folium mapclassify matplotlib, for "
                          "GeoDataFrame.explore())")
    if isinstance(value, Path):
        with open(value, "rb") as f:
            magic = f.read(8)
        if any(magic.startswith(sig) for sig in IMAGE_MAGIC):
            from IPython.display import Image

            return Image(filename=str(value))
    return value


ROW_THUMB = (48, 32)  # a board row's thumbnail


def row_summary(job: Any, budget: int | None = BUDGET) -> dict[str, str]:
    """A finished board row: its outputs in a few words, and a small thumbnail (an SVG data
    URI, drawn by the page as an image: no script) of its first feature output."""
    import base64

    words, thumb = [], ""
    for name in job.output_names():
        data, _ = of_output(job, name, budget=budget)
        words.append(f"{name}: {data['summary']}")
        if not thumb and data["kind"] == "features":
            small = features(job.result(name), box=ROW_THUMB)
            thumb = "data:image/svg+xml;base64," + base64.b64encode(
                svg(*small).encode()).decode()
    return {"summary": "; ".join(words), "thumb": thumb}
