"""The loopback job server: a threaded HTTP server on 127.0.0.1 speaking ArcGIS job protocols."""

from __future__ import annotations

import dataclasses
import json
import re
import socket
import ssl
import struct
import threading
import time
import uuid
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import samples
from .faults import FaultPlan
from .tasks import TERMINAL_PHASES, WORDS, ServerJob, Task

SERVICES = "/arcgis/rest/services"
MESSAGE_TYPE = {"informative": "esriJobMessageTypeInformative",
                "warning": "esriJobMessageTypeWarning", "error": "esriJobMessageTypeError",
                "empty": "esriJobMessageTypeEmpty", "abort": "esriJobMessageTypeAbort"}
JOB_ROOTS = {"mission": "/mission/rest/jobs", "notebook": "/notebooks/rest/jobs",
             "admin": "/arcgis/admin/jobs"}


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it (tests assert on these)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: str
    at: float = dataclasses.field(default_factory=time.time)  # when it arrived (epoch s)


class Reply:
    """What a route answers: JSON (HTTP 200 by default), bytes, or a stream of chunks."""

    def __init__(self, body: Any = None, *, status: int = 200, content_type: str = "",
                 headers: dict[str, str] | None = None, chunks: Any = None,
                 length: int | None = None) -> None:
        self.body, self.status, self.headers = body, status, dict(headers or {})
        self.content_type, self.chunks, self.length = content_type, chunks, length


def error(code: int, message: str, details: list[str] | None = None) -> Reply:
    """The ArcGIS REST error body, with HTTP 200 as real servers send it."""
    return Reply({"error": {"code": code, "message": message, "details": details or []}})


def admin_error(code: int, messages: list[str]) -> Reply:
    return Reply({"status": "error", "messages": messages, "code": code})


class JobServer:
    """A faithful stand-in for ArcGIS job resources, for demos and tests. See DEVELOPERS.md."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, token: str | None = None, *,
                 tls: bool = False) -> None:
        self._host, self._port = host, port
        self.tls = tls
        self.tls_cert: str | None = None  # with tls=True: the self-signed certificate (a CA file)
        self.require_token = token is not None
        self._tokens: set[str] = {token} if token else set()
        self.tasks: dict[str, tuple[str, Task]] = {}  # task name → (service path, task)
        self.jobs: dict[str, ServerJob] = {}
        self.request_log: deque[RequestRecord] = deque(maxlen=5000)
        self.request_count = 0
        self.faults = FaultPlan()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> JobServer:
        if self._httpd is None:
            handler = type("Handler", (_Handler,), {"server_app": self})
            self._httpd = _QuietServer((self._host, self._port), handler)
            self._httpd.daemon_threads = True
            if self.tls:
                self._wrap_tls(self._httpd)
            self._thread = threading.Thread(target=self._httpd.serve_forever,
                                            name="gpjob-loopback-server", daemon=True)
            self._thread.start()
        return self

    def _wrap_tls(self, httpd: ThreadingHTTPServer) -> None:
        from .tls import self_signed

        cert, key = self_signed()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        # the handshake happens in the request's own thread, so a stalled client blocks nobody
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True,
                                           do_handshake_on_connect=False)
        self.tls_cert = str(cert)

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> JobServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the server is not running: call start() first")
        host, port = self._httpd.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host}:{port}"

    # -- scripting -----------------------------------------------------------------------
    def add_task(self, name: str, task: Task, service: str = "Demo") -> str:
        """Register a GP task; returns its URL."""
        self.tasks[name] = (service.strip("/"), task)
        return self.task_url(name)

    def task_url(self, name: str, service: str | None = None) -> str:
        svc = service or (self.tasks[name][0] if name in self.tasks else "Demo")
        return f"{self.url}{SERVICES}/{svc}/GPServer/{name}"

    def create_job(self, flavour: str, task: Task) -> str:
        """Start a non-GP job as the server's own async operation would; returns its URL."""
        if flavour not in JOB_ROOTS:
            raise ValueError(f"flavour must be one of {', '.join(JOB_ROOTS)}")
        kind = "notebook-server" if flavour == "notebook" else flavour
        job = ServerJob(task, kind, task.job_type or flavour, {}, "")
        job.url = f"{self.url}{JOB_ROOTS[flavour]}/{job.job_id}"
        self.jobs[job.job_id] = job
        return job.url

    def delete_job(self, job_id: str) -> None:
        """The job vanishes, as when an administrator deletes it while it is watched."""
        self.jobs.pop(job_id, None)

    def inject(self, kind: str, times: int = 1, match: str = "", **params: Any) -> None:
        """Make the next *times* requests whose path contains *match* fail as *kind*."""
        self.faults.add(kind, times, match, **params)

    def issue_token(self) -> str:
        token = uuid.uuid4().hex
        self._tokens.add(token)
        return token

    def expire_tokens(self) -> None:
        """Every token issued so far becomes invalid (498)."""
        self._tokens.clear()

    # -- request handling ------------------------------------------------------------------
    def record(self, record: RequestRecord) -> None:
        with self._lock:
            self.request_log.append(record)
            self.request_count += 1

    def check_auth(self, headers: dict[str, str], params: dict[str, str],
                   task: Task | None, admin: bool) -> Reply | None:
        required = self.require_token if task is None or task.require_token is None \
            else task.require_token
        if not required:
            return None
        header = headers.get("x-esri-authorization", "")
        token = header.removeprefix("Bearer ").strip() if header else params.get("token", "")
        if not token:
            return admin_error(499, ["Token Required"]) if admin else error(499, "Token Required")
        if token not in self._tokens:
            return admin_error(498, ["Invalid token."]) if admin else error(498, "Invalid Token")
        return None


