"""JobWidget: a live progress card for one ArcGIS job, fed by the shared poller."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from . import frontend
from . import status as st
from .errors import (
    CancelError,
    GPJobError,
    JobFailed,
    JobNotFound,
    ResultError,
    TransientError,
    WatchError,
)
from .job import Job
from .loader import Loaded, assign_results
from .poller import MAX_INTERVAL, Poller, backoff, next_interval, shared_poller
from .snapshot import JobSnapshot, new_messages
from .transport import DEFAULT_TIMEOUT, TokenSource, Verify

log = logging.getLogger("gpjob_widget")

MAX_FAILURES = 8            # consecutive transient errors (≈ 4 min of backoff) before giving up
UNKNOWN_PATIENCE = 30       # consecutive checks answering a status word we do not know
CANCEL_PATIENCE = 60.0      # s a job may stay "cancelling" before we call the cancel unconfirmed
LOG_CHUNK = 1000            # messages per log delta sent to the card


CARD_TRAITS = ("job_id", "title", "flavour", "job_url", "status", "raw_status", "percent",
               "progress_message", "message_count", "warning_count", "error_count", "error",
               "notice", "started_at", "ended_at", "watching", "cancellable", "cancel_state",
               "cancel_error", "results_state", "results_error", "loaded", "download")


class JobWidget(anywidget.AnyWidget):
    """A live progress card for one ArcGIS job; polls it in the background until it ends.

    >>> w = JobWidget(job_url, token=my_token)               # watch an existing job
    >>> w = JobWidget.submit(task_url, params={"distance": 5})  # submit, then watch
    >>> w.wait(); w.results
    """

    _esm = frontend.module("card.js")
    _css = frontend.stylesheet("card.css")

    job_id = t.Unicode("").tag(sync=True)
    title = t.Unicode("").tag(sync=True)
    flavour = t.Unicode("").tag(sync=True)
    job_url = t.Unicode("").tag(sync=True)
    status = t.Unicode(st.NEW).tag(sync=True)
    raw_status = t.Unicode("").tag(sync=True)
    percent = t.Float(None, allow_none=True).tag(sync=True)
    progress_message = t.Unicode("").tag(sync=True)
    message_count = t.Int(0).tag(sync=True)
    warning_count = t.Int(0).tag(sync=True)
    error_count = t.Int(0).tag(sync=True)
    error = t.Unicode("").tag(sync=True)
    notice = t.Unicode("").tag(sync=True)
    started_at = t.Float(None, allow_none=True).tag(sync=True)
    ended_at = t.Float(None, allow_none=True).tag(sync=True)
    watching = t.Bool(False).tag(sync=True)
    cancellable = t.Bool(False).tag(sync=True)
    cancel_state = t.Unicode("").tag(sync=True)
    cancel_error = t.Unicode("").tag(sync=True)
    results_state = t.Unicode("").tag(sync=True)
    results_error = t.Unicode("").tag(sync=True)
    loaded = t.List(t.Dict()).tag(sync=True)
    download = t.Dict().tag(sync=True)
    # The whole log, Python side only: the card receives it as appended deltas (see DEVELOPERS.md).
    messages = t.List(t.Dict()).tag(sync=False)

    _handle: int | None = None  # class defaults keep close() safe on a half-built widget
    _closed = False

    def __init__(self, job_url: str | None = None, token: TokenSource = None, *,
                 flavour: str | None = None, verify: Verify = True,
                 timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
                 poll_interval: float | None = None, max_interval: float = MAX_INTERVAL,
                 start: bool = True, poller: Poller | None = None,
                 download_dir: str | Path | None = None,
                 _job: Job | None = None, **kwargs: Any) -> None:
        job = _job or Job(job_url, token, flavour=flavour, verify=verify,  # type: ignore[arg-type]
                          timeout=timeout)
        super().__init__(**kwargs)
        self._job = job
        self._poll_interval = poll_interval
        self._max_interval = max_interval
        self._poller = poller or shared_poller()
        self._handle: int | None = None
        self._cond = threading.Condition()
        self._version = 0
        self._failures = 0
        self._unknown_checks = 0
        self._watch_started = 0.0
        self._cancel_sent_at: float | None = None
        self._rate_sample: tuple[float, float] | None = None  # (monotonic, percent)
        self._rate: float | None = None
        self._stop_error: GPJobError | None = None
        self._result_cache: dict[tuple, Any] = {}
        self._results_lock = threading.RLock()
        self.download_dir = download_dir
        self._closed = False
        self._display_handles: list[Any] = []
        self.job_url = job.job_url
        self.job_id = job.job_id
        self.flavour = job.flavour.name if job.flavour else ""
        self.title = job.flavour.title_from_url(job.job_url) if job.flavour else ""
        if job.last is not None:
            self._apply(job.last)
        self.on_msg(_on_card_message)
        if start:
            self.start()

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def submit(cls, task_url: str, params: Mapping[str, Any] | None = None,
               token: TokenSource = None, **options: Any) -> JobWidget:
        """POST ``submitJob`` to a GP task, then watch the new job."""
        job_keys = {"verify", "timeout"}
        job = Job.submit(task_url, params, token, **{k: v for k, v in options.items()
                                                     if k in job_keys})
        return cls(_job=job, **{k: v for k, v in options.items() if k not in job_keys})

    @classmethod
    def from_json(cls, data: Mapping[str, Any], token: TokenSource = None,
                  **options: Any) -> JobWidget:
        """Watch again a job described by :meth:`to_json` (the token is given again)."""
        return cls(data["jobUrl"], token, flavour=data.get("flavour"), **options)

    def to_json(self) -> dict[str, Any]:
        """A plain, token-free description of the job (JS ``JobInfo.toJSON``)."""
        return {**self._job.to_json(), "jobStatus": self.status, "messages": list(self.messages)}

    # -- watching -------------------------------------------------------------------------
    def start(self) -> None:
        """Start (or resume) watching: the first check happens at once."""
        if self._handle is not None or self._closed or st.is_terminal(self.status):
            return
        self._stop_error = None
        self._failures = 0
        self._watch_started = time.monotonic()
        self.watching = True
        if self.started_at is None:
            self.started_at = time.time() * 1000
        ref = weakref.ref(self)

        def check() -> float | None:
            widget = ref()
            return None if widget is None else widget._check()

        self._handle = self._poller.schedule(check)

    def stop(self) -> None:
        """Stop watching; the card stays. (``close()`` also removes the card.)"""
        if self._handle is not None:
            self._poller.cancel(self._handle)
            self._handle = None
        if hasattr(self, "_job"):
            self._end_watch(None)

    def close(self) -> None:
        """Stop watching and close the widget (JS ``destroy()``)."""
        self._closed = True
        self.stop()
        super().close()

    def check_status(self) -> JobSnapshot:
        """Check the job now, update the card, and return what the server said."""
        snapshot = self._job.check_status()
        self._apply(snapshot)
        return snapshot

    def wait(self, timeout: float | None = None, *,
             callback: Callable[[JobWidget], Any] | None = None,
             raise_on_failure: bool = False) -> str:
        """Block until the job ends; return its final status.

        ``callback(widget)`` runs after every non-terminal check (JS ``statusCallback``).
        With ``raise_on_failure`` a failed / cancelled / timed-out job raises :class:`JobFailed`
        (as JS ``waitForJobCompletion`` rejects). Raises ``TimeoutError`` after *timeout* s and
        :class:`WatchError` if watching stopped before the end.
        """
        self.start()
        deadline = None if timeout is None else time.monotonic() + timeout
        seen = self._version
        while True:
            with self._cond:
                while self._version == seen and self.watching:
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        raise TimeoutError(f"job {self.job_id} is still {self.status} after "
                                           f"{timeout} s (it keeps running; wait again or "
                                           "cancel())")
                    self._cond.wait(remaining)
                seen = self._version
                watching = self.watching
            if st.is_terminal(self.status):
                if raise_on_failure and self.status in st.UNSUCCESSFUL:
                    raise JobFailed(self.status, self.error)
                return self.status
            if not watching:
                raise self._stop_error or WatchError(
                    f"stopped watching job {self.job_id} before it ended ({self.status})")
            if callback is not None:
                callback(self)

    # -- cancel ---------------------------------------------------------------------------
    def cancel(self) -> str:
        """Cancel the job on the server; returns the new status (``job-cancelling`` …)."""
        self.cancel_state = "requested"
        self.cancel_error = ""
        try:
            answered = self._job.cancel()
        except CancelError as exc:
            self.cancel_state = "refused"
            self.cancel_error = str(exc)
            raise
        self._cancel_sent_at = time.monotonic()
        if not st.is_terminal(self.status):
            with self.hold_sync():
                self.status = answered
                self.cancellable = False
        if self._handle is not None:
            self._poller.wake(self._handle)
        else:
            self.start()
        return self.status

    # -- the check run by the poller ------------------------------------------------------
    def _check(self) -> float | None:
        if self._closed or self._handle is None:
            return None
        try:
            snapshot = self._job.check_status()
        except TransientError as exc:
            return self._on_transient(exc)
        except JobNotFound as exc:
            if self.status != st.NEW:  # we saw it before: it was deleted while we watched
                self.status = st.DELETED
            return self._give_up(exc)
        except GPJobError as exc:
            return self._give_up(exc)
        self._failures = 0
        self._apply(snapshot)
        if snapshot.terminal:
            self._end_watch(None)
            return None
        if snapshot.status == st.UNKNOWN:
            self._unknown_checks += 1
            if self._unknown_checks >= UNKNOWN_PATIENCE:
                return self._give_up(WatchError(
                    f"the server keeps reporting an unknown status {snapshot.raw_status!r}; "
                    f"stopped watching after {self._unknown_checks} checks"))
        else:
            self._unknown_checks = 0
        return self._after_cancel_check() or self._interval(snapshot)

    def _interval(self, snapshot: JobSnapshot) -> float:
        if self._poll_interval is not None:
            return self._poll_interval
        now = time.monotonic()
        if snapshot.percent is not None:
            if self._rate_sample and snapshot.percent > self._rate_sample[1]:
                then, before = self._rate_sample
                self._rate = (snapshot.percent - before) / max(now - then, 1e-3)
            if not self._rate_sample or snapshot.percent != self._rate_sample[1]:
                self._rate_sample = (now, snapshot.percent)
        return next_interval(now - self._watch_started, percent=snapshot.percent,
                             rate=self._rate, cap=self._max_interval)

    def _after_cancel_check(self) -> float | None:
        """A cancel the server ignores: say so after CANCEL_PATIENCE, stop after twice that."""
        if self._cancel_sent_at is None or self.status != st.CANCELLING:
            return None
        waited = time.monotonic() - self._cancel_sent_at
        if waited >= 2 * CANCEL_PATIENCE:
            return self._give_up(WatchError(
                f"the server accepted the cancel but the job is still cancelling after "
                f"{waited:.0f} s; stopped watching (it may still be running)"))
        if waited >= CANCEL_PATIENCE and self.cancel_state != "unconfirmed":
            self.cancel_state = "unconfirmed"
            self.notice = f"Still cancelling after {waited:.0f} s; the server has not confirmed."
        return None

    def _on_transient(self, exc: TransientError) -> float | None:
        self._failures += 1
        if self._failures > MAX_FAILURES:
            return self._give_up(WatchError(
                f"lost contact with the server after {self._failures} attempts: {exc}"))
        delay = backoff(self._failures, exc.retry_after)
        self.notice = f"{exc} — retrying in {_seconds(delay)} (attempt {self._failures})"
        log.info("job %s: %s", self.job_id, self.notice)
        return delay

    def _give_up(self, exc: GPJobError) -> None:
        self._stop_error = exc
        self.error = str(exc)
        self._end_watch(exc)
        return None

    def _end_watch(self, exc: GPJobError | None) -> None:
        self._handle = None
        with self.hold_sync():
            self.watching = False
            self.cancellable = False
            if exc is None and st.is_terminal(self.status):
                self.notice = ""
        self._bump()
        if not self._closed:
            self._refresh_displays()

    def _bump(self) -> None:
        with self._cond:
            self._version += 1
            self._cond.notify_all()

    # -- snapshot → traits ----------------------------------------------------------------
    def _apply(self, snap: JobSnapshot) -> None:
        added = new_messages(self.messages, [m.to_dict() for m in snap.messages])
        with self.hold_sync():
            if snap.job_id:
                self.job_id = snap.job_id
            if snap.title:
                self.title = snap.title
            if self._job.flavour is not None:
                self.flavour = self._job.flavour.name
            self.status = snap.status
            self.raw_status = snap.raw_status
            self.percent = 100.0 if snap.status == st.SUCCEEDED else snap.percent
            if snap.progress_message:
                self.progress_message = snap.progress_message
            if snap.started_at:
                self.started_at = snap.started_at
            if snap.terminal:
                self.ended_at = snap.ended_at or self.ended_at or time.time() * 1000
            self.cancellable = snap.status in st.CANCELLABLE and self.cancel_state != "requested"
            if snap.status in (st.FAILED, st.TIMED_OUT) and not self.error:
                self.error = snap.error_text or f"The job ended {snap.raw_status or snap.status}."
            if snap.status == st.CANCELLED:
                self.cancel_state = "" if self.cancel_state == "requested" else self.cancel_state
            if snap.status == st.SUCCEEDED and not self.results_state:
                self.results_state = "available" if snap.results else "none"
            self.notice = "" if self._failures == 0 and self.cancel_state != "unconfirmed" \
                else self.notice
            if added:
                start = len(self.messages)
                self.messages = [*self.messages, *added]
                self._count(added)
                self._send_log(start, added)
        self._bump()

    def _count(self, added: list[dict[str, str]]) -> None:
        self.message_count = len(self.messages)
        self.warning_count += sum(m["type"] == "warning" for m in added)
        self.error_count += sum(m["type"] in ("error", "abort") for m in added)

    def _send_log(self, start: int, items: list[dict[str, str]]) -> None:
        for i in range(0, len(items), LOG_CHUNK):
            self.send({"kind": "log", "start": start + i, "items": items[i:i + LOG_CHUNK]})

    # -- results --------------------------------------------------------------------------
    @property
    def results(self) -> dict[str, Any]:
        """``{param: value}`` once the job succeeded: typed, fetched once, then cached."""
        return {name: self.result(name) for name in self._output_names()}

    def result(self, name: str, **options: Any) -> Any:
        """Output *name* as a Python object (JS ``fetchResultData``), cached per options.

        Options: ``out_sr``, ``return_z``, ``return_m``, ``return_type="data"``.
        """
        self._output_names()
        key = (name, tuple(sorted(options.items())))
        with self._results_lock:
            if key not in self._result_cache:
                self._result_cache[key] = self._job.fetch_result_data(
                    name, download_dir=self.download_dir,
                    progress=self._download_progress(name), **options)
            return self._result_cache[key]

    fetch_result_data = result

    @property
    def inputs(self) -> dict[str, Any]:
        """``{param: value}`` of the job's inputs as the server recorded them."""
        refs = self._job.last.inputs if self._job.last else {}
        return {name: self._job.fetch_input(name) for name in refs}

    def fetch_result_image(self, **image_params: Any) -> ResultImage:
        """The result map service's rendering (JS ``fetchResultImage``); displays inline."""
        self._output_names()
        return ResultImage(self._job.fetch_result_image(**image_params))

    def fetch_result_map_image_layer(self) -> Any:
        """The result map service: an ``arcgis`` MapImageLayer when installed, else its URL."""
        url = self._job.result_map_service_url
        try:
            from arcgis.layers import MapImageLayer  # type: ignore[import-not-found]
        except ImportError:
            return url
        return MapImageLayer(url)

    def load_results(self, namespace: dict[str, Any] | None = None,
                     prefix: str = "") -> list[Loaded]:
        """Assign every output to a variable in *namespace* (default: the notebook's).

        All outputs are fetched first, so nothing is half-assigned when one fails. Returns what
        was created (also listed on the card).
        """
        with self.hold_sync():
            self.results_state = "loading"
            self.results_error = ""
        try:
            values = self.results
            loaded = assign_results(values, namespace, prefix)
        except Exception as exc:
            with self.hold_sync():
                self.results_state = "error"
                self.results_error = str(exc)
            raise
        with self.hold_sync():
            self.loaded = [item.to_dict() for item in loaded]
            self.results_state = "loaded"
        return loaded

    def _load_from_card(self, namespace: dict[str, Any] | None) -> None:
        with contextlib.suppress(Exception):  # the card shows results_error
            self.load_results(namespace)

    def _output_names(self) -> list[str]:
        if self.status != st.SUCCEEDED:
            raise ResultError(f"results are available once the job succeeds (it is {self.status})")
        return list(self._job.result_refs)

    def _download_progress(self, name: str) -> Callable[[int, int | None], None]:
        last = [0.0]

        def progress(received: int, total: int | None) -> None:
            now = time.monotonic()
            done = total is not None and received >= total
            if done or now - last[0] >= 0.2:  # the card needs ~5 updates a second, not 5000
                last[0] = now
                self.download = {} if done else {"name": name, "received": received,
                                                 "total": total}

        return progress

    # -- displays -------------------------------------------------------------------------
    def _state_for_display(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CARD_TRAITS}

    def __repr__(self) -> str:
        from .fallback import text_repr

        return text_repr(self._state_for_display())

    def _ipython_display_(self) -> None:
        """Display with a display id, so the saved snapshot can be refreshed when the job ends."""
        from IPython.display import display

        data, meta = self._repr_mimebundle_()
        handle = display(data, metadata=meta, raw=True, display_id=True)
        if handle is not None:
            self._display_handles.append(handle)

    def _refresh_displays(self) -> None:
        """Rewrite every displayed copy: the saved notebook then shows where the job ended."""
        if not self._display_handles:
            return
        data, meta = self._repr_mimebundle_()
        for handle in self._display_handles:
            with contextlib.suppress(Exception):  # no kernel / front end any more
                handle.update(data, metadata=meta, raw=True)

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | dict | None:
        from .fallback import html_snapshot, text_repr

        bundle = super()._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle or {}, {})
        state = self._state_for_display()
        data = {**data, "text/plain": text_repr(state), "text/html": html_snapshot(state)}
        return data, meta


