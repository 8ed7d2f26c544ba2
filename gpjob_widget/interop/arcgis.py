"""Esri's ``arcgis`` package (ArcGIS API for Python 2.4): its job objects and its sign-in.

Duck-typed on the objects' own attributes, so ``arcgis`` is never imported here (nor by
``import gpjob_widget``). What each object holds (measured on arcgis 2.4.4):

==================================  =====================================  ==========
object                              job URL                                flavour
==================================  =====================================  ==========
``GPJob`` (``tool(future=True)``)   ``_url`` (the task) + ``/jobs/`` +     gp
                                    ``_jobid``; credentials: ``session``
``RAJob`` / ``OMJob`` / ``RMJob``   their ``_gpjob``                       gp
``NotebookJob`` / async ``Job``     ``_url`` (the job); ``_gis``           mission
``AsyncJob`` (server admin)         ``url``; ``session``                   admin
``MissionJob``                      ``_url``; ``_gis``                     mission
==================================  =====================================  ==========
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_WRAPPED = ("_gpjob", "gpjob", "_job", "job")  # wrappers (RAJob…) and futures that carry a job


def is_arcgis(obj: Any) -> bool:
    """An object of Esri's ``arcgis`` package (by its class's module, without importing it)."""
    return any(cls.__module__.split(".")[0] == "arcgis" for cls in type(obj).__mro__)


def unwrap(obj: Any) -> Any:
    """The job itself: a GPJob from a RAJob/OMJob/RMJob wrapper or a Future that carries one."""
    for _ in range(3):
        inner = next((getattr(obj, a) for a in _WRAPPED
                      if getattr(obj, a, None) is not None and getattr(obj, a) is not obj), None)
        if inner is None:
            break
        obj = inner
    return obj


def job_url_and_flavour(obj: Any) -> tuple[str, str] | None:
    """``(job URL, flavour)`` of an ``arcgis`` job object, or None if it is not one."""
    job = unwrap(obj)
    url = getattr(job, "_url", None) or ""
    job_id = getattr(job, "_jobid", None)
    if job_id and "/GPServer/" in url and "/jobs/" not in url:
        return f"{url.rstrip('/')}/jobs/{job_id}", "gp"          # GPJob: _url is the task
    if getattr(job, "_task_name", None) is not None and url:
        return url, "mission"                                       # NotebookJob, async Job
    admin_url = getattr(job, "url", None)
    if isinstance(admin_url, str) and "/admin/" in admin_url:
        return admin_url, "admin"                                    # server admin AsyncJob
    if url and "/jobs/" in url:
        return url, "mission"                                        # MissionJob
    return None


def _session_of(obj: Any) -> Any:
    job = unwrap(obj)
    gis = getattr(job, "_gis", None)
    return getattr(job, "session", None) or getattr(gis, "session", None)


def token_provider(source: Any) -> Callable[[], str | None] | None:
    """A function giving the *current* token of an ``arcgis`` GIS, EsriSession, auth object or
    job (asked on every request, never cached, so refreshing sign-ins keep working)."""
    job = unwrap(source)
    gis = getattr(job, "_gis", None) if not hasattr(job, "_con") else job
    session = job if hasattr(job, "auth") and not hasattr(job, "_con") else _session_of(job)
    auth = getattr(session, "auth", None) if session is not None else None
    if auth is None and hasattr(job, "token") and not hasattr(job, "_con"):
        auth = job  # an auth object itself (EsriUserTokenAuth, EsriAPIKeyAuth…)
    if gis is None and auth is None:
        return None

    def current() -> str | None:
        con = getattr(gis, "_con", None)
        if con is not None:
            token = con.token  # refreshes built-in / generated tokens; knows every auth kind
            if token:
                return token
        token = getattr(auth, "token", None)
        if callable(token):  # EsriGenTokenAuth.token(): None once right after expiry
            token = token() or token()
        return token if isinstance(token, str) and token else None

    return current
