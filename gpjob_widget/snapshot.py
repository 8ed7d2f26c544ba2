"""JobSnapshot: one frozen reading of a job resource, whatever its flavour."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import status as st

MESSAGE_TYPES = ("informative", "warning", "error", "empty", "abort")


@dataclass(frozen=True)
class Message:
    """One job message, normalised: ``type`` is one of :data:`MESSAGE_TYPES`."""

    type: str
    description: str

    def to_dict(self) -> dict[str, str]:
        return {"type": self.type, "description": self.description}


@dataclass(frozen=True)
class JobSnapshot:
    """What one check of the job resource said."""

    job_id: str
    status: str
    raw_status: str = ""
    percent: float | None = None
    progress_message: str = ""
    messages: tuple[Message, ...] = ()
    results: dict[str, Any] = field(default_factory=dict)  # param name → ref (e.g. {"paramUrl"})
    inputs: dict[str, Any] = field(default_factory=dict)
    started_at: float | None = None  # epoch ms, server clock, when the flavour reports it
    ended_at: float | None = None
    title: str = ""
    inline_result: Any = None  # admin jobs: the operation's output; mission jobs: customAttributes
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def terminal(self) -> bool:
        return st.is_terminal(self.status)

    @property
    def error_text(self) -> str:
        """The server's own words for a failure: its error messages, newest last."""
        errors = [m.description for m in self.messages if m.type in ("error", "abort")]
        return "\n".join(errors)


def new_messages(known: list[dict[str, str]], latest: list[dict[str, str]]) -> list[dict[str, str]]:
    """The messages of *latest* not yet in *known*, in order; none is lost or repeated.

    Servers send the whole log each time, but some trim its head. The longest tail of *known*
    that *latest* starts with is the overlap; everything after it is new.
    """
    if latest[:len(known)] == known:
        return latest[len(known):]
    for overlap in range(min(len(known), len(latest)), 0, -1):
        if known[-overlap:] == latest[:overlap]:
            return latest[overlap:]
    return latest
