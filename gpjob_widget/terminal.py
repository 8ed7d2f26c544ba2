"""The terminal views while a job is waited for: a live one-line bar (tqdm) on a terminal, or
one plain line per change where the output is a log or a pipe (CI, ``| tee``)."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from collections.abc import Iterator
from typing import IO, Any, Literal

from . import status as st
from .fallback import badge, elapsed_seconds, stall_text
from .watch import Update, Watch, WatchState

SPINNER = "|/-\\"  # ASCII: draws in every terminal font
MESSAGE_WIDTH = 60
LINE_EVERY = 2.0  # s: plain lines (logs, pipes) at most this often, status changes excepted
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

Progress = bool | Literal["lines"] | None


def in_kernel() -> bool:
    """True inside a Jupyter kernel, where the card is the view (no terminal bar by default)."""
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def wants_bar(progress: bool | None, stream: IO[str]) -> bool:
    """*progress* as asked; by default only when *stream* is a terminal outside a kernel."""
    if progress is not None:
        return progress
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not in_kernel()


def _size(stream: IO[str]) -> os.terminal_size:
    """The size of the terminal the bar draws on (stderr's, not stdout's: stdout may be a pipe);
    100 × 24 when it does not say (a pty of size 0, or no terminal)."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return os.terminal_size((100, 24))
    return os.terminal_size((size.columns or 100, size.lines or 24))


def _braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")  # server text inside a tqdm format


def _clock(state: dict[str, Any]) -> str:
    """Elapsed job time as ``mm:ss`` (``h:mm:ss``), from the job's own start."""
    seconds = elapsed_seconds(state)
    if seconds is None:
        return ""
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def one_line(text: str, width: int = MESSAGE_WIDTH) -> str:
    """*text* on one line of at most *width* characters, with no control characters."""
    text = " ".join(_CONTROL.sub(" ", str(text)).split())
    return text if len(text) <= width else text[:width - 1] + "…"


def _head(state: WatchState) -> str:
    label = badge(state.to_dict())[0]  # the card's words, from THE status table
    return one_line(f"{state.title or 'job'} {state.job_id}".strip(), 80) + f": {label}"


def _detail(state: WatchState, cancel: str | None, width: int = MESSAGE_WIDTH) -> str:
    """The error, notice, stall (saying how to *cancel*) or progress message."""
    return one_line(state.error or state.notice or stall_text(state.to_dict(), cancel)
                    or state.progress_message, width)


class ProgressBar:
    """Status, percent (or a spinner when the server gives none), last message, elapsed.

    Updates arrive from the poller's threads; the bar is drawn only by :meth:`tick`, from the
    waiting thread, so terminal output never interleaves.
    """

    def __init__(self, watch: Watch, stream: IO[str] | None = None,
                 cancel: str = "cancel it") -> None:
        from tqdm import tqdm

        self._state = watch.state
        self._cancel = cancel  # how a stalled job is cancelled, in the caller's words
        self._said_stall = False
        self._spin = 0
        self._stream = stream or sys.stderr
        size = _size(self._stream)
        self._bar = tqdm(total=100, file=self._stream, leave=True, bar_format="{desc}",
                         mininterval=0, ncols=size.columns, nrows=size.lines)
        self._unsubscribe = watch.subscribe(self._on_update)
        self.tick()

    def _on_update(self, update: Update) -> None:
        self._state = update.state

    def tick(self) -> None:
        """Redraw with the latest state (called about four times a second). The final frame
        is left to :meth:`close`, which draws it once."""
        if self._state.terminal:
            return
        self._say_stall()
        self._frame()
        self._bar.refresh()

    def _say_stall(self) -> None:
        """A stalled job gets one whole line above the bar (which has room for "No progress
        reported for 42 min" only): how long, and how to cancel it."""
        state = self._state
        if state.stalled and not self._said_stall:
            text = stall_text(state.to_dict(), self._cancel)
            if text:
                self._bar.write(one_line(f"{_head(state)} · {text}", 1000), file=self._stream)
                self._said_stall = True
        elif not state.stalled:
            self._said_stall = False  # said again if it stalls again

    def _frame(self) -> None:
        state: WatchState = self._state
        head = _head(state)
        detail = _detail(state, None)
        elapsed = _clock(state.to_dict())
        if state.percent is not None:
            self._bar.n = max(0.0, min(100.0, state.percent))
            line = f"{_braces(head)} {{percentage:3.0f}}%|{{bar:24}}| {elapsed}"
        else:
            spinner = "" if state.terminal else SPINNER[self._spin % len(SPINNER)] + " "
            self._spin += 1
            line = f"{_braces(head)} {spinner}{elapsed}"
        self._bar.bar_format = line + (f" · {_braces(detail)}" if detail else "")
        self._bar.ncols = _size(self._stream).columns  # follows a resized window

    def close(self) -> None:
        self._unsubscribe()
        self._frame()
        self._bar.close()  # draws the last frame once, and ends the line


