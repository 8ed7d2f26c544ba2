"""Esri geometry JSON ⇄ shapely shapes, whole columns at once; ``spatialReference`` ⇄ a CRS.

Reading: points, multipoints, polylines, polygons (ring orientation, holes, multipart),
envelopes, Z, and true curves (``curvePaths`` / ``curveRings`` with ``a``, ``b``, ``c`` segments)
densified. Writing (task inputs): shapely shapes of one Esri geometry type, rings oriented as Esri
wants, and a CRS as ``wkid`` or ``wkt``.
"""

from __future__ import annotations

import functools
import itertools
import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any


# -- geometry: Esri JSON → shapely, whole columns at once -----------------------------------------
def _kind_of(geometry: Any) -> str:
    if not geometry or not isinstance(geometry, Mapping):
        return ""
    for key, kind in (("x", "point"), ("rings", "polygon"), ("curveRings", "polygon"),
                      ("paths", "polyline"), ("curvePaths", "polyline"),
                      ("points", "multipoint"), ("xmin", "envelope")):
        if key in geometry:
            return kind
    return ""


def _coord(geometry: Mapping[str, Any] | None, key: str) -> float:
    value = geometry.get(key) if geometry else None
    return math.nan if value is None else float(value)  # "NaN" strings are empty, per Esri


def _points(geometries: Sequence[Mapping[str, Any]], has_z: bool) -> Any:
    import numpy as np
    import shapely

    n = len(geometries)
    xs = np.fromiter((_coord(g, "x") for g in geometries), float, n)
    ys = np.fromiter((_coord(g, "y") for g in geometries), float, n)
    has_z = has_z or any(g and g.get("z") is not None for g in geometries)
    coords = [xs, ys]
    if has_z:
        coords.append(np.fromiter((_coord(g, "z") for g in geometries), float, n))
    shapes = shapely.points(np.column_stack(coords)).astype(object)
    shapes[np.isnan(xs) | np.isnan(ys)] = None  # empty points (x null or "NaN")
    return shapes


def _envelopes(geometries: Sequence[Mapping[str, Any]], _has_z: bool) -> Any:
    import numpy as np
    import shapely

    n = len(geometries)
    bounds = [np.fromiter((_coord(g, k) for g in geometries), float, n)
              for k in ("xmin", "ymin", "xmax", "ymax")]
    shapes = shapely.box(*bounds).astype(object)
    shapes[np.isnan(np.column_stack(bounds)).any(axis=1)] = None
    return shapes


def _densify_curves(part: list[Any]) -> list[Any]:
    """Esri true-curve segments → plain vertices, so a circle stays a circle.

    ``{"c": [end, through]}`` circular arc through a point; ``{"a": [end, centre, minor,
    clockwise]}`` circular arc about a centre, ``{"a": [end, centre, minor, clockwise, rotation,
    axis, ratio]}`` elliptic arc; ``{"b": [end, control1, control2]}`` cubic Bézier. Each
    segment starts at the vertex before it.
    """
    out: list[Any] = []
    for item in part:
        if not isinstance(item, Mapping):
            out.append(item)
            continue
        if not out:  # a curve with no start point: keep its end, drop nothing else
            segment = next(iter(item.values()), None)
            if segment:
                out.append(segment[0])
            continue
        start = out[-1]
        if "c" in item:
            out.extend(_arc(start, item["c"][1], item["c"][0]))
        elif "a" in item:
            out.extend(_elliptic_arc(start, item["a"]))
        elif "b" in item:
            end, c1, c2 = item["b"][:3]
            for i in range(1, 17):
                t = i / 16
                a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
                out.append([a * start[k] + b * c1[k] + c * c2[k] + d * end[k] for k in (0, 1)]
                           + list(end[2:]))
        else:
            out.append(next(iter(item.values()))[0])
    return out


ARC_STEPS = 64  # vertices per full turn: a circle's area within 0.2 % of πr²


