"""A batch at scale, and the CPU of one status check next to a bare ``http.client`` GET.

1. **Per check, side by side**: on one long job of the loopback server (in a child process),
   rounds of a bare ``http.client`` GET on a kept-alive connection (the floor: request, headers,
   body) alternate with rounds of our status check (``Job.check_status()``: pool, timeouts,
   retries, auth header, error mapping, parsing or the same-answer shortcut). Thread CPU per
   call, median of the rounds.
2. **Batch**: ``JobBoard.map`` over ``--inputs`` inputs (default 1,000) with
   ``max_in_flight=50`` on jobs of 30–90 s with step progress. In the window
   [``--warmup``, ``--warmup`` + ``--window``] s after the start, measured in this process
   alone ("the kernel"): CPU % of one core, HTTP requests per running-job-minute (all of
   them, and those about jobs past their first minute), peak threads, jobs running on the
   server at most, and the CPU per request ÷ the bare GET's. Then Cancel all, timed.
3. **Watched**: ``--watched`` jobs (default 500) of 150 s submitted at once and watched by
   one board; the same window figures (the scenario of ``many_jobs.py``).

    python benchmarks/batch.py [--inputs 1000] [--in-flight 50] [--watched 500]
                               [--warmup 60] [--window 120] [--scenarios batch watched]

Targets 127.0.0.1 only; about 8 minutes with every scenario.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

import psutil
import requests

SERVE = """
import sys, threading
from gpjob_widget.server import JobServer, Task
srv = JobServer(port=0).start()
srv.add_task("Uneven", Task(duration=60, duration_spread=30, steps=12,
                            results={"n": ("GPLong", 1)}))
srv.add_task("Long", Task(duration=150, steps=30))
srv.add_task("Forever", Task(duration=3600, steps=100))
print(srv.url, flush=True)
threading.Event().wait()
"""


class Server:
    """The loopback job server in a child process (its CPU is not ours)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", SERVE], stdout=subprocess.PIPE,
                                     text=True)
        self.url = self.proc.stdout.readline().strip()

    def task_url(self, name: str) -> str:
        return f"{self.url}/arcgis/rest/services/Demo/GPServer/{name}"

    def stats(self, jobs: bool = False) -> dict:
        params = {"f": "json", **({"jobs": "true"} if jobs else {})}
        return requests.get(f"{self.url}/loopback/stats", params=params, timeout=60).json()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


class BareGet:
    """A bare ``http.client`` GET of one job resource on a kept-alive connection: the floor."""

    def __init__(self, job_url: str) -> None:
        parts = urlsplit(job_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.path = parts.path + "?f=json"

    def __call__(self) -> None:
        self.connection.request("GET", self.path, headers={"Accept": "application/json"})
        self.connection.getresponse().read()


def per_check(job, rounds: int = 7, calls: int = 500) -> dict[str, float]:
    """Thread CPU µs per call in a tight loop: bare GET vs our status check, rounds
    alternating."""
    bare = BareGet(job.job_url)

    def timed(call) -> float:
        started = time.thread_time()
        for _ in range(calls):
            call()
        return (time.thread_time() - started) / calls * 1e6

    bares, ours = [], []
    for _ in range(rounds):
        bares.append(timed(bare))
        ours.append(timed(job.check_status))
    return {"bare": statistics.median(bares), "ours": statistics.median(ours)}


class Prober(threading.Thread):
    """Bare GETs every *gap* s during a window, side by side with the watched jobs: the floor
    in the same conditions (a call now and then costs more CPU than one of a tight loop)."""

    def __init__(self, job_url: str, gap: float = 0.1) -> None:
        super().__init__(daemon=True, name="bare-prober")
        self.bare, self.gap = BareGet(job_url), gap
        self.calls, self.cpu = 0, 0.0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.gap):
            started = time.thread_time()
            self.bare()
            self.cpu += time.thread_time() - started
            self.calls += 1


