"""HTTP to ArcGIS: auth header, timeouts, retries, and ArcGIS error bodies → typed exceptions.

One :class:`Transport` per watched job. It knows the job's origin and sends credentials there
only, in the ``X-Esri-Authorization`` header (never as a ``token`` parameter). Connections are
pooled per origin and shared by every job of the kernel.

Status checks are plain GETs, hundreds a minute on a busy board: they go straight to a urllib3
connection pool (the same timeouts, retries and TLS verification as ``requests``, without its
per-request machinery). Anything else (POST, DELETE, streams, proxies, ``~/.netrc`` sign-in,
cookies, redirects) takes ``requests``' way.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import warnings
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .errors import AuthError, ResultTooBig, TransientError
from .server_errors import decode_json, http_error

log = logging.getLogger("gpjob_widget")

TokenSource = str | Callable[[], str] | None
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 30.0)  # (connect, read) seconds, on every request
POOL_SIZE = 16
SAME_ANSWER_MAX = 1 << 20  # bytes: answers up to this size are remembered to skip re-parsing

# Quick, idempotent-only retries inside one request; longer outages are the poller's business
# (it backs off and shows a notice). 429 is not retried here: its Retry-After may be long.
RETRY = Retry(
    total=3, connect=2, read=1, status=2, backoff_factor=0.25,
    status_forcelist=(500, 502, 503, 504), allowed_methods=frozenset({"GET"}),
    respect_retry_after_header=False, raise_on_status=False,
)

_sessions: dict[tuple[str, bool | str], requests.Session] = {}
_pools: dict[tuple[str, bool | str], urllib3.HTTPConnectionPool] = {}
_sessions_lock = threading.Lock()


@functools.lru_cache(maxsize=4096)
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


class _Session(requests.Session):
    """A session whose redirects carry credentials only to the origin they were meant for
    (``requests`` itself strips only ``Authorization``, and keeps it on http → https)."""

    def rebuild_auth(self, prepared_request: requests.PreparedRequest,
                     response: requests.Response) -> None:
        super().rebuild_auth(prepared_request, response)
        if origin_of(prepared_request.url or "") != origin_of(response.request.url or ""):
            for header in CREDENTIAL_HEADERS:
                prepared_request.headers.pop(header, None)


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
            session = _Session()
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


def tls_options(verify: Verify) -> dict[str, Any]:
    """urllib3's TLS settings for *verify*, as ``requests`` makes them: certifi's bundle by
    default, a CA bundle file or directory, or no verification at all."""
    if verify is False:
        return {"cert_reqs": "CERT_NONE", "assert_hostname": False}
    bundle = requests.utils.DEFAULT_CA_BUNDLE_PATH if verify is True else verify
    where = "ca_cert_dir" if os.path.isdir(bundle) else "ca_certs"
    return {"cert_reqs": "CERT_REQUIRED", where: bundle}


def plain_pool(origin: str, verify: Verify) -> urllib3.HTTPConnectionPool:
    """The kernel's keep-alive connection pool for the status checks of *origin*."""
    key = (origin, verify)
    with _sessions_lock:
        pool = _pools.get(key)
        if pool is None:
            tls = tls_options(verify) if origin.startswith("https:") else {}
            pool = urllib3.connection_from_url(origin, maxsize=POOL_SIZE, retries=RETRY, **tls)
            _pools[key] = pool
        return pool


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
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        self._pool_timeout = urllib3.Timeout(connect=connect, read=read)
        self._targets: dict[tuple[str, tuple], str] = {}  # (url, params) → path and query
        self._last_answer: tuple[tuple, bytes, dict[str, Any]] | None = None  # (key, body, dict)
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
    def _network_problem(self, exc: Exception) -> str:
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
        """One HTTP request the ``requests`` way; network failures and 5xx/429 become
        :class:`TransientError`, other HTTP errors their typed exception."""
        session = shared_session(origin_of(url), self.verify)
        headers = {**(headers or {}), **self._headers(url, refresh)}
        try:
            # verify per request: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE
            # override a session's verify (even False), but not a request's own
            response = session.request(method, url, params=params, data=data, json=json,
                                       stream=stream, timeout=self.timeout, headers=headers,
                                       verify=self.verify, allow_redirects=True)
        except requests.RequestException as exc:
            raise TransientError(self._network_problem(exc), url=url) from None
        if response.status_code >= 400:
            raise http_error(response.status_code, response.reason, response.headers,
                             response.content, url)
        return response

    def get(self, url: str, params: dict[str, Any] | None = None, *,
            headers: dict[str, str] | None = None, refresh: bool = False) -> tuple[bytes, str]:
        """A GET's body and charset: straight to the connection pool unless a proxy, a
        ``~/.netrc`` sign-in or cookies need ``requests``. A redirect is followed, and a
        cookie kept, by ``requests`` (from then on this origin's GETs go that way)."""
        origin = origin_of(url)
        session = shared_session(origin, self.verify)
        if session.proxies or session.auth or session.cookies:
            return self._get_by_requests(url, params, headers, refresh)
        target = self._target(url, params)
        sent = {**PLAIN_HEADERS, **(headers or {}), **self._headers(url, refresh)}
        try:
            answer = plain_pool(origin, self.verify).urlopen(
                "GET", target, headers=sent, retries=RETRY, redirect=False,
                timeout=self._pool_timeout, assert_same_host=False, preload_content=True)
        except urllib3.exceptions.HTTPError as exc:
            raise TransientError(self._network_problem(exc), url=url) from None
        if "set-cookie" in answer.headers:
            requests.cookies.extract_cookies_to_jar(
                session.cookies, requests.Request("GET", origin + target, headers=sent), answer)
        if answer.get_redirect_location():
            return self._get_by_requests(url, params, headers, refresh)
        if answer.status >= 400:
            raise http_error(answer.status, answer.reason or "", answer.headers, answer.data,
                             url)
        return answer.data, _charset(answer.headers.get("Content-Type", ""))

    def _get_by_requests(self, url: str, params: dict[str, Any] | None,
                         headers: dict[str, str] | None, refresh: bool) -> tuple[bytes, str]:
        response = self.request("GET", url, params=params, headers=headers, refresh=refresh)
        return response.content, response.encoding or ""

    def _target(self, url: str, params: dict[str, Any] | None) -> str:
        """Path and query of *url* with *params*, as requests would build them (cached)."""
        key = (url, tuple(params.items()) if params else ())
        target = self._targets.get(key)
        if target is None:
            parts = urlsplit(requests.utils.requote_uri(url))
            query = "&".join(q for q in (parts.query, urlencode(params or {}, doseq=True)) if q)
            target = (parts.path or "/") + (f"?{query}" if query else "")
            if len(self._targets) > 32:  # a job polls one URL; results are fetched once
                self._targets.clear()
            self._targets[key] = target
        return target

    def get_json(self, url: str, params: dict[str, Any] | None = None, *,
                 max_bytes: int | None = None) -> dict[str, Any]:
        """GET *url* with ``f=json``; the decoded JSON object, or a typed exception.

        An answer byte-for-byte the same as this URL's last one is not parsed again: the same
        (read-only) dict comes back. With *max_bytes*, an answer larger than that is not read
        to its end: :class:`ResultTooBig` (the preview's budget)."""
        if max_bytes is not None:
            return self._limited_json(url, params, max_bytes)
        return self._json("GET", url, params=params)

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
        return decode_json(bytes(body), response.status_code, url, response.encoding)

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
        try:
            return self._json_once(method, url, params, data, refresh=False)
        except AuthError:
            # A token provider gets one chance to hand out a fresh token (expired / rotated).
            if not self._refreshable or origin_of(url) != self.origin:
                raise
            log.info("token rejected by %s; asking the token provider again", self.origin)
            return self._json_once(method, url, params, data, refresh=True)

    def _json_once(self, method: str, url: str, params: dict[str, Any] | None,
                   data: dict[str, Any] | None, refresh: bool) -> dict[str, Any]:
        # ArcGIS answers HTML unless f=json; OGC servers read f=json or the Accept header
        if method != "GET":
            data = {**(data or {}), "f": "json"} if method == "POST" else data
            response = self.request(method, url, params=None if method == "POST" else
                                    {"f": "json"}, data=data, headers=ACCEPT_JSON,
                                    refresh=refresh)
            return decode_json(response.content, response.status_code, url, response.encoding)
        params = {**(params or {}), "f": "json"}
        body, charset = self.get(url, params, headers=ACCEPT_JSON, refresh=refresh)
        key, last = (url, tuple(params.items())), self._last_answer
        if last is not None and last[0] == key and last[1] == body:
            return last[2]
        value = decode_json(body, 200, url, charset)
        if len(body) <= SAME_ANSWER_MAX:
            self._last_answer = (key, body, value)
        return value


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset":
            return value.strip('"')
    return ""


PLAIN_HEADERS = {"User-Agent": "gpjob_widget", "Accept-Encoding": "gzip, deflate",
                 "Accept": "*/*"}
ACCEPT_JSON = {"Accept": "application/json"}
CREDENTIAL_HEADERS = ("X-Esri-Authorization", "Authorization")

NETWORK_PROBLEMS = (  # (words in the exception text, what we tell the user)
    (("timed out", "timeout"), "no answer within the timeout"),
    (("refused",), "connection refused"),
    (("reset", "aborted", "remotedisconnected", "broken"), "connection dropped by the server"),
    (("name or service", "nodename", "getaddrinfo"), "host name not found"),
    (("ssl", "certificate"), "TLS/certificate problem"),
)
