"""HTTP to ArcGIS: auth header, timeouts, retries, and ArcGIS error bodies → typed exceptions.

One :class:`Transport` per watched job. It knows the job's origin and sends credentials there
only, in the ``X-Esri-Authorization`` header (never as a ``token`` parameter). Connections are
pooled in one ``requests.Session`` per origin shared by every job of the kernel.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import warnings
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .errors import (
    ArcGISError,
    AuthError,
    JobNotFound,
    NotFound,
    PermissionDenied,
    ResultTooBig,
    ServerError,
    TransientError,
)

log = logging.getLogger("gpjob_widget")

TokenSource = str | Callable[[], str] | None
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 30.0)  # (connect, read) seconds, on every request
POOL_SIZE = 16

# Quick, idempotent-only retries inside one request; longer outages are the poller's business
# (it backs off and shows a notice). 429 is not retried here: its Retry-After may be long.
RETRY = Retry(
    total=3, connect=2, read=1, status=2, backoff_factor=0.25,
    status_forcelist=(500, 502, 503, 504), allowed_methods=frozenset({"GET"}),
    respect_retry_after_header=False, raise_on_status=False,
)

_sessions: dict[tuple[str, bool], requests.Session] = {}
_sessions_lock = threading.Lock()


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` in lower case, default ports dropped."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if port in (None, default) else f"{host}:{port}"
    return f"{parts.scheme.lower()}://{netloc}"


def split_token(url: str) -> tuple[str, str | None]:
    """Remove a legacy ``token=`` query parameter from *url*; return (clean url, token)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    token = next((v for k, v in query if k.lower() == "token"), None)
    kept = [(k, v) for k, v in query if k.lower() not in ("token", "f")]
    return urlunsplit(parts._replace(query=urlencode(kept))), token


Verify = bool | str  # True, False, or the path of a CA bundle


def shared_session(origin: str, verify: Verify) -> requests.Session:
    """The pooled session for *origin* (created once per kernel).

    The environment (``*_PROXY``/``NO_PROXY``, ``~/.netrc``) is read once here, not on every
    request as ``trust_env`` would: polling hundreds of jobs, those look-ups cost more than the
    HTTP itself. CA bundles come from ``verify`` alone (see :class:`Transport`).
    """
    key = (origin, verify)
    with _sessions_lock:
        session = _sessions.get(key)
        if session is None:
            session = requests.Session()
            session.verify = verify
            session.trust_env = False
            session.proxies = requests.utils.get_environ_proxies(origin + "/")
            session.auth = requests.utils.get_netrc_auth(origin + "/")
            adapter = HTTPAdapter(max_retries=RETRY, pool_maxsize=POOL_SIZE)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers["User-Agent"] = "gpjob_widget"
            _sessions[key] = session
        return session


def _token_provider(token: object) -> Callable[[], str | None] | None:
    """Normalise a token source: a string (token or API key), a callable returning one, or
    Esri's ``arcgis`` sign-in (a ``GIS``, an ``EsriSession``, an auth object or a job)."""
    if token is None or token == "":
        return None
    if isinstance(token, str):
        return lambda: token
    from .interop import arcgis

    if arcgis.is_arcgis(token) or hasattr(token, "_con"):
        provider = arcgis.token_provider(token)
        if provider is not None:
            return provider
    if callable(token):
        return token  # type: ignore[return-value]
    raise TypeError("token must be a str, a callable returning a str, or an arcgis GIS / "
                    "EsriSession / job")


