"""When to check a job, and the one shared scheduler that does the checking for every widget.

:func:`next_interval` is the adaptive schedule (a pure function). :class:`Poller` runs due
checks on a small, bounded set of worker threads that exist only while something is watched.

Interpreter exit: daemon threads are frozen where they stand once finalisation begins, and a
thread frozen while holding a lock holds it for ever; anything that then takes that lock (a
widget's ``__del__`` → ``close()``) would hang the exit. So an ``atexit`` hook stops every
poller *before* finalisation (:func:`exiting` turns true, workers are woken and joined
briefly), and from then on close paths take no lock at all (see ``Watch.close``).
"""

from __future__ import annotations

import atexit
import heapq
import itertools
import logging
import math
import random
import threading
import time
import weakref
from collections.abc import Callable

log = logging.getLogger("gpjob_widget")

FIRST_INTERVAL = 0.5     # s: quick at first, so short jobs are seen to end promptly
MAX_INTERVAL = 10.0      # s: cap for long jobs (GP servers refresh progress about every 5 s)
GROWTH = 0.2             # interval ≈ 20 % of the time watched so far (the cap after 50 s)
TAIL_INTERVAL = 0.8      # s between checks while a job is due to end: its end seen within ~1 s
TAIL_GRACE = 5.0         # s past the latest forecast end before the forecast is given up
PROBE_MIN = 0.2          # s: the soonest a probe of the forecast may come
BACKOFF_BASE = 1.0       # s: first retry delay after a transient error
BACKOFF_CAP = 60.0
RETRY_AFTER_CAP = 300.0
EXIT_JOIN = 1.0          # s the exit hook waits for workers to leave (a check in flight may not)

_exiting = threading.Event()


def exiting() -> bool:
    """True once the interpreter is shutting down: close paths must not block from then on."""
    return _exiting.is_set()


def next_interval(elapsed: float, *, until_end: tuple[float, float] | None = None,
                  probe_in: float | None = None, first: float = FIRST_INTERVAL,
                  cap: float = MAX_INTERVAL) -> float:
    """Seconds until the next check of a job watched for *elapsed* seconds.

    Grows with the time watched (quick for short jobs, cheap for long ones). *until_end* is
    the forecast ``(earliest, latest)`` seconds from now until the job reaches 100 % (see
    :class:`EndForecast`): the next check is aimed at the earliest, and while the end is due
    the job is checked every :data:`TAIL_INTERVAL`, so a long job's end is noticed at once.
    *probe_in*: a check then would narrow the forecast (its next step is due), if sooner.
    """
    interval = min(cap, max(first, GROWTH * elapsed))
    if until_end is not None:
        earliest, latest = until_end
        if earliest > 0:
            interval = min(interval, max(first, earliest))
        elif latest + TAIL_GRACE > 0:
            interval = min(interval, TAIL_INTERVAL)
    if probe_in is not None and probe_in > 0:
        interval = min(interval, max(PROBE_MIN, probe_in))
    return interval