def _elliptic_arc(start: Sequence[float], spec: Sequence[Any]) -> list[Any]:
    """``a`` segment → vertices from *start* to its end about its centre (circle or ellipse)."""
    end, centre = spec[0], spec[1]
    clockwise = bool(spec[3]) if len(spec) > 3 else False
    rotation = float(spec[4]) if len(spec) > 4 else 0.0
    ratio = float(spec[6]) if len(spec) > 6 and spec[6] else 1.0
    cx, cy = float(centre[0]), float(centre[1])
    cos_r, sin_r = math.cos(rotation), math.sin(rotation)

    def to_unit(x: float, y: float) -> tuple[float, float]:  # ellipse → circle coordinates
        dx, dy = x - cx, y - cy
        return dx * cos_r + dy * sin_r, (-dx * sin_r + dy * cos_r) / ratio

    def from_unit(u: float, v: float) -> list[float]:
        v *= ratio
        return [cx + u * cos_r - v * sin_r, cy + u * sin_r + v * cos_r]

    su, sv = to_unit(float(start[0]), float(start[1]))
    eu, ev = to_unit(float(end[0]), float(end[1]))
    radius = math.hypot(su, sv)
    if radius == 0:
        return [list(end)]
    a1, a2 = math.atan2(sv, su), math.atan2(ev, eu)
    if clockwise:
        sweep = -((a1 - a2) % (2 * math.pi) or 2 * math.pi)  # end = start: a whole turn
    else:
        sweep = (a2 - a1) % (2 * math.pi) or 2 * math.pi
    steps = max(2, math.ceil(abs(sweep) / (2 * math.pi) * ARC_STEPS))
    points = [from_unit(radius * math.cos(a1 + sweep * i / steps),
                        radius * math.sin(a1 + sweep * i / steps)) for i in range(1, steps)]
    return [*points, list(end)]


def _arc(start: Sequence[float], through: Sequence[float], end: Sequence[float]) -> list[Any]:
    (x1, y1), (x2, y2), (x3, y3) = start[:2], through[:2], end[:2]
    if (x1, y1) == (x3, y3):  # a full circle: the interior point is the opposite one
        ux, uy = (x1 + x2) / 2, (y1 + y2) / 2
        radius, a1 = math.hypot(x1 - ux, y1 - uy), math.atan2(y1 - uy, x1 - ux)
        # clockwise, as Esri draws exterior rings
        return [[ux + radius * math.cos(a1 - 2 * math.pi * i / ARC_STEPS),
                 uy + radius * math.sin(a1 - 2 * math.pi * i / ARC_STEPS)]
                for i in range(1, ARC_STEPS)] + [list(end)]
    d = 2 * (x1 * (y2 - y3) + x2 * (y3 - y1) + x3 * (y1 - y2))
    if abs(d) < 1e-12:  # collinear: a straight segment
        return [list(end)]
    s1, s2, s3 = x1**2 + y1**2, x2**2 + y2**2, x3**2 + y3**2
    ux = (s1 * (y2 - y3) + s2 * (y3 - y1) + s3 * (y1 - y2)) / d  # the circle's centre
    uy = (s1 * (x3 - x2) + s2 * (x1 - x3) + s3 * (x2 - x1)) / d
    radius = math.hypot(x1 - ux, y1 - uy)
    a1, a2, a3 = (math.atan2(y - uy, x - ux) for x, y in ((x1, y1), (x2, y2), (x3, y3)))
    sweep = (a3 - a1) % (2 * math.pi) or 2 * math.pi  # counter-clockwise sweep start → end
    if (a2 - a1) % (2 * math.pi) > sweep:  # the arc passes through the other way round
        sweep -= 2 * math.pi
    steps = max(4, int(abs(sweep) / (math.pi / 32)))
    points: list[Any] = [[ux + radius * math.cos(a1 + sweep * i / steps),
                          uy + radius * math.sin(a1 + sweep * i / steps)]
                         for i in range(1, steps)]
    return [*points, list(end)]


