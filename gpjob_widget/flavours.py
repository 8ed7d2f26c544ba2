"""One small parser per kind of job resource: JSON → :class:`JobSnapshot`, plus where it lives.

Adding a flavour is one new class in :data:`FLAVOURS`; nothing else branches on flavour names.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any, ClassVar
from urllib.parse import unquote, urljoin, urlsplit

from . import status as st
from .errors import GPJobError, InvalidJobURL
from .snapshot import MESSAGE_TYPES, JobSnapshot, Message

_GP_JOB = re.compile(r"/GPServer/(?P<task>[^/]+)/jobs/(?P<id>[^/]+)/?$", re.I)
_GP_TASK = re.compile(r"/GPServer/(?P<task>[^/]+?)(?:/submitJob)?/?$", re.I)
# Enterprise /admin/jobs/<id>, ArcGIS Server /admin/system/jobs/<id>, /admin/services/…/jobs/<id>
_ADMIN_JOB = re.compile(r"/admin/(?:system/|services/(?:[^/]+/)*)?jobs/(?P<id>[^/]+)/?$", re.I)
_ANY_JOB = re.compile(r"/jobs/(?P<id>[^/]+)/?$", re.I)


def encode_param(value: Any) -> str:
    """A task parameter as the form field ArcGIS expects (JSON for structures, epoch ms dates)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return str(int(aware.timestamp() * 1000))
    if isinstance(value, date):
        return encode_param(datetime(value.year, value.month, value.day, tzinfo=timezone.utc))
    if value is None:
        return ""
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, default=str)


