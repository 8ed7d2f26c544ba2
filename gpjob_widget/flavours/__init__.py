"""One small module per kind of job resource (JSON → :class:`JobSnapshot`), and the registry.

Detection lets the server's answer decide: the first flavour of :data:`REGISTRY` whose
``matches_json`` claims the job's JSON wins; the URL's shape is asked only when no flavour
claims it (and gives the first request its auth header). Adding a protocol is one new module
and one line in :data:`REGISTRY`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ..errors import InvalidJobURL
from .admin import AdminFlavour
from .base import ANY_JOB, Flavour, message_from, query_job_id
from .encoding import encode_param, json_param
from .gp import GP_JOB, GP_TASK, GPFlavour
from .mission import MissionFlavour
from .ogc import OGC_PROCESS, OGC_WORDS, OGCFlavour, ogc_outputs

__all__ = [
    "OGC_WORDS",
    "REGISTRY",
    "AdminFlavour",
    "Flavour",
    "GPFlavour",
    "MissionFlavour",
    "OGCFlavour",
    "by_name",
    "check_job_url",
    "check_task_url",
    "detect",
    "encode_param",
    "for_task_url",
    "from_json",
    "from_url",
    "json_param",
    "message_from",
    "ogc_outputs",
]

# The order in which flavours claim an answer: the most specific shapes first. Mission is
# last: any other document with a ``status`` is a Mission-style job resource.
REGISTRY: tuple[type[Flavour], ...] = (GPFlavour, AdminFlavour, OGCFlavour, MissionFlavour)
FLAVOURS: dict[str, type[Flavour]] = {cls.name: cls for cls in REGISTRY}
ALIASES = {"notebook": "mission", "gpserver": "gp", "gp-service": "gp", "enterprise-admin": "admin",
           "ogc-api-processes": "ogc", "processes": "ogc"}


def by_name(name: str) -> Flavour:
    """The flavour called *name* (``gp``, ``mission``/``notebook``, ``admin``, ``ogc``)."""
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FLAVOURS:
        raise ValueError(f"unknown flavour {name!r}; choose one of {', '.join(FLAVOURS)}")
    return FLAVOURS[key]()


def from_json(body: Mapping[str, Any]) -> Flavour | None:
    """The flavour a job resource's answer reveals, or None when it is silent."""
    for cls in REGISTRY:
        if cls.matches_json(body):
            return cls()
    return None


def from_url(url: str) -> Flavour | None:
    """The flavour the URL's shape suggests, or None: a hint, until the answer tells."""
    for cls in REGISTRY:
        if cls.matches_url(url):
            return cls()
    return None


def detect(body: Mapping[str, Any], url: str) -> Flavour:
    """The answer's shape first, then the URL's, then Mission-style (the most lenient)."""
    return from_json(body) or from_url(url) or MissionFlavour()


def check_job_url(url: object) -> str:
    """Validate a job URL before anything starts; return it stripped of blanks."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidJobURL(f"a job URL must be a non-empty string, not {type(url).__name__}")
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidJobURL(f"not an http(s) URL: {safe_url(url)}")
    if GP_TASK.search(parts.path) and not GP_JOB.search(parts.path):
        raise InvalidJobURL(f"{safe_url(url)} is a GP task, not a job: use "
                            "JobWidget.submit(task_url, params) to start a job")
    if not ANY_JOB.search(parts.path) and not query_job_id(url):
        raise InvalidJobURL(f"not a job URL (expected …/jobs/<jobId>): {safe_url(url)}")
    return url


def check_task_url(url: object) -> str:
    """Validate what ``submit`` takes: a GP task (``…/GPServer/<task>``) or an OGC process
    (``…/processes/<id>``); return it without a trailing ``/submitJob`` or ``/execution``."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidJobURL(f"a task URL must be a non-empty string, not {type(url).__name__}")
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidJobURL(f"not an http(s) URL: {safe_url(url)}")
    if not GP_TASK.search(parts.path) and not OGC_PROCESS.search(parts.path):
        raise InvalidJobURL("not a GP task (…/GPServer/<task>) or an OGC process "
                            f"(…/processes/<id>): {safe_url(url)}")
    path = re.sub(r"/(submitJob|execution)/?$", "", parts.path.rstrip("/"), flags=re.I)
    return parts._replace(path=path, query="", fragment="").geturl()


def for_task_url(task_url: str) -> Flavour:
    """The flavour that submits to *task_url* (checked by :func:`check_task_url`)."""
    path = urlsplit(task_url).path
    return OGCFlavour() if OGC_PROCESS.search(path) and not GP_TASK.search(path) else GPFlavour()


def safe_url(url: str) -> str:
    """The URL without its query string, which may hold a token."""
    return urlsplit(url)._replace(query="", fragment="").geturl()
