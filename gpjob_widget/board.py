"""JobBoard: many jobs in one compact table — rows are data from each job's engine, not widgets.

A board watches jobs you add or submit, or runs a :class:`~gpjob_widget.batch.Batch`
(:meth:`JobBoard.map`): then its rows are the batch's inputs, queued ones included, and its
header the batch's roll-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Generator, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anywidget
import traitlets as t

from . import frontend, history
from . import status as st
from .batch import Batch, Item
from .errors import CancelError
from .job import JOB_OPTIONS, WATCH_OPTIONS, Job
from .poller import exiting

ROW_TRAITS = ("title", "job_id", "status", "raw_status", "percent", "progress_message",
              "cancellable", "cancel_state", "cancel_error", "error", "stalled", "changed_at")
_ROW_FIELDS = frozenset(ROW_TRAITS)
FLUSH_EVERY = 0.25  # s: row changes are coalesced into one message per quarter second
BOARD_OPTIONS = {"token", "preview", "preview_budget", *JOB_OPTIONS, *WATCH_OPTIONS}


def _pick(options: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    return {k: options[k] for k in keys if k in options}


class JobBoard(anywidget.AnyWidget):
    """A table of jobs with aggregate progress, per-row Cancel and Cancel all.

    Rows reach the front end as coalesced deltas (``{"kind": "rows", "rows": [...]}``), not as
    one synced list, so 500 jobs cost what changed, not 500 rows per update. A row is a job's
    watch engine (or a batch's input): no widget, no comm per job.
    """

    _handles_clicks_while_awaited = True  # kernel.pump may handle its messages

    _esm = frontend.module("board.js")
    _css = frontend.stylesheet("card.css", "board.css")

    total = t.Int(0).tag(sync=True)
    counts = t.Dict().tag(sync=True)           # status → number of jobs
    aggregate = t.Float(None, allow_none=True).tag(sync=True)  # mean percent, ended jobs = 100
    rollup = t.Dict().tag(sync=True)           # a batch's: counts, percent, elapsed, eta, words

    # class defaults keep close() (ipywidgets' __del__) safe on a half-built board
    _jobs: list[Job] = []
    batch: Batch | None = None
    _unsubscribers: list[Any] = []
    _timer: threading.Timer | None = None
    _summariser: ThreadPoolExecutor | None = None  # class defaults: close() after a failed init

    def __init__(self, jobs: Iterable[Any] = (), **job_options: Any) -> None:
        """*job_options* (token, poller, poll_interval, verify, preview…) apply to jobs the
        board creates from URLs or submits."""
        unknown = set(job_options) - BOARD_OPTIONS
        if unknown:
            raise TypeError(f"unknown JobBoard option(s): {', '.join(sorted(unknown))}")
        super().__init__()
        self._job_options = job_options
        self._jobs = []
        self._lock = threading.Lock()
        self._dirty: set[int] = set()
        self._timer = None
        self._unsubscribers = []
        self._summaries: dict[int, dict[str, Any]] = {}  # row → {"summary", "thumb"}
        self._summariser: ThreadPoolExecutor | None = None
        self.on_msg(_on_board_message)
        for job in jobs:
            self.add(job)

    @property
    def jobs(self) -> list[Job]:
        """The board's jobs (of a batch: each input's current job, once submitted)."""
        if self.batch is not None:
            return [item.job for item in self.batch.items if item.job is not None]
        return list(self._jobs)

    # -- membership -----------------------------------------------------------------------
    @classmethod
    def map(cls, task_url: str, inputs: Iterable[Any], *, max_in_flight: int = 4,
            retries: int = 1, token: Any = None, name: str = "", **job_options: Any,
            ) -> JobBoard:
        """Run *task_url* over *inputs* (dicts of parameters, or ``(key, params)`` pairs): at
        most *max_in_flight* jobs on the server at once, failed ones retried *retries* times,
        one roll-up, and the outputs as one table (:meth:`results_frame`)."""
        board = cls(token=token, **job_options)
        options = {k: v for k, v in job_options.items() if k not in ("preview", "preview_budget")}
        board.batch = Batch(task_url, inputs, max_in_flight=max_in_flight, retries=retries,
                            token=token, name=name, on_change=board._item_changed, **options)
        board._changed_all()
        board.batch.start()
        return board

    @classmethod
    def recent(cls, days: float = 7, token: Any = None, **job_options: Any) -> JobBoard:
        """The jobs of the local history seen in the last *days* days (e.g. before a kernel
        restart), a batch's jobs together: those not yet ended are watched again, with
        *token* (never stored)."""
        board = cls(token=token, **job_options)
        entries = history.recent(days)
        entries.sort(key=lambda e: (e.batch == "", e.batch, e.key))  # batches first, grouped
        for entry in entries:
            job = Job(entry.url, token, flavour=entry.flavour or None,
                      **_pick(job_options, ("verify", "timeout")))
            if entry.batch:
                job.title = f"{entry.batch} · {entry.key} · {entry.title or 'job'}"
            watch = job.watch(**_pick(job_options, WATCH_OPTIONS))
            if entry.ended:  # shown as remembered, not asked again
                watch.remember(status=entry.status, title=job.title,
                               started_at=(entry.started_at or 0) * 1000 or None,
                               ended_at=(entry.ended_at or 0) * 1000 or None)
            board.add(job, watch=not entry.ended)
        return board

    def add(self, job: Any, *, watch: bool = True) -> Job:
        """Add a job: a :class:`Job`, a ``JobWidget``, a job URL or an ``arcgis`` job object
        (watched with the board's options, unless ``watch=False``). Returns the :class:`Job`."""
        if self.batch is not None:
            raise TypeError("a batch's board runs its own inputs: make another board")
        options = self._job_options
        job = Job.of(job, options.get("token"), **_pick(options, JOB_OPTIONS))
        engine = job.watch(**_pick(options, WATCH_OPTIONS))
        with self._lock:
            index = len(self._jobs)
            self._jobs.append(job)

        def changed(update: Any) -> None:
            if update.changed & _ROW_FIELDS:
                self._changed(index)
            if "status" in update.changed and update.state.status == st.SUCCEEDED:
                self._summarise_row(index, job)

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
    def cancel_all(self) -> dict[Any, str]:
        """Cancel every job that can be (a batch also drops its queued inputs);
        {job id or key: new status or the refusal}."""
        if self.batch is not None:
            return self.batch.cancel_all()
        outcome: dict[Any, str] = {}
        for job in self.jobs:
            if st.is_terminal(job.status):
                continue
            try:
                outcome[job.job_id] = job.cancel()
            except CancelError as exc:
                outcome[job.job_id] = str(exc)
        return outcome

    def retry_failed(self) -> list[Any]:
        """A batch's failed, timed-out, cancelled and dropped inputs run again (new jobs)."""
        if self.batch is None:
            raise TypeError("only a batch (JobBoard.map) retries its inputs")
        return self.batch.retry_failed()

    def statuses(self) -> dict[Any, str]:
        """{job id (a batch: key): status now}; a batch's queued inputs say
        ``batch-queued``."""
        if self.batch is not None:
            return self.batch.statuses()
        return {job.job_id: job.status for job in self.jobs}

    def wait(self, timeout: float | None = None) -> dict[Any, str]:
        """Block until every job ended; {job id (a batch: key): final status}."""
        if self.batch is not None:
            return self.batch.wait(timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        for job in self.jobs:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            job.wait(timeout=remaining, progress=False)
        return self.statuses()

    async def wait_async(self, timeout: float | None = None) -> dict[Any, str]:
        """Await every job's end (the board's buttons keep working)."""
        if self.batch is not None:
            return await self.batch.wait_async(timeout)
        waits = asyncio.gather(*(job.wait_async() for job in self.jobs))
        await asyncio.wait_for(waits, timeout)
        return self.statuses()

    def __await__(self) -> Generator[Any, None, dict[Any, str]]:
        return self.wait_async().__await__()

    # a batch's results, as one
    @property
    def results(self) -> dict[Any, dict[str, Any]]:
        """A batch's ``{key: {param: value}}`` (a plain board's: by job id)."""
        if self.batch is not None:
            return self.batch.results
        return {job.job_id: job.results for job in self.jobs if job.status == st.SUCCEEDED}

    @property
    def failures(self) -> dict[Any, str]:
        """A batch's ``{key: the server's error}`` for every input that did not succeed."""
        if self.batch is None:
            raise TypeError("only a batch (JobBoard.map) has failures by key")
        return self.batch.failures

    def results_frame(self, name: str, key: str = "key") -> Any:
        """Output *name* of every succeeded input as one (Geo)DataFrame with a *key* column."""
        if self.batch is None:
            raise TypeError("only a batch (JobBoard.map) has results by key")
        return self.batch.results_frame(name, key)

    def close(self) -> None:
        """Stop watching every job (and a batch's submitting) and close the board."""
        if exiting():  # interpreter exit (ipywidgets' __del__): block on nothing
            return
        if self.batch is not None:
            self.batch.stop()
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        for job in self.jobs:
            job.watcher.stop()
        if self._timer is not None:
            self._timer.cancel()
        if self._summariser is not None:
            self._summariser.shutdown(wait=False, cancel_futures=True)
        super().close()

    # -- rows -----------------------------------------------------------------------------
    def _count(self) -> int:
        return len(self.batch.items) if self.batch is not None else len(self._jobs)

    def row(self, index: int) -> dict[str, Any]:
        """Row *index* as the front end gets it."""
        extra = self._summaries.get(index, {})
        if self.batch is None:
            state = self._jobs[index].watcher.state
            return {"index": index, **{n: getattr(state, n) for n in ROW_TRAITS}, **extra}
        item = self.batch.items[index]
        base = {"index": index, "key": str(item.key), "attempts": len(item.attempts),
                **extra}
        if item.job is not None and not item.waiting and not item.dropped:
            state = item.job.watcher.state
            return {**base, **{n: getattr(state, n) for n in ROW_TRAITS}}
        return {**base, "title": self.batch.task_url.rstrip("/").rsplit("/", 1)[-1],
                "job_id": item.job.job_id if item.job else "", "status": item.status,
                "raw_status": "", "percent": None, "cancellable": False,
                "progress_message": "retry queued here" if item.attempts and item.waiting
                else "not on the server yet" if item.waiting else "",
                "error": item.error, "stalled": False, "changed_at": None}

    def _item_changed(self, item: Item) -> None:
        if self.batch is None:
            return
        index = item.index
        self._changed(index)
        job = item.job
        if job is not None and job.status == st.SUCCEEDED:
            self._summarise_row(index, job)

    def _changed_all(self) -> None:
        for index in range(self._count()):
            self._changed(index)

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
        if not dirty:
            return
        self._send_rows([self.row(i) for i in dirty])
        self._summarise()

    def flush(self) -> None:
        """Send pending row changes now (they are otherwise sent within 0.25 s)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
        self._flush()

    def _send_rows(self, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), 500):
            self.send({"kind": "rows", "rows": rows[start:start + 500]})

    def _summarise(self) -> None:
        counts: dict[str, int] = {}
        percents: list[float] = []
        statuses = [i.status for i in self.batch.items] if self.batch is not None else \
            [j.watcher.state.status for j in self._jobs]
        for index, status in enumerate(statuses):
            counts[status] = counts.get(status, 0) + 1
            if st.is_terminal(status) or status == st.DROPPED:
                percents.append(100.0)
            elif self.batch is None and self._jobs[index].watcher.state.percent is not None:
                percents.append(self._jobs[index].watcher.state.percent)  # type: ignore[arg-type]
        with self.hold_sync():
            self.total = len(statuses)
            self.counts = counts
            self.aggregate = sum(percents) / len(percents) if percents else None
            if self.batch is not None:
                roll = self.batch.rollup()
                self.aggregate = roll.percent
                self.rollup = {"total": roll.total, "done": roll.done,
                               "succeeded": roll.succeeded, "failed": roll.failed,
                               "running": roll.running, "queued": roll.queued,
                               "percent": roll.percent, "elapsed": roll.elapsed,
                               "eta": roll.eta, "words": roll.words(),
                               "finished": roll.finished}

    def _summarise_row(self, index: int, job: Job) -> None:
        """A finished row's outputs in a few words, and a thumbnail of its first features
        output (fetched once: ``results`` / ``results_frame`` reuse them)."""
        if not self._job_options.get("preview", True) or index in self._summaries:
            return
        self._summaries[index] = {}
        if self._summariser is None:
            self._summariser = ThreadPoolExecutor(1, thread_name_prefix="gpjob-board-preview")

        def work() -> None:
            from .preview import BUDGET, row_summary

            self._summaries[index] = row_summary(
                job, self._job_options.get("preview_budget", BUDGET))
            self._changed(index)

        with contextlib.suppress(RuntimeError):  # closed meanwhile
            self._summariser.submit(work)

    def __repr__(self) -> str:
        if self.rollup:
            return f"JobBoard: {self.rollup['words']}"
        ended = sum(n for s, n in self.counts.items() if st.is_terminal(s))
        parts = [f"{n} {s.removeprefix('job-')}" for s, n in sorted(self.counts.items())]
        aggregate = f", {self.aggregate:.0f}%" if self.aggregate is not None else ""
        return f"JobBoard: {ended}/{self.total} ended{aggregate} ({', '.join(parts)})"


def _on_board_message(board: JobBoard, content: Any, buffers: Any) -> None:
    """Actions from the board view: ``rows`` (send all), ``cancel`` (one row), ``cancel_all``,
    ``retry_failed``."""
    if not isinstance(content, dict):
        return
    action = content.get("action")
    if action == "rows":
        board._send_rows([board.row(i) for i in range(board._count())])
        board._summarise()
    elif action == "cancel":
        index = content.get("index")
        if isinstance(index, int) and 0 <= index < board._count():
            job = board.batch.items[index].job if board.batch is not None else board._jobs[index]
            if job is not None:
                with contextlib.suppress(CancelError):  # the row shows the job's cancel state
                    job.cancel()
    elif action == "cancel_all":
        board.cancel_all()
    elif action == "retry_failed" and board.batch is not None:
        board.retry_failed()
