"""GP service jobs (``…/GPServer/<task>/jobs/<id>``), incl. Spatial Analysis, raster analysis,
notebook web tools and export jobs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import GPJobError
from ..snapshot import JobSnapshot
from .base import (
    Flavour,
    epoch_ms,
    message_from,
    messages_of,
    progress_of,
    queue_message,
    steps_percent,
)
from .encoding import encode_param

GP_JOB = re.compile(r"/GPServer/(?P<task>[^/]+)/jobs/(?P<id>[^/]+)/?$", re.I)
GP_TASK = re.compile(r"/GPServer/(?P<task>[^/]+?)(?:/submitJob)?/?$", re.I)


def output_urls(name: str, urls: object) -> dict[str, Any]:
    """Product URLs given outside ``results`` (``output.outputUrl``, ``outputFile``…) as file
    results: ``{name: {"dataType", "value"}}``, or {} when there is none."""
    if isinstance(urls, str) and urls:
        return {name: {"dataType": "GPDataFile", "value": {"url": urls}}}
    if isinstance(urls, list) and urls and all(isinstance(u, str) and u for u in urls):
        return {name: {"dataType": "GPMultiValue:GPDataFile", "value": [{"url": u} for u in urls]}}
    return {}


class GPFlavour(Flavour):
    """GP service jobs: ``jobStatus``, typed messages, ``progress``, ``results`` paramUrls."""

    name = "gp"
    url_pattern = GP_JOB

    @classmethod
    def matches_url(cls, url: str) -> bool:
        return bool(GP_JOB.search(urlsplit(url).path))

    @staticmethod
    def matches_json(body: Mapping[str, Any]) -> bool:
        return "jobStatus" in body

    @staticmethod
    def title_from_url(url: str) -> str:
        match = GP_JOB.search(urlsplit(url).path)
        return unquote(match.group("task")) if match else ""

    def submit(self, transport: Any, task_url: str,
               params: Mapping[str, Any]) -> tuple[str, JobSnapshot]:
        fields = {k: encode_param(v) for k, v in params.items()}
        body = transport.post_json(f"{task_url}/submitJob", fields)
        job_id = body.get("jobId")
        if not job_id:
            raise GPJobError(f"submitJob answered without a jobId: {sorted(body)}")
        job_url = f"{task_url}/jobs/{job_id}"
        return job_url, self.parse(body, job_url)

    def parse(self, body: Mapping[str, Any], job_url: str) -> JobSnapshot:
        messages = messages_of(body.get("messages"))
        if not messages and isinstance(body.get("message"), str) and body["message"]:
            messages = (message_from(body["message"]),)  # {"message": "…"} (export jobs)
        percent, progress_message = progress_of(body.get("progress"))
        custom = body.get("customAttributes")
        if percent is None and isinstance(custom, Mapping):
            percent = steps_percent(custom)
        results = dict(body.get("results") or {})
        output = body.get("output")
        if isinstance(output, Mapping):  # exportTiles products
            results.update(output_urls("output", output.get("outputUrl")))
        return self._snapshot(
            body, job_url, id_key="jobId", word=str(body.get("jobStatus") or ""),
            messages=messages, percent=percent,
            progress_message=progress_message or queue_message(body),
            results=results,
            inputs=dict(body.get("inputs") or {}),
            started_at=epoch_ms(body.get("startTime")),  # notebook web tools report times
            ended_at=epoch_ms(body.get("endTime")),
            title=str(body.get("type") or "") or self.title_from_url(job_url),
        )