class Transport:
    """Requests to one job's server, with auth, timeouts, retries and typed errors."""

    def __init__(self, job_url: str, token: TokenSource = None, *, verify: Verify = True,
                 timeout: float | tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        self.origin = origin_of(job_url)
        if isinstance(verify, str) and not os.path.exists(verify):
            raise ValueError(f"verify={verify!r}: no CA bundle file or directory there")
        self.verify = verify
        self.timeout = timeout
        self._provider = _token_provider(token)
        self._refreshable = self._provider is not None and not isinstance(token, str)
        self._token: str | None = None
        self._token_lock = threading.Lock()
        self._prepared: dict[tuple[str, str], requests.PreparedRequest] = {}  # polls, per URL
        self.auth_header = "X-Esri-Authorization"  # the flavour's: OGC servers use Authorization
        if not verify:
            warnings.warn("TLS certificate verification is off for " + self.origin,
                          stacklevel=3)

    @property
    def has_credentials(self) -> bool:
        return self._provider is not None

    def __repr__(self) -> str:  # never the token
        auth = "with credentials" if self._provider else "anonymous"
        return f"<Transport {self.origin} {auth}>"

    # -- auth ----------------------------------------------------------------------------
    def _current_token(self, refresh: bool = False) -> str | None:
        if self._provider is None:
            return None
        with self._token_lock:
            if self._token is None or refresh:
                self._token = self._provider() or None
            return self._token

    def _headers(self, url: str, refresh: bool = False) -> dict[str, str]:
        if origin_of(url) != self.origin:
            return {}  # credentials travel only to the job's own origin
        token = self._current_token(refresh)
        return {self.auth_header: f"Bearer {token}"} if token else {}

    # -- requests ------------------------------------------------------------------------
    def _network_problem(self, exc: requests.RequestException) -> str:
        text = f"{type(exc).__name__} {exc}".lower()
        for words, problem in NETWORK_PROBLEMS:
            if any(w in text for w in words):
                if problem.startswith("no answer"):
                    read = self.timeout[1] if isinstance(self.timeout, tuple) else self.timeout
                    return f"no answer within the timeout ({read:g} s)"
                return problem
        return f"connection failed ({type(exc).__name__})"

    def request(self, method: str, url: str, *, params: dict[str, Any] | None = None,
                data: dict[str, Any] | None = None, json: Any = None,
                headers: dict[str, str] | None = None, stream: bool = False,
                refresh: bool = False) -> requests.Response:
        """One HTTP request; network failures and 5xx/429 become :class:`TransientError`."""
        session = shared_session(origin_of(url), self.verify)
        headers = {**(headers or {}), **self._headers(url, refresh)}
        try:
            if method == "GET" and not stream and not session.cookies and not session.auth:
                response = self._poll(session, url, params or {}, headers)
            else:
                # verify per request: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE
                # override a session's verify (even False), but not a request's own
                response = session.request(method, url, params=params, data=data, json=json,
                                           stream=stream, timeout=self.timeout,
                                           headers=headers, verify=self.verify,
                                           allow_redirects=True)
        except requests.RequestException as exc:
            raise TransientError(self._network_problem(exc), url=url) from None
        _raise_for_http_status(response, url)
        return response

    def _poll(self, session: requests.Session, url: str, params: dict[str, Any],
              headers: dict[str, str]) -> requests.Response:
        """A plain GET the short way: the request is prepared once per URL and token, then sent
        straight to the connection pool (half the CPU of ``Session.request``: what counts when
        hundreds of jobs are polled). Redirects and cookies take the usual way."""
        key = (url + "?" + urlencode(sorted(params.items())), str(headers))
        prepared = self._prepared.get(key)
        if prepared is None:
            prepared = session.prepare_request(requests.Request("GET", url, params=params,
                                                                headers=headers))
            if len(self._prepared) > 16:  # a job polls one URL; results are fetched once
                self._prepared.clear()
            self._prepared[key] = prepared
        response = session.get_adapter(url).send(prepared.copy(), timeout=self.timeout,
                                                 verify=self.verify, proxies=session.proxies)
        if response.is_redirect or "set-cookie" in response.headers:
            requests.cookies.extract_cookies_to_jar(session.cookies, prepared, response.raw)
            if response.is_redirect:
                response.close()
                return session.request("GET", url, params=params, timeout=self.timeout,
                                       headers=headers, verify=self.verify)
        response.content  # noqa: B018 - read the body now, as Session.send does
        return response

    def get_json(self, url: str, params: dict[str, Any] | None = None, *,
                 max_bytes: int | None = None) -> dict[str, Any]:
        """GET *url* with ``f=json``; the decoded JSON object, or a typed exception.

        With *max_bytes*, an answer larger than that is not read to its end:
        :class:`ResultTooBig` (the preview's budget)."""
        if max_bytes is None:
            return self._json("GET", url, params=params)
        return self._limited_json(url, params, max_bytes)

    def _limited_json(self, url: str, params: dict[str, Any] | None,
                      max_bytes: int) -> dict[str, Any]:
        with self.stream(url, {**(params or {}), "f": "json"}) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise ResultTooBig(int(length), max_bytes)
            body = bytearray()
            for chunk in response.iter_content(1 << 16):
                body += chunk
                if len(body) > max_bytes:
                    raise ResultTooBig(None, max_bytes)
        response._content, response._content_consumed = bytes(body), True
        return _decode(response, url)  # as any other answer

    def post_json(self, url: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST a form to *url* with ``f=json``."""
        return self._json("POST", url, data=data)

    def delete_json(self, url: str) -> dict[str, Any]:
        """DELETE *url* (asking for JSON); the decoded answer."""
        return self._json("DELETE", url)

    def stream(self, url: str, params: dict[str, Any] | None = None) -> requests.Response:
        """A streaming GET (use as a context manager); errors raised before any byte is read."""
        try:
            return self.request("GET", url, params=params, stream=True)
        except AuthError:
            if not self._refreshable or origin_of(url) != self.origin:
                raise
            return self.request("GET", url, params=params, stream=True, refresh=True)

    def _json(self, method: str, url: str, *, params: dict[str, Any] | None = None,
              data: dict[str, Any] | None = None) -> dict[str, Any]:
        # ArcGIS answers HTML unless f=json; OGC servers read f=json or the Accept header
        if method == "POST":
            data = {**(data or {}), "f": "json"}
        else:
            params = {**(params or {}), "f": "json"}
        accept = {"Accept": "application/json"}
        try:
            return _decode(self.request(method, url, params=params, data=data,
                                        headers=accept), url)
        except AuthError:
            # A token provider gets one chance to hand out a fresh token (expired / rotated).
            if not self._refreshable or origin_of(url) != self.origin:
                raise
            log.info("token rejected by %s; asking the token provider again", self.origin)
            return _decode(self.request(method, url, params=params, data=data, headers=accept,
                                        refresh=True), url)


NETWORK_PROBLEMS = (  # (words in the exception text, what we tell the user)
    (("timed out", "timeout"), "no answer within the timeout"),
    (("refused",), "connection refused"),
    (("reset", "aborted", "remotedisconnected", "broken"), "connection dropped by the server"),
    (("name or service", "nodename", "getaddrinfo"), "host name not found"),
    (("ssl", "certificate"), "TLS/certificate problem"),
)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _raise_for_http_status(response: requests.Response, url: str) -> None:
    code = response.status_code
    if code < 400:
        return
    reason = response.reason or ""
    # the server's own words first, whatever the HTTP status (a 500 saying "JobId not found.")
    error = _error_from_body(_try_json(response), url, http_status=code)
    if isinstance(error, ServerError):
        error.retry_after = _retry_after(response)
    if error is not None:
        raise error
    if code == 429 or code >= 500:
        raise TransientError(f"HTTP {code} {reason}".strip(), retry_after=_retry_after(response),
                             url=url)
    if code in (401, 498, 499):
        raise AuthError(f"HTTP {code} {reason}".strip(), code=code, url=url)
    if code == 403:
        raise PermissionDenied(f"HTTP 403 {reason}".strip(), code=403, url=url)
    if code in (404, 410):
        raise NotFound(f"HTTP {code} {reason}".strip(), code=code, url=url)
    raise ArcGISError(f"HTTP {code} {reason}".strip(), code=code, url=url)


def _try_json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _decode(response: requests.Response, url: str) -> dict[str, Any]:
    """JSON body → dict, or the typed exception an ArcGIS error body / proxy page means."""
    text = response.text
    try:
        body = json.loads(text)
    except ValueError:
        kind = "an HTML page" if text.lstrip()[:1] == "<" else "invalid JSON"
        raise TransientError(f"the server answered with {kind} instead of JSON "
                             f"(HTTP {response.status_code})", url=url) from None
    if not isinstance(body, dict):
        raise TransientError("the server answered with JSON that is not an object", url=url)
    error = _error_from_body(body, url)
    if error is not None:
        raise error
    return body


ERROR_CLASSES: dict[int, type[ArcGISError]] = {
    498: AuthError, 499: AuthError, 401: AuthError, 403: PermissionDenied, 404: NotFound,
}
_NOT_FOUND_WORDS = ("not found", "invalid job id", "does not exist", "nosuchjob")


def _error_from_body(body: Any, url: str, http_status: int = 200) -> ArcGISError | None:
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
