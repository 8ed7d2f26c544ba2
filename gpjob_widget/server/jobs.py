"""Mission-style, Notebook Server and Enterprise admin job routes of the loopback server."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

from . import samples
from .gp import cancel_job, job_messages, job_or_error, job_times, route_cancel
from .http import Reply, ServerState, admin_error
from .tasks import ServerJob, Task

JOB_ROOTS = {"mission": "/mission/rest/jobs", "notebook": "/notebooks/rest/jobs",
             "admin": "/arcgis/admin/jobs", "system": "/arcgis/admin/system/jobs"}



def mission_job_json(job: ServerJob) -> dict[str, Any]:
    done, total = job.steps_done()
    phase, _ = job.phase()
    body: dict[str, Any] = {
        "jobId": job.job_id, "messages": job_messages(job, typed=False),
        **job_times(job, "startTime", "endTime"), "type": job.task_name,
        "status": job.esri_status, "username": "loopback",
        "customAttributes": {"stepsCompleted": done, "totalSteps": total,
                             "isCancelled": phase in ("cancelling", "cancelled"),
                             "messageCodes": [1500 + i for i in range(done)]},
    }
    if phase == "succeeded":
        body["customAttributes"]["missionId"] = job.job_id[1:13]
    if job.flavour == "notebook-server":  # percent in openNotebookProgress, plain outputs
        del body["customAttributes"]["stepsCompleted"]
        if phase == "executing":
            percent, message = job.progress()
            body["customAttributes"]["openNotebookProgress"] = {"message": message,
                                                                "percent": percent}
        if phase == "succeeded":
            body["results"] = {name: samples.resolve(spec)[1]
                               for name, spec in job.task.results.items()}
    return body


def admin_job_json(job: ServerJob) -> dict[str, Any]:
    phase, _ = job.phase()
    body: dict[str, Any] = {"updatedtime": int(time.time() * 1000), "jobid": job.job_id,
                            **job_times(job, "starttime", "endtime"),
                            "operationURI": job.task.operation, "status": job.esri_status,
                            "username": "serviceAdmin"}
    if phase == "succeeded":
        body["result"] = {"serviceName": "Fire", "type": "MapServer", "status": "success"}
    if phase in ("failed", "timed-out"):
        body["messages"] = [job.task.error]
    return body


def system_job_json(job: ServerJob) -> dict[str, Any]:
    """ArcGIS Server ``/admin/system/jobs/<id>``: steps, step texts, the operation's outcome
    (a failed operation is still ``COMPLETED``: the outcome is in ``operationResponse``)."""
    phase, _ = job.phase()
    done, total = job.steps_done()
    body: dict[str, Any] = {"jobid": job.job_id, "status": job.esri_status,
                            "totalsteps": total, "currentstep": done,
                            "stepInfo": [m.description for m in job.messages[:done]],
                            "operationURI": job.task.operation}
    if phase == "succeeded":
        body["operationResponse"] = {"status": "success", "messages": []}
    elif phase in ("failed", "timed-out"):
        operation: dict[str, Any] = {"status": "error", "messages": [job.task.error]}
        if job.task.machine_reports:  # where Esri puts the actionable reason
            operation["detail"] = {"state": "FAILED", "message": "", "machines": [
                {"machine": machine, "state": "FAILED",
                 "reports": [{"state": "FAILED", "message": text}]}
                for machine, text in job.task.machine_reports.items()]}
        body.update(status="COMPLETED", currentstep=total, operationResponse=operation)
    return body


def route_admin_cancel(app, m, params, method):
    if method != "POST":
        return admin_error(405, ["The cancel operation only supports POST."])
    return cancel_job(app, m["id"], admin=True)


def route_other_job(flavour: str) -> Any:
    def route(app, m, params, method):
        admin = flavour in ("admin", "system")
        job = job_or_error(app, m["id"], admin)
        if isinstance(job, Reply):
            return job
        render = {"admin": admin_job_json, "system": system_job_json}.get(flavour,
                                                                          mission_job_json)
        return Reply(render(job))
    return route


def route_admin_operation(app: ServerState, m: re.Match[str], params: dict[str, str], method):
    if params.get("async", "").lower() != "true":
        return Reply({"status": "success"})
    task = Task(duration=float(params.get("duration", 3)), operation=urlsplit(m.string).path)
    job = ServerJob(task, "admin", m["op"], {}, "")
    job.url = f"{app.url}{JOB_ROOTS['admin']}/{job.job_id}"
    app.jobs[job.job_id] = job
    return Reply({"status": "success", "jobid": job.job_id, "jobsUrl": job.url})


ROUTES = [
    (r"^/mission/rest/jobs/(?P<id>[^/]+)/?$", route_other_job("mission")),
    (r"^/mission/rest/jobs/(?P<id>[^/]+)/cancel/?$", route_cancel),
    (r"^/notebooks/rest/jobs/(?P<id>[^/]+)/?$", route_other_job("notebook")),
    (r"^/notebooks/rest/jobs/(?P<id>[^/]+)/cancel/?$", route_cancel),
    (r"^/arcgis/admin/jobs/(?P<id>[^/]+)/?$", route_other_job("admin")),
    (r"^/arcgis/admin/jobs/(?P<id>[^/]+)/cancel/?$", route_admin_cancel),
    (r"^/arcgis/admin/system/jobs/(?P<id>[^/]+)/?$", route_other_job("system")),
    (r"^/arcgis/admin/system/jobs/(?P<id>[^/]+)/cancel/?$", route_admin_cancel),
    (r"^/arcgis/admin/services/(?P<name>[^/]+)/(?P<op>[^/]+)/?$", route_admin_operation),
]