# -- routes ---------------------------------------------------------------------------------
Route = Callable[[JobServer, re.Match[str], dict[str, str], str], Reply]
_SVC = rf"^{SERVICES}/(?P<svc>.+?)"


def _job_or_error(app: JobServer, job_id: str, admin: bool = False) -> ServerJob | Reply:
    job = app.jobs.get(job_id)
    if job is None:
        if admin:
            return admin_error(404, [f"Job '{job_id}' not found."])
        return error(400, "Job not found", ["Invalid job id"])
    return job


def _messages(job: ServerJob, typed: bool) -> list[Any]:
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
    body["inputs"] = {name: {"paramUrl": f"inputs/{name}"} for name in job.params}
    body["messages"] = _messages(job, typed=True)
    if job.flavour == "notebook":  # notebook web tools add these to the GP fields
        body.update(_times(job, "startTime", "endTime"), type="notebookWebTool",
                    status=samples_word(job, "notebook"), username="loopback",
                    customAttributes={})
    return body


def samples_word(job: ServerJob, table: str) -> str:
    return WORDS[table][job.phase()[0]]


def _times(job: ServerJob, start_key: str, end_key: str) -> dict[str, Any]:
    return {start_key: int(job.created_ms), end_key: int(job.ended_ms() or 0)}


def mission_job_json(job: ServerJob) -> dict[str, Any]:
    done, total = job.steps_done()
    phase, _ = job.phase()
    body: dict[str, Any] = {
        "jobId": job.job_id, "messages": _messages(job, typed=False),
        **_times(job, "startTime", "endTime"), "type": job.task_name,
        "status": job.esri_status, "username": "loopback",
        "customAttributes": {"stepsCompleted": done, "totalSteps": total,
                             "isCancelled": phase in ("cancelling", "cancelled"),
                             "messageCodes": [1500 + i for i in range(done)]},
    }
    if phase == "succeeded":
        body["customAttributes"]["missionId"] = job.job_id[1:13]
    if job.flavour == "notebook-server" and phase == "executing":
        percent, message = job.progress()
        body["progress"] = {"message": message, "percent": percent}
        del body["customAttributes"]["stepsCompleted"]
    return body


