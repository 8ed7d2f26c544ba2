"""Many long jobs watched at once: the kernel's cost, with the job server in another process.

N jobs (default 500) of 150 s with step progress every 5 s run on a loopback server in a child
process; this process is "the kernel": a JobBoard watching them all (ours), or one thread per
job polling every second (the baseline), side by side. Measured in this process only: CPU % of
one core and requests per job-minute in the window [60 s, 120 s] after the jobs started, peak
threads, and end-detection latency (when we saw each job end − when it ended).

    python benchmarks/many_jobs.py [--jobs 500] [--duration 150] [--clients ours baseline]

Targets 127.0.0.1 only; about 3 minutes per client.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import threading
import time

import psutil
import requests

TERMINAL = {"esriJobSucceeded", "esriJobFailed", "esriJobCancelled", "esriJobTimedOut"}
SERVE = """
import sys, threading
from gpjob_widget.server import JobServer, Task
srv = JobServer(port=int(sys.argv[1])).start()
srv.add_task("Long", Task(duration=float(sys.argv[2]), steps=int(float(sys.argv[2]) // 5)))
print(srv.url, flush=True)
threading.Event().wait()
"""


class Server:
    """The loopback job server in a child process (its CPU is not ours)."""

    def __init__(self, duration: float) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", SERVE, "0", str(duration)],
                                     stdout=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().strip()
        self.task_url = f"{self.url}/arcgis/rest/services/Demo/GPServer/Long"

    def requests(self) -> int:
        return requests.get(f"{self.url}/loopback/stats", params={"f": "json"},
                            timeout=30).json()["requests"]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def ours(server: Server, n: int, submitted: list[float]) -> tuple[list, object]:
    from gpjob_widget import JobBoard

    board = JobBoard()
    jobs = []
    for i in range(n):
        jobs.append(board.submit(server.task_url, {"i": i}))
        submitted.append(time.monotonic())
    return jobs, board


def baseline(server: Server, n: int, submitted: list[float]) -> tuple[list, object]:
    """One thread per job, each polling its job every second with its own Session."""

    class Polled:
        status = "job-executing"

    def follow(url: str, job: Polled) -> None:
        session = requests.Session()
        while True:
            if session.get(url, params={"f": "json"}, timeout=30).json()["jobStatus"] in TERMINAL:
                job.status = "job-succeeded"
                return
            time.sleep(1.0)

    jobs = []
    for i in range(n):
        job_id = requests.post(server.task_url + "/submitJob", data={"f": "json", "i": i},
                               timeout=30).json()["jobId"]
        submitted.append(time.monotonic())
        job = Polled()
        threading.Thread(target=follow, args=(f"{server.task_url}/jobs/{job_id}", job),
                         name=f"baseline-poll-{i}", daemon=True).start()
        jobs.append(job)
    return jobs, None


def measure(client: str, n: int, duration: float) -> dict[str, float]:
    server = Server(duration)
    me = psutil.Process()
    try:
        started = time.monotonic()
        submit_times: list[float] = []
        jobs, _keep = (ours if client == "ours" else baseline)(server, n, submit_times)
        ends = [t + duration for t in submit_times]  # the server starts each job at its submit
        submitted = time.monotonic()
        peak_threads = 0
        while time.monotonic() < started + 60:
            peak_threads = max(peak_threads, threading.active_count() - 1)
            time.sleep(0.5)
        cpu0, req0, t0 = sum(me.cpu_times()[:2]), server.requests(), time.monotonic()
        while time.monotonic() < started + 120:
            peak_threads = max(peak_threads, threading.active_count() - 1)
            time.sleep(0.5)
        cpu, seconds = sum(me.cpu_times()[:2]) - cpu0, time.monotonic() - t0
        reqs = server.requests() - req0
        seen: dict[int, float] = {}
        deadline = started + duration + 60
        while len(seen) < n and time.monotonic() < deadline:
            now = time.monotonic()
            for i, job in enumerate(jobs):
                if i not in seen and job.status == "job-succeeded":
                    seen[i] = now
            time.sleep(0.02)
        latencies = sorted(max(0.0, seen[i] - ends[i]) for i in seen)
        return {"cpu %": 100 * cpu / seconds, "req/job-min": reqs / n / (seconds / 60),
                "threads": peak_threads, "submit s": submitted - started,
                "ended": len(seen), "latency p50": statistics.median(latencies),
                "latency p95": latencies[int(0.95 * (len(latencies) - 1))]}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--duration", type=float, default=150.0)
    parser.add_argument("--clients", nargs="+", default=["ours", "baseline"],
                        choices=["ours", "baseline"])
    args = parser.parse_args()
    rows = {c: measure(c, args.jobs, args.duration) for c in args.clients}
    keys = list(next(iter(rows.values())))
    print(f"{args.jobs} jobs of {args.duration:g} s, step progress every 5 s; window 60–120 s")
    print(f"{'client':10}" + "".join(f"{k:>14}" for k in keys))
    for client, row in rows.items():
        print(f"{client:10}" + "".join(f"{row[k]:>14.2f}" for k in keys))
    if len(rows) == 2:
        a, b = rows["ours"], rows["baseline"]
        print(f"{'ratio':10}" + "".join(f"{a[k] / b[k] if b[k] else float('nan'):>14.2f}"
                                        for k in keys))


if __name__ == "__main__":
    main()