def _flatten(geometries: Sequence[Mapping[str, Any]], key: str, minimum: int,
             dims: int) -> tuple[Any, Any, Any]:
    """Every part of every geometry → (coords N×dims, part lengths, owning geometry index)."""
    import numpy as np

    flat: list[Any] = []
    lengths: list[int] = []
    owners: list[int] = []
    curve_key = "curve" + key[0].upper() + key[1:]
    for i, geometry in enumerate(geometries):
        if not geometry:
            continue
        parts = geometry.get(key)
        if parts is None and curve_key in geometry:
            parts = [_densify_curves(p) for p in geometry[curve_key]]
        for part in parts or ():
            if len(part) >= minimum:
                flat.extend(part)
                lengths.append(len(part))
                owners.append(i)
    widths = set(map(len, flat))
    coords = None
    if len(widths) == 1:  # the usual case: every vertex [x, y] (or [x, y, z], …)
        width = widths.pop()
        try:
            coords = np.fromiter(itertools.chain.from_iterable(flat), "float64",
                                 len(flat) * width).reshape(len(flat), width)
        except (TypeError, ValueError):
            coords = None
    if coords is None:  # ragged vertices (some with Z or M, some without), or odd values
        coords = np.array([(list(c[:dims]) + [math.nan] * dims)[:dims] for c in flat],
                          dtype="float64").reshape(len(flat), dims)
    if coords.shape[1] < dims:
        coords = np.hstack([coords, np.full((len(coords), dims - coords.shape[1]), math.nan)])
    return coords[:, :dims], np.array(lengths, dtype="int64"), np.array(owners, dtype="int64")


def _polylines(geometries: Sequence[Mapping[str, Any]], has_z: bool) -> Any:
    import numpy as np
    import shapely

    coords, lengths, owners = _flatten(geometries, "paths", 2, 3 if has_z else 2)
    out = np.full(len(geometries), None, dtype=object)
    if not len(lengths):
        return out
    lines = shapely.linestrings(coords, indices=np.repeat(np.arange(len(lengths)), lengths))
    counts = np.bincount(owners, minlength=len(geometries))
    single = counts[owners] == 1
    out[owners[single]] = lines[single]
    if (~single).any():
        shapely.multilinestrings(lines[~single], indices=owners[~single], out=out)
    return out


def _multipoints(geometries: Sequence[Mapping[str, Any]], has_z: bool) -> Any:
    import numpy as np
    import shapely

    # a multipoint's "points" is one part: wrap it so _flatten sees parts of vertices
    wrapped = [{"points": [g.get("points") or []]} if g else None for g in geometries]
    coords, lengths, owners = _flatten(wrapped, "points", 1, 3 if has_z else 2)
    out = np.full(len(geometries), None, dtype=object)
    if len(lengths):
        shapely.multipoints(shapely.points(coords), indices=np.repeat(owners, lengths), out=out)
    return out


def _polygons(geometries: Sequence[Mapping[str, Any]], has_z: bool) -> Any:
    """Rings → polygons. Esri: exterior rings clockwise, holes counter-clockwise.

    A feature with one exterior ring (the common case) is built vectorised. Features with
    several exteriors, or a hole outside its exterior, get each hole assigned to the smallest
    exterior containing it; a hole no exterior contains becomes an exterior itself (as Esri's
    arcgis-to-geojson does); only counter-clockwise rings: each one is an exterior.
    """
    import numpy as np
    import shapely

    coords, lengths, owners = _flatten(geometries, "rings", 3, 3 if has_z else 2)
    out = np.full(len(geometries), None, dtype=object)
    if not len(lengths):
        return out
    rings = shapely.linearrings(coords, indices=np.repeat(np.arange(len(lengths)), lengths))
    hole = shapely.is_ccw(rings)
    n = len(geometries)
    shells = np.bincount(owners[~hole], minlength=n)
    hole[shells[owners] == 0] = False  # no clockwise ring at all: every ring is an exterior
    shells = np.bincount(owners[~hole], minlength=n)
    simple = shells[owners] == 1
    # holes of one-exterior features must lie inside it, else the feature is done one by one
    holes_simple = simple & hole
    if holes_simple.any():
        shell_of = np.full(n, None, dtype=object)
        shell_of[owners[simple & ~hole]] = shapely.polygons(rings[simple & ~hole])
        inner = shapely.point_on_surface(shapely.polygons(rings[holes_simple]))
        inside = shapely.contains_xy(shell_of[owners[holes_simple]], shapely.get_x(inner),
                                     shapely.get_y(inner))
        stray = np.unique(owners[holes_simple][~inside])
        simple &= ~np.isin(owners, stray)
    order = np.lexsort((hole, owners))  # by feature, exterior first (stable for holes)
    order = order[simple[order]]
    if len(order):
        shapely.polygons(rings[order], indices=owners[order], out=out)
    holes = np.bincount(owners[hole], minlength=n)
    islands = ~simple & (holes[owners] == 0)  # several exteriors, no hole: vectorised too
    if islands.any():
        shapely.multipolygons(shapely.polygons(rings[islands]), indices=owners[islands], out=out)
    rest = np.flatnonzero(~simple & ~islands)  # ring indices, grouped by feature already
    for group in np.split(rest, np.flatnonzero(np.diff(owners[rest])) + 1) if len(rest) else ():
        out[owners[group[0]]] = _assemble(list(rings[group[~hole[group]]]),
                                          list(rings[group[hole[group]]]))
    return out


