"""Converting a 100,000-feature result: ours vs ``json.loads`` + ``pandas.json_normalize``.

Both start from the same JSON text (as it arrives over HTTP) and include parsing it (then both
again from the parsed dict, to show the conversion alone). Ours gives
a typed GeoDataFrame (Int64 / datetime64 columns, shapely geometry with holes and multipart
polygons resolved, CRS); the baseline gives a flat, untyped frame whose geometry is raw
``geometry.x`` / ``geometry.rings`` columns. Time is the best of ``--repeats`` runs; peak memory
is traced (tracemalloc) in a separate run, and, because tracemalloc cannot see shapely's GEOS
memory, also measured as the peak resident memory a forked run adds (Linux). The data is
generated here, deterministically.

    python benchmarks/results_convert.py [--features 100000] [--repeats 3] [--kinds point,polygon]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import os
import random
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pandas as pd

from gpjob_widget.results import convert_result

FIELDS = [
    {"name": "OBJECTID", "type": "esriFieldTypeOID"},
    {"name": "name", "type": "esriFieldTypeString"},
    {"name": "population", "type": "esriFieldTypeInteger"},
    {"name": "area_km2", "type": "esriFieldTypeDouble"},
    {"name": "surveyed", "type": "esriFieldTypeDate"},
]


def _attributes(rng: random.Random, i: int) -> dict[str, Any]:
    return {"OBJECTID": i + 1, "name": f"site {i + 1}",
            "population": rng.randint(0, 10_000) if i % 17 else None,
            "area_km2": round(rng.random() * 100, 3),
            "surveyed": 1_600_000_000_000 + i * 60_000 if i % 23 else None}


def _point(rng: random.Random, i: int) -> dict[str, Any]:
    return {"x": round(-120 + rng.random() * 6, 6), "y": round(32 + rng.random() * 6, 6)}


def _square(x: float, y: float, size: float, clockwise: bool = True) -> list[list[float]]:
    ring = [[x, y], [x, y + size], [x + size, y + size], [x + size, y], [x, y]]
    return ring if clockwise else ring[::-1]


def _polygon(rng: random.Random, i: int) -> dict[str, Any]:
    """An octagon-ish parcel; every 5th has a hole, every 7th a second part (an island)."""
    x, y = round(rng.random() * 1e6, 2), round(rng.random() * 1e6, 2)
    rings = [_square(x, y, 100)]
    rings[0][1:1] = [[x - 20, y + 30], [x - 20, y + 70]]  # a few more vertices, still clockwise
    if i % 5 == 0:
        rings.append(_square(x + 30, y + 30, 40, clockwise=False))
    if i % 7 == 0:
        rings.append(_square(x + 200, y, 50))
    return {"rings": rings}


KINDS: dict[str, tuple[str, Callable[[random.Random, int], dict[str, Any]], dict[str, Any]]] = {
    "point": ("esriGeometryPoint", _point, {"wkid": 4326, "latestWkid": 4326}),
    "polygon": ("esriGeometryPolygon", _polygon, {"wkid": 102100, "latestWkid": 3857}),
}


def make_result(kind: str, count: int) -> str:
    """The JSON text of a GP result holding *count* features of *kind* (seeded: deterministic)."""
    geometry_type, make, sr = KINDS[kind]
    rng = random.Random(42)
    features = [{"attributes": _attributes(rng, i), "geometry": make(rng, i)}
                for i in range(count)]
    value = {"geometryType": geometry_type, "spatialReference": sr, "fields": FIELDS,
             "features": features, "exceededTransferLimit": False}
    return json.dumps({"paramName": "out", "dataType": "GPFeatureRecordSetLayer", "value": value})


def ours(text: str) -> Any:
    return convert_result(json.loads(text))


def baseline(text: str) -> Any:
    return pd.json_normalize(json.loads(text)["value"]["features"])


def convert_only(payload: dict[str, Any]) -> Any:
    return convert_result(payload)


def normalize_only(payload: dict[str, Any]) -> Any:
    return pd.json_normalize(payload["value"]["features"])


def parse_only(text: str) -> Any:
    return json.loads(text)


def parse_gc_paused(text: str) -> Any:
    """What the transport could do for big bodies: the cyclic GC dominates json.loads here."""
    gc.disable()
    try:
        return json.loads(text)
    finally:
        gc.enable()


def _status_kb(key: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(key))


def rss_peak(fn: Callable[[Any], Any], data: Any) -> float | None:
    """Peak resident memory added by one run, in MB, measured in a forked child.

    tracemalloc sees only Python's allocator: shapely's GEOS geometries (C++) escape it, so this
    column is the honest one for "ours". Linux only (resets the high-water mark via clear_refs).
    """
    if not hasattr(os, "fork") or not os.path.exists("/proc/self/clear_refs"):
        return None
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: reset the high-water mark, run once, report, leave
        os.close(read)
        try:
            gc.collect()
            with contextlib.suppress(OSError, AttributeError):  # free heap back to the OS first,
                ctypes.CDLL("libc.so.6").malloc_trim(0)  # so the run cannot hide in reused pages
            with open("/proc/self/clear_refs", "w") as refs:
                refs.write("5")
            base = _status_kb("VmRSS")
            fn(data)
            os.write(write, str(_status_kb("VmHWM") - base).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        text = answer.read()
    os.waitpid(pid, 0)
    return int(text) / 1000 if text else None


def measure(fn: Callable[[Any], Any], text: Any,
            repeats: int) -> tuple[float, float, float | None, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = fn(text)
        best = min(best, time.perf_counter() - start)
    result_info = _describe(result)
    result = None
    gc.collect()
    tracemalloc.start()
    fn(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    gc.collect()
    return best, peak / 1e6, rss_peak(fn, text), result_info


def _describe(result: Any) -> str:
    if isinstance(result, pd.DataFrame):
        crs = getattr(result, "crs", None)
        extra = f", {crs.to_string()}" if crs is not None else ", untyped"
        return f"{type(result).__name__} {result.shape[0]:,} × {result.shape[1]}{extra}"
    return type(result).__name__


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--features", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--kinds", default="point,polygon")
    args = parser.parse_args()
    for kind in args.kinds.split(","):
        text = make_result(kind, args.features)
        print(f"\n{args.features:,} {kind} features, {len(text) / 1e6:.1f} MB of JSON")
        parsed = json.loads(text)
        rows = [(label, *measure(fn, data, args.repeats)) for label, fn, data in (
            ("json.loads alone", parse_only, text),
            ("json.loads, GC paused", parse_gc_paused, text),
            ("ours: loads + convert", ours, text),
            ("baseline: loads + normalize", baseline, text),
            ("ours: convert only", convert_only, parsed),
            ("baseline: normalize only", normalize_only, parsed))]
        print(f"{'':30}{'time (s)':>9}{'traced MB':>10}{'RSS MB':>8}  result")
        for i, (label, seconds, peak, rss, info) in enumerate(rows):
            rss_text = f"{rss:>8.0f}" if rss is not None else f"{'n/a':>8}"
            print(f"{label:30}{seconds:>9.2f}{peak:>10.0f}{rss_text}  {info}")
            if i in (3, 5):
                ours_row, base_row = rows[i - 1], rows[i]
                rss_ratio = f"{ours_row[3] / base_row[3]:>7.2f}x" \
                    if ours_row[3] and base_row[3] else f"{'':>8}"
                print(f"{'  ratio ours / baseline':30}{ours_row[1] / base_row[1]:>8.2f}x"
                      f"{ours_row[2] / base_row[2]:>9.2f}x{rss_ratio}")


if __name__ == "__main__":
    main()
