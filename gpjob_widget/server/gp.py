"""GP service routes of the loopback server (and the job helpers every ArcGIS flavour shares):
service and task JSON, submitJob, the job resource, cancel, results and inputs, the result map
service, and job files."""

from __future__ import annotations

import re
from typing import Any

from . import samples
from .http import Reply, ServerState, admin_error, error, tiny_png
from .params import as_param, gp_parameter, received
from .tasks import WORDS, ServerJob, Task

SERVICES = "/arcgis/rest/services"
_SVC = rf"^{SERVICES}/(?P<svc>.+?)"


MESSAGE_TYPE = {"informative": "esriJobMessageTypeInformative",
                "warning": "esriJobMessageTypeWarning", "error": "esriJobMessageTypeError",
                "empty": "esriJobMessageTypeEmpty", "abort": "esriJobMessageTypeAbort"}


def job_or_error(app: ServerState, job_id: str, admin: bool = False) -> ServerJob | Reply:
    job = app.jobs.get(job_id)
    if job is None:
        if admin:
            return admin_error(404, [f"Job '{job_id}' not found."])
        return error(400, "Job not found", ["Invalid job id"])
    return job


def job_messages(job: ServerJob, typed: bool) -> list[Any]:
    msgs = job.visible_messages()
    if typed:
        return [{"type": MESSAGE_TYPE.get(m.type, MESSAGE_TYPE["informative"]),
                 "description": m.description} for m in msgs]
    return [m.description for m in msgs]


def gp_job_json(job: ServerJob) -> dict[str, Any]:
    phase, _ = job.phase()
    body: dict[str, Any] = {"jobId": job.job_id, "jobStatus": job.word(phase)}
    if phase == "executing":
        percent, message = job.progress()
        body["progress"] = ({"type": "step", "message": message, "percent": percent}
                            if percent is not None else {"type": "default", "message": message})
    body["results"] = ({name: {"paramUrl": f"results/{name}"} for name in job.task.results}
                       if phase == "succeeded" else {})
    if phase == "submitted" and job.task.queue_position is not None:
        body["queuePosition"] = job.task.queue_position  # services in front of GP queues
    if job.task.export_files:  # exportTiles: the products are in output.outputUrl
        base = job.url.split(SERVICES)[0]
        body.update(type="EXPORTTILES", output={"itemId": None, "outputUrl": [
            f"{base}{samples.FILE_ROOT}/{name}" for name in job.task.export_files]
            if phase == "succeeded" else []})
    body["inputs"] = {name: {"paramUrl": f"inputs/{name}"} for name in job.params}
    body["messages"] = job_messages(job, typed=True)
    if job.flavour == "notebook":  # notebook web tools add these to the GP fields
        body.update(job_times(job, "startTime", "endTime"), type="notebookWebTool",
                    status=samples_word(job, "notebook"), username="loopback",
                    customAttributes={})
    return body


def samples_word(job: ServerJob, table: str) -> str:
    return WORDS[table][job.phase()[0]]


def job_times(job: ServerJob, start_key: str, end_key: str) -> dict[str, Any]:
    return {start_key: int(job.created_ms), end_key: int(job.ended_ms() or 0)}


def route_gp_service(app: ServerState, m: re.Match[str], params: dict[str, str], method: str):
    tasks = [name for name, (svc, _) in app.tasks.items() if svc == m["svc"]]
    # "" unless the service really has a result map service (clients build a layer from it)
    map_service = m["svc"].split("/")[-1] if m["svc"] in app.result_map_services else ""
    return Reply({"currentVersion": 11.3, "serviceDescription": "", "tasks": tasks,
                  "executionType": "esriExecutionTypeAsynchronous",
                  "resultMapServerName": map_service, "maximumRecords": 1000})


def _task(app: ServerState, m: re.Match[str]) -> Task | Reply:
    entry = app.tasks.get(m["task"])
    if entry is None or entry[0] != m["svc"]:
        return error(400, "Unable to complete operation.", [f"Task '{m['task']}' not found."])
    return entry[1]


