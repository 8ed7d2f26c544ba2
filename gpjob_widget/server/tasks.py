"""Scripted tasks and the lazy, clock-driven state of each job the loopback server holds."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .params import echo

# Phase names (ours) → each flavour's own status words.
WORDS: dict[str, dict[str, str]] = {
    "gp": {"new": "esriJobNew", "submitted": "esriJobSubmitted", "waiting": "esriJobWaiting",
           "executing": "esriJobExecuting", "succeeded": "esriJobSucceeded",
           "failed": "esriJobFailed", "timed-out": "esriJobTimedOut",
           "cancelling": "esriJobCancelling", "cancelled": "esriJobCancelled",
           "deleting": "esriJobDeleting", "deleted": "esriJobDeleted"},
    "mission": {"new": "SUBMITTED", "submitted": "SUBMITTED", "waiting": "SUBMITTED",
                "executing": "PROCESSING", "succeeded": "COMPLETED", "failed": "FAILED",
                "timed-out": "FAILED", "cancelling": "CANCELLING", "cancelled": "CANCELLED",
                "deleted": "DELETED"},
    "admin": {"new": "SUBMITTED", "submitted": "SUBMITTED", "waiting": "SUBMITTED",
              "executing": "EXECUTING", "succeeded": "COMPLETED", "failed": "FAILED",
              "timed-out": "FAILED", "cancelling": "CANCELLING", "cancelled": "CANCELLED",
              "deleted": "DELETED"},
}
WORDS["notebook"] = {**WORDS["mission"], "executing": "EXECUTING"}
WORDS["system"] = WORDS["admin"]  # ArcGIS Server /admin/system/jobs
WORDS["ogc"] = {"new": "accepted", "submitted": "accepted", "waiting": "accepted",
                "executing": "running", "succeeded": "successful", "failed": "failed",
                "timed-out": "failed", "cancelling": "dismissed", "cancelled": "dismissed",
                "deleted": "dismissed"}
TERMINAL_PHASES = frozenset({"succeeded", "failed", "timed-out", "cancelled", "deleted"})
CANCEL_DELAY = 0.2  # s a job spends "cancelling" before it is cancelled


@dataclass(frozen=True)
class Message:
    """A scripted job message; ``type`` is informative / warning / error / empty / abort."""

    type: str
    description: str


@dataclass
class Task:
    """A scripted job: how long it queues and runs, what it says, how it ends, what it returns.

    ``results`` maps an output name to a sample name of :mod:`samples` (e.g. ``"GPRecordSet"``)
    or to a ``(dataType, value)`` pair.
    """

    duration: float = 2.0
    duration_spread: float = 0.0       # each job runs duration ± up to this (uneven batches)
    queue_time: float = 0.0
    steps: int | None = None
    messages: list[str | Message] = field(default_factory=list)
    message_count: int = 0            # extra generated messages ("Processed batch i"), for big logs
    outcome: str = "succeeded"         # succeeded / failed / timed-out
    error: str = "The tool failed."    # failure text, appended as an error message
    results: Mapping[str, Any] = field(default_factory=dict)
    inputs: Mapping[str, Any] = field(default_factory=dict)  # name → params.Param (or a sample)
    flavour: str = "gp"                # gp, or "notebook" for a notebook web tool on a GP service
    ignore_cancel: bool = False        # accept cancel but stay cancelling forever
    cancel_supported: bool = True
    status_words: Mapping[str, str] = field(default_factory=dict)  # e.g. {"executing": "Paused"}
    operation: str = "/arcgis/admin/services/Fire.MapServer/edit"   # admin jobs
    job_type: str = ""                 # mission/notebook ``type``
    require_token: bool | None = None  # None: as the server says
    queue_position: int | None = None  # while queued, the job JSON says ``queuePosition``
    export_files: list[str] = field(default_factory=list)  # exportTiles: ``output.outputUrl``
    machine_reports: Mapping[str, str] = field(default_factory=dict)  # admin: per-machine reasons
    fail_if: Mapping[str, str] = field(default_factory=dict)  # {param: value}: those jobs fail
    flaky: int = 0                     # the first `flaky` jobs of the same inputs fail
    seen: dict[str, int] = field(default_factory=dict, repr=False, compare=False)  # for flaky


def new_job_id() -> str:
    return "j" + uuid.uuid4().hex


class ServerJob:
    """One job. Its phase is computed from the clock on each request: no thread per job."""

    def __init__(self, task: Task, flavour: str, task_name: str, params: Mapping[str, str],
                 url: str) -> None:
        self.job_id = new_job_id()
        self.task = task
        self.flavour = flavour  # gp, notebook (GP web tool), mission, notebook-server, admin
        self.task_name = task_name
        self.params = dict(params)
        self.url = url
        self.created = time.monotonic()
        self.created_ms = time.time() * 1000
        self.cancel_at: float | None = None
        self.deleted = False
        self.duration = task.duration + random.uniform(-1, 1) * task.duration_spread
        self.messages = self._script_messages()
        self.outcome = self._outcome()
        self.requests: list[float] = []  # when each request about this job came (monotonic)

    def _outcome(self) -> str:
        """How this job ends: the task's outcome, unless its inputs say otherwise."""
        if any(self.params.get(k) == v for k, v in self.task.fail_if.items()):
            return "failed"
        if self.task.flaky:
            inputs = repr(sorted(self.params.items()))
            tried = self.task.seen.get(inputs, 0)
            self.task.seen[inputs] = tried + 1
            if tried < self.task.flaky:
                return "failed"
        return self.task.outcome

    def _script_messages(self) -> list[Message]:
        scripted = [m if isinstance(m, Message) else Message("informative", m)
                    for m in self.task.messages]
        scripted += [Message("informative", f"Processed batch {i + 1} of {self.task.message_count}")
                     for i in range(self.task.message_count)]
        return scripted

    # -- time ----------------------------------------------------------------------------
    def phase(self, now: float | None = None) -> tuple[str, float]:
        """(phase, fraction of the run done) at *now*."""
        now = time.monotonic() if now is None else now
        if self.deleted:
            return "deleted", 1.0
        elapsed = now - self.created
        run = max(0.0, elapsed - self.task.queue_time)
        fraction = min(1.0, run / self.duration) if self.duration > 0 else 1.0
        if self.cancel_at is not None and self.cancel_at <= now:
            if self.task.ignore_cancel or now - self.cancel_at < CANCEL_DELAY:
                return "cancelling", fraction
            return "cancelled", fraction
        if elapsed < self.task.queue_time:
            return "submitted", 0.0
        if fraction < 1.0:
            return "executing", fraction
        return self.outcome, 1.0

    def ended_at(self) -> float | None:
        """When the job ended (monotonic seconds), None while it runs."""
        ended = self.ended_ms()
        return None if ended is None else self.created + (ended - self.created_ms) / 1000

    def ended_ms(self) -> float | None:
        phase, _ = self.phase()
        if phase not in TERMINAL_PHASES:
            return None
        if phase == "cancelled" and self.cancel_at is not None:
            return self.created_ms + (self.cancel_at - self.created + CANCEL_DELAY) * 1000
        return self.created_ms + (self.task.queue_time + self.duration) * 1000

    def word(self, phase: str) -> str:
        if phase in self.task.status_words:
            return self.task.status_words[phase]
        table = "gp" if self.flavour in ("gp", "notebook") else self.flavour
        table = "notebook" if table == "notebook-server" else table
        return WORDS[table][phase]

    @property
    def esri_status(self) -> str:
        """The status word the server reports now."""
        return self.word(self.phase()[0])

    def visible_messages(self) -> list[Message]:
        """Messages emitted so far: spread evenly over the run, all of them once it ended."""
        phase, fraction = self.phase()
        out = [Message("informative", "Submitted.")]
        if phase == "submitted":
            return out
        out.append(Message("informative", "Executing..."))
        if self.params and self.flavour in ("gp", "notebook"):  # what the tool was given
            out.append(Message("informative", echo(self.task_name, self.params)))
        shown = len(self.messages) if phase in TERMINAL_PHASES else int(
            fraction * len(self.messages))
        out += self.messages[:shown]
        if phase in ("failed", "timed-out"):
            out.append(Message("error", self.task.error))
        elif phase == "succeeded":
            out.append(Message("informative", "Succeeded."))
        elif phase in ("cancelling", "cancelled"):
            out.append(Message("warning", "Cancel requested."))
        return out

    def progress(self) -> tuple[float | None, str]:
        """(percent or None, message) while executing."""
        _, fraction = self.phase()
        steps = self.task.steps or 0
        if steps > 0:
            done = min(steps, int(fraction * steps))
            return 100.0 * done / steps, f"Step {min(done + 1, steps)} of {steps}"
        return None, "Working..."

    def steps_done(self) -> tuple[int, int]:
        steps = self.task.steps or 1
        phase, fraction = self.phase()
        done = steps if phase == "succeeded" else min(steps, int(fraction * steps))
        return done, steps

    def advance(self, seconds: float) -> None:
        """Move this job's clock *seconds* forward (tests: make a quiet job move, or end it)."""
        self.created -= seconds
        self.created_ms -= seconds * 1000

    # -- commands ------------------------------------------------------------------------
    def cancel(self) -> str | None:
        """Request a cancel; None if accepted, else the refusal text."""
        if not self.task.cancel_supported:
            return "Cancel is not supported for this job."
        phase, _ = self.phase()
        if phase in TERMINAL_PHASES:
            return f"Job {self.job_id} has already completed and cannot be cancelled."
        if self.cancel_at is None:
            self.cancel_at = time.monotonic()
        return None
