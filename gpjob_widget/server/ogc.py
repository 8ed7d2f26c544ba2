"""OGC API – Processes on the loopback server (``<server>/ogc``), shaped as pygeoapi 0.24
answers (recorded in tests/ogc/recorded/): processes, async and sync execution, job status,
results, dismiss, and the ``{"code", "type", "description"}`` errors."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

from . import samples
from .http import Reply, ServerState, current_request
from .params import ogc_input
from .tasks import ServerJob, Task

ROOT = "/ogc"
RESULTS_REL = "http://www.opengis.net/def/rel/ogc/1.0/results"


def ogc_error(status: int, code: str, description: str) -> Reply:
    return Reply({"code": code, "type": code, "description": description}, status=status,
                  content_type="application/json")


def _iso(epoch_ms: float | None) -> str | None:
    if not epoch_ms:
        return None
    return datetime.fromtimestamp(epoch_ms / 1000, timezone.utc).isoformat().replace("+00:00",
                                                                                     "Z")


def _process(app: ServerState, process_id: str) -> Task | Reply:
    task = app.processes.get(process_id)
    return task if task is not None else ogc_error(404, "NoSuchProcess",
                                                   f"Process {process_id} not found")


def _job(app: ServerState, job_id: str) -> ServerJob | Reply:
    job = app.jobs.get(job_id)
    if job is None or job.flavour != "ogc":
        return ogc_error(404, "NoSuchJob", f"Job {job_id} not found")
    return job


def outputs(app: ServerState, task: Task) -> dict[str, Any]:
    """The process's outputs as its results document: ``{name: value}``."""
    return {name: samples.fill_base(samples.resolve(spec)[1], app.url)
            for name, spec in task.results.items()}


def job_json(app: ServerState, job: ServerJob) -> dict[str, Any]:
    phase, _ = job.phase()
    percent, _ = job.progress() if phase == "executing" else (None, "")
    messages = job.visible_messages()
    body: dict[str, Any] = {
        "type": "process", "processID": job.task_name, "jobID": job.job_id,
        "status": job.esri_status, "message": messages[-1].description if messages else "",
        "progress": 100 if phase == "succeeded" else int(percent or 0),
        "parameters": None, "created": _iso(job.created_ms), "started": _iso(job.created_ms),
        "finished": _iso(job.ended_ms()), "updated": _iso(job.ended_ms() or job.created_ms)}
    if phase in ("failed", "timed-out"):
        body["message"] = f"InvalidParameterValue: Error executing process: {job.task.error}"
    if phase == "succeeded":
        body["links"] = [{"href": f"{app.url}{ROOT}/jobs/{job.job_id}/results",
                          "rel": RESULTS_REL, "type": "application/json",
                          "title": f"Results of job {job.job_id}"}]
    return body


def route_processes(app: ServerState, m: re.Match[str], params: dict[str, str], method: str):
    return Reply({"processes": [_summary(app, pid) for pid in app.processes], "links": []})


def _summary(app: ServerState, process_id: str) -> dict[str, Any]:
    sync_only = app.processes[process_id].job_type == "sync-execute"
    return {"id": process_id, "title": process_id, "version": "1.0.0",
            "jobControlOptions": ["sync-execute"] if sync_only else
            ["sync-execute", "async-execute", "dismiss"],
            "links": [{"href": f"{app.url}{ROOT}/processes/{process_id}/execution",
                       "rel": "http://www.opengis.net/def/rel/ogc/1.0/execute"}]}


def route_process(app: ServerState, m: re.Match[str], params: dict[str, str], method: str):
    task = _process(app, m["id"])
    if isinstance(task, Reply):
        return task
    return Reply({**_summary(app, m["id"]),
                  "inputs": {name: ogc_input(name, spec) for name, spec in task.inputs.items()},
                  "outputs": {name: {"title": name, "schema": {}} for name in task.results}})


def route_execute(app: ServerState, m: re.Match[str], params: dict[str, str], method: str):
    task = _process(app, m["id"])
    if isinstance(task, Reply):
        return task
    request = current_request()
    try:
        inputs = json.loads(request.body or "{}").get("inputs")
    except (ValueError, AttributeError):
        return ogc_error(400, "InvalidParameterValue", "Invalid request body: not JSON")
    if not isinstance(inputs, dict):
        return ogc_error(400, "MissingParameterValue", "No inputs given")
    job = ServerJob(task, "ogc", m["id"], {k: json.dumps(v) for k, v in inputs.items()}, "")
    job.url = f"{app.url}{ROOT}/jobs/{job.job_id}"
    app.job_added(job)
    asked = request.headers.get("prefer", "").strip() == "respond-async"  # exactly, as pygeoapi
    if asked and task.job_type != "sync-execute":  # a process may offer synchronous runs only
        return Reply({"jobID": job.job_id, "type": "process", "status": "accepted"},
                     status=201, content_type="application/json",
                     headers={"Location": job.url, "Preference-Applied": "respond-async"})
    if task.outcome != "succeeded":  # synchronously: it runs to its end before the answer
        return ogc_error(400, "InvalidParameterValue",
                         f"Error executing process: {task.error}")
    return Reply(outputs(app, task), content_type="application/json",
                 headers={"Location": job.url, "Preference-Applied": "wait"})


def route_job(app: ServerState, m: re.Match[str], params: dict[str, str], method: str):
    job = _job(app, m["id"])
    if isinstance(job, Reply):
        return job
    if method == "DELETE":  # dismiss: pygeoapi answers JSON labelled text/html, then forgets it
        if job.phase()[0] not in ("succeeded", "failed", "timed-out", "cancelled"):
            job.cancel()
        del app.jobs[job.job_id]
        return Reply({"jobID": job.job_id, "status": "dismissed", "message": "Job dismissed",
                      "progress": 100}, content_type="text/html; charset=utf-8")
    return Reply(job_json(app, job), content_type="application/json")


def route_results(app: ServerState, m: re.Match[str], params: dict[str, str], method: str):
    job = _job(app, m["id"])
    if isinstance(job, Reply):
        return job
    phase, _ = job.phase()
    if phase in ("failed", "timed-out"):
        return ogc_error(400, "InvalidParameterValue", "job failed")
    if phase != "succeeded":
        return ogc_error(404, "ResultNotReady", "job still running")
    return Reply(outputs(app, job.task), content_type="application/json")


ROUTES: list[tuple[str, Any]] = [
    (rf"^{ROOT}/processes/?$", route_processes),
    (rf"^{ROOT}/processes/(?P<id>[^/]+)/?$", route_process),
    (rf"^{ROOT}/processes/(?P<id>[^/]+)/execution/?$", route_execute),
    (rf"^{ROOT}/jobs/(?P<id>[^/]+)/?$", route_job),
    (rf"^{ROOT}/jobs/(?P<id>[^/]+)/results/?$", route_results),
]
