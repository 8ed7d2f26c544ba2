"""Job: the display-free client of one job resource — the JS ``JobInfo`` in Python."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Generator, Mapping
from pathlib import Path
from typing import Any

from . import downloads, flavours, history, results
from . import status as st
from .errors import (
    ArcGISError,
    AuthError,
    CancelError,
    GPJobError,
    PartialResults,
    ResultError,
    ResultTooBig,
    TransientError,
)
from .flavours import encode_param
from .poller import MAX_INTERVAL, Poller
from .snapshot import JobSnapshot
from .terminal import Progress
from .transport import DEFAULT_TIMEOUT, TokenSource, Transport, Verify, split_token
from .watch import STALL_AFTER, Watch, WatchState

JOB_OPTIONS = ("flavour", "verify", "timeout")  # how to reach the job
WATCH_OPTIONS = ("poll_interval", "max_interval", "stall_after", "poller")  # how to watch it
RESULT_OPTIONS = {"out_sr": "outSR", "return_z": "returnZ", "return_m": "returnM",
                  "return_type": "returnType"}


def _name(subject: object) -> str:
    """How messages name the object waited on: ``w.cancel()`` for a card, ``job.cancel()``."""
    return "job" if isinstance(subject, Job) else "w"


class Job:
    """One job on an ArcGIS server: check its status, cancel it, wait, fetch its results.

    ``token`` is a string (token or API key), a callable returning one (asked again when the
    server says the token expired), or an ``arcgis.gis.GIS``. It travels in the
    ``X-Esri-Authorization`` header to the job's own origin only.

    >>> job = Job(job_url, token=my_token)
    >>> job.wait(progress=True)        # the card's policy, a terminal bar on stderr
    'job-succeeded'
    >>> job.results
    """

    def __init__(self, job_url: str, token: TokenSource | Any = None, *,
                 flavour: str | None = None, verify: Verify = True,
                 timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
                 poll_interval: float | None = None, max_interval: float = MAX_INTERVAL,
                 stall_after: float | None = STALL_AFTER, poller: Poller | None = None,
                 start: bool = False) -> None:
        url, url_token = split_token(flavours.check_job_url(job_url))
        self.job_url = url.rstrip("/")
        self.transport = Transport(self.job_url, token if token is not None else url_token,
                                   verify=verify, timeout=timeout)
        # the flavour: given, remembered, or told by the first answer; until then the URL's
        # hint speaks for it (and chooses the token header of the first request)
        self.flavour: flavours.Flavour | None = flavours.by_name(flavour) if flavour else None
        self._hint = None if flavour else flavours.from_url(self.job_url)
        known = history.lookup(self.job_url)  # a job seen before (e.g. before a restart)
        if self.flavour is None and known is not None and known.flavour:
            self.flavour = flavours.by_name(known.flavour)
        self._use(self.protocol)
        self.job_id = self.protocol.job_id_from_url(self.job_url)
        self.title = (known.title if known else "") or self.protocol.title_from_url(self.job_url)
        self.last: JobSnapshot | None = None
        self._watcher: Watch | None = None
        self._result_cache: dict[tuple, Any] = {}
        self._results_lock = threading.RLock()
        self._outputs: dict[str, Any] = {}
        self._outputs_of: JobSnapshot | None = None
        self.data_types: dict[str, str] = {}   # output name → its dataType, once fetched
        self.sources: dict[Path, str] = {}     # downloaded file → the URL it came from
        self._watch_options = {"poll_interval": poll_interval, "max_interval": max_interval,
                               "stall_after": stall_after, "poller": poller}
        if start:
            self.start()

    @property
    def protocol(self) -> flavours.Flavour:
        """The flavour spoken: the known one, else the URL's hint, else Mission-style."""
        return self.flavour or self._hint or flavours.MissionFlavour()

    def _use(self, flavour: flavours.Flavour) -> None:
        """Speak *flavour*'s protocol from now on (its token header too)."""
        self.transport.auth_header = flavour.auth_header

    @classmethod
    def of(cls, job: Any, token: TokenSource = None, **options: Any) -> Job:
        """A :class:`Job` from what you have: a job URL, a ``Job``, a ``JobWidget``, or a job
        of Esri's ``arcgis`` package (GPJob and its raster / oriented imagery / reality mapping
        wrappers, NotebookJob, server admin AsyncJob, MissionJob, or a Future carrying one),
        whose sign-in then provides the token (an explicit *token* wins)."""
        if isinstance(job, Job):
            return job
        if isinstance(getattr(job, "job", None), Job):  # a JobWidget
            return job.job
        if isinstance(job, str):
            return cls(job, token, **options)
        from .interop import arcgis

        found = arcgis.job_url_and_flavour(job)
        if found is None:
            raise TypeError(f"not a job URL or a job object: {type(job).__name__}")
        url, flavour = found
        inner = arcgis.unwrap(job)
        session = getattr(inner, "session", None)
        if "verify" not in options and isinstance(getattr(session, "verify", None), bool | str):
            options["verify"] = session.verify  # e.g. a GIS made with verify_cert=False
        if not options.get("flavour"):
            options["flavour"] = flavour
        return cls(url, token if token is not None else arcgis.token_provider(inner), **options)

    def __repr__(self) -> str:
        state = self._watcher.state if self._watcher else None
        status = state.status if state else self.last.status if self.last else "not checked yet"
        return f"<Job {self.job_id} {status} at {self.job_url}>"

    # -- watching (the engine's policy, without a display) --------------------------------
    @property
    def watcher(self) -> Watch:
        """This job's watch engine (created on first use; shared by every view of the job)."""
        if self._watcher is None:
            self.watch()
        return self._watcher  # type: ignore[return-value]

    def watch(self, **options: Any) -> Watch:
        """This job's watch engine, created with *options* (``poll_interval``,
        ``max_interval``, ``stall_after``, ``poller``; the job's own by default) on first use."""
        if self._watcher is None:
            unknown = set(options) - set(WATCH_OPTIONS)
            if unknown:
                raise TypeError(f"unknown watch option(s): {', '.join(sorted(unknown))}")
            self._watcher = Watch(self, **{**self._watch_options, **options})
            history.follow(self._watcher)
        return self._watcher

    def start(self) -> None:
        """Start (or resume) watching in the background; the first check happens at once."""
        self.watcher.start()

    def stop(self) -> None:
        """Stop watching (``start()`` or ``wait()`` resumes)."""
        if self._watcher is not None:
            self._watcher.stop()

    def close(self) -> None:
        """Stop watching for good (JS ``destroy()``): no more checks, no more updates."""
        if self._watcher is not None:
            self._watcher.close()

    @property
    def status(self) -> str:
        """The latest known status (``job-…``)."""
        if self._watcher is not None:
            return self._watcher.state.status
        return self.last.status if self.last else st.NEW

    @property
    def state(self) -> WatchState:
        """Everything known of the job now (status, percent, counts, error, times…)."""
        return self.watcher.state

    percent = property(lambda self: self.state.percent, doc="0–100, or None (indeterminate)")
    progress_message = property(lambda self: self.state.progress_message)
    error = property(lambda self: self.state.error, doc="the server's words when it failed")
    cancellable = property(lambda self: self.state.cancellable)
    watching = property(lambda self: self.state.watching)

    @property
    def messages(self) -> list[dict[str, str]]:
        """The whole log so far: ``[{"type", "description"}]``."""
        return list(self.watcher.messages)

    def wait(self, timeout: float | None = None, *, callback: Callable[[Any], Any] | None = None,
             raise_on_failure: bool = False, cancel_on_interrupt: bool = False,
             progress: Progress = None, _subject: Any = None, _cancel_hint: str = "") -> str:
        """Block until the job ends; return its final status (JS ``waitForJobCompletion``).

        ``callback(job)`` runs after every non-terminal check. With ``raise_on_failure`` a
        failed / cancelled / timed-out job raises :class:`JobFailed`. ``TimeoutError`` after
        *timeout* s (the job keeps running); :class:`WatchError` if watching stopped first.
        Ctrl-C stops waiting and says the job still runs (``cancel_on_interrupt`` cancels it).
        ``progress``: ``True`` a live bar on stderr, ``"lines"`` one plain line per change
        (logs, pipes), ``False`` nothing; by default a bar when stderr is a terminal.
        """
        from .terminal import progress_bar

        subject = _subject or self
        try:
            hint = _cancel_hint or f"cancel it: {_name(subject)}.cancel()"
            with progress_bar(self.watcher, progress, cancel=hint) as view:
                return self.watcher.wait(
                    timeout, callback=None if callback is None else lambda: callback(subject),
                    raise_on_failure=raise_on_failure, cancel_on_interrupt=cancel_on_interrupt,
                    on_tick=view.tick if view else None, subject=_name(subject))
        except KeyboardInterrupt as interrupt:  # its message says it all: end at the caller
            raise interrupt.with_traceback(None) from None

    async def wait_async(self, timeout: float | None = None, *,
                         callback: Callable[[Any], Any] | None = None,
                         raise_on_failure: bool = False, cancel_on_interrupt: bool = False,
                         _subject: Any = None) -> str:
        """``wait()`` that awaits: the event loop (and, in a kernel, the cards' buttons) stay
        free meanwhile."""
        from .kernel import comm_pump

        subject = _subject or self
        try:
            return await self.watcher.wait_async(
                timeout, callback=None if callback is None else lambda: callback(subject),
                raise_on_failure=raise_on_failure, cancel_on_interrupt=cancel_on_interrupt,
                subject=_name(subject), on_tick=comm_pump())
        except KeyboardInterrupt as interrupt:
            raise interrupt.with_traceback(None) from None

    def __await__(self) -> Generator[Any, None, str]:  # `await job` = `await job.wait_async()`
        return self.wait_async().__await__()

    @property
    def results(self) -> dict[str, Any]:
        """``{param: value}`` once the job succeeded: typed, fetched once, then cached.

        If some outputs cannot be fetched, :class:`PartialResults` says which and why, and
        carries the others (each also loads alone with :meth:`result`)."""
        values, failures = self.fetch_all()
        if failures:
            raise PartialResults(values, failures)
        return values

    def fetch_all(self, names: list[str] | None = None, *, download_dir: Path | None = None,
                  progress_of: Callable[[str], Any] | None = None,
                  ) -> tuple[dict[str, Any], dict[str, ResultError]]:
        """Every output (or those *names*): ``(values, failures)``; one that fails hides none
        of the others. ``progress_of(name)`` gives the download progress of output *name*."""
        values: dict[str, Any] = {}
        failures: dict[str, ResultError] = {}
        for name in self.output_names() if names is None else names:
            try:
                values[name] = self.result(name, download_dir=download_dir,
                                           progress=progress_of(name) if progress_of else None)
            except ResultError as exc:
                failures[name] = exc
        return values, failures

    def result(self, name: str, *, download_dir: Path | None = None,
               progress: Callable[[int, int | None], None] | None = None,
               max_bytes: int | None = None, **options: Any) -> Any:
        """Output *name* as a Python object, cached per options (see :meth:`fetch_result_data`).
        With *max_bytes*, a result larger than that is not fetched (:class:`ResultTooBig`)."""
        self.output_names()
        key = (name, tuple(sorted(options.items())))
        with self._results_lock:
            if key not in self._result_cache:
                self._result_cache[key] = self.fetch_result_data(
                    name, download_dir=download_dir, progress=progress, max_bytes=max_bytes,
                    **options)
            return self._result_cache[key]

    def output_names(self) -> list[str]:
        """The job's output names; a :class:`ResultError` unless it succeeded."""
        if self.status != st.SUCCEEDED:
            raise ResultError(f"results are available once the job succeeds (it is {self.status})")
        return list(self.result_refs)

    @classmethod
    def submit(cls, task_url: str, params: Mapping[str, Any] | None = None,
               token: TokenSource = None, *, flavour: str | None = None,
               **options: Any) -> Job:
        """Start a job and return it: a GP task (``…/GPServer/<task>``: ``submitJob``) or an
        OGC API – Processes process (``…/processes/<id>``: asynchronous execution; a server
        that answers at once gives a job that already succeeded with those outputs).

        *flavour* overrides how the URL is read; *options* are those of :class:`Job`.
        """
        task_url, url_token = split_token(flavours.check_task_url(task_url))
        token = token if token is not None else url_token
        submitter = flavours.by_name(flavour) if flavour else flavours.for_task_url(task_url)
        transport = Transport(task_url, token, verify=options.get("verify", True),
                              timeout=options.get("timeout", DEFAULT_TIMEOUT))
        transport.auth_header = submitter.auth_header
        job_url, snapshot = submitter.submit(transport, task_url, params or {})
        start = options.pop("start", False)
        job = cls(job_url, token, flavour=submitter.name, **options)
        job.last = snapshot
        job.title = snapshot.title or job.title
        history.record(job.job_url, job_id=job.job_id, flavour=submitter.name,
                       status=snapshot.status, title=job.title)
        if start:
            job.start()
        return job

    # -- JobInfo parity -------------------------------------------------------------------
    def check_status(self) -> JobSnapshot:
        """One GET of the job resource, parsed. Until the flavour is known, the first answer's
        shape decides it (the URL only when the answer is silent)."""
        body = self._get_job()
        last = self.last
        if last is not None and (body is last.raw or body == last.raw):
            return last  # nothing changed (the transport hands back the same dict): not parsed
        if self.flavour is None:
            header = self.transport.auth_header  # the one the server took
            self.flavour = flavours.detect(body, self.job_url)
            self.transport.auth_header = header
        snapshot = self.flavour.parse(body, self.job_url)
        if snapshot.job_id:
            self.job_id = snapshot.job_id
        if snapshot.title:
            self.title = snapshot.title
        self.last = snapshot
        return snapshot

    def _get_job(self) -> dict[str, Any]:
        try:
            return self.transport.get_json(self.job_url)
        except AuthError:
            # the URL's hint chose the token header; before any answer told the flavour, the
            # other header (Esri's, or OGC's Authorization) deserves one try on this origin
            if self.flavour is not None or not self.transport.has_credentials:
                raise
            first = self.transport.auth_header
            self.transport.auth_header = ("Authorization" if first == "X-Esri-Authorization"
                                          else "X-Esri-Authorization")
            try:
                return self.transport.get_json(self.job_url)
            except AuthError:
                self.transport.auth_header = first
                raise

    def cancel(self) -> str:
        """Cancel on the server; the new status (usually ``job-cancelling``) is published to
        every view. Raises :class:`CancelError` with the server's words if it refuses."""
        if self._watcher is not None:
            return self._watcher.cancel()
        return self.request_cancel()

    def request_cancel(self) -> str:
        """One cancel request; returns the status the server answered (no watching involved)."""
        try:
            body = self.protocol.cancel(self.transport, self.job_url)
        except TransientError as exc:
            raise CancelError(f"could not reach the server to cancel: {exc}") from None
        except ArcGISError as exc:
            raise CancelError(f"the server refused to cancel: {exc}") from None
        # {"jobStatus": "esriJobCancelling"}, {"status": "dismissed"} (OGC), or {"status":
        # "success"} (Notebook Server, admin): only a cancel word is taken as the job's new
        # status; the next check tells the rest
        answered = st.normalize(body.get("jobStatus") or body.get("status"))
        return answered if answered in (st.CANCELLING, st.CANCELLED) else st.CANCELLING

    @property
    def result_refs(self) -> dict[str, Any]:
        """``{param: ref}``: ``{"paramUrl"}`` (GP) or ``{"value"}`` (inline outputs)."""
        if self.last is None:
            return {}
        with self._results_lock:
            if self._outputs_of is not self.last:  # an OGC server lists them in one request
                try:
                    self._outputs = self.protocol.outputs(self.last, self.transport)
                except GPJobError as exc:
                    raise ResultError(f"the outputs could not be listed: {exc}") from None
                self._outputs_of = self.last
            return dict(self._outputs)

    def fetch_result_json(self, name: str, *, max_bytes: int | None = None,
                          **options: Any) -> dict[str, Any]:
        """The raw result ``{"paramName", "dataType", "value"}`` of output parameter *name*.

        Options: ``out_sr``, ``return_z``, ``return_m``, ``return_type="data"``.
        """
        refs = self.result_refs
        if name not in refs:
            known = ", ".join(refs) or "none"
            raise KeyError(f"the job has no output {name!r} (outputs: {known})")
        ref = refs[name]
        if isinstance(ref, Mapping) and "value" in ref and "paramUrl" not in ref:
            return {"paramName": name, "dataType": ref.get("dataType", ""), "value": ref["value"]}
        params = {RESULT_OPTIONS[k]: encode_param(v) for k, v in options.items()
                  if k in RESULT_OPTIONS and v is not None}
        unknown = set(options) - set(RESULT_OPTIONS)
        if unknown:
            raise TypeError(f"unknown result option(s): {', '.join(sorted(unknown))}")
        url = self.protocol.result_url(self.job_url, ref if isinstance(ref, Mapping) else {}, name)
        return self.transport.get_json(url, params, max_bytes=max_bytes)

    def fetch_result_data(self, name: str, *, download_dir: Path | None = None,
                          progress: Callable[[int, int | None], None] | None = None,
                          max_bytes: int | None = None, **options: Any) -> Any:
        """Output *name* as a Python object (files are downloaded into *download_dir*)."""
        try:
            payload = self.fetch_result_json(name, max_bytes=max_bytes, **options)
        except KeyError as exc:
            raise ResultError(str(exc.args[0]), param=name) from None
        except ResultTooBig as exc:
            raise ResultTooBig(exc.size, exc.budget, param=name) from None
        except GPJobError as exc:
            raise ResultError(str(exc), param=name) from None
        self.data_types[name] = str(payload.get("dataType") or "")
        return self._convert(name, payload, download_dir, progress, max_bytes)

    def fetch_input(self, name: str, **options: Any) -> Any:
        """Input parameter *name* as the server recorded it, as a Python object."""
        ref = (self.last.inputs if self.last else {}).get(name)
        if ref is None:
            raise ResultError("the job has no such input", param=name)
        url = f"{self.job_url}/{ref.get('paramUrl') or 'inputs/' + name}"
        try:
            payload = self.transport.get_json(url)
        except GPJobError as exc:
            raise ResultError(str(exc), param=name) from None
        return self._convert(name, payload, None, None)

    def _convert(self, name: str, payload: Mapping[str, Any], download_dir: Path | None,
                 progress: Callable[[int, int | None], None] | None,
                 max_bytes: int | None = None) -> Any:
        def download(url: str) -> Path:
            target = download_dir or Path.cwd() / "gpjob_results" / self.job_id
            path = downloads.download_file(self.transport, url, target, progress=progress,
                                           max_bytes=max_bytes)
            self.sources[path] = url
            return path

        try:
            return results.convert_result(dict(payload), download=download,
                                          get_json=self.transport.get_json)
        except ResultTooBig as exc:
            raise ResultTooBig(exc.size, exc.budget, param=name) from None
        except ResultError:
            raise
        except GPJobError as exc:
            raise ResultError(str(exc), param=name) from None

    @property
    def result_map_service_url(self) -> str:
        """``…/MapServer/jobs/<jobId>``: the GP service's result map service for this job."""
        match = re.search(r"/GPServer/[^/]+/jobs/[^/]+$", self.job_url)
        if match is None:
            raise ResultError("only GP service jobs have a result map service")
        return f"{self.job_url[:match.start()]}/MapServer/jobs/{self.job_id}"

    def fetch_result_image(self, **image_params: Any) -> bytes:
        """PNG (or other ``format``) bytes rendered by the result map service's ``export``."""
        params = {"size": "600,400", "format": "png", **{k: encode_param(v)
                                                           for k, v in image_params.items()}}
        params["f"] = "image"
        try:
            response = self.transport.request("GET", self.result_map_service_url + "/export",
                                              params=params)
        except GPJobError as exc:
            raise ResultError(str(exc), param="result image") from None
        if not response.headers.get("Content-Type", "").startswith("image/"):
            raise ResultError("the map service did not answer with an image "
                              f"({response.headers.get('Content-Type', 'no content type')})")
        return response.content

    def to_json(self) -> dict[str, Any]:
        """A plain, token-free description of the job (JS ``JobInfo.toJSON``)."""
        last = self.last
        return {
            "jobId": self.job_id,
            "jobUrl": self.job_url,
            "flavour": self.flavour.name if self.flavour else None,
            "jobStatus": last.status if last else st.NEW,
            "messages": [m.to_dict() for m in last.messages] if last else [],
            "progress": {"percent": last.percent, "message": last.progress_message}
            if last else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], token: TokenSource = None, **options: Any) -> Job:
        """Rebuild a :class:`Job` from :meth:`to_json` output (the token is given again)."""
        return cls(data["jobUrl"], token, flavour=data.get("flavour"), **options)
