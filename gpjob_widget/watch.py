"""The watch engine: follows one :class:`~gpjob_widget.job.Job` and owns the watching policy.

It runs the job's checks on the shared poller, decides when to check next (adaptive schedule,
backoff, patience for unknown states, cancel confirmation, ETA) and publishes each change as an
:class:`Update` to its subscribers: the card, a board row, the terminal bar, the CLI, ``wait()``.
It knows nothing of displays.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, Protocol

from . import status as st
from .errors import CancelError, GPJobError, JobFailed, JobNotFound, TransientError, WatchError
from .flavours import Flavour
from .poller import (
    MAX_INTERVAL,
    EndForecast,
    Poller,
    backoff,
    exiting,
    next_interval,
    shared_poller,
)
from .snapshot import JobSnapshot, new_messages

log = logging.getLogger("gpjob_widget")

MAX_FAILURES = 8            # consecutive transient errors (≈ 4 min of backoff) before giving up
UNKNOWN_PATIENCE = 30       # consecutive checks answering a status word we do not know
CANCEL_PATIENCE = 60.0      # s a job may stay "cancelling" before we call the cancel unconfirmed
WAIT_SLICE = 0.25           # s: a blocked wait() wakes this often (interrupts, terminal bar)
STALL_AFTER = 600.0         # s with no change before a job is called stalled (the floor)
STALL_RHYTHM = 5.0          # … or this many times the longest quiet spell the job had so far
FRESH_MISSES = 3            # "not found" answers forgiven to a job we just submitted


class StallClock:
    """Tells when a job has said nothing new (status, percent, messages) for much longer than
    its own rhythm so far: ``max(floor, STALL_RHYTHM × the longest quiet spell seen)``.

    Nothing is imposed on the job: a stalled job is only *said* to be stalled, and stops being
    so as soon as it moves again. ``floor=None`` never calls a job stalled.
    """

    def __init__(self, floor: float | None = STALL_AFTER) -> None:
        self.floor = floor
        self._signature: object = None
        self._changed = 0.0          # monotonic time of the last change
        self._longest = 0.0          # the longest quiet spell between two changes so far

    def observe(self, signature: object, now: float) -> bool:
        """Record one answer; True when it changed something."""
        if signature == self._signature:
            return False
        if self._signature is not None:
            self._longest = max(self._longest, now - self._changed)
        self._signature, self._changed = signature, now
        return True

    def quiet_for(self, now: float) -> float:
        return now - self._changed if self._signature is not None else 0.0

    def stalled(self, now: float) -> bool:
        if self.floor is None or self._signature is None:
            return False
        return self.quiet_for(now) > max(self.floor, STALL_RHYTHM * self._longest)


@dataclasses.dataclass(frozen=True)
class WatchState:
    """Everything a view shows of a watched job (times are epoch ms)."""

    job_id: str = ""
    title: str = ""
    flavour: str = ""
    job_url: str = ""
    status: str = st.NEW
    raw_status: str = ""
    percent: float | None = None
    progress_message: str = ""
    message_count: int = 0
    warning_count: int = 0
    error_count: int = 0
    error: str = ""            # the server's words when the job failed / we stopped watching
    notice: str = ""           # transient, non-fatal trouble
    started_at: float | None = None
    ended_at: float | None = None
    checked_at: float | None = None     # the last answer from the server
    next_check_at: float | None = None  # when the next check is due; None when not watching
    watching: bool = False
    cancellable: bool = False
    cancel_state: str = ""     # "" · requested · refused · unconfirmed
    cancel_error: str = ""
    outputs: tuple[str, ...] = ()  # output names, once the job succeeded
    changed_at: float | None = None   # the last change of status, percent or messages
    stalled: bool = False      # nothing changed for much longer than the job's rhythm

    @property
    def terminal(self) -> bool:
        return st.is_terminal(self.status)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["outputs"] = list(self.outputs)
        return data


@dataclasses.dataclass(frozen=True)
class Update:
    """One published change: the new state, which fields changed, and new log messages."""

    state: WatchState
    changed: frozenset[str]
    messages: tuple[dict[str, str], ...] = ()
    first: int = 0  # index of messages[0] in the whole log


Listener = Callable[[Update], None]


class WatchedJob(Protocol):
    """What the engine needs of a job (``gpjob_widget.Job`` is one)."""

    job_id: str
    job_url: str
    title: str
    flavour: Flavour | None
    last: JobSnapshot | None

    def check_status(self) -> JobSnapshot: ...

    def request_cancel(self) -> str: ...


class Watch:
    """Follows one job on a poller until it ends; see the module docstring.

    One engine per job: ``Job.watcher`` returns it, and ``Job.wait()``, ``JobWidget`` and
    ``JobBoard`` all use that one.
    """

    def __init__(self, job: WatchedJob, *, poll_interval: float | None = None,
                 max_interval: float = MAX_INTERVAL, stall_after: float | None = STALL_AFTER,
                 poller: Poller | None = None) -> None:
        self.job = job
        self.poll_interval = poll_interval
        self.max_interval = max_interval
        self.poller = poller or shared_poller()
        self.messages: list[dict[str, str]] = []
        self._cond = threading.Condition(threading.RLock())
        self._listeners: list[Listener] = []
        self._version = 0
        self._handle: int | None = None
        self._closed = False
        self._failures = 0
        self._unknown_checks = 0
        self._watch_started = 0.0
        self._cancel_sent_at: float | None = None
        self._forecast = EndForecast()
        self._stall = StallClock(stall_after)
        self._answered = False  # no check has been answered yet
        self._misses = 0 if job.last is not None else FRESH_MISSES  # a submitted job is fresh
        self._stop_error: GPJobError | None = None
        self._last_snapshot: JobSnapshot | None = None
        flavour = job.flavour
        self.state = WatchState(
            job_id=job.job_id, job_url=job.job_url, flavour=flavour.name if flavour else "",
            title=(flavour.title_from_url(job.job_url) if flavour else "") or job.title)
        if job.last is not None:
            self._apply(job.last)

    def __repr__(self) -> str:
        return f"<Watch {self.state.job_id} {self.state.status}>"

    # -- subscribers ----------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(update)`` on every change (from the poller's threads); returns an
        unsubscribe function."""
        with self._cond:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._cond:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _update(self, added: list[dict[str, str]] | None = None, **changes: Any) -> None:
        """Apply *changes* (WatchState fields) and *added* messages; publish if anything changed."""
        with self._cond:
            old = self.state
            new = dataclasses.replace(old, **changes) if changes else old
            changed = frozenset(k for k in changes if getattr(old, k) != getattr(new, k))
            if not changed and not added:
                return
            first = len(self.messages)
            if added:
                self.messages.extend(added)
            self.state = new
            self._version += 1
            self._cond.notify_all()
            update = Update(new, changed, tuple(added or ()), first)
            for listener in list(self._listeners):
                try:
                    listener(update)
                except Exception:  # one broken view must not stop the others or the engine
                    log.exception("gpjob_widget: a view failed to handle an update")

    def remember(self, **fields: Any) -> None:
        """Show what is known from elsewhere (the local history) without asking the server."""
        self._update(**{k: v for k, v in fields.items() if v is not None})

    # -- watching -------------------------------------------------------------------------
    @property
    def watching(self) -> bool:
        return self._handle is not None

    def start(self) -> None:
        """Start (or resume) watching: the first check happens at once."""
        with self._cond:  # held until "watching" is published: the first check waits for it
            if self._handle is not None or self._closed or self.state.terminal:
                return
            self._stop_error = None
            self._failures = 0
            self._watch_started = time.monotonic()
            ref = weakref.ref(self)

            def check() -> float | None:  # the poller holds the engine only weakly
                engine = ref()
                return None if engine is None else engine._check()

            self._handle = self.poller.schedule(check)
            self._update(watching=True, started_at=self.state.started_at or time.time() * 1000,
                         next_check_at=time.time() * 1000)

    def stop(self) -> None:
        """Stop watching (``start()`` or ``wait()`` resumes)."""
        if exiting():  # the pollers are stopped; a frozen thread may hold our lock
            return
        self._update(**self._ending(clean=self.state.terminal))
        with self._cond:  # wake waiters even when nothing visible changed
            self._version += 1
            self._cond.notify_all()

    def close(self) -> None:
        """Stop watching for good and forget the subscribers."""
        self._closed = True
        if exiting():  # interpreter exit (e.g. a widget's __del__): take no lock
            return
        self.stop()
        with self._cond:
            self._listeners.clear()

    def check_now(self) -> JobSnapshot:
        """Check the job now (in this thread) and publish what the server said."""
        snapshot = self.job.check_status()
        self._apply(snapshot)
        return snapshot

    # -- cancel ---------------------------------------------------------------------------
    def cancel(self) -> str:
        """Cancel the job on the server; returns the new status (``job-cancelling`` …).

        Raises :class:`CancelError` with the server's words when it refuses.
        """
        self._update(cancel_state="requested", cancel_error="")
        try:
            answered = self.job.request_cancel()
        except CancelError as exc:
            self._update(cancel_state="refused", cancel_error=str(exc))
            raise
        self._cancel_sent_at = time.monotonic()
        if not self.state.terminal:
            if st.is_terminal(answered):  # e.g. an OGC dismiss: cancelled there and then
                self._update(status=answered, cancel_state="", ended_at=time.time() * 1000,
                             **self._ending(clean=True))
            else:
                self._update(status=answered, cancellable=False, cancel_state="requested")
        if self.state.terminal:
            self.stop()
        elif self._handle is not None:
            self.poller.wake(self._handle)
        else:
            self.start()
        return self.state.status

    # -- the check run by the poller ------------------------------------------------------
    def _check(self) -> float | None:
        if self._closed or self._handle is None:
            return None
        try:
            snapshot = self.job.check_status()
        except TransientError as exc:
            return self._on_transient(exc)
        except JobNotFound as exc:
            return self._on_not_found(exc)
        except GPJobError as exc:
            return self._give_up(exc)
        self._failures = 0
        self._answered = True
        delay = None if snapshot.terminal else self._interval(snapshot)
        self._apply(snapshot, delay)  # one update per check, its next check included
        if delay is None:
            return None
        if snapshot.status == st.UNKNOWN:
            self._unknown_checks += 1
            if self._unknown_checks >= UNKNOWN_PATIENCE:
                return self._give_up(WatchError(
                    f"the server keeps reporting an unknown status {snapshot.raw_status!r}; "
                    f"stopped watching after {self._unknown_checks} checks"))
        else:
            self._unknown_checks = 0
        given_up = self._after_cancel_check()
        if given_up:
            return None
        return delay

    def _schedule(self, delay: float) -> float:
        if self._handle is not None:
            self._update(next_check_at=time.time() * 1000 + delay * 1000)
        return delay

    def _interval(self, snapshot: JobSnapshot) -> float:
        now = time.monotonic()
        self._forecast.observe(snapshot.percent, now)
        if self.poll_interval is not None:
            return self.poll_interval
        return next_interval(now - self._watch_started, until_end=self._forecast.until_end(now),
                             probe_in=self._forecast.probe_in(now), cap=self.max_interval)

    def _after_cancel_check(self) -> bool:
        """A cancel the server ignores: say so after CANCEL_PATIENCE, stop after twice that."""
        if self._cancel_sent_at is None or self.state.status != st.CANCELLING:
            return False
        waited = time.monotonic() - self._cancel_sent_at
        if waited >= 2 * CANCEL_PATIENCE:
            self._give_up(WatchError(
                f"the server accepted the cancel but the job is still cancelling after "
                f"{waited:.0f} s; stopped watching (it may still be running)"))
            return True
        if waited >= CANCEL_PATIENCE and self.state.cancel_state != "unconfirmed":
            self._update(cancel_state="unconfirmed", notice=f"Still cancelling after "
                         f"{waited:.0f} s; the server has not confirmed.")
        return False

    def _on_transient(self, exc: TransientError) -> float | None:
        self._failures += 1
        if self._failures > MAX_FAILURES:
            return self._give_up(WatchError(
                f"lost contact with the server after {self._failures} attempts: {exc}"))
        delay = backoff(self._failures, exc.retry_after)
        notice = f"{exc} — retrying in {_seconds(delay)} (attempt {self._failures})"
        log.info("job %s: %s", self.state.job_id, notice)
        self._update(notice=notice)
        return self._schedule(delay)

    def _on_not_found(self, exc: JobNotFound) -> float | None:
        flavour = self.job.flavour
        now = time.time() * 1000
        if not self._answered and self._misses < FRESH_MISSES:
            # a job we just submitted may be unknown for a moment (pygeoapi #1672)
            self._misses += 1
            return self._on_transient(TransientError(f"{exc} (the job was just submitted)"))
        if self._cancel_sent_at is not None and flavour is not None and flavour.gone_once_cancelled:
            # e.g. a dismissed OGC job: "not found" is the cancel's success, not a deletion
            self._update(status=st.CANCELLED, cancel_state="", ended_at=now,
                         **self._ending(clean=True))
            return None
        if self.state.status != st.NEW:  # we saw it before: it was deleted while we watched
            return self._give_up(exc, status=st.DELETED, ended_at=now)
        return self._give_up(exc)

    def _give_up(self, exc: GPJobError, **changes: Any) -> None:
        self._stop_error = exc
        self._update(error=str(exc), **changes, **self._ending(clean=False))
        return None

    def _ending(self, clean: bool) -> dict[str, Any]:
        """Stop the checks; return the changes that say so, to publish together with the change
        that ended watching (a waiter woken by it then sees the whole end at once)."""
        with self._cond:
            handle, self._handle = self._handle, None
        if handle is not None:
            self.poller.cancel(handle)
        return {"watching": False, "cancellable": False, "next_check_at": None,
                **({"notice": ""} if clean else {})}

    # -- snapshot → state -----------------------------------------------------------------
    def _apply(self, snap: JobSnapshot, delay: float | None = None) -> None:
        """Publish what *snap* says, and when the next check comes (*delay* s)."""
        now = time.time() * 1000
        moved = self._stall.observe((snap.status, snap.percent, snap.progress_message,
                                     len(snap.messages)), time.monotonic())
        timing = {"stalled": self._stall.stalled(time.monotonic()) and not snap.terminal}
        if moved or self.state.changed_at is None:
            timing["changed_at"] = now
        if delay is not None and self._handle is not None:
            timing["next_check_at"] = now + delay * 1000
        if snap is self._last_snapshot:  # the server said exactly the same again
            self._update(checked_at=now, **timing)
            return
        self._last_snapshot = snap
        added = new_messages(self.messages, [m.to_dict() for m in snap.messages])
        state = self.state
        changes: dict[str, Any] = {
            "status": snap.status, "raw_status": snap.raw_status, "checked_at": now,
            "percent": 100.0 if snap.status == st.SUCCEEDED else snap.percent,
            "cancellable": snap.status in st.CANCELLABLE and state.cancel_state != "requested",
            **timing,
        }
        if snap.job_id:
            changes["job_id"] = snap.job_id
        if snap.title:
            changes["title"] = snap.title
        if self.job.flavour is not None:
            changes["flavour"] = self.job.flavour.name
        if snap.progress_message:
            changes["progress_message"] = snap.progress_message
        if snap.started_at:
            changes["started_at"] = snap.started_at
        if snap.terminal:
            changes["ended_at"] = snap.ended_at or state.ended_at or now
            changes.update(self._ending(clean=True))
        if snap.status in (st.FAILED, st.TIMED_OUT) and not state.error:
            changes["error"] = snap.error_text or f"The job ended {snap.raw_status or snap.status}."
        if snap.status == st.CANCELLED and state.cancel_state == "requested":
            changes["cancel_state"] = ""
        if snap.status == st.SUCCEEDED:
            changes["outputs"] = tuple(snap.results)
        if self._failures == 0 and state.cancel_state != "unconfirmed":
            changes.setdefault("notice", "")
        if added:
            changes["message_count"] = state.message_count + len(added)
            changes["warning_count"] = state.warning_count + sum(
                m["type"] == "warning" for m in added)
            changes["error_count"] = state.error_count + sum(
                m["type"] in ("error", "abort") for m in added)
        self._update(added, **changes)

    # -- waiting --------------------------------------------------------------------------
    def wait(self, timeout: float | None = None, *, callback: Callable[[], Any] | None = None,
             raise_on_failure: bool = False, cancel_on_interrupt: bool = False,
             on_tick: Callable[[], Any] | None = None, subject: str = "w") -> str:
        """Block until the job ends; return its final status (see ``Job.wait``).

        *on_tick* runs in this thread at least every :data:`WAIT_SLICE` s (terminal bars);
        *subject* is the variable name used in messages ("w.cancel()").
        """
        self.start()
        deadline = None if timeout is None else time.monotonic() + timeout
        seen = -1
        try:
            while True:
                with self._cond:
                    while self._version == seen and self._handle is not None:
                        remaining = None if deadline is None else deadline - time.monotonic()
                        if remaining is not None and remaining <= 0:
                            raise TimeoutError(self._still_running(timeout))
                        self._cond.wait(WAIT_SLICE if remaining is None
                                        else min(remaining, WAIT_SLICE))
                        if on_tick is not None:
                            on_tick()
                    seen = self._version
                ended = self._outcome(raise_on_failure)
                if ended is not None:
                    return ended
                if callback is not None:
                    callback()
        except KeyboardInterrupt:
            raise self.interrupted(cancel_on_interrupt, subject) from None

    async def wait_async(self, timeout: float | None = None, *,
                         callback: Callable[[], Any] | None = None,
                         raise_on_failure: bool = False, cancel_on_interrupt: bool = False,
                         subject: str = "w", on_tick: Callable[[], Any] | None = None) -> str:
        """``wait()`` for an event loop: the loop (and the kernel's comms) stay free meanwhile.
        *on_tick* runs about ten times a second (e.g. ``kernel.comm_pump()`` on ipykernel 6)."""
        loop = asyncio.get_running_loop()
        changed = asyncio.Event()
        unsubscribe = self.subscribe(lambda update: loop.call_soon_threadsafe(changed.set))
        self.start()
        deadline = None if timeout is None else loop.time() + timeout
        try:
            while True:
                ended = self._outcome(raise_on_failure)
                if ended is not None:
                    return ended
                remaining = None if deadline is None else deadline - loop.time()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(self._still_running(timeout))
                changed.clear()
                if on_tick is not None:
                    on_tick()
                slice_ = 0.1 if on_tick is not None else WAIT_SLICE * 4
                try:
                    # wake now and then too: stop() may notify without a visible change
                    await asyncio.wait_for(changed.wait(), slice_ if remaining is None
                                           else min(remaining, slice_))
                except asyncio.TimeoutError:
                    continue
                if callback is not None and not self.state.terminal and self.watching:
                    callback()
        except (KeyboardInterrupt, asyncio.CancelledError) as exc:
            interrupt = self.interrupted(cancel_on_interrupt, subject)
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise interrupt from None
        finally:
            unsubscribe()

    def _outcome(self, raise_on_failure: bool) -> str | None:
        """The final status once watching ended (or the reason it stopped); None meanwhile."""
        state = self.state
        if state.terminal:
            if raise_on_failure and state.status in st.UNSUCCESSFUL:
                raise JobFailed(state.status, state.error)
            return state.status
        if self._handle is None:
            raise self._stop_error or WatchError(
                f"stopped watching job {state.job_id} before it ended ({state.status})")
        return None

    def _still_running(self, timeout: float | None) -> str:
        return (f"job {self.state.job_id} is still {self.state.status} after {timeout} s "
                "(it keeps running; wait again or cancel())")

    def interrupted(self, cancel: bool, subject: str = "w") -> KeyboardInterrupt:
        """Stop waiting after Ctrl-C / a kernel interrupt: say where the job is, maybe cancel."""
        state = self.state
        if state.terminal:
            return KeyboardInterrupt(f"stopped waiting; job {state.job_id} had ended "
                                     f"({state.status})")
        if cancel:
            try:
                self.cancel()
                text = f"Stopped waiting and asked the server to cancel job {state.job_id}."
            except CancelError as exc:
                text = (f"Stopped waiting; cancelling job {state.job_id} failed ({exc}): it may "
                        "still be running on the server.")
        else:
            text = (f"Stopped waiting: job {state.job_id} is still running on the server (and "
                    f"still watched). Cancel it with {subject}.cancel() or the card's Cancel "
                    "button.")
        self._update(notice=text)
        return KeyboardInterrupt(text)


def _seconds(delay: float) -> str:
    return f"{delay:.0f} s" if delay >= 10 else f"{delay:.1f}".removesuffix(".0") + " s"
