"""OGC API – Processes jobs (pygeoapi, ZOO-Project, GeoServer, Weaver, 52°North…):
``<root>/jobs/<jobID>``.

One ``message`` at a time (it becomes the log as it changes), ``progress`` 0–100, ISO times;
results fetched whole from ``…/results``; cancel = ``DELETE`` (dismiss), after which the job is
gone; tokens as ``Authorization: Bearer``. Servers differ in how they answer a submit (a
status document with ``jobID`` or ``id``, or ``null`` and only a ``Location``) and give links
relative to the document they came in (RFC 8288).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

from .. import status as st
from ..errors import GPJobError
from ..snapshot import JobSnapshot, Message
from .base import ANY_JOB, Flavour, has_esri_messages, percent_of
from .encoding import json_param

OGC_WORDS = frozenset({"accepted", "running", "successful", "failed", "dismissed"})
OGC_PROCESS = re.compile(r"/processes/(?P<id>[^/]+?)(?:/execution)?/?$", re.I)
RESULTS_RELS = ("http://www.opengis.net/def/rel/ogc/1.0/results", "results")
_ESRI_ID_KEYS = ("jobStatus", "jobid", "jobId")


def iso_ms(value: object) -> float | None:
    """ISO 8601 (``2026-11-28T13:28:08.373724Z``) → epoch ms."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000
    except ValueError:
        return None


def results_link(body: Mapping[str, Any], base: str) -> str | None:
    """The results link of a status document, resolved against *base* (its own URL)."""
    for link in body.get("links") or []:
        if isinstance(link, Mapping) and link.get("rel") in RESULTS_RELS and link.get("href"):
            return urljoin(base, str(link["href"]))
    return None