class ResultImage:
    """Image bytes from a result map service; shows inline in notebooks."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"<ResultImage {len(self.data)} bytes>"

    def _repr_png_(self) -> bytes | None:
        return self.data if self.data[:8] == b"\x89PNG\r\n\x1a\n" else None

    def _repr_jpeg_(self) -> bytes | None:
        return self.data if self.data[:3] == b"\xff\xd8\xff" else None


def _user_namespace() -> dict[str, Any] | None:
    """The notebook's namespace, captured in the kernel thread that handles the click."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return shell.user_ns if shell is not None else None


def _seconds(delay: float) -> str:
    return f"{delay:.0f} s" if delay >= 10 else f"{delay:.1f}".removesuffix(".0") + " s"


def _on_card_message(widget: JobWidget, content: Any, buffers: Any) -> None:
    """Actions sent by the card: ``log`` (catch up), ``cancel``, ``load_results``."""
    if not isinstance(content, dict):
        return
    action = content.get("action")
    if action == "log":
        since = content.get("since", 0)
        since = since if isinstance(since, int) and since >= 0 else 0
        widget._send_log(since, widget.messages[since:])
    elif action == "load_results":
        namespace = _user_namespace()
        threading.Thread(target=widget._load_from_card, args=(namespace,), name="gpjob-load",
                         daemon=True).start()
    elif action == "cancel":
        with contextlib.suppress(CancelError):  # cancel_state / cancel_error show the refusal
            widget.cancel()
