"""Previews of big feature outputs: bytes over the comm and browser time to draw, ours vs
shipping the GeoJSON as it is (and drawing every vertex of it).

For 100,000 points, 100,000 small polygons and a ~50 MB polygon result, prints the kernel time
to summarise, the bytes the card receives (JSON + binary buffers) against the GeoJSON bytes,
and Chromium's time to draw our thumbnail (preview.js, the real module) against parsing that
GeoJSON and stroking all its coordinates onto a canvas of the same size. Needs Debian's
chromium (scripts/test.sh installs it).

    python benchmarks/preview.py [--runs 5]
"""

from __future__ import annotations

import argparse
import base64
import http.server
import json
import statistics
import threading
import time

import geopandas as gpd
import numpy as np
import shapely

from gpjob_widget import frontend
from gpjob_widget.preview import features

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]

NAIVE = """async ([url, width, height]) => {  // the baseline: the GeoJSON as it is
  const text = await (await fetch(url)).text();  // (arriving over the comm: not timed)
  const started = performance.now();
  const fc = JSON.parse(text);
  let minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
  const each = (c, f) => (typeof c[0] === "number" ? f(c) : c.forEach((x) => each(x, f)));
  for (const feature of fc.features) each(feature.geometry.coordinates, ([x, y]) => {
    minx = Math.min(minx, x); maxx = Math.max(maxx, x);
    miny = Math.min(miny, y); maxy = Math.max(maxy, y);
  });
  const canvas = document.createElement("canvas");
  canvas.width = width; canvas.height = height;
  const ctx = canvas.getContext("2d");
  const s = Math.min(width / (maxx - minx), height / (maxy - miny));
  ctx.beginPath();
  for (const feature of fc.features) {
    const g = feature.geometry;
    const rings = g.type === "Point" ? [[g.coordinates]] :
      g.type === "Polygon" ? g.coordinates : g.coordinates.flat();
    for (const ring of rings) ring.forEach(([x, y], i) => {
      const px = (x - minx) * s, py = (maxy - y) * s;
      if (i) ctx.lineTo(px, py); else { ctx.moveTo(px, py); ctx.lineTo(px + 0.5, py); }
    });
  }
  ctx.stroke();
  ctx.getImageData(0, 0, 1, 1);  // wait for the drawing
  return performance.now() - started;
}"""

OURS = """async ([source, data, buffers]) => {
  const mod = await import(source);
  const bytes = buffers.map((b) => Uint8Array.from(atob(b), (c) => c.charCodeAt(0)));
  const started = performance.now();
  const canvas = document.createElement("canvas");
  document.body.append(canvas);
  mod.drawFeatures(canvas, data, bytes);
  canvas.getContext("2d").getImageData(0, 0, 1, 1);
  return performance.now() - started;
}"""


def datasets() -> dict[str, gpd.GeoDataFrame]:
    rng = np.random.default_rng(3)
    xs, ys = rng.uniform(-120, -70, 100_000), rng.uniform(25, 50, 100_000)
    points = gpd.GeoDataFrame({"id": np.arange(100_000)}, geometry=shapely.points(xs, ys),
                              crs=4326)
    polygons = gpd.GeoDataFrame({"id": np.arange(100_000)},
                                geometry=shapely.buffer(shapely.points(xs, ys), 0.02,
                                                        quad_segs=3), crs=4326)
    n = 20_000  # ~50 MB of GeoJSON: bigger polygons with many vertices
    big = gpd.GeoDataFrame({"id": np.arange(n)}, geometry=shapely.buffer(
        shapely.points(xs[:n], ys[:n]), 0.1, quad_segs=14), crs=4326)
    return {"100,000 points": points, "100,000 small polygons": polygons,
            f"{n:,} polygons, ~50 MB": big}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    module = "data:text/javascript;base64," + base64.b64encode(
        frontend.module("preview.js").encode()).decode()
    rows = []
    served: dict[str, bytes] = {"body": b""}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = served["body"] if self.path == "/data.json" else b"<html><body></body></html>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{httpd.server_address[1]}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(origin + "/")
        for label, frame in datasets().items():
            started = time.perf_counter()
            data, buffers = features(frame)
            kernel = time.perf_counter() - started
            ours_bytes = len(json.dumps(data)) + sum(len(b) for b in buffers)
            geojson = frame.to_json()
            encoded = [base64.b64encode(b).decode() for b in buffers]
            ours_ms = [page.evaluate(OURS, [module, data, encoded]) for _ in range(args.runs)]
            served["body"] = geojson.encode()
            naive_ms = [page.evaluate(NAIVE, [f"{origin}/data.json", data["width"],
                                              data["height"]])
                        for _ in range(max(1, args.runs // 2))]
            print(f"measured {label}", flush=True)
            rows.append((label, kernel, ours_bytes, len(geojson), statistics.median(ours_ms),
                         statistics.median(naive_ms), data.get("mode")))
        browser.close()
    print("| features | kernel s | comm bytes ours / GeoJSON | ratio | draw ms ours / GeoJSON "
          "| ratio | mode |")
    print("|---|---|---|---|---|---|---|")
    for label, kernel, ours_b, geo_b, ours_ms, naive_ms, mode in rows:
        print(f"| {label} | {kernel:.2f} | {ours_b:,} / {geo_b:,} | {ours_b / geo_b:.4f} | "
              f"{ours_ms:.1f} / {naive_ms:.0f} | {ours_ms / naive_ms:.3f} | {mode} |")


if __name__ == "__main__":
    main()
