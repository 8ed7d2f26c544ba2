"""Enterprise / ArcGIS Server admin jobs: ``<root>/admin/jobs/<id>``,
``<server>/admin/system/jobs/<id>``, ``<server>/admin/services/…/jobs/<id>``."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .. import status as st
from ..snapshot import JobSnapshot, Message
from .base import Flavour, epoch_ms, messages_of, steps_percent

ADMIN_JOB = re.compile(r"/admin/(?:system/|services/(?:[^/]+/)*)?jobs/(?P<id>[^/]+)/?$", re.I)
_WORD_KEYS = ("message", "messages", "description", "reason")


def deepest_reasons(operation: Mapping[str, Any]) -> list[str]:
    """The most specific words of a failed admin operation, with the machine they came from.

    Esri nests the actionable reason: ``{"messages": ["service failed to start"], "detail":
    {"machines": [{"machine": "M1", "reports": [{"message": "Cannot open file …"}]}]}}``.
    Every message at the deepest level that has any is kept.
    """
    found: list[tuple[int, str, str]] = []

    def walk(node: object, depth: int, machine: str) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, depth + 1, machine)
        elif isinstance(node, Mapping):
            machine = str(node.get("machine") or node.get("machineName") or machine)
            for key, value in node.items():
                if key in _WORD_KEYS:
                    texts = value if isinstance(value, list) else [value]
                    found.extend((depth, machine, t.strip()) for t in texts
                                 if isinstance(t, str) and t.strip())
                elif isinstance(value, Mapping | list):
                    walk(value, depth + 1, machine)

    walk(operation, 0, "")
    if not found:
        return []
    deepest = max(depth for depth, _, _ in found)
    return [f"{text} (machine {machine})" if machine else text
            for depth, machine, text in found if depth == deepest]


class AdminFlavour(Flavour):
    """Admin jobs: lower-case keys, ``endtime`` 0 while running, steps (``currentstep`` /
    ``totalsteps``, ``stepInfo``), and the operation's own outcome (``operationResponse``)."""

    name = "admin"
    url_pattern = ADMIN_JOB

    @classmethod
    def matches_url(cls, url: str) -> bool:
        return bool(ADMIN_JOB.search(urlsplit(url).path))

    @staticmethod
    def matches_json(body: Mapping[str, Any]) -> bool:
        return "jobid" in body or "operationURI" in body

    def parse(self, body: Mapping[str, Any], job_url: str) -> JobSnapshot:
        result = body.get("result")
        messages = messages_of(body.get("messages")) + messages_of(body.get("stepInfo"))
        operation = body.get("operationResponse")
        failed_operation = isinstance(operation, Mapping) and \
            str(operation.get("status", "")).lower() in ("error", "failed")
        if failed_operation:
            summary = "; ".join(str(m) for m in operation.get("messages") or []) or \
                "the operation failed"
            reasons = [r for r in deepest_reasons(operation) if r != summary]
            messages += tuple(Message("error", f"{summary}: {r}") for r in reasons) or \
                (Message("error", summary),)
        elif isinstance(operation, Mapping) and result is None:
            result = dict(operation)
        snapshot = self._snapshot(
            body, job_url, id_key="jobid", word=str(body.get("status") or ""),
            messages=messages, percent=steps_percent(body, "currentstep", "totalsteps"),
            results={"result": {"value": result}} if result is not None else {},
            started_at=epoch_ms(body.get("starttime")),
            ended_at=epoch_ms(body.get("endtime")),
            title=admin_title(str(body.get("operationURI") or "")),
            inline_result=result,
        )
        if failed_operation and snapshot.status == st.SUCCEEDED:
            # "COMPLETED", but the operation itself failed: a failure to show, in its words
            snapshot = dataclasses.replace(snapshot, status=st.FAILED, results={})
        return snapshot


def admin_title(operation_uri: str) -> str:
    """``/ctx/admin/services/Fire.MapServer/edit`` → ``edit Fire.MapServer``."""
    parts = [p for p in operation_uri.split("/") if p]
    if "admin" in parts:
        parts = parts[parts.index("admin") + 1:]
    if len(parts) >= 2:
        return f"{parts[-1]} {parts[-2]}"
    return parts[-1] if parts else "admin job"