def admin_job_json(job: ServerJob) -> dict[str, Any]:
    phase, _ = job.phase()
    body: dict[str, Any] = {"updatedtime": int(time.time() * 1000), "jobid": job.job_id,
                            **_times(job, "starttime", "endtime"),
                            "operationURI": job.task.operation, "status": job.esri_status,
                            "username": "serviceAdmin"}
    if phase == "succeeded":
        body["result"] = {"serviceName": "Fire", "type": "MapServer", "status": "success"}
    if phase in ("failed", "timed-out"):
        body["messages"] = [job.task.error]
    return body


def route_gp_service(app: JobServer, m: re.Match[str], params: dict[str, str], method: str):
    tasks = [name for name, (svc, _) in app.tasks.items() if svc == m["svc"]]
    return Reply({"tasks": tasks, "executionType": "esriExecutionTypeAsynchronous",
                  "resultMapServerName": m["svc"].split("/")[-1], "maximumRecords": 1000})


def _task(app: JobServer, m: re.Match[str]) -> Task | Reply:
    entry = app.tasks.get(m["task"])
    if entry is None or entry[0] != m["svc"]:
        return error(400, "Unable to complete operation.", [f"Task '{m['task']}' not found."])
    return entry[1]


def route_gp_task(app: JobServer, m: re.Match[str], params: dict[str, str], method: str):
    task = _task(app, m)
    if isinstance(task, Reply):
        return task
    parameters = [{"name": name, "dataType": samples.resolve(spec)[0],
                   "direction": f"esriGPParameterDirection{direction}"}
                  for direction, specs in (("Input", task.inputs), ("Output", task.results))
                  for name, spec in specs.items()]
    return Reply({"name": m["task"], "displayName": m["task"],
                  "executionType": "esriExecutionTypeAsynchronous", "parameters": parameters})


def route_submit(app: JobServer, m: re.Match[str], params: dict[str, str], method: str):
    task = _task(app, m)
    if isinstance(task, Reply):
        return task
    fields = {k: v for k, v in params.items() if k not in ("f", "token")}
    job = ServerJob(task, task.flavour, m["task"], fields, "")
    job.url = f"{app.url}{SERVICES}/{m['svc']}/GPServer/{m['task']}/jobs/{job.job_id}"
    app.jobs[job.job_id] = job
    return Reply({"jobId": job.job_id, "jobStatus": job.word("submitted")})


def route_gp_job(app, m, params, method):
    job = _job_or_error(app, m["id"])
    return job if isinstance(job, Reply) else Reply(gp_job_json(job))


def _cancel(app: JobServer, job_id: str, admin: bool) -> Reply:
    job = _job_or_error(app, job_id, admin)
    if isinstance(job, Reply):
        return job
    refusal = job.cancel()
    if refusal:
        return admin_error(400, [refusal]) if admin else error(400, refusal)
    if admin:
        return Reply({"status": "success", "jobid": job.job_id})
    body = {"jobId": job.job_id, "jobStatus": job.esri_status}
    return Reply(body if job.flavour in ("gp", "notebook") else
                 {"jobId": job.job_id, "status": job.esri_status})


def route_cancel(app, m, params, method):
    return _cancel(app, m["id"], admin=False)


def route_admin_cancel(app, m, params, method):
    if method != "POST":
        return admin_error(405, ["The cancel operation only supports POST."])
    return _cancel(app, m["id"], admin=True)


def route_gp_param(app: JobServer, m: re.Match[str], params: dict[str, str], method: str):
    job = _job_or_error(app, m["id"])
    if isinstance(job, Reply):
        return job
    name = m["param"]
    if m["kind"] == "inputs":
        if name not in job.params:
            return error(400, "Unable to complete operation.", [f"Parameter '{name}' not found."])
        return Reply({"paramName": name, "dataType": "GPString", "value": job.params[name]})
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
    job = _job_or_error(app, m["id"])
    if isinstance(job, Reply):
        return job
    return Reply({"mapName": f"{job.task_name} results", "layers": [
        {"id": i, "name": n} for i, n in enumerate(job.task.results)],
        "spatialReference": samples.WGS84,
        "fullExtent": {"xmin": -118, "ymin": 33, "xmax": -116, "ymax": 35,
                       "spatialReference": samples.WGS84}})


