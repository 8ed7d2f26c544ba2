"""Fault injection: the next *times* requests whose path contains *match* misbehave."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

KINDS = ("status", "too_many_requests", "reset", "hang", "truncated_json", "invalid_json",
         "html", "error_body", "admin_error", "redirect", "set_cookie")


@dataclass
class Fault:
    kind: str
    times: int
    match: str
    params: dict[str, Any] = field(default_factory=dict)


class FaultPlan:
    """Thread-safe list of pending faults."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, kind: str, times: int = 1, match: str = "", **params: Any) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}; choose one of {', '.join(KINDS)}")
        with self._lock:
            self._faults.append(Fault(kind, times, match, params))

    def take(self, path: str) -> Fault | None:
        """The fault for this request, if any (consumes one of its *times*)."""
        with self._lock:
            for fault in self._faults:
                if fault.times > 0 and fault.match in path:
                    fault.times -= 1
                    return fault
            self._faults = [f for f in self._faults if f.times > 0]
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
