"""Batch: many jobs of one task, a queue in front of the jobs' engines (display-free).

At most ``max_in_flight`` jobs are submitted and not ended at any moment; the other inputs wait
here, not on the server. A submit that fails transiently, or a job that ends failed / timed
out, is retried (a new job; the item keeps every attempt) up to ``retries`` times; one failed
input never stops the others. The roll-up (counts, combined progress, elapsed, ETA) drives the
board, the terminal bar and ``gpjob map``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from . import history
from . import status as st
from .errors import ArcGISError, CancelError, GPJobError, TransientError
from .job import JOB_OPTIONS, WATCH_OPTIONS, Job
from .poller import backoff, exiting

QUEUED = st.QUEUED_HERE    # waiting here: not on the server yet
DROPPED = st.DROPPED       # cancelled here before it was submitted
RETRY_ON = frozenset({st.FAILED, st.TIMED_OUT})
CANCEL_AT_ONCE = 8         # cancel requests in flight at once (Cancel all)


@dataclasses.dataclass
class Item:
    """One input of the batch and the jobs it became (the last one is the current)."""

    key: Any
    params: Mapping[str, Any]
    index: int = 0             # its place in the batch (its board row)
    attempts: list[Job] = dataclasses.field(default_factory=list)
    waiting: bool = True       # in the queue here (first run, or a retry that is due)
    not_before: float = 0.0    # monotonic time before which it is not submitted (backoff)
    error: str = ""            # why it could not be submitted (the server's words)
    dropped: bool = False
    submit_failures: int = 0
    lost: bool = False         # its job stopped being watched before it ended (the error says)

    @property
    def job(self) -> Job | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def status(self) -> str:
        """A ``job-…`` status, or :data:`QUEUED` / :data:`DROPPED` while not on the server."""
        if self.dropped:
            return DROPPED
        if self.waiting:
            return QUEUED
        if self.job is None:
            return st.FAILED
        return self.job.status

    @property
    def running(self) -> bool:
        return not self.waiting and not self.dropped and not self.lost and \
            self.job is not None and not st.is_terminal(self.job.status)

    @property
    def bucket(self) -> str:
        """Where the roll-up counts it: queued, running, succeeded or failed."""
        if self.waiting and not self.dropped:
            return "queued"
        if self.running:
            return "running"
        return "succeeded" if self.status == st.SUCCEEDED else "failed"


@dataclasses.dataclass(frozen=True)
class Rollup:
    """Where the whole batch is."""

    total: int
    succeeded: int
    failed: int
    running: int
    queued: int
    percent: float           # jobs done plus the running jobs' percent, over the total
    elapsed: float           # s since the batch started
    eta: float | None        # s until the end, from the pace of the jobs finished so far

    @property
    def done(self) -> int:
        return self.total - self.running - self.queued

    @property
    def finished(self) -> bool:
        return self.running == 0 and self.queued == 0

    def words(self) -> str:
        eta = f" · about {_duration(self.eta)} left" if self.eta is not None else ""
        return (f"{self.done} of {self.total} done ({self.succeeded} succeeded, {self.failed} "
                f"failed) · {self.running} running · {self.queued} queued · "
                f"{_duration(self.elapsed)}{eta}")


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else \
        f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def _items(inputs: Iterable[Any]) -> list[Item]:
    items = []
    for index, entry in enumerate(inputs):
        if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], Mapping):
            items.append(Item(entry[0], entry[1], index))
        elif isinstance(entry, Mapping):
            items.append(Item(index, entry, index))
        else:
            raise TypeError(f"input {index}: a dict of parameters or a (key, params) pair, "
                            f"not {type(entry).__name__}")
    keys = [item.key for item in items]
    if len(set(map(repr, keys))) != len(keys):
        raise ValueError("the keys of a batch must be unique")
    return items


class Batch:
    """Runs *inputs* through *task_url* under a concurrency cap; see the module docstring.

    Locks: a job's engine calls us holding its own lock, so nothing here takes an engine's
    lock while holding ours (``_cond`` guards the queue and the counts only).

    Cost: a status check of one job costs O(1) here (its item's bucket is moved between
    counts); the queue thread wakes only when a slot frees or an input is queued."""

    def __init__(self, task_url: str, inputs: Iterable[Any], *, max_in_flight: int = 4,
                 retries: int = 1, token: Any = None, name: str = "",
                 on_change: Callable[[Item], Any] | None = None, **job_options: Any) -> None:
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        unknown = set(job_options) - {*JOB_OPTIONS, *WATCH_OPTIONS}
        if unknown:
            raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
        self.task_url = task_url
        self.items = _items(inputs)
        self.max_in_flight = max_in_flight
        self.retries = retries
        self.token = token
        self.name = name or f"batch {uuid.uuid4().hex[:8]}"
        self.job_options = job_options
        self.started = time.monotonic()
        self.on_change = on_change
        self._cond = threading.Condition()
        self._stopped = False
        self._cancelled = False  # Cancel all: a job whose submit was in flight is cancelled too
        self._durations: list[float] = []  # s each finished job took (for the ETA)
        self._thread: threading.Thread | None = None
        self._queue: deque[Item] = deque(self.items)  # waiting inputs, in order (lazily pruned)
        self._queued = set(range(len(self.items)))    # indexes of the items in that queue
        self._buckets = ["queued"] * len(self.items)  # each item's bucket, as last counted
        self._counts = Counter(queued=len(self.items))
        self._running: set[int] = set()               # indexes of the items in flight

    def start(self) -> Batch:
        """Start submitting (returns the batch)."""
        self.started = time.monotonic()
        self._ensure_running()
        return self

    # -- the queue ----------------------------------------------------------------------------
    def in_flight(self) -> int:
        """Jobs submitted and not ended (never more than ``max_in_flight``)."""
        return self._counts["running"]

    def _due(self, now: float) -> Item | None:
        """The first waiting input whose time has come (call holding ``_cond``)."""
        queue = self._queue
        while queue and not (queue[0].waiting and not queue[0].dropped):
            self._queued.discard(queue.popleft().index)  # submitted or dropped since
        return next((i for i in queue if i.waiting and not i.dropped and i.not_before <= now),
                    None)

    def _requeue(self, item: Item, not_before: float = 0.0) -> None:
        """*item* waits again (call holding ``_cond``)."""
        if item.index not in self._queued:
            self._queue.append(item)
            self._queued.add(item.index)
        item.waiting, item.not_before = True, not_before

    def _recount(self, item: Item) -> bool:
        """Move *item* to the bucket it is in now; True when it changed (call holding
        ``_cond``)."""
        return self._move(item, item.bucket)

    def _move(self, item: Item, bucket: str) -> bool:
        old = self._buckets[item.index]
        if bucket == old:
            return False
        self._buckets[item.index] = bucket
        self._counts[old] -= 1
        self._counts[bucket] += 1
        if bucket == "running":
            self._running.add(item.index)
        else:
            self._running.discard(item.index)
        return True

    def _ensure_running(self) -> None:
        with self._cond:
            if self._thread is None:  # (the thread clears it, under the lock, as it ends)
                self._thread = threading.Thread(target=self._run, name="gpjob-batch",
                                                daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def _run(self) -> None:
        """Submit while there is room; sleep until a job ends or a retry is due; end when
        nothing waits any more (``retry_failed`` starts it again)."""
        while True:
            with self._cond:
                while True:
                    if self._stopped or exiting():
                        self._thread = None
                        return
                    now = time.monotonic()
                    room = self.in_flight() < self.max_in_flight
                    item = self._due(now) if room else None
                    if item is not None:
                        break
                    waiting = [i.not_before - now for i in self._queue
                               if i.waiting and not i.dropped] if room else [1.0]
                    if not waiting and not self.in_flight():
                        self._thread = None  # everything ended: the next retry starts anew
                        return
                    self._cond.wait(min([1.0, *[w for w in waiting if w > 0]]))
                item.waiting = False
                self._move(item, "running")  # it holds its slot while it is being submitted
            self._submit(item)

    def _submit(self, item: Item) -> None:
        options = {k: v for k, v in self.job_options.items() if k in JOB_OPTIONS}
        try:
            job = Job.submit(self.task_url, item.params, self.token, **options)
        except TransientError as exc:  # 5xx, 429, resets, timeouts: worth trying again
            item.submit_failures += 1
            if item.submit_failures > self.retries:
                item.error = f"submit failed: {exc}"
            else:
                with self._cond:
                    self._requeue(item, time.monotonic() + backoff(item.submit_failures,
                                                                   exc.retry_after))
            self._changed(item)
            return
        except (ArcGISError, GPJobError, TypeError, ValueError) as exc:
            item.error = f"the server refused the job: {exc}"  # bad input: no retry
            self._changed(item)
            return
        item.error = ""
        # its engine first: the roll-up reads job.watcher, which would make one otherwise
        engine = job.watch(**{k: v for k, v in self.job_options.items() if k in WATCH_OPTIONS})
        engine.subscribe(lambda update, item=item, job=job: self._on_update(item, job, update))
        item.attempts.append(job)
        history.record(job.job_url, batch=self.name, key=str(item.key))
        engine.start()
        if self._cancelled:  # Cancel all came while this submit was on its way
            with contextlib.suppress(CancelError):
                job.cancel()
        self._changed(item)

    def _on_update(self, item: Item, job: Job, update: Any) -> None:
        state = update.state
        if job is not item.job:
            return  # an earlier attempt's last words
        if "watching" in update.changed and not state.watching and not state.terminal and \
                state.error:
            item.lost = True  # gave up watching (lost contact, deleted, …): it counts as failed
        if state.terminal and "status" in update.changed:
            if state.started_at and state.ended_at:
                self._durations.append(max(0.0, (state.ended_at - state.started_at) / 1000))
            if state.status in RETRY_ON and len(item.attempts) <= self.retries and \
                    not item.dropped and not self._stopped:
                with self._cond:
                    self._requeue(item)  # a new job, under the cap
                self._ensure_running()
        self._changed(item)

    def _changed(self, item: Item) -> None:
        with self._cond:
            if self._recount(item):  # a slot freed or an input queued: the queue may move
                self._cond.notify_all()
        if self.on_change is not None:
            self.on_change(item)

    # -- commands -----------------------------------------------------------------------------
    def cancel_all(self) -> dict[Any, str]:
        """Drop the queued inputs and cancel the running jobs on the server (a few at a time,
        and those whose submit is on its way as soon as it returns): {key: status}."""
        outcome: dict[Any, str] = {}
        with self._cond:
            self._cancelled = True
            for item in self.items:
                if item.waiting and not item.dropped:
                    item.dropped = True
                    outcome[item.key] = DROPPED
            self._cond.notify_all()

        def cancel(item: Item) -> tuple[Any, str]:
            try:
                return item.key, item.job.cancel()  # type: ignore[union-attr]
            except CancelError as exc:
                return item.key, str(exc)

        running = [item for item in self.items if item.running]
        if running:
            with ThreadPoolExecutor(min(CANCEL_AT_ONCE, len(running)),
                                    thread_name_prefix="gpjob-cancel") as pool:
                outcome.update(pool.map(cancel, running))
        for item in self.items:
            if item.key in outcome:
                self._changed(item)
        return outcome

    def retry_failed(self) -> list[Any]:
        """Queue every failed, timed-out, cancelled or dropped input again (a new job each);
        returns their keys."""
        again = []
        with self._cond:
            self._cancelled = False
            for item in self.items:
                if item.bucket == "failed":
                    item.dropped = item.lost = False
                    self._requeue(item)
                    item.error, item.submit_failures = "", 0
                    again.append(item.key)
        self._ensure_running()
        for item in self.items:
            if item.key in again:
                self._changed(item)
        return again

    def stop(self) -> None:
        """Stop submitting and watching (jobs on the server keep running)."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        for item in self.items:
            if item.job is not None:
                item.job.stop()

    # -- waiting --------------------------------------------------------------------------------
    def rollup(self) -> Rollup:
        """The counts, combined progress, elapsed time and ETA (costs O(jobs in flight))."""
        with self._cond:
            counts, running = self._counts.copy(), [self.items[i] for i in self._running]
        progress = float(counts["succeeded"] + counts["failed"])
        for item in running:
            if item.running:  # (not while it is being submitted)
                progress += (item.job.watcher.state.percent or 0.0) / 100  # type: ignore
        total = len(self.items)
        elapsed = time.monotonic() - self.started
        left = total - progress
        eta = None
        if self._durations and left > 0:  # the pace so far: finished jobs over the time taken
            pace = min(self.max_in_flight, max(1, counts["running"] or 1)) / \
                (sum(self._durations) / len(self._durations))
            eta = left / pace
        return Rollup(total, counts["succeeded"], counts["failed"], counts["running"],
                      counts["queued"], 100.0 * progress / total if total else 100.0,
                      elapsed, eta)

    def wait(self, timeout: float | None = None) -> dict[Any, str]:
        """Block until every input ended; {key: final status}. ``TimeoutError`` after
        *timeout* s (the batch goes on)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.rollup().finished:  # read without our lock: engines take theirs
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise TimeoutError(f"{self.name}: {self.rollup().words()}")
            with self._cond:
                self._cond.wait(0.25 if remaining is None else min(0.25, remaining))
        return self.statuses()

    async def wait_async(self, timeout: float | None = None) -> dict[Any, str]:
        """``wait()`` that awaits: the event loop (and the board's buttons) stay free."""
        from .kernel import comm_pump

        pump = comm_pump()
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while not self.rollup().finished:
            if deadline is not None and loop.time() >= deadline:
                raise TimeoutError(f"{self.name}: {self.rollup().words()}")
            if pump is not None:
                pump()
            await asyncio.sleep(0.1 if pump is not None else 0.25)
        return self.statuses()

    def statuses(self) -> dict[Any, str]:
        return {item.key: item.status for item in self.items}

    # -- results ------------------------------------------------------------------------------
    @property
    def results(self) -> dict[Any, dict[str, Any]]:
        """``{key: {param: value}}`` of every succeeded input (each output fetched once)."""
        return {item.key: item.job.results for item in self.items  # type: ignore[union-attr]
                if item.status == st.SUCCEEDED}

    @property
    def failures(self) -> dict[Any, str]:
        """``{key: why}`` of every input that did not succeed: the server's own words."""
        out = {}
        for item in self.items:
            status = item.status
            if status in (st.SUCCEEDED, QUEUED) or item.running:
                continue
            job = item.job
            out[item.key] = item.error or (job.watcher.state.error if job else "") or \
                status.removeprefix("job-")
        return out

    def results_frame(self, name: str, key: str = "key") -> Any:
        """Output *name* of every succeeded input as ONE (Geo)DataFrame with a *key* column.

        Feature outputs in different CRSs are reprojected to the first one's; a table and a
        feature output do not mix (``ValueError``)."""
        import pandas as pd

        frames = []
        for item in self.items:
            if item.status != st.SUCCEEDED:
                continue
            value = item.job.result(name)  # type: ignore[union-attr]
            if not hasattr(value, "columns"):
                raise ValueError(f"output {name!r} of {item.key!r} is a {type(value).__name__}, "
                                 "not a table: use batch.results")
            frames.append(value.assign(**{key: [item.key] * len(value)}))
        if not frames:
            return pd.DataFrame({key: []})
        geo = [hasattr(f, "crs") and hasattr(f, "geometry") for f in frames]
        if any(geo) and not all(geo):
            raise ValueError(f"output {name!r} is a feature set for some inputs and a table for "
                             "others")
        if all(geo):
            import geopandas as gpd

            crs = frames[0].crs
            frames = [f if f.crs == crs or f.crs is None or crs is None else f.to_crs(crs)
                      for f in frames]
            merged = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=crs)
        else:
            merged = pd.concat(frames, ignore_index=True)
        return merged[[key, *[c for c in merged.columns if c != key]]]
