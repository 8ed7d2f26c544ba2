"""What a server's error answers mean: ArcGIS, admin and OGC error bodies and HTTP statuses →
typed exceptions carrying the server's own words."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .errors import (
    ArcGISError,
    AuthError,
    JobNotFound,
    NotFound,
    PermissionDenied,
    ServerError,
    TransientError,
)

ERROR_CLASSES: dict[int, type[ArcGISError]] = {
    498: AuthError, 499: AuthError, 401: AuthError, 403: PermissionDenied, 404: NotFound,
}
_NOT_FOUND_WORDS = ("not found", "invalid job id", "does not exist", "nosuchjob")


def retry_after(headers: Mapping[str, str]) -> float | None:
    """A ``Retry-After`` in seconds (None when absent or not a number of seconds)."""
    value = headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def http_error(code: int, reason: str, headers: Mapping[str, str], body: bytes,
               url: str) -> ArcGISError:
    """The exception an HTTP error status (≥ 400) means: the body's own words first, whatever
    the status (a 500 saying "JobId not found."), else the status itself."""
    reason = reason or ""
    error = error_from_body(_try_json(body), url, http_status=code)
    if isinstance(error, ServerError):
        error.retry_after = retry_after(headers)
    if error is not None:
        return error
    if code == 429 or code >= 500:
        return TransientError(f"HTTP {code} {reason}".strip(), retry_after=retry_after(headers),
                              url=url)
    if code in (401, 498, 499):
        return AuthError(f"HTTP {code} {reason}".strip(), code=code, url=url)
    if code == 403:
        return PermissionDenied(f"HTTP 403 {reason}".strip(), code=403, url=url)
    if code in (404, 410):
        return NotFound(f"HTTP {code} {reason}".strip(), code=code, url=url)
    return ArcGISError(f"HTTP {code} {reason}".strip(), code=code, url=url)


def _try_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def decode_json(body: bytes, status: int, url: str, charset: str | None = None) -> dict[str, Any]:
    """A JSON answer → dict, or the typed exception an ArcGIS error body / proxy page means.

    UTF-8 (or -16/-32) as JSON says; a body in the *charset* its ``Content-Type`` names (an old
    proxy's ``ISO-8859-1``) is read in that."""
    try:
        try:
            value = json.loads(body)
        except UnicodeDecodeError:
            value = json.loads(body.decode(charset or "latin-1", "replace"))
    except (ValueError, LookupError):
        kind = "an HTML page" if body.lstrip()[:1] == b"<" else "invalid JSON"
        raise TransientError(f"the server answered with {kind} instead of JSON "
                             f"(HTTP {status})", url=url) from None
    if not isinstance(value, dict):
        raise TransientError("the server answered with JSON that is not an object", url=url)
    error = error_from_body(value, url)
    if error is not None:
        raise error
    return value


def error_from_body(body: Any, url: str, http_status: int = 200) -> ArcGISError | None:
    """An error body as an exception with the server's words: ArcGIS REST ``{"error"}``, admin
    ``{"status": "error"}``, or (on an HTTP error) a plain ``{"message"}`` / OGC
    ``{"code", "description"}``. A "not found" is a :class:`JobNotFound` even on HTTP 5xx;
    other 5xx and 429 are a :class:`ServerError` (worth retrying)."""
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("error"), dict):
        err = body["error"]
        message, code, details = err.get("message") or "", err.get("code"), err.get("details")
    elif str(body.get("status", "")).lower() == "error":
        messages = [str(m) for m in body.get("messages") or []]
        message, code, details = (messages[0] if messages else ""), body.get("code"), messages[1:]
    elif http_status >= 400 and isinstance(body.get("message") or body.get("description"), str):
        message = body.get("message") or body.get("description")
        code, details = http_status, ([str(body["code"])] if isinstance(body.get("code"), str)
                                      else [])
    else:
        return None
    try:
        code = int(code) if code is not None else None
    except (TypeError, ValueError):
        code = None
    details = [str(d) for d in details] if isinstance(details, list) else []
    message = str(message).strip() or (details[0] if details else "the server reported an error")
    words = " ".join([message, *details]).lower()
    if any(w in words for w in _NOT_FOUND_WORDS) and (code or http_status) not in (498, 499):
        return JobNotFound(message, code=code, details=details, url=url)
    if (code is not None and code >= 500) or http_status >= 500 or http_status == 429:
        return ServerError(message, code=code, details=details, url=url)
    return ERROR_CLASSES.get(code or 0, ArcGISError)(message, code=code, details=details, url=url)