def json_param(value: Any) -> Any:
    """A parameter as a JSON value (OGC inputs): dates as ISO 8601, the rest as it is."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): json_param(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_param(v) for v in value]
    return value


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


def _messages(raw: object) -> tuple[Message, ...]:
    return tuple(message_from(m) for m in raw) if isinstance(raw, list) else ()


def _percent(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return max(0.0, min(100.0, float(value)))


def _epoch_ms(value: object) -> float | None:
    """Epoch milliseconds, or None for missing / 0 (admin ``endtime`` is 0 while running)."""
    return float(value) if isinstance(value, int | float) and value > 0 else None


def _steps_percent(body: Mapping[str, Any], done_key: str = "stepsCompleted",
                   total_key: str = "totalSteps") -> float | None:
    done, total = body.get(done_key), body.get(total_key)
    if isinstance(done, int | float) and isinstance(total, int | float) and total > 0:
        return _percent(100.0 * done / total)
    return None


def _queue_message(body: Mapping[str, Any]) -> str:
    """``queuePosition`` (services in front of GP queues) as words for the card."""
    position = body.get("queuePosition")
    return f"Queued (position {position})" if isinstance(position, int | float) else ""


def _progress(raw: object) -> tuple[float | None, str]:
    """(percent, message) of a ``progress`` object (GP ``step``/``default``, Notebook Server)."""
    if not isinstance(raw, Mapping):
        return None, ""
    percent = _percent(raw.get("percent")) if raw.get("type", "step") == "step" else None
    return percent, str(raw.get("message") or "")


class Flavour:
    """A job resource protocol: how to recognise it, parse it, cancel it and find its results."""

    name: ClassVar[str]
    url_pattern: ClassVar[re.Pattern[str]]
    gone_once_cancelled: ClassVar[bool] = False  # a cancelled job answers "not found" (OGC)
    auth_header: ClassVar[str] = "X-Esri-Authorization"  # where a token goes: "Bearer <token>"

    @classmethod
    def matches_url(cls, url: str) -> bool:
        return bool(cls.url_pattern.search(urlsplit(url).path))

    @staticmethod
    def matches_json(body: Mapping[str, Any]) -> bool:
        raise NotImplementedError

    @classmethod
    def job_id_from_url(cls, url: str) -> str:
        match = cls.url_pattern.search(urlsplit(url).path)
        return unquote(match.group("id")) if match else ""

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


class GPFlavour(Flavour):
    """GP service jobs, incl. Spatial Analysis, raster analysis and notebook web tools."""

    name = "gp"
    url_pattern = _GP_JOB

    def submit(self, transport: Any, task_url: str,
               params: Mapping[str, Any]) -> tuple[str, JobSnapshot]:
        fields = {k: encode_param(v) for k, v in params.items()}
        body = transport.post_json(f"{task_url}/submitJob", fields)
        job_id = body.get("jobId")
        if not job_id:
            raise GPJobError(f"submitJob answered without a jobId: {sorted(body)}")
        job_url = f"{task_url}/jobs/{job_id}"
        return job_url, self.parse(body, job_url)

    @staticmethod
    def matches_json(body: Mapping[str, Any]) -> bool:
        return "jobStatus" in body

    @staticmethod
    def title_from_url(url: str) -> str:
        match = _GP_JOB.search(urlsplit(url).path)
        return unquote(match.group("task")) if match else ""

    def parse(self, body: Mapping[str, Any], job_url: str) -> JobSnapshot:
        messages = _messages(body.get("messages"))
        if not messages and isinstance(body.get("message"), str) and body["message"]:
            messages = (message_from(body["message"]),)  # {"message": "…"} (export jobs)
        percent, progress_message = _progress(body.get("progress"))
        custom = body.get("customAttributes")
        if percent is None and isinstance(custom, Mapping):
            percent = _steps_percent(custom)
        results = dict(body.get("results") or {})
        output = body.get("output")
        if isinstance(output, Mapping) and output.get("outputUrl"):  # exportTiles products
            urls = output["outputUrl"]
            urls = urls if isinstance(urls, list) else [urls]
            results["output"] = {"dataType": "GPMultiValue:GPDataFile",
                                 "value": [{"url": u} for u in urls]}
        return self._snapshot(
            body, job_url, id_key="jobId", word=str(body.get("jobStatus") or ""),
            messages=messages, percent=percent,
            progress_message=progress_message or _queue_message(body),
            results=results,
            inputs=dict(body.get("inputs") or {}),
            started_at=_epoch_ms(body.get("startTime")),  # notebook web tools report times
            ended_at=_epoch_ms(body.get("endTime")),
            title=str(body.get("type") or "") or self.title_from_url(job_url),
        )


# customAttributes keys that describe progress, not outputs
_PROGRESS_KEYS = frozenset({"stepsCompleted", "totalSteps", "isCancelled", "messageCodes",
                            "openNotebookProgress"})


class MissionFlavour(Flavour):
    """Notebook / Mission-style job resources: string messages, ``status``, custom attributes."""

    name = "mission"
    url_pattern = _ANY_JOB

    @staticmethod
    def matches_json(body: Mapping[str, Any]) -> bool:
        return "status" in body and "jobStatus" not in body and "jobid" not in body

    def parse(self, body: Mapping[str, Any], job_url: str) -> JobSnapshot:
        messages = _messages(body.get("messages"))
        custom = body.get("customAttributes")
        custom = custom if isinstance(custom, Mapping) else {}
        percent, progress_message = _progress(body.get("progress"))
        if percent is None:  # Notebook Server: customAttributes.openNotebookProgress
            percent, progress_message = _progress(custom.get("openNotebookProgress"))
        if percent is None:
            percent = _steps_percent(custom)
        outputs = {k: {"value": v} for k, v in custom.items() if k not in _PROGRESS_KEYS}
        if isinstance(body.get("results"), Mapping):  # Notebook Server: plain output values
            outputs.update({k: {"value": v} for k, v in body["results"].items()})
        return self._snapshot(
            body, job_url, id_key="jobId", word=str(body.get("status") or ""),
            messages=messages, percent=percent,
            progress_message=progress_message or _queue_message(body),
            results=outputs,
            started_at=_epoch_ms(body.get("startTime")),
            ended_at=_epoch_ms(body.get("endTime")),
            title=str(body.get("type") or ""),
            inline_result=dict(custom) or None,
        )


class AdminFlavour(Flavour):
    """Enterprise / ArcGIS Server admin jobs: lower-case keys, ``endtime`` 0 while running,
    steps (``currentstep``/``totalsteps``, ``stepInfo``), the operation's own outcome."""

    name = "admin"
    url_pattern = _ADMIN_JOB

    @staticmethod
    def matches_json(body: Mapping[str, Any]) -> bool:
        return "jobid" in body or "operationURI" in body

    def parse(self, body: Mapping[str, Any], job_url: str) -> JobSnapshot:
        result = body.get("result")
        messages = _messages(body.get("messages")) + _messages(body.get("stepInfo"))
        word = str(body.get("status") or "")
        operation = body.get("operationResponse")
        failed_operation = isinstance(operation, Mapping) and \
            str(operation.get("status", "")).lower() == "error"
        if failed_operation:
            words = [str(m) for m in operation.get("messages") or []] or ["the operation failed"]
            messages += tuple(Message("error", m) for m in words)
        elif isinstance(operation, Mapping) and result is None:
            result = dict(operation)
        snapshot = self._snapshot(
            body, job_url, id_key="jobid", word=word, messages=messages,
            percent=_steps_percent(body, "currentstep", "totalsteps"),
            results={"result": {"value": result}} if result is not None else {},
            started_at=_epoch_ms(body.get("starttime")),
            ended_at=_epoch_ms(body.get("endtime")),
            title=_admin_title(str(body.get("operationURI") or "")),
            inline_result=result,
        )
        if failed_operation and snapshot.status == st.SUCCEEDED:
            # "COMPLETED", but the operation itself failed: a failure to show, in its words
            snapshot = dataclasses.replace(snapshot, status=st.FAILED, results={})
        return snapshot