def route_map_export(app, m, params, method):
    job = _job_or_error(app, m["id"])
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


def route_other_job(flavour: str) -> Route:
    def route(app, m, params, method):
        admin = flavour == "admin"
        job = _job_or_error(app, m["id"], admin)
        if isinstance(job, Reply):
            return job
        return Reply(admin_job_json(job) if admin else mission_job_json(job))
    return route


def route_admin_operation(app: JobServer, m: re.Match[str], params: dict[str, str], method):
    if params.get("async", "").lower() != "true":
        return Reply({"status": "success"})
    task = Task(duration=float(params.get("duration", 3)), operation=urlsplit(m.string).path)
    job = ServerJob(task, "admin", m["op"], {}, "")
    job.url = f"{app.url}{JOB_ROOTS['admin']}/{job.job_id}"
    app.jobs[job.job_id] = job
    return Reply({"status": "success", "jobid": job.job_id, "jobsUrl": job.url})


def route_file(app: JobServer, m: re.Match[str], params: dict[str, str], method: str):
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


def route_stats(app: JobServer, m: re.Match[str], params: dict[str, str], method: str):
    """The server's own counters, for benchmarks that run it in another process."""
    return Reply({"requests": app.request_count, "jobs": len(app.jobs)})


ROUTES: list[tuple[re.Pattern[str], Route]] = [(re.compile(p), r) for p, r in [
    (r"^/loopback/stats/?$", route_stats),
    (_SVC + r"/GPServer/?$", route_gp_service),
    (_SVC + r"/GPServer/(?P<task>[^/]+)/?$", route_gp_task),
    (_SVC + r"/GPServer/(?P<task>[^/]+)/submitJob/?$", route_submit),
    (_SVC + r"/GPServer/(?P<task>[^/]+)/jobs/(?P<id>[^/]+)/?$", route_gp_job),
    (_SVC + r"/GPServer/(?P<task>[^/]+)/jobs/(?P<id>[^/]+)/cancel/?$", route_cancel),
    (_SVC + r"/GPServer/(?P<task>[^/]+)/jobs/(?P<id>[^/]+)/(?P<kind>results|inputs)/"
     r"(?P<param>[^/]+)/?$", route_gp_param),
    (_SVC + r"/MapServer/jobs/(?P<id>[^/]+)/?$", route_map_job),
    (_SVC + r"/MapServer/jobs/(?P<id>[^/]+)/export/?$", route_map_export),
    (r"^/mission/rest/jobs/(?P<id>[^/]+)/?$", route_other_job("mission")),
    (r"^/mission/rest/jobs/(?P<id>[^/]+)/cancel/?$", route_cancel),
    (r"^/notebooks/rest/jobs/(?P<id>[^/]+)/?$", route_other_job("notebook")),
    (r"^/notebooks/rest/jobs/(?P<id>[^/]+)/cancel/?$", route_cancel),
    (r"^/arcgis/admin/jobs/(?P<id>[^/]+)/?$", route_other_job("admin")),
    (r"^/arcgis/admin/jobs/(?P<id>[^/]+)/cancel/?$", route_admin_cancel),
    (r"^/arcgis/admin/services/(?P<name>[^/]+)/(?P<op>[^/]+)/?$", route_admin_operation),
    (rf"^{samples.FILE_ROOT}/(?P<name>[^/]+)$", route_file),
]]


