"""File results: streamed to disk through a temporary file, with progress; errors in words."""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import requests

from .errors import GPJobError, ResultError, ResultTooBig

Progress = Callable[[int, "int | None"], None]
CHUNK = 1 << 16
# -- downloads ------------------------------------------------------------------------------------
def _filename(url: str, response: Any) -> str:
    disposition = response.headers.get("Content-Disposition", "")
    match = re.search(r"filename\*\s*=\s*(?:UTF-8|utf-8)?''([^;]+)", disposition) or \
        re.search(r'filename\s*=\s*"?([^";]+)"?', disposition)
    name = unquote(match.group(1)) if match else unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    name = name.replace("\\", "/").rsplit("/", 1)[-1]  # never a path, only its last part
    return re.sub(r"[^\w.\-]+", "_", name).strip("._") or "result"


def _error_body(data: bytes) -> str | None:
    """The server's words when a "file" is an ArcGIS JSON error body (HTTP 200), else None."""
    try:
        body = json.loads(data)
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    details = [str(d) for d in error.get("details") or [] if d and d != error.get("message")]
    text = str(error.get("message") or "the server reported an error")
    if error.get("code") is not None:
        text += f" (code {error['code']})"
    return text + (": " + "; ".join(details) if details else "")


def _page_text(data: bytes, name: str) -> str:
    """A short account of an HTML page served where a file was expected (login, proxy, error)."""
    text = data.decode("utf-8", "replace")
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
    words = title.group(1) if title else re.sub(r"<[^>]+>", " ", text)
    words = " ".join(words.split())[:200]
    return f"the server answered with an HTML page instead of {name}" + \
        (f": {words}" if words else "")


def _name(url: str) -> str:
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or url


def download_file(transport: Any, url: str, dest_dir: Path | str, *,
                  progress: Progress | None = None, max_bytes: int | None = None) -> Path:
    """Stream *url* into *dest_dir* (see :func:`_download`); a failure names the file's URL
    (without its query string, which may hold a token), so it can be fetched another way."""
    if url.startswith("/") and not url.startswith("//") and getattr(transport, "origin", ""):
        url = urljoin(transport.origin, url)
    try:
        return _download(transport, url, Path(dest_dir), progress, max_bytes)
    except ResultTooBig:
        raise
    except ResultError as exc:
        where = urlsplit(url)._replace(query="", fragment="").geturl()
        raise ResultError(f"{exc} [file: {where}]") from None


def _download(transport: Any, url: str, dest_dir: Path, progress: Progress | None,
              max_bytes: int | None = None) -> Path:
    """Stream *url* into *dest_dir* in chunks; the file appears complete or not at all.

    It is written to a hidden ``.part`` file that is renamed when every byte has arrived (an
    existing file of the same name is replaced). ``progress(received, total)`` is called with
    ``(0, total)`` first, after each chunk, and last with ``received == total`` (``total`` is None
    while unknown). A path-only URL is resolved against the job's origin; the token is sent only
    to the job's own origin (the transport decides). Failures are :class:`ResultError` with the
    server's words: HTTP errors, a JSON error body, a truncated or interrupted transfer.
    """
    partial: Path | None = None
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
        with transport.stream(url) as response:
            headers = response.headers
            total = int(headers["Content-Length"]) \
                if headers.get("Content-Length", "").isdigit() else None
            if max_bytes is not None and total is not None and total > max_bytes:
                raise ResultTooBig(total, max_bytes)
            encoded = headers.get("Content-Encoding", "").strip().lower() not in ("", "identity")
            raw = getattr(response, "raw", None)
            received = 0

            def wire() -> int:  # bytes over the wire: what Content-Length counts when encoded
                return raw.tell() if encoded and hasattr(raw, "tell") else received

            target = dest_dir / _filename(url, response)
            chunks = response.iter_content(CHUNK)
            head: list[bytes] = []
            ctype = headers.get("Content-Type", "").lower()
            page = "text/html" in ctype and not re.search(r"\.x?html?$", target.name, re.I)
            if "json" in ctype or "text/plain" in ctype or page:  # an error instead of the file?
                for chunk in chunks:
                    head.append(chunk)
                    if sum(map(len, head)) > CHUNK:
                        break
                else:
                    problem = _error_body(b"".join(head)) if not page else \
                        _page_text(b"".join(head), target.name)
                    if problem is not None:
                        raise ResultError(problem)
            partial = dest_dir / f".{target.name}.{secrets.token_hex(4)}.part"
            if progress is not None:
                progress(0, total)
            with open(partial, "xb") as out:
                try:
                    for chunk in itertools.chain(head, chunks):
                        out.write(chunk)
                        received += len(chunk)
                        if max_bytes is not None and received > max_bytes:
                            raise ResultTooBig(None, max_bytes)
                        if progress is not None:
                            progress(wire(), total)
                except requests.RequestException as exc:
                    of = f" of {total:,}" if total is not None else ""
                    got = raw.tell() if hasattr(raw, "tell") else received  # incl. a torn chunk
                    raise ResultError(f"download of {target.name} was cut short after "
                                      f"{got:,}{of} bytes ({_reason(exc)})") from None
            if total is not None and not encoded and received != total:
                raise ResultError(f"download of {target.name} stopped at {received:,} of "
                                  f"{total:,} bytes")
            os.replace(partial, target)
            partial = None
            if progress is not None:
                done = wire()
                progress(done, done)
    except ResultError:
        raise
    except GPJobError as exc:
        raise ResultError(f"download of {_name(url)} failed: {exc}") from None
    except requests.RequestException as exc:
        raise ResultError(f"download of {_name(url)} failed ({_reason(exc)})") from None
    except OSError as exc:
        raise ResultError(f"download of {_name(url)} could not be saved: {exc}") from None
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
    return target


def _reason(exc: BaseException) -> str:
    text = str(exc).lower()
    if "incompleteread" in text or "connection broken" in text:
        return "the connection broke"
    if "timed out" in text or "timeout" in text:
        return "no data within the timeout"
    return type(exc).__name__