class Sampler(threading.Thread):
    """Peak threads of ours, and the CPU of the poller threads (where the status checks run),
    sampled every 0.2 s: poller threads come and go (they exit when idle), so each one's CPU
    is kept as last seen (sampler and prober not counted)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.stopped = threading.Event()
        self._seen: dict[int, float] = {}   # native id → its CPU s when last sampled
        self._retired = 0.0                 # CPU of poller threads that are gone
        self._lock = threading.Lock()

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            ours = [t for t in threading.enumerate()
                    if t is not self and t.name != "bare-prober"]
            self.peak = max(self.peak, len(ours) - 1)  # the main thread not counted
            self.sample()

    def sample(self) -> None:
        pollers = {t.native_id for t in threading.enumerate()
                   if t.name.startswith("gpjob-poller")}
        now = {t.id: t.user_time + t.system_time for t in psutil.Process().threads()
               if t.id in pollers}
        with self._lock:
            for tid, cpu in list(self._seen.items()):
                if tid not in now or now[tid] < cpu:  # gone (or its id taken by a new one)
                    self._retired += cpu
                    del self._seen[tid]
            self._seen.update(now)

    def poller_cpu(self) -> float:
        """CPU seconds of every poller thread so far."""
        self.sample()
        with self._lock:
            return self._retired + sum(self._seen.values())


def window(server: Server, probe_url: str, probe_id: str, sampler: Sampler,
           started: float, warmup: float, seconds: float) -> dict[str, float]:
    """Over [warmup, warmup + seconds]: the kernel's CPU, the server's requests, and a bare
    prober side by side."""
    me = psutil.Process()
    time.sleep(max(0.0, started + warmup - time.monotonic()))
    prober = Prober(probe_url)
    before, cpu0, polls0 = server.stats(), sum(me.cpu_times()[:2]), sampler.poller_cpu()
    t0 = time.monotonic()
    prober.start()
    time.sleep(seconds)
    prober.stopped.set()
    prober.join()
    cpu, wall = sum(me.cpu_times()[:2]) - cpu0, time.monotonic() - t0
    polls = sampler.poller_cpu() - polls0
    after = server.stats(jobs=True)
    a, b = before["clock"], after["clock"]
    running_s = old_s = 0.0
    about_jobs = old_requests = 0
    for job in after["per_job"]:
        if job["id"] == probe_id:
            continue
        end = job["ended"] if job["ended"] is not None else b
        running_s += max(0.0, min(end, b) - max(job["created"], a))
        past_minute = job["created"] + 60
        old_s += max(0.0, min(end, b) - max(past_minute, a))
        about_jobs += sum(1 for t in job["requests"] if a <= t <= b)
        old_requests += sum(1 for t in job["requests"] if max(a, past_minute) <= t <= b)
    # every request but the prober's and the first stats call (submits included)
    ours = after["requests"] - before["requests"] - 1 - prober.calls
    bare = prober.cpu / prober.calls * 1e6
    kernel_cpu = cpu - prober.cpu
    return {"kernel cpu % of a core": 100 * kernel_cpu / wall, "requests": ours,
            "req/running-job-min": ours / (running_s / 60),
            "req/job-min past its 1st min": old_requests / (old_s / 60) if old_s
            else float("nan"),
            "bare GET µs (side by side)": bare,
            "check µs (poller threads)": polls / about_jobs * 1e6,
            "check ÷ bare GET": polls / about_jobs * 1e6 / bare,
            "all kernel CPU ÷ request, µs": kernel_cpu / ours * 1e6,
            "all ÷ bare GET": kernel_cpu / ours * 1e6 / bare,
            "peak running on server": after["peak_running"] - 1,  # the probe's job not counted
            "threads": sampler.peak}


def batch(server: Server, probe, n: int, in_flight: int, warmup: float, seconds: float) -> dict:
    from gpjob_widget import JobBoard

    sampler = Sampler()
    sampler.start()
    started = time.monotonic()
    board = JobBoard.map(server.task_url("Uneven"), ({"i": i} for i in range(n)),
                         max_in_flight=in_flight)
    row = window(server, probe.job_url, probe.job_id, sampler, started, warmup, seconds)
    row["done in window"] = board.batch.rollup().done
    t = time.monotonic()
    board.cancel_all()
    board.wait(timeout=120)
    row["cancel all s"] = time.monotonic() - t
    row["running after"] = server.stats()["running"]
    sampler.stopped.set()
    return row


def watched(server: Server, probe, n: int, warmup: float, seconds: float) -> dict:
    from gpjob_widget import JobBoard

    sampler = Sampler()
    sampler.start()
    started = time.monotonic()
    board = JobBoard()
    for i in range(n):
        board.submit(server.task_url("Long"), {"i": i})
    row = window(server, probe.job_url, probe.job_id, sampler, started, warmup, seconds)
    board.cancel_all()  # those still running (the others ended within the window)
    board.close()
    sampler.stopped.set()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=50)
    parser.add_argument("--watched", type=int, default=500)
    parser.add_argument("--warmup", type=float, default=60.0)
    parser.add_argument("--window", type=float, default=120.0)
    parser.add_argument("--scenarios", nargs="+", default=["batch", "watched"],
                        choices=["batch", "watched"], help="besides the per-check comparison")
    args = parser.parse_args()
    server = Server()
    try:
        from gpjob_widget import Job

        probe = Job.submit(server.task_url("Forever"), {"probe": 1})  # never ends
        probe.check_status()
        floor = per_check(probe)
        rows = {}
        if "batch" in args.scenarios:
            rows[f"batch of {args.inputs}, max_in_flight={args.in_flight}"] = batch(
                server, probe, args.inputs, args.in_flight, args.warmup, args.window)
        if "watched" in args.scenarios:
            rows[f"{args.watched} jobs watched"] = watched(server, probe, args.watched,
                                                          args.warmup, args.window)
        again = per_check(probe)
        for name, figures in (("before", floor), ("after", again)):
            print(f"tight loop {name}: bare GET {figures['bare']:.0f} µs, our check "
                  f"{figures['ours']:.0f} µs → {figures['ours'] / figures['bare']:.2f}×")
        print(f"window {args.warmup:g}–{args.warmup + args.window:g} s after the start")
        for name, row in rows.items():
            print(name)
            for key, value in row.items():
                print(f"  {key:32} {value:10.2f}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
