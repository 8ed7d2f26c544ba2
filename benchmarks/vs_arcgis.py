"""Esri's arcgis (2.4.4) waiting for a GP job vs ours, side by side on the same loopback jobs.

Import time (a fresh interpreter, best of 3), install size (the package and everything it
requires, recursively), and for the same task on the loopback server: requests per job-minute
and how late each client notices the end (detection latency), for 60 s jobs with step progress
and for short 2–3 s jobs. arcgis polls every second; ours follows the adaptive schedule.

    python benchmarks/vs_arcgis.py [--long 3] [--short 8]

Targets 127.0.0.1 only; about 90 s.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from gpjob_widget import Job
from gpjob_widget.server import JobServer, Task


def import_seconds(statement: str, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True, capture_output=True)
        best = min(best, time.perf_counter() - started)
    return best


def _requirements(name: str, extras: frozenset[str] = frozenset()) -> set[str]:
    seen: set[str] = set()
    todo = [(name, extras)]
    while todo:
        dist_name, wanted = todo.pop()
        key = re.sub(r"[-_.]+", "-", dist_name).lower()
        if key in seen:
            continue
        try:
            dist = md.distribution(dist_name)
        except md.PackageNotFoundError:
            continue
        seen.add(key)
        for req in dist.requires or []:
            spec, _, marker = req.partition(";")
            if "extra ==" in marker and not any(f'"{e}"' in marker for e in wanted):
                continue
            if marker and "extra ==" not in marker:
                try:
                    from packaging.markers import Marker

                    if not Marker(marker).evaluate():
                        continue
                except Exception:
                    pass
            todo.append((re.split(r"[\s\[<>=!~(]", spec.strip())[0], frozenset()))
    return seen


def install_mb(name: str) -> tuple[float, int]:
    total = 0
    deps = _requirements(name)
    for dep in deps:
        dist = md.distribution(dep)
        for file in dist.files or []:
            path = Path(dist.locate_file(file))
            if path.is_file():
                total += path.stat().st_size
    return total / 1e6, len(deps)


def run_clients(srv: JobServer, task: str, n: int) -> dict[str, list[tuple[int, float]]]:
    """n jobs each for arcgis's GPJob.result() and our Job.wait(), at the same time."""
    from arcgis.geoprocessing import import_toolbox

    tb = import_toolbox(f"{srv.url}/arcgis/rest/services/Bench/GPServer")
    tool = getattr(tb, task.lower())
    duration = srv.tasks[task][1].duration
    out: dict[str, list[tuple[int, float]]] = {"arcgis": [], "gpjob_widget": []}
    lock = threading.Lock()

    def esri() -> None:
        job = tool(future=True)
        ends = time.monotonic() + duration  # submitted just now (the server starts the clock)
        job.result()
        late = time.monotonic() - ends
        with lock:
            out["arcgis"].append((job._jobid, late))

    def ours() -> None:
        job = Job.submit(srv.task_url(task, "Bench"), {})
        ends = time.monotonic() + duration
        job.wait(progress=False)
        late = time.monotonic() - ends
        with lock:
            out["gpjob_widget"].append((job.job_id, late))

    threads = [threading.Thread(target=fn) for _ in range(n) for fn in (esri, ours)]
    for thread in threads:
        thread.start()
        time.sleep(random.uniform(0.05, 0.4))  # not in lock-step with each other
    for thread in threads:
        thread.join()
    counts = {}
    for record in list(srv.request_log):
        if "/jobs/" in record.path:
            job_id = record.path.split("/jobs/")[1].split("/")[0]
            counts[job_id] = counts.get(job_id, 0) + 1
    return {client: [(counts.get(job_id, 0), late) for job_id, late in rows]
            for client, rows in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--long", type=int, default=3, help="60 s jobs per client")
    parser.add_argument("--short", type=int, default=8, help="2–3 s jobs per client")
    args = parser.parse_args()
    rows = []
    a, o = import_seconds("import arcgis"), import_seconds("import gpjob_widget")
    rows.append(("import time, s", a, o))
    rows.append(("import time with the widget, s", a,
                 import_seconds("from gpjob_widget import JobWidget")))
    (a_mb, a_n), (o_mb, o_n) = install_mb("arcgis"), install_mb("gpjob_widget")
    rows.append((f"install size, MB ({a_n} / {o_n} distributions)", a_mb, o_mb))
    with JobServer() as srv:
        srv.add_task("Long", Task(duration=60, steps=12), service="Bench")
        srv.add_task("Short", Task(duration=2.0 + random.random(), steps=2), service="Bench")
        long_runs = run_clients(srv, "Long", args.long)
        short_runs = run_clients(srv, "Short", args.short)
    for label, runs, minutes in (("60 s jobs", long_runs, 1.0), ("2–3 s jobs", short_runs,
                                                                 None)):
        if minutes:
            rows.append((f"{label}: requests per job-minute",
                         statistics.mean(n for n, _ in runs["arcgis"]) / minutes,
                         statistics.mean(n for n, _ in runs["gpjob_widget"]) / minutes))
        rows.append((f"{label}: detection latency, mean s",
                     statistics.mean(max(0, late) for _, late in runs["arcgis"]),
                     statistics.mean(max(0, late) for _, late in runs["gpjob_widget"])))
    print(f"{'':52}{'arcgis':>10}{'ours':>10}{'ours/arcgis':>13}")
    for label, theirs, mine in rows:
        print(f"{label:52}{theirs:>10.2f}{mine:>10.2f}{mine / theirs:>13.2f}")


if __name__ == "__main__":
    main()
