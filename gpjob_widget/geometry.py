"""Esri geometry JSON → shapely shapes, and ``spatialReference`` → a CRS geopandas accepts."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any


def crs_of(feature_set: Mapping[str, Any]) -> str | None:
    """``latestWkid`` (preferred) or ``wkid`` → ``EPSG:…``/``ESRI:…``; else the ``wkt``."""
    sr = feature_set.get("spatialReference") or {}
    wkid = sr.get("latestWkid") or sr.get("wkid")
    if wkid:
        wkid = {102100: 3857, 102113: 3857, 900913: 3857}.get(int(wkid), int(wkid))
        return f"EPSG:{wkid}" if wkid < 100000 else f"ESRI:{wkid}"
    return sr.get("wkt") or None


def _xy(coords: Sequence[float], has_z: bool) -> tuple[float, ...]:
    """Drop M (shapely has none): [x, y, z?, m?] → (x, y[, z])."""
    return tuple(coords[:3]) if has_z and len(coords) >= 3 else tuple(coords[:2])


def _signed_area(ring: Sequence[Sequence[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0, *_), (x1, y1, *_) in itertools.pairwise(ring))


def _polygon(rings: list[list[list[float]]], has_z: bool) -> Any:
    from shapely.geometry import MultiPolygon, Point, Polygon

    rings = [r for r in rings if len(r) >= 4]
    if not rings:
        return None
    # Esri: exterior rings run clockwise (negative shoelace area), holes counter-clockwise.
    exteriors = [r for r in rings if _signed_area(r) < 0] or rings
    holes = [r for r in rings if r not in exteriors]
    shells = [Polygon([_xy(p, has_z) for p in r]) for r in exteriors]
    owned: list[list[list[tuple[float, ...]]]] = [[] for _ in shells]
    for hole in holes:
        point = Point(hole[0][:2])
        candidates = [i for i, shell in enumerate(shells) if shell.contains(point)]
        if candidates:
            smallest = min(candidates, key=lambda i: shells[i].area)
            owned[smallest].append([_xy(p, has_z) for p in hole])
    parts = [Polygon(shell.exterior.coords, owned[i]) for i, shell in enumerate(shells)]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def points(geometries: Sequence[Mapping[str, Any] | None]) -> list[Any]:
    """Many point geometries at once (vectorised); None where a point is null or NaN."""
    import numpy as np
    import shapely

    def coord(g: Mapping[str, Any] | None, key: str) -> float:
        value = g.get(key) if g else None
        return float("nan") if value is None else value

    xs = np.fromiter((coord(g, "x") for g in geometries), float, len(geometries))
    ys = np.fromiter((coord(g, "y") for g in geometries), float, len(geometries))
    has_z = any(g and g.get("z") is not None for g in geometries)
    coords = [xs, ys]
    if has_z:
        coords.append(np.fromiter((coord(g, "z") for g in geometries), float, len(geometries)))
    shapes = shapely.points(np.column_stack(coords)).astype(object)
    shapes[np.isnan(xs) | np.isnan(ys)] = None
    return list(shapes)


def to_shape(geometry: Mapping[str, Any] | None, geometry_type: str = "") -> Any:
    """One Esri JSON geometry → a shapely geometry (None for null or empty geometry)."""
    from shapely.geometry import LineString, MultiLineString, MultiPoint, Point

    if not geometry:
        return None
    has_z = bool(geometry.get("z") is not None or geometry.get("hasZ")
                 or "Z" in geometry_type)
    if "x" in geometry:
        x, y = geometry.get("x"), geometry.get("y")
        if x is None or y is None or x != x:  # null or NaN: an empty point
            return None
        z = geometry.get("z")
        return Point(x, y, z) if z is not None else Point(x, y)
    has_z = bool(geometry.get("hasZ"))
    if "points" in geometry:
        return MultiPoint([_xy(p, has_z) for p in geometry["points"]]) or None
    if "paths" in geometry:
        lines = [LineString([_xy(p, has_z) for p in path]) for path in geometry["paths"]
                 if len(path) >= 2]
        if not lines:
            return None
        return lines[0] if len(lines) == 1 else MultiLineString(lines)
    if "rings" in geometry:
        return _polygon(geometry["rings"], has_z)
    return None
