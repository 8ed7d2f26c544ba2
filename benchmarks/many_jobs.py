"""Many jobs at once: our shared poller vs one polling thread per job (fixed 1 s), side by side.

For N = 10 / 100 / 500 jobs of 4 s on the loopback server: peak threads, process CPU seconds,
requests per second, peak RSS growth; and CPU while N long jobs merely run (a 5 s window, where
the adaptive schedule has backed off). Targets 127.0.0.1 only; a few minutes in all.

    python benchmarks/many_jobs.py [--sizes 10 100 500]
"""

from __future__ import annotations

import argparse
import threading
import time

import psutil
import requests

from gpjob_widget import JobWidget
from gpjob_widget.poller import Poller
from gpjob_widget.server import JobServer, Task

TERMINAL = {"esriJobSucceeded", "esriJobFailed", "esriJobCancelled", "esriJobTimedOut"}


def thread_per_job(srv: JobServer, n: int, task: str, stop: threading.Event | None = None):
    """The baseline: N threads, each a Session polling its job every second."""
    def follow(url: str) -> None:
        session = requests.Session()
        while stop is None or not stop.is_set():
            if session.get(url, params={"f": "json"}, timeout=30).json()["jobStatus"] in TERMINAL:
                return
            time.sleep(1.0)

    urls = []
    for _ in range(n):
        job_id = requests.post(srv.task_url(task) + "/submitJob", data={"f": "json"},
                               timeout=30).json()["jobId"]
        urls.append(f"{srv.task_url(task)}/jobs/{job_id}")
    threads = [threading.Thread(target=follow, args=(u,), name=f"baseline-poll-{i}", daemon=True)
               for i, u in enumerate(urls)]
    for th in threads:
        th.start()
    return threads


def ours(srv: JobServer, n: int, task: str, poller: Poller) -> list[JobWidget]:
    return [JobWidget.submit(srv.task_url(task), {}, poller=poller) for _ in range(n)]


class Meter:
    """Peak threads and RSS, sampled every 50 ms, plus CPU time and server requests."""

    def __init__(self, srv: JobServer) -> None:
        self.proc, self.srv = psutil.Process(), srv
        self.peak_threads = self.peak_rss = 0
        self._stop = threading.Event()

    def __enter__(self) -> Meter:
        self.rss0 = self.proc.memory_info().rss
        self.cpu0 = sum(self.proc.cpu_times()[:2])
        self.req0, self.t0 = self.srv.request_count, time.monotonic()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            # polling threads only (the loopback server's own threads are not the client's)
            polling = sum(t.name.startswith(("baseline-poll", "gpjob-poller"))
                          for t in threading.enumerate())
            self.peak_threads = max(self.peak_threads, polling)
            self.peak_rss = max(self.peak_rss, self.proc.memory_info().rss - self.rss0)
            time.sleep(0.05)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.seconds = time.monotonic() - self.t0
        self.cpu = sum(self.proc.cpu_times()[:2]) - self.cpu0
        self.requests = self.srv.request_count - self.req0


def run(n: int) -> dict[str, Meter]:
    out = {}
    with JobServer() as srv:
        srv.add_task("Short", Task(duration=4.0, steps=4))
        srv.add_task("Long", Task(duration=600.0, steps=100))
        with Meter(srv) as m:
            for th in thread_per_job(srv, n, "Short"):
                th.join()
        out["thread-per-job"] = m
        poller = Poller()
        with Meter(srv) as m:
            widgets = ours(srv, n, "Short", poller)
            for w in widgets:
                w.wait(timeout=120)
        for w in widgets:
            w.close()
        out["shared poller"] = m
        # idle: long jobs running, measured 20 s in, over 5 s
        stop = threading.Event()
        threads = thread_per_job(srv, n, "Long", stop)
        time.sleep(20)
        with Meter(srv) as m:
            time.sleep(5)
        out["idle thread-per-job"] = m
        stop.set()
        for th in threads:
            th.join(timeout=5)
        widgets = ours(srv, n, "Long", poller)
        time.sleep(20)
        with Meter(srv) as m:
            time.sleep(5)
        out["idle shared poller"] = m
        for w in widgets:
            w.close()
        poller.shutdown()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 500])
    args = parser.parse_args()
    print(f"{'jobs':>5} {'client':22} {'threads':>8} {'CPU s':>7} {'req/s':>7} {'RSS MB':>7}"
          f" {'idle CPU %':>10} {'idle req/s':>10}")
    for n in args.sizes:
        m = run(n)
        for name in ("thread-per-job", "shared poller"):
            a, idle = m[name], m[f"idle {name}"]
            print(f"{n:>5} {name:22} {a.peak_threads:>8} {a.cpu:>7.2f} "
                  f"{a.requests / a.seconds:>7.0f} {a.peak_rss / 1e6:>7.1f} "
                  f"{100 * idle.cpu / idle.seconds:>10.1f} {idle.requests / idle.seconds:>10.1f}")
        base, ours_ = m["thread-per-job"], m["shared poller"]
        ib, io = m["idle thread-per-job"], m["idle shared poller"]
        print(f"{n:>5} {'ratio ours/baseline':22} {ours_.peak_threads / base.peak_threads:>8.2f} "
              f"{ours_.cpu / base.cpu:>7.2f} "
              f"{(ours_.requests / ours_.seconds) / (base.requests / base.seconds):>7.2f} "
              f"{ours_.peak_rss / max(base.peak_rss, 1):>7.2f} {io.cpu / max(ib.cpu, 1e-9):>10.2f}"
              f" {io.requests / max(ib.requests, 1):>10.2f}")


if __name__ == "__main__":
    main()