def _admin_title(operation_uri: str) -> str:
    """``/ctx/admin/services/Fire.MapServer/edit`` → ``edit Fire.MapServer``."""
    parts = [p for p in operation_uri.split("/") if p]
    if "admin" in parts:
        parts = parts[parts.index("admin") + 1:]
    if len(parts) >= 2:
        return f"{parts[-1]} {parts[-2]}"
    return parts[-1] if parts else "admin job"


OGC_WORDS = frozenset({"accepted", "running", "successful", "failed", "dismissed"})
_OGC_PROCESS = re.compile(r"/processes/(?P<id>[^/]+?)(?:/execution)?/?$", re.I)
OGC_RESULTS_REL = "http://www.opengis.net/def/rel/ogc/1.0/results"


def _iso_ms(value: object) -> float | None:
    """ISO 8601 (``2026-11-28T13:28:08.373724Z``) → epoch ms."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000
    except ValueError:
        return None


class OGCFlavour(Flavour):
    """OGC API – Processes jobs (pygeoapi, ZOO-Project, GeoServer, openEO…): ``<root>/jobs/<id>``.

    One ``message`` at a time (it becomes the log as it changes), ``progress`` 0–100, ISO
    times; results fetched whole from ``…/results``; cancel = ``DELETE`` (dismiss), after
    which the job is gone; tokens as ``Authorization: Bearer``.
    """

    name = "ogc"
    url_pattern = _ANY_JOB
    gone_once_cancelled = True
    auth_header = "Authorization"

    @classmethod
    def matches_url(cls, url: str) -> bool:
        path = urlsplit(url).path
        # every ArcGIS job lives under …/rest/… or …/admin/…
        return bool(cls.url_pattern.search(path) or _OGC_PROCESS.search(path)) and \
            "/rest/" not in path and "/admin/" not in path

    @staticmethod
    def matches_json(body: Mapping[str, Any]) -> bool:
        return "jobID" in body and str(body.get("status", "")).lower() in OGC_WORDS

    def parse(self, body: Mapping[str, Any], job_url: str) -> JobSnapshot:
        word = str(body.get("status") or "")
        text = str(body.get("message") or "")
        failed = st.normalize(word) == st.FAILED
        messages = (Message("error" if failed else "informative", text),) if text else ()
        results: dict[str, Any] = {}
        if st.normalize(word) == st.SUCCEEDED:
            link = next((link.get("href") for link in body.get("links") or []
                         if isinstance(link, Mapping) and link.get("rel") in (
                             OGC_RESULTS_REL, "results")), None)
            results = {"results": {"href": link or job_url.rstrip("/") + "/results"}}
        return self._snapshot(
            body, job_url, id_key="jobID", word=word, messages=messages,
            percent=_percent(body.get("progress")), progress_message=text, results=results,
            started_at=_iso_ms(body.get("started") or body.get("created")),
            ended_at=_iso_ms(body.get("finished")),
            title=str(body.get("processID") or ""),
        )

    def cancel(self, transport: Any, job_url: str) -> dict[str, Any]:
        return transport.delete_json(job_url)  # dismiss

    def submit(self, transport: Any, task_url: str,
               params: Mapping[str, Any]) -> tuple[str, JobSnapshot]:
        """``POST …/execution`` with ``{"inputs"}``, asking for an asynchronous job."""
        response = transport.request(
            "POST", f"{task_url}/execution", json={"inputs": json_param(dict(params))},
            headers={"Prefer": "respond-async", "Accept": "application/json"})
        location = response.headers.get("Location", "")
        try:
            body = response.json()
        except ValueError:
            body = response.text  # a process whose output is not JSON (e.g. text/plain)
        process = task_url.rstrip("/").rsplit("/", 1)[-1]
        if response.status_code == 201 or (isinstance(body, Mapping) and "jobID" in body and
                                           str(body.get("status")).lower() in OGC_WORDS):
            if not location:
                raise GPJobError("the server accepted the job but said not where it is "
                                 "(no Location header)")
            job_url = urljoin(task_url, location)
            return job_url, self.parse({"processID": process, **body}, job_url)
        # answered synchronously: the job is done and these are its outputs
        root = task_url.rstrip("/").rsplit("/processes/", 1)[0]
        job_url = urljoin(task_url, location) if location else f"{root}/jobs/{process}-sync"
        now = datetime.now(timezone.utc).isoformat()
        snapshot = self.parse({"jobID": job_url.rsplit("/", 1)[-1], "processID": process,
                               "status": "successful", "progress": 100, "created": now,
                               "finished": now}, job_url)
        return job_url, dataclasses.replace(snapshot, results=ogc_outputs(body))

    def outputs(self, snapshot: JobSnapshot, transport: Any) -> dict[str, Any]:
        ref = snapshot.results.get("results")
        if not isinstance(ref, Mapping) or "href" not in ref:
            return dict(snapshot.results)  # outputs given inline (a synchronous execution)
        return ogc_outputs(transport.get_json(ref["href"]))


def ogc_outputs(body: Any) -> dict[str, Any]:
    """An OGC results document → ``{name: {"dataType": "OGC", "value": …}}``.

    Named outputs (``{"points": {…}, "ticks": 8}``), a single ``{"id", "value"}``, the
    document form ``{"outputs": [{"id", "value"}]}``, or a bare value (named ``result``).
    """
    if isinstance(body, Mapping) and isinstance(body.get("outputs"), list):
        body = {str(o.get("id", f"output {i}")): o.get("value", o)
                for i, o in enumerate(body["outputs"]) if isinstance(o, Mapping)}
    elif isinstance(body, Mapping) and set(body) == {"id", "value"}:
        body = {str(body["id"]): body["value"]}
    elif not isinstance(body, Mapping) or body.get("type") == "FeatureCollection":
        body = {"result": body}
    return {str(k): {"dataType": "OGC", "value": v} for k, v in body.items()}


# Detection order matters: the most specific URL shapes first.
FLAVOURS: dict[str, type[Flavour]] = {"gp": GPFlavour, "admin": AdminFlavour,
                                       "ogc": OGCFlavour, "mission": MissionFlavour}
ALIASES = {"notebook": "mission", "gpserver": "gp", "gp-service": "gp", "enterprise-admin": "admin",
           "ogc-api-processes": "ogc", "processes": "ogc"}


def by_name(name: str) -> Flavour:
    """The flavour called *name* (``gp``, ``mission``/``notebook``, ``admin``, ``ogc``)."""
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FLAVOURS:
        raise ValueError(f"unknown flavour {name!r}; choose one of {', '.join(FLAVOURS)}")
    return FLAVOURS[key]()


def from_url(url: str) -> Flavour | None:
    """The flavour the URL's shape announces, or None when only the JSON can tell."""
    for cls in (GPFlavour, AdminFlavour, OGCFlavour):
        if cls.matches_url(url):
            return cls()
    return None