def route_gp_task(app: ServerState, m: re.Match[str], params: dict[str, str], method: str):
    task = _task(app, m)
    if isinstance(task, Reply):
        return task
    return Reply({"name": m["task"], "displayName": m["task"], "description": "",
                  "category": "", "helpUrl": "",
                  "executionType": "esriExecutionTypeAsynchronous",
                  "parameters": [
                      *(gp_parameter(n, s, "Input") for n, s in task.inputs.items()),
                      *(gp_parameter(n, s, "Output") for n, s in task.results.items())]})


def route_submit(app: ServerState, m: re.Match[str], params: dict[str, str], method: str):
    task = _task(app, m)
    if isinstance(task, Reply):
        return task
    fields = {k: v for k, v in params.items() if k not in ("f", "token")}
    job = ServerJob(task, task.flavour, m["task"], fields, "")
    job.url = f"{app.url}{SERVICES}/{m['svc']}/GPServer/{m['task']}/jobs/{job.job_id}"
    app.job_added(job)
    return Reply({"jobId": job.job_id, "jobStatus": job.word("submitted")})


def route_gp_job(app, m, params, method):
    job = job_or_error(app, m["id"])
    return job if isinstance(job, Reply) else Reply(gp_job_json(job))


def cancel_job(app: ServerState, job_id: str, admin: bool) -> Reply:
    job = job_or_error(app, job_id, admin)
    if isinstance(job, Reply):
        return job
    refusal = job.cancel()
    if refusal:
        return admin_error(400, [refusal]) if admin else error(400, refusal)
    if admin:
        return Reply({"status": "success", "jobid": job.job_id})
    if job.flavour == "notebook-server":  # as Esri documents it
        return Reply({"status": "success"})
    body = {"jobId": job.job_id, "jobStatus": job.esri_status}
    return Reply(body if job.flavour in ("gp", "notebook") else
                 {"jobId": job.job_id, "status": job.esri_status})


def route_cancel(app, m, params, method):
    return cancel_job(app, m["id"], admin=False)


def route_gp_param(app: ServerState, m: re.Match[str], params: dict[str, str], method: str):
    job = job_or_error(app, m["id"])
    if isinstance(job, Reply):
        return job
    name = m["param"]
    if m["kind"] == "inputs":
        if name not in job.params:
            return error(400, "Unable to complete operation.", [f"Parameter '{name}' not found."])
        declared = job.task.inputs.get(name)
        data_type = as_param(declared).data_type if declared is not None else "GPString"
        return Reply({"paramName": name, "dataType": data_type,
                      "value": received(job.params[name], data_type)})  # what it was given
    if job.phase()[0] != "succeeded":
        return error(400, "Unable to complete operation.",
                     [f"Results are not available: the job is {job.esri_status}."])
    if name not in job.task.results:
        return error(400, "Unable to complete operation.", [f"Parameter '{name}' not found."])
    data_type, value = samples.resolve(job.task.results[name])
    value = samples.fill_base(value, app.url)
    if params.get("returnType") == "data" and isinstance(value, dict) and set(value) == {"url"} \
            and data_type == "GPFeatureRecordSetLayer":
        value = samples.SAMPLES["GPFeatureRecordSetLayer"][1]
    try:
        value = samples.apply_options(value, params.get("outSR"),
                                      params.get("returnZ", "").lower() == "true",
                                      params.get("returnM", "").lower() == "true")
    except ValueError as exc:
        return error(400, "Unable to complete operation.", [str(exc)])
    return Reply({"paramName": name, "dataType": data_type, "value": value})


def route_map_job(app, m, params, method):
    if m["svc"] not in app.result_map_services:
        return error(400, "Unable to complete operation.", ["Service not found."])
    job = job_or_error(app, m["id"])
    if isinstance(job, Reply):
        return job
    return Reply({"mapName": f"{job.task_name} results", "layers": [
        {"id": i, "name": n} for i, n in enumerate(job.task.results)],
        "spatialReference": samples.WGS84,
        "fullExtent": {"xmin": -118, "ymin": 33, "xmax": -116, "ymax": 35,
                       "spatialReference": samples.WGS84}})