def _assemble(exteriors: list[Any], holes: list[Any]) -> Any:
    import shapely

    shells = [shapely.Polygon(r) for r in exteriors]
    owned: list[list[Any]] = [[] for _ in shells]
    for ring in holes:
        inner = shapely.Polygon(ring).point_on_surface()
        around = [i for i, s in enumerate(shells) if s.contains(inner)]
        if around:
            owned[min(around, key=lambda i: shells[i].area)].append(ring)
        else:  # an orphan hole: an exterior ring with the wrong orientation
            shells.append(shapely.Polygon(ring))
            owned.append([])
    parts = [shapely.Polygon(s.exterior, h) for s, h in zip(shells, owned, strict=True)]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


GEOMETRY_BUILDERS: dict[str, Callable[[Sequence[Mapping[str, Any]], bool], Any]] = {
    "point": _points, "multipoint": _multipoints, "polyline": _polylines,
    "polygon": _polygons, "envelope": _envelopes,
}


GEOMETRY_TYPES = {"esriGeometryPoint": "point", "esriGeometryMultipoint": "multipoint",
                  "esriGeometryPolyline": "polyline", "esriGeometryPolygon": "polygon",
                  "esriGeometryEnvelope": "envelope"}


def geometries_to_shapes(geometries: Sequence[Any], has_z: bool = False,
                         geometry_type: str = "") -> Any:
    """Esri JSON geometries → a numpy object array of shapely shapes (None for null/empty).

    Z is kept when ``has_z`` (the feature set's ``hasZ``) or a geometry's own ``hasZ`` says so, or
    a point has a ``z``; M values are dropped (shapely has no M). The feature set's
    ``geometryType`` is trusted when the first geometry agrees; otherwise each geometry's keys
    decide its kind.
    """
    import numpy as np

    out = np.full(len(geometries), None, dtype=object)
    declared = GEOMETRY_TYPES.get(geometry_type, "")
    first = next((g for g in geometries if g), None)
    if declared and (first is None or _kind_of(first) == declared):
        groups: dict[str, Any] = {declared: None}
    else:
        groups = {}
        for i, geometry in enumerate(geometries):
            groups.setdefault(_kind_of(geometry), []).append(i)
    for kind, where in groups.items():
        build = GEOMETRY_BUILDERS.get(kind)
        if build is None:
            continue
        subset = geometries if where is None else [geometries[i] for i in where]
        z = has_z or any(g and g.get("hasZ") for g in subset)
        if where is None:
            out = build(subset, z)
        else:
            out[np.array(where)] = build(subset, z)
    return out



# -- geometry: shapely → Esri JSON (task inputs), whole columns at once ---------------------------
ESRI_TYPE_OF = {"Point": "esriGeometryPoint", "MultiPoint": "esriGeometryMultipoint",
                "LineString": "esriGeometryPolyline", "MultiLineString": "esriGeometryPolyline",
                "Polygon": "esriGeometryPolygon", "MultiPolygon": "esriGeometryPolygon"}


