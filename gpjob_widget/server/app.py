"""The loopback job server: a threaded HTTP server on 127.0.0.1 speaking ArcGIS job protocols."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
import socket
import ssl
import struct
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import gp, jobs, ogc, portal
from .faults import FaultPlan
from .gp import SERVICES
from .http import (
    HTML_PAGE,
    PROXY_PAGE,
    Reply,
    RequestInfo,
    admin_error,
    error,
    set_current_request,
)
from .jobs import JOB_ROOTS
from .tasks import TERMINAL_PHASES, ServerJob, Task


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it (tests assert on these)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: str
    at: float = dataclasses.field(default_factory=time.time)  # when it arrived (epoch s)


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
        self.peak_running = 0  # the most jobs running (not ended) at once: concurrency caps
        self.layers: dict[str, dict[str, Any]] = {}  # hosted layer name → feature set
        self.processes: dict[str, Task] = {}         # OGC API – Processes: process id → task
        self.result_map_services: set[str] = {"Demo"}  # GP services that have one
        self.users: dict[str, str] = {}  # username → password, for /sharing/rest/generateToken
        self.items: dict[str, dict[str, Any]] = {}   # portal item id → item JSON
        self._replays: dict[str, list[Reply]] = {}
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
        """Start a non-GP job as the server's own async operation would; returns its URL.

        *flavour*: ``mission``, ``notebook`` (Notebook Server), ``admin`` (Enterprise
        ``/admin/jobs``) or ``system`` (ArcGIS Server ``/admin/system/jobs``, with steps).
        """
        if flavour not in JOB_ROOTS:
            raise ValueError(f"flavour must be one of {', '.join(JOB_ROOTS)}")
        kind = {"notebook": "notebook-server"}.get(flavour, flavour)
        job = ServerJob(task, kind, task.job_type or flavour, {}, "")
        job.url = f"{self.url}{JOB_ROOTS[flavour]}/{job.job_id}"
        self.jobs[job.job_id] = job
        return job.url

    def add_process(self, process_id: str, task: Task) -> str:
        """An OGC API – Processes process (``<server>/ogc/processes/<id>``); returns its URL.

        ``task.results`` are its outputs (``(dataType, value)``: the value is what the results
        document holds, e.g. a GeoJSON FeatureCollection or ``{"href": "{base}/…"}``)."""
        self.processes[process_id] = task
        return self.process_url(process_id)

    def process_url(self, process_id: str) -> str:
        return f"{self.url}{ogc.ROOT}/processes/{process_id}"

    def add_layer(self, name: str, feature_set: dict[str, Any]) -> str:
        """Host a feature set as ``…/Hosted/<name>/FeatureServer/0``; returns the layer URL."""
        self.layers[name] = feature_set
        return f"{self.url}{portal.HOSTED}/{name}/FeatureServer/0"

    def add_item(self, item_id: str, url: str = "", type: str = "Feature Service",
                 **fields: Any) -> str:
        """A portal item (``/sharing/rest/content/items/<id>``) pointing at *url*."""
        self.items[item_id] = {"type": type, "url": url or None, **fields}
        return f"{self.url}{portal.ITEMS}/{item_id}"

    def replay(self, path: str, *bodies: Any, status: int = 200, content_type: str = "",
               headers: dict[str, str] | None = None, method: str = "") -> str:
        """Serve recorded answers at *path* (to *method* only, if given): each request gets
        the next body, the last one repeats (a JSON-able value, bytes, or a :class:`Reply`).
        Header values may say ``{url}`` for the server's own URL. Returns the full URL."""
        headers = {k: v.replace("{url}", self.url) for k, v in (headers or {}).items()}
        key = f"{method.upper()} {path.rstrip('/')}" if method else path.rstrip("/")
        self._replays[key] = [b if isinstance(b, Reply) else Reply(
            b, status=status, content_type=content_type, headers=headers) for b in bodies]
        return self.url + path

    def delete_job(self, job_id: str) -> None:
        """The job vanishes, as when an administrator deletes it while it is watched."""
        self.jobs.pop(job_id, None)

    def inject(self, kind: str, times: int = 1, match: str = "", **params: Any) -> None:
        """Make the next *times* requests whose path contains *match* fail as *kind*."""
        self.faults.add(kind, times, match, **params)

    def job_added(self, job: ServerJob) -> None:
        """Register a new job (submitJob, OGC execution) and count the jobs running now."""
        with self._lock:
            self.jobs[job.job_id] = job
            running = sum(1 for j in self.jobs.values()
                          if j.phase()[0] not in TERMINAL_PHASES)
            self.peak_running = max(self.peak_running, running)

    def running_count(self) -> int:
        """Jobs on this server that have not ended."""
        return sum(1 for j in list(self.jobs.values()) if j.phase()[0] not in TERMINAL_PHASES)

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
                   task: Task | None, admin: bool, ogc_api: bool = False) -> Reply | None:
        required = self.require_token if task is None or task.require_token is None \
            else task.require_token
        if not required:
            return None
        header = headers.get("x-esri-authorization") or headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() if header else params.get("token", "")
        if ogc_api and token not in self._tokens:  # OGC servers answer 401 in their own shape
            return ogc.ogc_error(401, "NotAuthorized", "A valid bearer token is required")
        if not token:
            return admin_error(499, ["Token Required"]) if admin else error(499, "Token Required")
        if token not in self._tokens:
            return admin_error(498, ["Invalid token."]) if admin else error(498, "Invalid Token")
        return None


