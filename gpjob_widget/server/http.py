"""What a loopback route answers: JSON (HTTP 200 by default), bytes, or a stream; error bodies."""

from __future__ import annotations

import struct
import threading
import zlib
from dataclasses import dataclass, field
from typing import Any, Protocol


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


HTML_PAGE = ("<!DOCTYPE html><html><head><title>ArcGIS REST Services Directory</title></head>"
             "<body><h2>ArcGIS REST Services Directory</h2><p>Add f=json for JSON.</p>"
             "</body></html>")


PROXY_PAGE = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


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


@dataclass(frozen=True)
class RequestInfo:
    """The request being answered in this thread (for routes that read a JSON body or
    headers, such as OGC API – Processes execution)."""

    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: str = ""


_local = threading.local()


def current_request() -> RequestInfo:
    return getattr(_local, "request", RequestInfo())


def set_current_request(request: RequestInfo) -> None:
    _local.request = request


class ServerState(Protocol):
    """What a route reads and changes of the server (``JobServer`` is one): routes depend on
    this, not on the server class."""

    url: str
    tasks: dict[str, Any]
    jobs: dict[str, Any]
    processes: dict[str, Any]
    layers: dict[str, dict[str, Any]]
    items: dict[str, dict[str, Any]]
    users: dict[str, str]
    result_map_services: set[str]

    def issue_token(self) -> str: ...

    def job_added(self, job: Any) -> None: ...