class OGCFlavour(Flavour):
    """OGC API – Processes jobs; see the module docstring."""

    name = "ogc"
    gone_once_cancelled = True
    auth_header = "Authorization"

    @classmethod
    def matches_url(cls, url: str) -> bool:
        path = urlsplit(url).path
        # a hint only: every ArcGIS REST / admin job lives under …/rest/… or …/admin/…
        return bool(ANY_JOB.search(path) or OGC_PROCESS.search(path)) and \
            "/rest/" not in path and "/admin/" not in path

    @staticmethod
    def matches_json(body: Mapping[str, Any]) -> bool:
        """``jobID``, ``type: process``, or an OGC status word (lower case) in a document that
        has none of Esri's spellings (``jobId``, ``jobStatus``, typed Esri messages)."""
        if any(key in body for key in _ESRI_ID_KEYS) or has_esri_messages(body):
            return False
        return "jobID" in body or body.get("type") == "process" or \
            body.get("status") in OGC_WORDS

    def parse(self, body: Mapping[str, Any], job_url: str) -> JobSnapshot:
        word = str(body.get("status") or "")
        text = str(body.get("message") or "")
        status = st.normalize(word)
        messages = (Message("error" if status == st.FAILED else "informative", text),) \
            if text else ()
        results: dict[str, Any] = {}
        if status == st.SUCCEEDED:
            href = results_link(body, job_url) or job_url.rstrip("/") + "/results"
            results = {"results": {"href": href}}
        return self._snapshot(
            body, job_url, id_key="jobID" if "jobID" in body else "id", word=word,
            messages=messages, percent=percent_of(body.get("progress")),
            progress_message=text, results=results,
            started_at=iso_ms(body.get("started") or body.get("created")),
            ended_at=iso_ms(body.get("finished")),
            title=str(body.get("processID") or ""),
        )

    def cancel(self, transport: Any, job_url: str) -> dict[str, Any]:
        return transport.delete_json(job_url)  # dismiss

    def submit(self, transport: Any, task_url: str,
               params: Mapping[str, Any]) -> tuple[str, JobSnapshot]:
        """``POST …/execution`` with ``{"inputs"}``, asking for an asynchronous job.

        Accepted as a job: a ``201`` (whatever its body: a status document with ``jobID`` or
        ``id``, or ``null`` with the job only in ``Location``) or a status document. Anything
        else is a synchronous answer: the job is done and the body holds its outputs.
        """
        execution = f"{task_url}/execution"
        response = transport.request(
            "POST", execution, json={"inputs": json_param(dict(params))},
            headers={"Prefer": "respond-async", "Accept": "application/json"})
        location = response.headers.get("Location", "")
        try:
            body = response.json()
        except ValueError:
            body = response.text  # a process whose output is not JSON (e.g. text/plain)
        process = task_url.rstrip("/").rsplit("/", 1)[-1]
        status_document = isinstance(body, Mapping) and self.matches_json(body) and \
            ("jobID" in body or "id" in body)
        if response.status_code == 201 or status_document:
            job_url = self._job_url(task_url, execution, location, body)
            document = dict(body) if isinstance(body, Mapping) else {}
            document.setdefault("status", "accepted")
            return job_url, self.parse({"processID": process, **document}, job_url)
        # answered synchronously: the job is done and these are its outputs
        root = task_url.rstrip("/").rsplit("/processes/", 1)[0]
        job_url = urljoin(execution, location) if location else f"{root}/jobs/{process}-sync"
        now = datetime.now(timezone.utc).isoformat()
        snapshot = self.parse({"jobID": job_url.rsplit("/", 1)[-1], "processID": process,
                               "status": "successful", "progress": 100, "created": now,
                               "finished": now}, job_url)
        return job_url, dataclasses.replace(snapshot, results=ogc_outputs(body))

    @staticmethod
    def _job_url(task_url: str, execution: str, location: str, body: object) -> str:
        """Where an accepted job lives: its ``Location`` (resolved against the request URL),
        else ``<root>/jobs/<jobID | id>``."""
        if location:
            return urljoin(execution, location)
        job_id = body.get("jobID") or body.get("id") if isinstance(body, Mapping) else None
        if not job_id:
            raise GPJobError("the server accepted the job but said not where it is "
                             "(no Location header, no job id in its answer)")
        root = task_url.rstrip("/").rsplit("/processes/", 1)[0]
        return f"{root}/jobs/{job_id}"

    def outputs(self, snapshot: JobSnapshot, transport: Any) -> dict[str, Any]:
        ref = snapshot.results.get("results")
        if not isinstance(ref, Mapping) or "href" not in ref:
            return dict(snapshot.results)  # outputs given inline (a synchronous execution)
        return ogc_outputs(transport.get_json(ref["href"]), base=ref["href"])


def ogc_outputs(body: Any, base: str = "") -> dict[str, Any]:
    """An OGC results document → ``{name: {"dataType": "OGC", "value": …}}``.

    Named outputs (``{"points": {…}, "ticks": 8}``), a single ``{"id", "value"}``, the
    document form ``{"outputs": [{"id", "value"}]}`` or ``{"outputs": {id: …}}``, or a bare
    value (named ``result``). Relative ``href``s are resolved against *base* (the results URL).
    """
    if isinstance(body, Mapping) and isinstance(body.get("outputs"), list):
        body = {str(o.get("id", f"output {i}")): o.get("value", o)
                for i, o in enumerate(body["outputs"]) if isinstance(o, Mapping)}
    elif isinstance(body, Mapping) and isinstance(body.get("outputs"), Mapping) and \
            len(body) == 1:
        body = dict(body["outputs"])
    elif isinstance(body, Mapping) and set(body) == {"id", "value"}:
        body = {str(body["id"]): body["value"]}
    elif not isinstance(body, Mapping) or body.get("type") == "FeatureCollection":
        body = {"result": body}
    return {str(k): {"dataType": "OGC", "value": _absolute(v, base)} for k, v in body.items()}


def _absolute(value: Any, base: str) -> Any:
    """A relative ``href`` (also inside a qualified ``{"value": …}``) made absolute
    (``"./e7d4…"`` → its URL next to the results document)."""
    if not base or not isinstance(value, Mapping):
        return value
    if isinstance(value.get("href"), str):
        return {**value, "href": urljoin(base, value["href"])}
    if isinstance(value.get("value"), Mapping):
        return {**value, "value": _absolute(value["value"], base)}
    return value