class EndForecast:
    """When a job that reports percent should reach 100 %, from what the checks saw.

    Progress that moves in even steps at a steady pace (``percent = ⌊(t − T0)·rate / step⌋ ·
    step``) tells when it started, T0, more precisely with every check: a check that sees
    *p* % at *t* says T0 ≤ t − p/rate and T0 > t − (p + step)/rate; the end is due 100/rate
    after T0. The rate is fitted to the changes seen, each at the middle of the window in
    which it happened (the check before still saw less), narrow windows weighing more. While
    the T0 window is wider than two tail checks, :meth:`probe_in` names the moment the next
    step is due at its middle: a check then halves it, so the end is forecast to about a
    second with a few checks instead of many at the end.

    Progress that is not that regular (uneven steps) contradicts itself: the forecast is then
    the window in which the last new percent was reached, moved forward at the rate between
    the last two changes.
    """

    KEEP = 24  # checks remembered (the newest): the window needs only recent ones

    def __init__(self) -> None:
        self._percent: float | None = None
        self._first_seen = 0.0       # when the current percent was first seen
        self._reached_after = 0.0    # the check before that (which still saw less)
        self._last_check = 0.0
        self._rate: float | None = None  # percent per second, between the last two changes
        self._changes = 0
        self._fit = [0.0] * 5        # weighted sums for the rate: w, wx, wy, wxx, wxy
        self._step: float | None = None  # the smallest rise seen: the job's step
        self._seen: list[tuple[float, float]] = []  # (time, percent) of recent checks
        self._steady: tuple[float, float, float] | None = None  # rate, earliest, latest T0

    def observe(self, percent: float | None, now: float) -> None:
        if percent is not None:
            if self._percent is None:
                self._percent, self._first_seen, self._reached_after = percent, now, now
            elif percent > self._percent:
                # first sightings lag the real changes alike: their difference is unbiased
                self._rate = (percent - self._percent) / max(now - self._first_seen, 1e-3)
                rise = percent - self._percent
                self._step = rise if self._step is None else min(self._step, rise)
                self._percent, self._first_seen = percent, now
                self._reached_after = self._last_check
                self._add_change(percent, self._last_check, now)
            self._seen.append((now, percent))
            del self._seen[:-self.KEEP]
            self._steady = self._start_window()
        self._last_check = now

    def _add_change(self, percent: float, after: float, seen: float) -> None:
        weight, middle = 1.0 / max(seen - after, PROBE_MIN) ** 2, (after + seen) / 2
        for i, value in enumerate((1.0, middle, percent, middle * middle, middle * percent)):
            self._fit[i] += weight * value
        self._changes += 1

    def _start_window(self) -> tuple[float, float, float] | None:
        """``(rate, earliest, latest)`` start T0 of steady progress, None if not steady."""
        if self._changes < 2 or not self._step:
            return None
        w, wx, wy, wxx, wxy = self._fit
        determinant = w * wxx - wx * wx
        rate = (w * wxy - wx * wy) / determinant if determinant > 0 else 0.0
        if rate <= 0:
            return None
        step = self._step
        earliest = max(t - (p + step) / rate for t, p in self._seen)
        latest = min(t - p / rate for t, p in self._seen)
        return (rate, earliest, latest) if earliest <= latest else None

    def until_end(self, now: float) -> tuple[float, float] | None:
        """``(earliest, latest)`` seconds from *now* until 100 %, or None without a rate."""
        if self._steady is not None:
            rate, earliest, latest = self._steady
            return earliest + 100.0 / rate - now, latest + 100.0 / rate - now
        if self._percent is None or not self._rate or self._rate <= 0:
            return None
        rest = (100.0 - self._percent) / self._rate
        return self._reached_after + rest - now, self._first_seen + rest - now

    def probe_in(self, now: float) -> float | None:
        """Seconds until a check that would halve the forecast's window, or None."""
        if self._steady is None:
            return None
        rate, earliest, latest = self._steady
        if latest - earliest <= 2 * TAIL_INTERVAL:
            return None  # precise enough
        middle, every = (earliest + latest) / 2, self._step / rate  # type: ignore[operator]
        due = middle + math.ceil((now - middle) / every + 1e-9) * every  # the next step, if…
        return due - now


def backoff(failures: int, retry_after: float | None = None) -> float:
    """Delay before retrying after *failures* consecutive transient errors (≥ 1)."""
    if retry_after is not None:
        return min(RETRY_AFTER_CAP, max(0.0, retry_after))
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (failures - 1))
    return delay * random.uniform(0.8, 1.2)  # jitter: many jobs do not retry in lock-step


Task = Callable[[], "float | None"]  # one check; returns seconds until the next, None to stop


