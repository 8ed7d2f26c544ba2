"""Polling cost and detection latency: our adaptive schedule vs a fixed 1 s poller.

Short job (2 s): real HTTP against the loopback server, both pollers side by side, repeated.
Long jobs (60 s, 10 min): simulated with the same schedule functions (no minutes of waiting),
with and without step progress (which lets the poller aim its check at the expected end).

    python benchmarks/polling.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import requests

from gpjob_widget import JobWidget
from gpjob_widget.poller import EndForecast, Poller, next_interval
from gpjob_widget.server import JobServer, Task


def fixed_poller(job_url: str, interval: float = 1.0) -> tuple[int, float]:
    """The baseline: GET every *interval* s until terminal; (requests, seconds when seen)."""
    session, count, start = requests.Session(), 0, time.monotonic()
    while True:
        count += 1
        status = session.get(job_url, params={"f": "json"}, timeout=10).json()["jobStatus"]
        if status in ("esriJobSucceeded", "esriJobFailed", "esriJobCancelled"):
            return count, time.monotonic() - start
        time.sleep(interval)


def short_job(repeats: int) -> dict[str, tuple[float, float]]:
    figures: dict[str, list[tuple[int, float]]] = {"fixed 1 s": [], "adaptive": []}
    with JobServer() as srv:
        poller = Poller()
        for r in range(repeats):
            # jobs of 2.0, 2.2, … 2.8 s: a 1 s poller is not always in phase with the end
            duration = 2.0 + 0.2 * (r % 5)
            name = f"Two{r % 5}"
            srv.add_task(name, Task(duration=duration))
            job_id = requests.post(srv.task_url(name) + "/submitJob", data={"f": "json"},
                                   timeout=10).json()["jobId"]
            submitted = time.monotonic()
            count, _ = fixed_poller(f"{srv.task_url(name)}/jobs/{job_id}")
            latency = time.monotonic() - submitted - duration
            figures["fixed 1 s"].append((count, latency))
            # ours
            before = srv.request_count
            widget = JobWidget.submit(srv.task_url(name), {}, poller=poller)
            submitted = time.monotonic()
            widget.wait(timeout=60)
            latency = time.monotonic() - submitted - duration
            polls = srv.request_count - before - 1  # minus the submitJob
            widget.close()
            figures["adaptive"].append((polls, latency))
    return {name: (statistics.mean(c for c, _ in rows),
                   statistics.mean(max(0.0, lat) for _, lat in rows))
            for name, rows in figures.items()}


def simulate(duration: float, schedule, step: float = 0.0) -> tuple[float, float]:
    """Mean requests and detection latency of a schedule, over jobs ending at 20 phases.

    *schedule()* makes a fresh ``interval(t, percent)`` function for each job.
    """
    runs = [_simulate_one(duration + k / 20, schedule(), step) for k in range(20)]
    return (statistics.mean(n for n, _ in runs), statistics.mean(lat for _, lat in runs))


def _simulate_one(duration: float, interval_of, step: float) -> tuple[int, float]:
    t, count = 0.0, 0
    while True:
        count += 1
        if t >= duration:
            return count, t - duration
        # the server refreshes progress every *step* seconds
        percent = 100.0 * (int(t / step) * step) / duration if step else None
        t += interval_of(t, percent)


def ours() -> object:
    """Our schedule as the watch engine runs it: growth, cap, end forecast."""
    forecast = EndForecast()

    def interval(t: float, percent: float | None) -> float:
        forecast.observe(percent, t)
        return next_interval(t, until_end=forecast.until_end(t))

    return interval


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()

    rows = []
    short = short_job(args.repeats)
    base_n, base_lat = short["fixed 1 s"]
    n, lat = short["adaptive"]
    rows.append(("2–2.8 s jobs (real HTTP)", base_n, n, base_lat, lat))
    for duration, progress in ((60, False), (60, True), (600, False), (600, True)):
        base = simulate(duration, lambda: lambda t, p: 1.0)
        ad = simulate(duration, ours, step=5.0 if progress else 0.0)
        label = f"{duration} s job, {'step progress' if progress else 'no percent'} (sim.)"
        rows.append((label, base[0], ad[0], base[1], ad[1]))

    print(f"{'job':40} {'requests fixed/ours':>22} {'ratio':>7} {'latency fixed/ours (s)':>24}")
    for label, bn, n, bl, lat in rows:
        print(f"{label:40} {bn:>10.1f} / {n:<9.1f} {n / bn:>7.2f} {bl:>11.2f} / {lat:<10.2f}")


if __name__ == "__main__":
    main()
