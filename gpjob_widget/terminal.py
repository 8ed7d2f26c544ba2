"""The terminal view: a live one-line progress bar (tqdm) on stderr while a job is waited for."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import IO, Any

from .fallback import badge, elapsed_seconds
from .watch import Update, Watch, WatchState

SPINNER = "|/-\\"  # ASCII: draws in every terminal font
MESSAGE_WIDTH = 60


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
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[:width - 1] + "…"


class ProgressBar:
    """Status, percent (or a spinner when the server gives none), last message, elapsed.

    Updates arrive from the poller's threads; the bar is drawn only by :meth:`tick`, from the
    waiting thread, so terminal output never interleaves.
    """

    def __init__(self, watch: Watch, stream: IO[str] | None = None) -> None:
        from tqdm import tqdm

        self._state = watch.state
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
        """Redraw with the latest state (called about four times a second)."""
        state: WatchState = self._state
        label = badge(state.to_dict())[0]  # the card's words, from THE status table
        head = f"{state.title or 'job'} {state.job_id}".strip() + f": {label}"
        detail = one_line(state.error or state.notice or state.progress_message)
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
        self._bar.refresh()

    def close(self) -> None:
        self._unsubscribe()
        self.tick()
        self._bar.close()


@contextlib.contextmanager
def progress_bar(watch: Watch, progress: bool | None,
                 stream: IO[str] | None = None) -> Iterator[Any]:
    """A :class:`ProgressBar` for the duration of a wait, or None when not wanted."""
    stream = stream or sys.stderr
    bar = ProgressBar(watch, stream) if wants_bar(progress, stream) else None
    try:
        yield bar
    finally:
        if bar is not None:
            bar.close()