def route_map_layer(app, m, params, method):
    """One layer of a result map service: the job's output of that index."""
    if m["svc"] not in app.result_map_services:
        return error(400, "Unable to complete operation.", ["Service not found."])
    job = job_or_error(app, m["id"])
    if isinstance(job, Reply):
        return job
    names = list(job.task.results)
    index = int(m["layer"])
    if index >= len(names):
        return error(400, "Invalid or missing input parameters.", [f"Layer {index} not found."])
    _, value = samples.resolve(job.task.results[names[index]])
    geometry = value.get("geometryType") if isinstance(value, dict) else None
    return Reply({"id": index, "name": names[index],
                  "type": "Feature Layer" if geometry else "Table",
                  "geometryType": geometry, "fields": value.get("fields", [])
                  if isinstance(value, dict) else [],
                  "extent": {"xmin": -118, "ymin": 33, "xmax": -116, "ymax": 35,
                             "spatialReference": samples.WGS84},
                  "capabilities": "Map,Query,Data", "currentVersion": 11.3})


def route_map_export(app, m, params, method):
    job = job_or_error(app, m["id"])
    if isinstance(job, Reply):
        return job
    try:
        width, height = (int(v) for v in params.get("size", "400,300").split(","))
    except ValueError:
        return error(400, "Invalid size", [params.get("size", "")])
    width, height = max(1, min(width, 2048)), max(1, min(height, 2048))
    png = tiny_png(width, height)
    if params.get("f") == "image":
        return Reply(png, content_type="image/png")
    return Reply({"href": f"{job.url.replace('/GPServer/', '/MapServer/')}/export"
                          f"?f=image&size={width},{height}",
                  "width": width, "height": height, "scale": 0,
                  "extent": {"xmin": -118, "ymin": 33, "xmax": -116, "ymax": 35}})


def route_file(app: ServerState, m: re.Match[str], params: dict[str, str], method: str):
    entry = samples.FILES.get(m["name"])
    if entry is None:
        return Reply(b"<html><body>404 Not Found</body></html>", status=404,
                     content_type="text/html")
    content_type, content = entry
    if isinstance(content, int):
        return Reply(chunks=_generated(content), length=content, content_type=content_type,
                     headers={"Content-Disposition": f'attachment; filename="{m["name"]}"'})
    return Reply(content, content_type=content_type)


def _generated(size: int, chunk: int = 64 * 1024):
    block = bytes(range(256)) * (chunk // 256)
    sent = 0
    while sent < size:
        part = block[: min(chunk, size - sent)]
        sent += len(part)
        yield part


ROUTES = [
    (_SVC + r"/GPServer/?$", route_gp_service),
    (_SVC + r"/GPServer/(?P<task>[^/]+)/?$", route_gp_task),
    (_SVC + r"/GPServer/(?P<task>[^/]+)/submitJob/?$", route_submit),
    (_SVC + r"/GPServer/(?P<task>[^/]+)/jobs/(?P<id>[^/]+)/?$", route_gp_job),
    (_SVC + r"/GPServer/(?P<task>[^/]+)/jobs/(?P<id>[^/]+)/cancel/?$", route_cancel),
    (_SVC + r"/GPServer/(?P<task>[^/]+)/jobs/(?P<id>[^/]+)/(?P<kind>results|inputs)/"
     r"(?P<param>[^/]+)/?$", route_gp_param),
    (_SVC + r"/MapServer/jobs/(?P<id>[^/]+)/?$", route_map_job),
    (_SVC + r"/MapServer/jobs/(?P<id>[^/]+)/export/?$", route_map_export),
    (_SVC + r"/MapServer/jobs/(?P<id>[^/]+)/(?P<layer>\d+)/?$", route_map_layer),
    (rf"^{samples.FILE_ROOT}/(?P<name>[^/]+)$", route_file),
]
