"""Converting a 100,000-feature result: ours vs ``json.loads`` + ``pandas.json_normalize``.

Both start from the same JSON text (as it arrives over HTTP). Ours gives a typed GeoDataFrame
(Int64 / datetime columns, shapely geometry, CRS); the baseline gives an untyped flat frame with
geometry as separate x / y columns. Time (best of --repeats) and peak traced memory.

    python benchmarks/results_convert.py [--features 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import time
import tracemalloc

import pandas as pd

from gpjob_widget.results import convert_result
from gpjob_widget.server.samples import big_points


def ours(text: str):
    return convert_result(json.loads(text))


def baseline(text: str):
    payload = json.loads(text)
    return pd.json_normalize(payload["value"]["features"])


def measure(fn, text: str, repeats: int) -> tuple[float, float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = fn(text)
        best = min(best, time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    fn(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 1e6, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--features", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    value = big_points(args.features)
    text = json.dumps({"paramName": "out", "dataType": "GPFeatureRecordSetLayer", "value": value})
    print(f"{args.features:,} point features, {len(text) / 1e6:.1f} MB of JSON")
    t_ours, m_ours, frame = measure(ours, text, args.repeats)
    t_base, m_base, flat = measure(baseline, text, args.repeats)
    print(f"{'':28}{'time (s)':>10}{'peak MB':>10}  result")
    print(f"{'ours (typed GeoDataFrame)':28}{t_ours:>10.2f}{m_ours:>10.0f}  "
          f"{type(frame).__name__} {frame.shape}, crs={frame.crs}")
    print(f"{'json + json_normalize':28}{t_base:>10.2f}{m_base:>10.0f}  "
          f"{type(flat).__name__} {flat.shape}, untyped")
    print(f"{'ratio ours / baseline':28}{t_ours / t_base:>10.2f}{m_ours / m_base:>10.2f}")


if __name__ == "__main__":
    main()