class Poller:
    """A heap of due checks served by at most *max_workers* threads.

    Workers start on demand and exit after *idle_exit* seconds with nothing to do, so a kernel
    with no watched job has no poller thread at all. One idle worker, the leader, waits for
    the next check to be due (on ``_cond``); the others wait to be called (on ``_followers``)
    when there is more to do: a due check wakes one thread, not every idle one.
    """

    def __init__(self, max_workers: int = 4, idle_exit: float = 2.0) -> None:
        self.max_workers = max_workers
        self.idle_exit = idle_exit
        self._heap: list[tuple[float, int, Task]] = []
        self._cancelled: set[int] = set()
        self._ids = itertools.count()
        lock = threading.RLock()
        self._cond = threading.Condition(lock)       # the leader waits here
        self._followers = threading.Condition(lock)  # the other idle workers here
        self._leader: threading.Thread | None = None
        self._workers = 0
        self._threads: set[threading.Thread] = set()
        self._idle = 0
        self._stopped = False
        _pollers.add(self)

    # -- public ------------------------------------------------------------------------------
    def schedule(self, task: Task, delay: float = 0.0) -> int:
        """Run *task* after *delay* seconds (and again whenever it asks); returns a handle."""
        handle = next(self._ids)
        self._push(time.monotonic() + delay, handle, task)
        return handle

    def cancel(self, handle: int) -> None:
        """Stop rescheduling *handle* (a check already running finishes, then is dropped)."""
        if self._stopped:  # shut down (e.g. at exit): nothing is rescheduled anyway
            return
        with self._cond:
            kept = [e for e in self._heap if e[1] != handle]
            if len(kept) == len(self._heap):
                self._cancelled.add(handle)  # running now: drop it when it comes back
            self._heap = kept
            heapq.heapify(self._heap)
            self._cond.notify_all()

    def wake(self, handle: int) -> None:
        """Bring *handle*'s next check forward to now (e.g. right after a cancel request)."""
        with self._cond:
            for i, (_, h, task) in enumerate(self._heap):
                if h == handle:
                    self._heap[i] = (time.monotonic(), h, task)
                    heapq.heapify(self._heap)
                    self._cond.notify()
                    return

    @property
    def threads(self) -> int:
        """Worker threads alive now."""
        with self._cond:
            return self._workers

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._heap)

    def shutdown(self, join: float = 0.0) -> None:
        """Stop every worker; wait up to *join* seconds for them to leave.

        Never blocks longer than that, even if a frozen thread holds the lock (at exit).
        """
        self._stopped = True  # seen by cancel() and _push() even if the lock cannot be had
        if not self._cond.acquire(timeout=max(join, 0.1)):
            return
        try:
            self._heap.clear()
            self._cond.notify_all()
            self._followers.notify_all()
            threads = list(self._threads)
        finally:
            self._cond.release()
        deadline = time.monotonic() + join
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(max(0.0, deadline - time.monotonic()))

    # -- internals ---------------------------------------------------------------------------
    def _push(self, due: float, handle: int, task: Task) -> None:
        with self._cond:
            if self._stopped or handle in self._cancelled:
                self._cancelled.discard(handle)
                return
            heapq.heappush(self._heap, (due, handle, task))
            if self._idle == 0 and self._workers < self.max_workers:
                self._workers += 1
                worker = threading.Thread(target=self._work, name=f"gpjob-poller-{handle}",
                                          daemon=True)
                self._threads.add(worker)
                worker.start()
            elif self._leader is None:
                self._followers.notify()  # one of them takes the lead
            elif self._heap[0][1] == handle:
                self._cond.notify()  # sooner than the leader's wait: it looks again

    def _next_due(self) -> tuple[int, Task] | None:
        """Block until a check is due; None when this worker should exit."""
        me = threading.current_thread()
        with self._cond:
            idle_since = time.monotonic()
            while not self._stopped:
                now = time.monotonic()
                if self._heap and self._heap[0][0] <= now:
                    _, handle, task = heapq.heappop(self._heap)
                    if self._leader is me:
                        self._leader = None
                        self._followers.notify()  # someone else waits for the next one
                    return handle, task
                if not self._heap and now - idle_since >= self.idle_exit:
                    break
                self._idle += 1
                if self._leader in (None, me):
                    self._leader = me
                    timeout = self._heap[0][0] - now if self._heap else self.idle_exit
                    self._cond.wait(min(timeout, self.idle_exit))
                else:
                    self._followers.wait(self.idle_exit)
                self._idle -= 1
            if self._leader is me:
                self._leader = None
                self._followers.notify()
            self._workers -= 1
            self._threads.discard(me)
            return None

    def _work(self) -> None:
        while (item := self._next_due()) is not None:
            handle, task = item
            try:
                delay = task()
            except Exception:  # a bug in one check must not kill the poller for every job
                log.exception("gpjob_widget: a job check failed unexpectedly")
                delay = None
            if delay is not None:
                self._push(time.monotonic() + delay, handle, task)
            else:
                with self._cond:
                    self._cancelled.discard(handle)


_shared: Poller | None = None
_shared_lock = threading.Lock()
_pollers: weakref.WeakSet[Poller] = weakref.WeakSet()  # every poller, stopped at exit


def shared_poller() -> Poller:
    """The kernel's one poller, serving every JobWidget."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Poller()
        return _shared


@atexit.register
def _at_exit() -> None:
    """Before daemon threads freeze: say we are exiting, stop and briefly join every poller."""
    _exiting.set()
    deadline = time.monotonic() + EXIT_JOIN
    for poller in list(_pollers):
        poller.shutdown(join=max(0.0, deadline - time.monotonic()))
