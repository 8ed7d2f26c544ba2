"""Notebook / Mission-style job resources: ``status`` (no ``jobStatus``), string or Esri-typed
messages, custom attributes, products at top-level URLs.

They live wherever their server puts them: ``…/mission/rest/jobs/<id>``,
``…/notebooks/jobs/<id>``, product services such as ``…/api/job/jobs/<id>`` or USGS
LANDFIRE's ``…/api/job/status?JobId=<id>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..snapshot import JobSnapshot
from .base import (
    ANY_JOB,
    Flavour,
    epoch_ms,
    messages_of,
    percent_of,
    progress_of,
    query_job_id,
    queue_message,
    steps_percent,
)
from .gp import output_urls

# customAttributes keys that describe progress, not outputs
PROGRESS_KEYS = frozenset({"stepsCompleted", "totalSteps", "isCancelled", "messageCodes",
                           "openNotebookProgress"})
PERCENT_KEYS = ("progressInPercent", "percentComplete", "percent")
# top-level keys that hold a product's URL (LANDFIRE ``outputFile``, ``outputUrl``…)
OUTPUT_URL_KEYS = ("outputFile", "outputFiles", "outputUrl", "outputUrls", "outputURL",
                   "resultUrl")


class MissionFlavour(Flavour):
    """Notebook / Mission-style job resources (the fallback for any ``status`` document)."""

    name = "mission"

    @staticmethod
    def matches_json(body: Mapping[str, Any]) -> bool:
        return "status" in body and "jobStatus" not in body and "jobid" not in body

    def parse(self, body: Mapping[str, Any], job_url: str) -> JobSnapshot:
        messages = messages_of(body.get("messages"))
        custom = body.get("customAttributes")
        custom = custom if isinstance(custom, Mapping) else {}
        percent, progress_message = progress_of(body.get("progress"))
        if percent is None:  # Notebook Server: customAttributes.openNotebookProgress
            percent, progress_message = progress_of(custom.get("openNotebookProgress"))
        if percent is None:
            percent = steps_percent(custom)
        if percent is None:  # ArcGIS Hub downloads, Topographic Production jobs
            percent = next((percent_of(body[k]) for k in PERCENT_KEYS if k in body), None)
        outputs = {k: {"value": v} for k, v in custom.items() if k not in PROGRESS_KEYS}
        if isinstance(body.get("results"), Mapping):  # Notebook Server: plain output values
            outputs.update({k: {"value": v} for k, v in body["results"].items()})
        for key in OUTPUT_URL_KEYS:
            value = body.get(key)
            urls = [urljoin(job_url, u) for u in value] if isinstance(value, list) else \
                urljoin(job_url, value) if isinstance(value, str) and value else None
            outputs.update(output_urls(key, urls))
        return self._snapshot(
            body, job_url, id_key="jobId", word=str(body.get("status") or ""),
            messages=messages, percent=percent,
            progress_message=progress_message or queue_message(body),
            results=outputs,
            started_at=epoch_ms(body.get("startTime")),
            ended_at=epoch_ms(body.get("endTime")),
            title=str(body.get("type") or ""),
            inline_result=dict(custom) or None,
        )

    def cancel(self, transport: Any, job_url: str) -> dict[str, Any]:
        parts = urlsplit(job_url)
        if not ANY_JOB.search(parts.path) and query_job_id(job_url):
            # …/api/job/status?JobId=… is cancelled by GET …/api/job/cancel?JobId=… (LANDFIRE)
            path = parts.path.rstrip("/").rsplit("/", 1)[0] + "/cancel"
            return transport.get_json(parts._replace(path=path).geturl())
        return super().cancel(transport, job_url)