# -- routes ---------------------------------------------------------------------------------
Route = Callable[[JobServer, re.Match[str], dict[str, str], str], Reply]
def route_stats(app: JobServer, m: re.Match[str], params: dict[str, str], method: str):
    """The server's own counters, for benchmarks that run it in another process; with
    ``jobs=true`` each job's life and requests too, in seconds on the server's clock."""
    stats: dict[str, Any] = {"requests": app.request_count, "jobs": len(app.jobs),
                             "running": app.running_count(), "peak_running": app.peak_running,
                             "clock": time.monotonic()}
    if params.get("jobs") == "true":
        stats["per_job"] = [{"id": j.job_id, "created": j.created, "ended": j.ended_at(),
                              "requests": j.requests} for j in list(app.jobs.values())]
    return Reply(stats)


ROUTES: list[tuple[re.Pattern[str], Route]] = [
    (re.compile(pattern), route) for pattern, route in
    [(r"^/loopback/stats/?$", route_stats), *gp.ROUTES, *jobs.ROUTES, *portal.ROUTES,
     *ogc.ROUTES]]


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

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        app = self.server_app
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if body and "json" not in (self.headers.get("Content-Type") or ""):
            params.update(parse_qsl(body, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        set_current_request(RequestInfo(method, headers, body))
        app.record(RequestRecord(method, parts.path, params, dict(self.headers.items()), body))
        fault = app.faults.take(parts.path)
        if fault is not None and self._fault(fault):
            return
        reply = self._route(app, unquote(parts.path), params, headers, method)
        if fault is not None and fault.kind == "set_cookie":  # a load balancer's stickiness
            reply = copy.copy(reply)
            reply.headers = {**reply.headers, "Set-Cookie": fault.params.get(
                "cookie", "AWSALB=sticky-1; Path=/")}
        self._send(reply, params)

    def _route(self, app: JobServer, path: str, params: dict[str, str],
               headers: dict[str, str], method: str) -> Reply:
        replays = app._replays.get(f"{method} {path.rstrip('/')}") or \
            app._replays.get(path.rstrip("/"))
        if replays:
            return replays.pop(0) if len(replays) > 1 else replays[0]
        for pattern, route in ROUTES:
            match = pattern.match(path)
            if match is None:
                continue
            job = app.jobs.get(match.groupdict().get("id") or "")
            if job is not None:
                job.requests.append(time.monotonic())
            task = job.task if job else None
            if task is None and "task" in match.groupdict():
                entry = app.tasks.get(match["task"])
                task = entry[1] if entry else None
            if route not in portal.PUBLIC:  # signing in needs no token
                denied = app.check_auth(headers, params, task,
                                        admin=path.startswith("/arcgis/admin"),
                                        ogc_api=path.startswith(ogc.ROOT + "/"))
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
        elif params.get("f", "html").lower() not in ("json", "pjson") and not reply.content_type:
            data, ctype = HTML_PAGE.encode(), "text/html; charset=utf-8"  # ArcGIS: f=json or HTML
        else:
            indent = 2 if params.get("f") == "pjson" else None
            data = json.dumps(reply.body, indent=indent).encode()
            ctype = reply.content_type or "application/json; charset=utf-8"
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
        if kind == "set_cookie":
            return False  # answered normally, with the cookie (see _dispatch)
        if kind == "redirect":  # the same path and query, on params["to"] (an origin) if given
            self._send(Reply(b"", status=int(p.get("status", 302)), content_type="text/plain",
                             headers={"Location": p.get("to", "") + self.path}), {})
            return True
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
                "details": p.get("details", [])}}).encode(), content_type="application/json",
                status=int(p.get("http_status", 200))),  # 200, as ArcGIS mostly does
            "admin_error": lambda: Reply(json.dumps({
                "status": "error", "messages": p.get("messages", ["Error"]),
                "code": int(p.get("code", 500))}).encode(), content_type="application/json"),
        }
        self._send(replies[kind](), {})
        return True


__all__ = ["TERMINAL_PHASES", "JobServer", "RequestRecord"]