class LineLog:
    """One plain line per change of status, percent or step message, for logs and pipes: no
    control characters, at most one line every :data:`LINE_EVERY` s (a new status and the end
    are printed at once). Drawn only by :meth:`tick`, from the waiting thread."""

    def __init__(self, watch: Watch, stream: IO[str] | None = None,
                 cancel: str = "cancel it") -> None:
        self._state = watch.state
        self._cancel = cancel
        self._stream = stream or sys.stderr
        self._printed: tuple = ()
        self._printed_status = ""
        self._printed_at = 0.0
        self._unsubscribe = watch.subscribe(self._on_update)
        self.tick()

    def _on_update(self, update: Update) -> None:
        self._state = update.state

    def tick(self) -> None:
        state = self._state
        if state.status == st.NEW and not state.error:
            return  # not asked yet: nothing to say
        percent = None if state.percent is None else round(state.percent)
        key = (state.status, percent, state.progress_message, state.stalled, state.error,
               state.notice)
        if key == self._printed:
            return
        now = time.monotonic()
        if state.status == self._printed_status and not state.terminal and \
                now - self._printed_at < LINE_EVERY:
            return
        self._printed, self._printed_status, self._printed_at = key, state.status, now
        parts = [time.strftime("%H:%M:%S"), _head(state)]
        if percent is not None:
            parts.append(f"{percent}%")
        elapsed = _clock(state.to_dict())
        line = " ".join(parts) + (f" ({elapsed})" if elapsed else "")
        detail = _detail(state, self._cancel, width=1000)  # a log line may be long
        self._stream.write(line + (f" · {detail}" if detail else "") + "\n")
        self._stream.flush()

    def close(self) -> None:
        self._unsubscribe()
        self._printed_at = 0.0  # the last word is never throttled away
        self.tick()


def wants_view(progress: Progress, stream: IO[str]) -> Literal["bar", "lines", ""]:
    """Which view *progress* asks for: ``True`` a bar, ``"lines"`` plain lines, ``False``
    none; ``None``: a bar when *stream* is a terminal outside a kernel, else none."""
    if progress == "lines":
        return "lines"
    return "bar" if wants_bar(progress if isinstance(progress, bool) else None, stream) else ""


@contextlib.contextmanager
def progress_bar(watch: Watch, progress: Progress, stream: IO[str] | None = None,
                 cancel: str = "cancel it") -> Iterator[Any]:
    """The view *progress* asks for (see :func:`wants_view`) for the duration of a wait:
    a :class:`ProgressBar`, a :class:`LineLog`, or None. *cancel* says how a stalled job is
    cancelled (``job.cancel()``, ``gpjob cancel URL``)."""
    stream = stream or sys.stderr
    kind = wants_view(progress, stream)
    view = ProgressBar(watch, stream, cancel) if kind == "bar" else \
        LineLog(watch, stream, cancel) if kind == "lines" else None
    try:
        yield view
    finally:
        if view is not None:
            view.close()


class RollupLines:
    """A batch's roll-up as plain lines (logs, pipes): at most one every :data:`LINE_EVERY`
    s, and whenever the done count changes."""

    def __init__(self, batch: Any, stream: IO[str] | None = None) -> None:
        self._batch = batch
        self._stream = stream or sys.stderr
        self._printed: tuple = ()
        self._printed_at = 0.0
        self.tick()

    def tick(self) -> None:
        roll = self._batch.rollup()
        key = (roll.done, roll.running, roll.queued, roll.failed)
        now = time.monotonic()
        if key == self._printed or (self._printed and key[0] == self._printed[0] and
                                    now - self._printed_at < LINE_EVERY):
            return  # a new job done is said at once; the rest at most every LINE_EVERY
        self._printed, self._printed_at = key, now
        self._stream.write(f"{time.strftime('%H:%M:%S')} {roll.percent:3.0f}% "
                           f"{roll.words()}\n")
        self._stream.flush()

    def close(self) -> None:
        self._printed = ()
        self.tick()


class RollupBar:
    """A batch's roll-up as one live tqdm bar (a terminal)."""

    def __init__(self, batch: Any, stream: IO[str] | None = None) -> None:
        from tqdm import tqdm

        self._batch = batch
        self._stream = stream or sys.stderr
        size = _size(self._stream)
        self._bar = tqdm(total=100, file=self._stream, leave=True, bar_format="{desc}",
                         mininterval=0, ncols=size.columns, nrows=size.lines)
        self.tick()

    def _frame(self) -> None:
        roll = self._batch.rollup()
        self._bar.n = roll.percent
        self._bar.bar_format = (f"{_braces(self._batch.name)} {{percentage:3.0f}}%|{{bar:20}}| "
                                f"{_braces(roll.words())}")

    def tick(self) -> None:
        if self._batch.rollup().finished:
            return  # the last frame is drawn once, by close()
        self._frame()
        self._bar.refresh()

    def close(self) -> None:
        self._frame()
        self._bar.close()


@contextlib.contextmanager
def rollup_view(batch: Any, progress: Progress, stream: IO[str] | None = None,
                ) -> Iterator[Any]:
    """A batch's roll-up for the duration of a wait: a bar, plain lines, or nothing."""
    stream = stream or sys.stderr
    kind = wants_view(progress, stream)
    view = RollupBar(batch, stream) if kind == "bar" else \
        RollupLines(batch, stream) if kind == "lines" else None
    try:
        yield view
    finally:
        if view is not None:
            view.close()