def _shape_array(shapes: Iterable[Any]) -> Any:
    import numpy as np

    values = list(shapes)
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def esri_geometry_type(geoms: Iterable[Any]) -> str:
    """shapely shapes → the one Esri ``geometryType`` that holds them all.

    Single and multipart lines (or polygons) share a type; points mixed with multipoints make a
    multipoint. Null and empty shapes are ignored (unless all are empty); any other mix, a
    geometry collection or a linear ring, or nothing to go by, is a ValueError.
    """
    import shapely

    array = _shape_array(geoms)
    array = array[~shapely.is_missing(array)]
    if shapely.is_empty(array).all():
        kinds = {g.geom_type for g in array}
    else:
        kinds = {g.geom_type for g in array[~shapely.is_empty(array)]}
    types = {ESRI_TYPE_OF.get(kind) for kind in kinds}
    if types == {"esriGeometryPoint", "esriGeometryMultipoint"}:
        return "esriGeometryMultipoint"
    if len(types) != 1 or None in types:
        found = ", ".join(sorted(kinds)) or "no geometry at all"
        raise ValueError(f"an Esri feature set holds one geometry type "
                         f"(point, multipoint, polyline or polygon); found {found}")
    return types.pop()


def _vertices(coords: Any) -> list[Any]:
    """N×2 or N×3 coordinates → ``[[x, y(, z)], …]``; a NaN z (a 2D shape among 3D) is left out."""
    import numpy as np

    vertices = coords.tolist()
    if coords.shape[1] > 2:
        for i in np.flatnonzero(np.isnan(coords[:, 2])):
            del vertices[i][2:]
    return vertices


def _orient_rings(coords: Any, rings: Any, polygons: Any) -> Any:
    """Reverse rings so exteriors run clockwise and holes counter-clockwise, as Esri wants.

    *rings*: vertex offsets of every ring; *polygons*: ring offsets of every polygon (its first
    ring is the exterior). The signed area (shoelace) is taken about each ring's first vertex.
    """
    import numpy as np

    starts, ends = rings[:-1], rings[1:]
    owner = np.repeat(np.arange(len(starts)), ends - starts)  # ring of every vertex
    x = coords[:, 0] - coords[starts[owner], 0]
    y = coords[:, 1] - coords[starts[owner], 1]
    cross = np.zeros(len(coords))
    cross[:-1] = x[:-1] * y[1:] - x[1:] * y[:-1]
    cross[ends[ends > 0] - 1] = 0  # no term from a ring's last vertex to the next ring
    area = np.add.reduceat(cross, starts) if len(starts) else cross[:0]
    exterior = np.zeros(len(starts), dtype=bool)
    exterior[polygons[:-1][np.diff(polygons) > 0]] = True
    flip = np.where(exterior, area > 0, area < 0)  # counter-clockwise area is positive
    index = np.arange(len(coords))
    reverse = flip[owner]
    index[reverse] = (starts[owner] + ends[owner] - 1 - index)[reverse]
    return coords[index]


def _encode_points(shapes: Any, has_z: bool) -> list[dict[str, Any] | None]:
    import shapely

    coords = shapely.get_coordinates(shapes, include_z=has_z)
    out: list[dict[str, Any] | None] = []
    for x, y, *z in coords.tolist():
        if x != x or y != y:  # NaN: an empty point
            out.append(None)
        else:
            out.append({"x": x, "y": y, "z": z[0]} if z and z[0] == z[0] else {"x": x, "y": y})
    return out


def _encode_parts(shapes: Any, has_z: bool) -> list[dict[str, Any] | None]:
    """Multipoints, lines and polygons through one ragged array (coordinates + offsets)."""
    import numpy as np
    import shapely
    from shapely import GeometryType as T

    kind, coords, offsets = shapely.to_ragged_array(shapes, include_z=has_z)
    polygonal = kind in (T.POLYGON, T.MULTIPOLYGON)
    if polygonal:
        coords = _orient_rings(coords, offsets[0], offsets[1])
    z = has_z and coords.shape[1] > 2 and not np.isnan(coords[:, 2]).all()
    vertices = _vertices(coords if z else coords[:, :2])
    parts = [vertices[a:b] for a, b in itertools.pairwise(offsets[0].tolist())]
    if kind == T.MULTIPOINT:
        key = "points"
    else:  # parts (paths or rings) of each feature
        key = "rings" if polygonal else "paths"
        groups = (offsets[1] if kind in (T.POLYGON, T.MULTILINESTRING) else
                  offsets[1][offsets[2]] if kind == T.MULTIPOLYGON else np.arange(len(shapes) + 1))
        parts = [parts[a:b] for a, b in itertools.pairwise(groups.tolist())]
    with_z = shapely.has_z(shapes).tolist() if z else [False] * len(shapes)
    return [{"hasZ": True, key: p} if zz else {key: p}
            for p, zz in zip(parts, with_z, strict=True)]


