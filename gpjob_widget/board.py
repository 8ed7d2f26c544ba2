"""JobBoard: many jobs in one compact table — rows are data from each job's engine, not widgets."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Generator, Iterable, Mapping
from typing import Any

import anywidget
import traitlets as t

from . import frontend, history
from . import status as st
from .errors import CancelError
from .job import JOB_OPTIONS, WATCH_OPTIONS, Job
from .poller import exiting
from .watch import Update

ROW_TRAITS = ("title", "job_id", "status", "raw_status", "percent", "progress_message",
              "cancellable", "error", "stalled", "changed_at")
_ROW_FIELDS = frozenset(ROW_TRAITS)


def _pick(options: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    return {k: options[k] for k in keys if k in options}
FLUSH_EVERY = 0.25  # s: row changes are coalesced into one message per quarter second


class JobBoard(anywidget.AnyWidget):
    """A table of jobs with aggregate progress, per-row Cancel and Cancel all.

    Rows reach the front end as coalesced deltas (``{"kind": "rows", "rows": [...]}``), not as
    one synced list, so 500 jobs cost what changed, not 500 rows per update. A row is a job's
    watch engine: no widget, no comm per job.
    """

    _handles_clicks_while_awaited = True  # kernel.pump may handle its messages

    _esm = frontend.module("board.js")
    _css = frontend.stylesheet("card.css", "board.css")

    total = t.Int(0).tag(sync=True)
    counts = t.Dict().tag(sync=True)           # status → number of jobs
    aggregate = t.Float(None, allow_none=True).tag(sync=True)  # mean percent, ended jobs = 100

    # class defaults keep close() (ipywidgets' __del__) safe on a half-built board
    jobs: list[Job] = []
    _unsubscribers: list[Any] = []
    _timer: threading.Timer | None = None

    def __init__(self, jobs: Iterable[Any] = (), **job_options: Any) -> None:
        """*job_options* (token, poller, poll_interval, verify, …) apply to jobs the board
        creates from URLs or submits."""
        unknown = set(job_options) - {"token", *JOB_OPTIONS, *WATCH_OPTIONS}
        if unknown:
            raise TypeError(f"unknown JobBoard option(s): {', '.join(sorted(unknown))}")
        super().__init__()
        self._job_options = job_options
        self.jobs: list[Job] = []
        self._lock = threading.Lock()
        self._dirty: set[int] = set()
        self._timer: threading.Timer | None = None
        self._unsubscribers: list[Any] = []
        self.on_msg(_on_board_message)
        for job in jobs:
            self.add(job)

    # -- membership -----------------------------------------------------------------------
    @classmethod
    def recent(cls, days: float = 7, token: Any = None, **job_options: Any) -> JobBoard:
        """The jobs of the local history seen in the last *days* days (e.g. before a kernel
        restart): those not yet ended are watched again, with *token* (never stored)."""
        board = cls(token=token, **job_options)
        for entry in history.recent(days):
            job = Job(entry.url, token, flavour=entry.flavour or None,
                      **_pick(job_options, ("verify", "timeout")))
            watch = job.watch(**_pick(job_options, WATCH_OPTIONS))
            if entry.ended:  # shown as remembered, not asked again
                watch.remember(status=entry.status, title=entry.title,
                               started_at=(entry.started_at or 0) * 1000 or None,
                               ended_at=(entry.ended_at or 0) * 1000 or None)
            board.add(job, watch=not entry.ended)
        return board

    def add(self, job: Any, *, watch: bool = True) -> Job:
        """Add a job: a :class:`Job`, a ``JobWidget``, a job URL or an ``arcgis`` job object
        (watched with the board's options, unless ``watch=False``). Returns the :class:`Job`."""
        options = self._job_options
        job = Job.of(job, options.get("token"), **_pick(options, JOB_OPTIONS))
        engine = job.watch(**_pick(options, WATCH_OPTIONS))
        with self._lock:
            index = len(self.jobs)
            self.jobs.append(job)

        def changed(update: Update) -> None:
            if update.changed & _ROW_FIELDS:
                self._changed(index)

        self._unsubscribers.append(engine.subscribe(changed))
        if watch:
            engine.start()
        self._changed(index)
        return job

    def submit(self, task_url: str, params: Mapping[str, Any] | None = None,
               token: Any = None, **options: Any) -> Job:
        """Submit a job and add it to the board."""
        options = {**self._job_options, **options}
        token = token if token is not None else options.pop("token", None)
        options.pop("token", None)
        job = Job.submit(task_url, params, token, **_pick(options, JOB_OPTIONS))
        job.watch(**_pick(options, WATCH_OPTIONS))
        return self.add(job)

    # -- commands -------------------------------------------------------------------------
    def cancel_all(self) -> dict[str, str]:
        """Cancel every job that can be; {job_id: new status or the refusal}."""
        outcome: dict[str, str] = {}
        for job in list(self.jobs):
            if st.is_terminal(job.status):
                continue
            try:
                outcome[job.job_id] = job.cancel()
            except CancelError as exc:
                outcome[job.job_id] = str(exc)
        return outcome

    def wait(self, timeout: float | None = None) -> dict[str, str]:
        """Block until every job ended; {job_id: final status}."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for job in list(self.jobs):
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            job.wait(timeout=remaining, progress=False)
        return {job.job_id: job.status for job in self.jobs}

    async def wait_async(self, timeout: float | None = None) -> dict[str, str]:
        """Await every job's end (the board's buttons keep working); {job_id: final status}."""
        waits = asyncio.gather(*(job.wait_async() for job in list(self.jobs)))
        await asyncio.wait_for(waits, timeout)
        return {job.job_id: job.status for job in self.jobs}

    def __await__(self) -> Generator[Any, None, dict[str, str]]:
        return self.wait_async().__await__()

    def close(self) -> None:
        """Stop watching every job and close the board."""
        if exiting():  # interpreter exit (ipywidgets' __del__): block on nothing
            return
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        for job in list(self.jobs):
            job.watcher.stop()
        if self._timer is not None:
            self._timer.cancel()
        super().close()

    # -- rows -----------------------------------------------------------------------------
    @staticmethod
    def row(index: int, job: Job) -> dict[str, Any]:
        state = job.watcher.state
        return {"index": index, **{name: getattr(state, name) for name in ROW_TRAITS}}

    def _changed(self, index: int) -> None:
        with self._lock:
            self._dirty.add(index)
            if self._timer is None:
                self._timer = threading.Timer(FLUSH_EVERY, self._flush)
                self._timer.daemon = True
                self._timer.start()

    def _flush(self) -> None:
        with self._lock:
            dirty, self._dirty, self._timer = sorted(self._dirty), set(), None
            jobs = list(self.jobs)
        if not dirty:
            return
        self._send_rows([self.row(i, jobs[i]) for i in dirty])
        self._summarise(jobs)

    def flush(self) -> None:
        """Send pending row changes now (they are otherwise sent within 0.25 s)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
        self._flush()

    def _send_rows(self, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), 500):
            self.send({"kind": "rows", "rows": rows[start:start + 500]})

    def _summarise(self, jobs: list[Job]) -> None:
        counts: dict[str, int] = {}
        percents: list[float] = []
        for job in jobs:
            state = job.watcher.state
            counts[state.status] = counts.get(state.status, 0) + 1
            if state.terminal:
                percents.append(100.0)
            elif state.percent is not None:
                percents.append(state.percent)
        with self.hold_sync():
            self.total = len(jobs)
            self.counts = counts
            self.aggregate = sum(percents) / len(percents) if percents else None

    def __repr__(self) -> str:
        ended = sum(n for s, n in self.counts.items() if st.is_terminal(s))
        parts = [f"{n} {s.removeprefix('job-')}" for s, n in sorted(self.counts.items())]
        aggregate = f", {self.aggregate:.0f}%" if self.aggregate is not None else ""
        return f"JobBoard: {ended}/{self.total} ended{aggregate} ({', '.join(parts)})"


def _on_board_message(board: JobBoard, content: Any, buffers: Any) -> None:
    """Actions from the board view: ``rows`` (send all), ``cancel`` (one row), ``cancel_all``."""
    if not isinstance(content, dict):
        return
    action = content.get("action")
    if action == "rows":
        board._send_rows([board.row(i, w) for i, w in enumerate(list(board.jobs))])
        board._summarise(list(board.jobs))
    elif action == "cancel":
        index = content.get("index")
        if isinstance(index, int) and 0 <= index < len(board.jobs):
            with contextlib.suppress(CancelError):  # the row shows the job's cancel state
                board.jobs[index].cancel()
    elif action == "cancel_all":
        board.cancel_all()
