"""What every job protocol shares: the :class:`Flavour` interface and the JSON helpers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlsplit

from .. import status as st
from ..errors import InvalidJobURL
from ..snapshot import MESSAGE_TYPES, JobSnapshot, Message

ANY_JOB = re.compile(r"/jobs/(?P<id>[^/]+)/?$", re.I)
ESRI_MESSAGE_PREFIXES = ("esrijobmessagetype", "jobmessagetype")


def query_job_id(url: str) -> str:
    """A job id carried in the query (``…/api/job/status?JobId=…``, USGS LANDFIRE), or ""."""
    return next((v for k, v in parse_qsl(urlsplit(url).query) if k.lower() == "jobid"), "")


def message_from(raw: object) -> Message:
    """Normalise one message: Esri ``{"type": "esriJobMessageType…"}`` dicts or plain strings."""
    if isinstance(raw, Mapping):
        kind = str(raw.get("type") or "informative").lower()
        # esriJobMessageTypeWarning, or the GeoServices spelling JobMessageTypeWarning
        kind = kind.removeprefix("esri").removeprefix("jobmessagetype") or "informative"
        if kind not in MESSAGE_TYPES:
            kind = "informative"
        text = raw.get("description", raw.get("message", ""))
        return Message(kind, "" if text is None else str(text))
    return Message("informative", "" if raw is None else str(raw))


def messages_of(raw: object) -> tuple[Message, ...]:
    return tuple(message_from(m) for m in raw) if isinstance(raw, list) else ()


def has_esri_messages(body: Mapping[str, Any]) -> bool:
    """True when ``messages`` holds Esri-style typed messages (``esriJobMessageType…``)."""
    raw = body.get("messages")
    return isinstance(raw, list) and any(
        isinstance(m, Mapping) and str(m.get("type", "")).lower().startswith(
            ESRI_MESSAGE_PREFIXES) for m in raw)


def percent_of(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return max(0.0, min(100.0, float(value)))


def epoch_ms(value: object) -> float | None:
    """Epoch milliseconds, or None for missing / 0 (admin ``endtime`` is 0 while running)."""
    return float(value) if isinstance(value, int | float) and value > 0 else None


def steps_percent(body: Mapping[str, Any], done_key: str = "stepsCompleted",
                  total_key: str = "totalSteps") -> float | None:
    done, total = body.get(done_key), body.get(total_key)
    if isinstance(done, int | float) and isinstance(total, int | float) and total > 0:
        return percent_of(100.0 * done / total)
    return None


def queue_message(body: Mapping[str, Any]) -> str:
    """``queuePosition`` (services in front of GP queues) as words for the card."""
    position = body.get("queuePosition")
    return f"Queued (position {position})" if isinstance(position, int | float) and \
        position >= 0 else ""


def progress_of(raw: object) -> tuple[float | None, str]:
    """(percent, message) of a ``progress`` object (GP ``step``/``default``, Notebook Server)."""
    if not isinstance(raw, Mapping):
        return None, ""
    percent = percent_of(raw.get("percent")) if raw.get("type", "step") == "step" else None
    return percent, str(raw.get("message") or "")


class Flavour:
    """A job resource protocol: how to recognise it, parse it, cancel it and find its results.

    Detection asks :meth:`matches_json` of the first answer first (the registry's order) and
    falls back on :meth:`matches_url` only when no flavour claims the answer.
    """

    name: ClassVar[str]
    url_pattern: ClassVar[re.Pattern[str]] = ANY_JOB
    gone_once_cancelled: ClassVar[bool] = False  # a cancelled job answers "not found" (OGC)
    auth_header: ClassVar[str] = "X-Esri-Authorization"  # where a token goes: "Bearer <token>"

    @classmethod
    def matches_url(cls, url: str) -> bool:
        """The URL's shape announces this flavour (a hint, used when the answer is silent)."""
        return False

    @staticmethod
    def matches_json(body: Mapping[str, Any]) -> bool:
        raise NotImplementedError

    @classmethod
    def job_id_from_url(cls, url: str) -> str:
        match = cls.url_pattern.search(urlsplit(url).path)
        return unquote(match.group("id")) if match else query_job_id(url)

    @staticmethod
    def title_from_url(url: str) -> str:
        return ""

    def parse(self, body: Mapping[str, Any], job_url: str) -> JobSnapshot:
        raise NotImplementedError

    def _snapshot(self, body: Mapping[str, Any], job_url: str, *, id_key: str, word: str,
                  messages: tuple[Message, ...], percent: float | None = None,
                  progress_message: str = "", **fields: Any) -> JobSnapshot:
        """The parts every flavour fills the same way; *fields* are the rest."""
        return JobSnapshot(
            job_id=str(body.get(id_key) or self.job_id_from_url(job_url)),
            status=st.normalize(word),
            raw_status=word,
            percent=percent,
            progress_message=progress_message or (messages[-1].description if messages else ""),
            messages=messages,
            raw=dict(body),
            **fields,
        )

    def cancel_url(self, job_url: str) -> str:
        return job_url.rstrip("/") + "/cancel"

    def cancel(self, transport: Any, job_url: str) -> dict[str, Any]:
        """Ask the server to cancel; its answer."""
        return transport.post_json(self.cancel_url(job_url))

    def submit(self, transport: Any, task_url: str,
               params: Mapping[str, Any]) -> tuple[str, JobSnapshot]:
        """Start a job; ``(job URL, the first snapshot)``."""
        raise InvalidJobURL(f"{self.name} jobs are started by their own server, not submitted")

    def outputs(self, snapshot: JobSnapshot, transport: Any) -> dict[str, Any]:
        """``{name: ref}`` of a succeeded job's outputs (a ref: ``{"paramUrl"}`` or an inline
        ``{"value"}``)."""
        return dict(snapshot.results)

    def result_url(self, job_url: str, ref: Mapping[str, Any], param: str) -> str:
        """Absolute URL of a result given its ``paramUrl`` (relative to the job URL)."""
        return f"{job_url.rstrip('/')}/{ref.get('paramUrl') or 'results/' + param}"