def shapes_to_geometries(shapes: Iterable[Any], *, has_z: bool) -> list[dict[str, Any] | None]:
    """shapely shapes (one Esri geometry type) → Esri JSON geometries; None for null/empty.

    Polygon rings are written exterior clockwise, holes counter-clockwise. Z is written when
    ``has_z`` and the shape has Z (a geometry with Z vertices says ``"hasZ": true``).
    """
    import numpy as np
    import shapely

    array = _shape_array(shapes)
    out: list[dict[str, Any] | None] = [None] * len(array)
    present = np.flatnonzero(~shapely.is_missing(array) & ~shapely.is_empty(array))
    if not len(present):
        return out
    kind = esri_geometry_type(array[present])
    encode = _encode_points if kind == "esriGeometryPoint" else _encode_parts
    for i, geometry in zip(present.tolist(), encode(array[present], has_z), strict=True):
        out[i] = geometry
    return out


def to_esri_geometry(geom: Any, *, has_z: bool) -> dict[str, Any] | None:
    """One shapely shape → Esri geometry JSON (None for None or empty); see
    :func:`shapes_to_geometries`."""
    return shapes_to_geometries([geom], has_z=has_z)[0]


# -- spatial reference ----------------------------------------------------------------------------
WKID_ALIASES = {102100: 3857, 102113: 3857, 900913: 3857}


def _wkid(value: Any) -> int | None:
    try:
        return int(float(value)) if value not in (None, "", True, False) else None
    except (TypeError, ValueError):
        return None


@functools.lru_cache(maxsize=64)
def _crs(wkids: tuple[int, ...], wkt: str) -> Any:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    candidates = []
    for wkid in wkids:
        code = WKID_ALIASES.get(wkid, wkid)
        candidates += [f"EPSG:{code}", f"ESRI:{code}"]  # ESRI's own codes: 54030, 102003, …
    if wkt:
        candidates.append(wkt)
    for candidate in candidates:
        try:
            return CRS.from_user_input(candidate)
        except CRSError:
            continue
    return None


def crs_of(spatial_reference: Mapping[str, Any] | None) -> Any:
    """``spatialReference`` → ``pyproj.CRS``: ``latestWkid``, then ``wkid``, then ``wkt``/``wkt2``.

    None when it is absent or unknown to PROJ (a warning says so; the JSON stays in attrs).
    """
    sr = spatial_reference or {}
    wkids = tuple(w for w in (_wkid(sr.get("latestWkid")), _wkid(sr.get("wkid"))) if w)
    wkt = str(sr.get("wkt") or sr.get("wkt2") or "")
    if not wkids and not wkt:
        return None
    crs = _crs(wkids, wkt)
    if crs is None:
        warnings.warn(f"unknown spatial reference {dict(sr)}: the result has no CRS",
                      stacklevel=2)
    return crs


def spatial_reference(crs: Any) -> dict[str, Any]:
    """A CRS (``pyproj.CRS`` or anything it reads) → Esri ``spatialReference`` JSON.

    An EPSG or ESRI code → ``{"wkid", "latestWkid"}`` (Web Mercator as Esri writes it:
    ``{"wkid": 102100, "latestWkid": 3857}``); otherwise ``{"wkt"}`` in the ESRI flavour of WKT1
    (plain WKT when PROJ cannot write that). None → ``{}``: no spatial reference, which ArcGIS
    reads as WGS84.
    """
    if crs is None:
        return {}
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    crs = CRS.from_user_input(crs)
    for name in ("EPSG", "ESRI"):
        authority = crs.to_authority(name)
        if authority and authority[1].isdigit():
            code = int(authority[1])
            return {"wkid": 102100 if code == 3857 else code, "latestWkid": code}
    if crs.equals("EPSG:4326", ignore_axis_order=True):  # OGC:CRS84: Esri has no axis order
        return {"wkid": 4326, "latestWkid": 4326}
    try:
        wkt = crs.to_wkt("WKT1_ESRI")
    except CRSError:
        wkt = None
    return {"wkt": wkt or crs.to_wkt()}