def from_json(body: Mapping[str, Any]) -> Flavour | None:
    """The flavour a job resource's JSON reveals (first response)."""
    for cls in (OGCFlavour, GPFlavour, AdminFlavour, MissionFlavour):
        if cls.matches_json(body):
            return cls()
    return None


def check_job_url(url: object) -> str:
    """Validate a job URL before anything starts; return it without ``f=``/``token=`` noise."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidJobURL(f"a job URL must be a non-empty string, not {type(url).__name__}")
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidJobURL(f"not an http(s) URL: {_safe(url)}")
    if _GP_TASK.search(parts.path) and not _GP_JOB.search(parts.path):
        raise InvalidJobURL(f"{_safe(url)} is a GP task, not a job: use "
                            "JobWidget.submit(task_url, params) to start a job")
    if not _ANY_JOB.search(parts.path):
        raise InvalidJobURL(f"not a job URL (expected …/jobs/<jobId>): {_safe(url)}")
    return url


def check_task_url(url: object) -> str:
    """Validate what ``submit`` takes: a GP task (``…/GPServer/<task>``) or an OGC process
    (``…/processes/<id>``); return it without a trailing ``/submitJob`` or ``/execution``."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidJobURL(f"a task URL must be a non-empty string, not {type(url).__name__}")
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidJobURL(f"not an http(s) URL: {_safe(url)}")
    if not _GP_TASK.search(parts.path) and not _OGC_PROCESS.search(parts.path):
        raise InvalidJobURL("not a GP task (…/GPServer/<task>) or an OGC process "
                            f"(…/processes/<id>): {_safe(url)}")
    path = re.sub(r"/(submitJob|execution)/?$", "", parts.path.rstrip("/"), flags=re.I)
    return parts._replace(path=path, query="", fragment="").geturl()


def for_task_url(task_url: str) -> Flavour:
    """The flavour that submits to *task_url* (checked by :func:`check_task_url`)."""
    return OGCFlavour() if _OGC_PROCESS.search(urlsplit(task_url).path) and \
        not _GP_TASK.search(urlsplit(task_url).path) else GPFlavour()


def _safe(url: str) -> str:
    """The URL without its query string, which may hold a token."""
    return urlsplit(url)._replace(query="", fragment="").geturl()