def tiny_png(width: int, height: int) -> bytes:
    """A real PNG (RGB gradient) with no imaging library."""
    rows = b"".join(b"\x00" + bytes(
        v for x in range(width) for v in (40 + 180 * x // width, 120, 40 + 180 * y // height))
        for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


HTML_PAGE = ("<!DOCTYPE html><html><head><title>ArcGIS REST Services Directory</title></head>"
             "<body><h2>ArcGIS REST Services Directory</h2><p>Add f=json for JSON.</p>"
             "</body></html>")
PROXY_PAGE = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, fault tests) are normal here, not tracebacks."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall
    server_app: JobServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read request_log
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        app = self.server_app
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if body and "json" not in (self.headers.get("Content-Type") or ""):
            params.update(parse_qsl(body, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        app.record(RequestRecord(method, parts.path, params, dict(self.headers.items()), body))
        fault = app.faults.take(parts.path)
        if fault is not None and self._fault(fault):
            return
        reply = self._route(app, unquote(parts.path), params, headers, method)
        self._send(reply, params)

    def _route(self, app: JobServer, path: str, params: dict[str, str],
               headers: dict[str, str], method: str) -> Reply:
        for pattern, route in ROUTES:
            match = pattern.match(path)
            if match is None:
                continue
            job = app.jobs.get(match.groupdict().get("id") or "")
            task = job.task if job else None
            if task is None and "task" in match.groupdict():
                entry = app.tasks.get(match["task"])
                task = entry[1] if entry else None
            denied = app.check_auth(headers, params, task, admin=path.startswith("/arcgis/admin"))
            if denied is not None:
                return denied
            return route(app, match, params, method)
        return Reply(b"<html><body>404 Not Found</body></html>", status=404,
                     content_type="text/html")

    def _send(self, reply: Reply, params: dict[str, str]) -> None:
        if reply.chunks is not None:
            self._start(reply.status, reply.content_type, reply.length, reply.headers)
            for part in reply.chunks:
                self.wfile.write(part)
            return
        if isinstance(reply.body, bytes):
            data, ctype = reply.body, reply.content_type
        elif params.get("f", "html").lower() not in ("json", "pjson"):
            data, ctype = HTML_PAGE.encode(), "text/html; charset=utf-8"
        else:
            indent = 2 if params.get("f") == "pjson" else None
            data = json.dumps(reply.body, indent=indent).encode()
            ctype = "application/json; charset=utf-8"
        self._start(reply.status, ctype, len(data), reply.headers)
        self.wfile.write(data)

    def _start(self, status: int, ctype: str, length: int | None,
               headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()

    def _fault(self, fault) -> bool:
        """Misbehave as *fault* says; True when the request is fully answered (or dropped)."""
        p = fault.params
        kind = fault.kind
        if kind == "hang":
            time.sleep(float(p.get("seconds", 5)))
            return False  # then answer normally (the client has usually given up)
        if kind == "reset":
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
            return True
        replies = {
            "status": lambda: Reply(f"<html><body>HTTP {p.get('status', 503)}</body></html>"
                                    .encode(), status=int(p.get("status", 503)),
                                    content_type="text/html"),
            "too_many_requests": lambda: Reply(b"Too Many Requests", status=429,
                                               content_type="text/plain",
                                               headers={"Retry-After": str(p.get("retry_after",
                                                                                 1))}),
            "truncated_json": lambda: Reply(b'{"jobId": "j1", "jobSta',
                                            content_type="application/json"),
            "invalid_json": lambda: Reply(b"{'jobId': nope}", content_type="application/json"),
            "html": lambda: Reply(PROXY_PAGE.encode(), content_type="text/html"),
            "error_body": lambda: Reply(json.dumps({"error": {
                "code": int(p.get("code", 500)), "message": p.get("message", "Error"),
                "details": p.get("details", [])}}).encode(), content_type="application/json"),
            "admin_error": lambda: Reply(json.dumps({
                "status": "error", "messages": p.get("messages", ["Error"]),
                "code": int(p.get("code", 500))}).encode(), content_type="application/json"),
        }
        self._send(replies[kind](), {})
        return True


__all__ = ["TERMINAL_PHASES", "JobServer", "RequestRecord"]
