"""JobWidget: the live progress card of one job — a view of the job's watch engine."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Generator, Mapping
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from . import frontend
from . import status as st
from .errors import CancelError, PartialResults
from .job import JOB_OPTIONS, WATCH_OPTIONS, Job
from .loader import Loaded, assign_results
from .poller import MAX_INTERVAL, Poller, exiting
from .preview import BUDGET
from .snapshot import JobSnapshot
from .terminal import Progress
from .transport import DEFAULT_TIMEOUT, TokenSource, Verify
from .watch import STALL_AFTER, Update, Watch, WatchState

log = logging.getLogger("gpjob_widget")

LOG_CHUNK = 1000            # messages per log delta sent to the card
NO_CARD_CHECKS = (4.0, 6.0)  # s after display: a view was made, but no card ever spoke?
PREVIEW_WAIT = 30.0          # s a headless await waits for the previews of its snapshot
ENGINE_TRAITS = tuple(WatchState.__dataclass_fields__)
# what JobWidget(...) and JobWidget.submit(...) take besides the job and its token
CARD_OPTIONS = (*JOB_OPTIONS, *WATCH_OPTIONS, "start", "download_dir", "notify", "preview",
                "preview_budget")
CARD_TRAITS = (*ENGINE_TRAITS, "results_state", "results_error", "loaded", "download",
               "preview_state")


STATIC_IMAGE_MAX = 100_000  # bytes: a bigger picture stays out of the saved notebook


def _static_preview(data: dict[str, Any], buffers: list[Any], svg: Any) -> dict[str, Any]:
    """An output's preview as the saved notebook carries it: the thumbnail as SVG, a small
    picture as a data: URI (plain data, no script)."""
    if data.get("kind") == "features":
        return {**data, "svg": svg(data, buffers)}
    image = data.get("image")
    if image and buffers and len(buffers[0]) <= STATIC_IMAGE_MAX:
        import base64

        return {**data, "image_uri": f"data:{image};base64,"
                f"{base64.b64encode(bytes(buffers[0])).decode()}"}
    return dict(data)


class JobWidget(anywidget.AnyWidget):
    """A live progress card for one ArcGIS job; its engine polls until the job ends.

    >>> w = JobWidget(job_url, token=my_token)               # watch an existing job
    >>> w = JobWidget(gpjob)                                 # an arcgis job, with its sign-in
    >>> w = JobWidget.submit(task_url, params={"distance": 5})  # submit, then watch
    >>> await w.wait_async(); w.results                      # the card stays clickable
    """

    _handles_clicks_while_awaited = True  # kernel.pump may handle its messages

    _esm = frontend.module("card.js")
    _css = frontend.stylesheet("card.css", "preview.css")

    job_id = t.Unicode("").tag(sync=True)
    title = t.Unicode("").tag(sync=True)
    flavour = t.Unicode("").tag(sync=True)
    job_url = t.Unicode("").tag(sync=True)
    status = t.Unicode(st.NEW).tag(sync=True)
    raw_status = t.Unicode("").tag(sync=True)
    percent = t.Float(None, allow_none=True).tag(sync=True)
    progress_message = t.Unicode("").tag(sync=True)
    message_count = t.Int(0).tag(sync=True)
    warning_count = t.Int(0).tag(sync=True)
    error_count = t.Int(0).tag(sync=True)
    error = t.Unicode("").tag(sync=True)
    notice = t.Unicode("").tag(sync=True)
    started_at = t.Float(None, allow_none=True).tag(sync=True)
    ended_at = t.Float(None, allow_none=True).tag(sync=True)
    checked_at = t.Float(None, allow_none=True).tag(sync=True)
    next_check_at = t.Float(None, allow_none=True).tag(sync=True)
    watching = t.Bool(False).tag(sync=True)
    cancellable = t.Bool(False).tag(sync=True)
    cancel_state = t.Unicode("").tag(sync=True)
    cancel_error = t.Unicode("").tag(sync=True)
    changed_at = t.Float(None, allow_none=True).tag(sync=True)  # last change, epoch ms
    stalled = t.Bool(False).tag(sync=True)  # no change for much longer than the job's rhythm
    results_state = t.Unicode("").tag(sync=True)
    results_error = t.Unicode("").tag(sync=True)
    loaded = t.List(t.Dict()).tag(sync=True)
    download = t.Dict().tag(sync=True)
    notify = t.Bool(False).tag(sync=True)  # a browser notification when a long job ends
    outputs = t.List(t.Unicode()).tag(sync=True)  # output names, once the job succeeded
    output_info = t.Dict().tag(sync=True)  # {name: {"label", "shows"}} from the task's description
    preview_state = t.Unicode("").tag(sync=True)  # "" · building · ready · off
    # The whole log, Python side only: the card receives it as appended deltas (see DEVELOPERS.md).
    messages = t.List(t.Dict()).tag(sync=False)

    _watch: Watch | None = None  # class defaults keep close() safe on a half-built widget
    _closed = False

    def __init__(self, job_url: str | Any = None, token: TokenSource | Any = None, *,
                 flavour: str | None = None, verify: Verify = True,
                 timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
                 poll_interval: float | None = None, max_interval: float = MAX_INTERVAL,
                 stall_after: float | None = STALL_AFTER, start: bool = True,
                 poller: Poller | None = None, download_dir: str | Path | None = None,
                 notify: bool = False, preview: bool = True,
                 preview_budget: int | None = BUDGET, _job: Job | None = None,
                 **kwargs: Any) -> None:
        # a job URL, or a job object (e.g. Esri's arcgis GPJob: its sign-in gives the token)
        options: dict[str, Any] = {"flavour": flavour, "timeout": timeout}
        if verify is not True:
            options["verify"] = verify
        job = _job or Job.of(job_url, token, **options)
        super().__init__(notify=notify, **kwargs)
        self._view_count = 0  # front ends count their views: see _watch_for_a_card()
        self._job = job
        self.download_dir = download_dir
        self._display_handles: list[Any] = []
        self._preview, self._preview_budget = preview, preview_budget
        self._heard = False       # a card (our front end) spoke from the page
        self._no_card = False     # a page made a view, but our front end is not loaded there
        self._unseen = False      # no page ever made a view (nbclient, nbconvert --execute)
        self._displayed_at = float("inf")
        self._previews: dict[str, Any] = {}  # output name → (data, buffers)
        self._preview_lock = threading.Lock()
        self._watch = job.watch(poll_interval=poll_interval, max_interval=max_interval,
                                stall_after=stall_after, poller=poller)
        self._sync(self._watch.state, ENGINE_TRAITS)
        self.messages = list(self._watch.messages)
        self._unsubscribe = self._watch.subscribe(self._on_update)
        self.on_msg(_on_card_message)
        if start:
            self.start()

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def submit(cls, task_url: str, params: Mapping[str, Any] | None = None,
               token: TokenSource = None, **options: Any) -> JobWidget:
        """Submit a job (GP ``submitJob``, OGC ``…/execution``), then watch it on a card.

        *options* are those of :class:`JobWidget` (``flavour``, ``verify``, ``timeout`` reach
        the server; the others shape watching and the card)."""
        job = Job.submit(task_url, params, token,
                         **{k: options.pop(k) for k in JOB_OPTIONS if k in options})
        return cls(_job=job, **options)

    @staticmethod
    def form(task_url: str, token: TokenSource = None, values: Mapping[str, Any] | None = None,
             **options: Any) -> Any:
        """A :class:`~gpjob_widget.form.TaskForm` for *task_url*: fill it in, Submit, and its
        card appears below it."""
        from .form import TaskForm

        return TaskForm(task_url, token, values, **options)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], token: TokenSource = None,
                  **options: Any) -> JobWidget:
        """Watch again a job described by :meth:`to_json` (the token is given again)."""
        return cls(data["jobUrl"], token, flavour=data.get("flavour"), **options)

    def to_json(self) -> dict[str, Any]:
        """A plain, token-free description of the job (JS ``JobInfo.toJSON``)."""
        return {**self._job.to_json(), "jobStatus": self.status, "messages": list(self.messages)}

    @property
    def job(self) -> Job:
        """The display-free client behind the card."""
        return self._job

    # -- engine → traits and card ---------------------------------------------------------
    def _sync(self, state: WatchState, names: Any) -> None:
        with self.hold_sync():
            for name in names:
                if name in ENGINE_TRAITS:
                    value = getattr(state, name)
                    setattr(self, name, list(value) if name == "outputs" else value)
            if state.status == st.SUCCEEDED and not self.results_state:
                self.results_state = "available" if state.outputs else "none"

    def _on_update(self, update: Update) -> None:
        if self._closed:
            return
        self._sync(update.state, update.changed)
        if update.messages:
            self.messages = [*self.messages, *update.messages]
            self._send_log(update.first, list(update.messages))
        if "watching" in update.changed and not update.state.watching:
            if update.state.status == st.SUCCEEDED and update.state.outputs:
                self._start_previews()
            # each rewrite makes the page draw the card again: with previews coming, one
            # rewrite when they are ready (a page without a live card follows every step)
            if self.preview_state != "building" or self._no_card or not self._heard:
                self._refresh_displays()
            if update.state.terminal and self._display_handles and not self._heard:
                from .kernel import when_idle

                when_idle(0.25, self._settle_unseen)
        elif self._no_card and update.changed & {"status", "percent", "progress_message",
                                                 "error", "stalled"}:
            self._refresh_displays()  # the snapshot is all this page shows: keep it moving

    def _send_log(self, start: int, items: list[dict[str, str]]) -> None:
        for i in range(0, len(items), LOG_CHUNK):
            self.send({"kind": "log", "start": start + i, "items": items[i:i + LOG_CHUNK]})

    # -- watching -------------------------------------------------------------------------
    def start(self) -> None:
        """Start (or resume) watching: the first check happens at once."""
        if not self._closed and self._watch is not None:
            self._watch.start()

    def stop(self) -> None:
        """Stop watching; the card stays. (``close()`` also removes the card.)"""
        if self._watch is not None:
            self._watch.stop()

    def close(self) -> None:
        """Stop watching and close the widget (JS ``destroy()``)."""
        if exiting():  # interpreter exit (ipywidgets' __del__): block on nothing
            self._closed = True
            return
        if self._watch is not None:
            self._watch.close()  # its last update (watching: False) still reaches the traits
        self._closed = True
        super().close()

    def check_status(self) -> JobSnapshot:
        """Check the job now, update the card, and return what the server said."""
        return self._watch.check_now()  # type: ignore[union-attr]

    def wait(self, timeout: float | None = None, *,
             callback: Callable[[JobWidget], Any] | None = None,
             raise_on_failure: bool = False, cancel_on_interrupt: bool = False,
             progress: Progress = None) -> str:
        """Block until the job ends; return its final status.

        ``callback(widget)`` runs after every non-terminal check (JS ``statusCallback``).
        With ``raise_on_failure`` a failed / cancelled / timed-out job raises :class:`JobFailed`.
        ``TimeoutError`` after *timeout* s; :class:`WatchError` if watching stopped first.
        An interrupt stops waiting, not the job (``cancel_on_interrupt=True`` cancels it).
        While this blocks, the kernel cannot handle the card's buttons: in a notebook prefer
        ``await w.wait_async()``. Outside a notebook a bar on stderr shows progress.
        """
        return self._job.wait(timeout, callback=callback, raise_on_failure=raise_on_failure,
                              cancel_on_interrupt=cancel_on_interrupt, progress=progress,
                              _subject=self)

    async def wait_async(self, timeout: float | None = None, *,
                         callback: Callable[[JobWidget], Any] | None = None,
                         raise_on_failure: bool = False,
                         cancel_on_interrupt: bool = False) -> str:
        """Await the end of the job: the card's Cancel and Load results keep working."""
        status = await self._job.wait_async(timeout, callback=callback,
                                            raise_on_failure=raise_on_failure,
                                            cancel_on_interrupt=cancel_on_interrupt,
                                            _subject=self)
        # a page's messages were handled while we awaited: if none ever made a view (a
        # headless run), the output becomes the snapshot, previews included
        if not self._heard and not self._view_count and \
                time.monotonic() - self._displayed_at > 1.0:
            deadline = time.monotonic() + PREVIEW_WAIT
            while self.preview_state == "building" and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            self._settle_unseen()
        return status

    def __await__(self) -> Generator[Any, None, str]:  # `await w` = `await w.wait_async()`
        return self.wait_async().__await__()

    # -- cancel ---------------------------------------------------------------------------
    def cancel(self) -> str:
        """Cancel the job on the server; returns the new status (``job-cancelling`` …)."""
        return self._watch.cancel()  # type: ignore[union-attr]

    # -- results --------------------------------------------------------------------------
    @property
    def results(self) -> dict[str, Any]:
        """``{param: value}`` once the job succeeded: typed, fetched once, then cached
        (:class:`PartialResults` names the outputs that failed and carries the others)."""
        values, failures = self._fetch_all()
        if failures:
            raise PartialResults(values, failures)
        return values

    def _fetch_all(self, names: list[str] | None = None
                   ) -> tuple[dict[str, Any], dict[str, Any]]:
        return self._job.fetch_all(names, download_dir=self.download_dir,
                                   progress_of=self._download_progress)

    def result(self, name: str, **options: Any) -> Any:
        """Output *name* as a Python object (JS ``fetchResultData``), cached per options.

        Options: ``out_sr``, ``return_z``, ``return_m``, ``return_type="data"``.
        """
        return self._job.result(name, download_dir=self.download_dir,
                                progress=self._download_progress(name), **options)

    fetch_result_data = result

    @property
    def inputs(self) -> dict[str, Any]:
        """``{param: value}`` of the job's inputs as the server recorded them."""
        refs = self._job.last.inputs if self._job.last else {}
        return {name: self._job.fetch_input(name) for name in refs}

    def fetch_result_image(self, **image_params: Any) -> ResultImage:
        """The result map service's rendering (JS ``fetchResultImage``); displays inline."""
        self._job.output_names()
        return ResultImage(self._job.fetch_result_image(**image_params))

    def fetch_result_map_image_layer(self, gis: Any = None) -> Any:
        """The result map service (JS ``fetchResultMapImageLayer``): an ``arcgis``
        ``MapImageLayer`` on *gis* (an ``arcgis.gis.GIS``), else its URL. Without a GIS no
        layer is made: arcgis would sign in to ArcGIS Online anonymously to make one."""
        url = self._job.result_map_service_url
        if gis is None:
            return url
        from arcgis.layers import MapImageLayer  # type: ignore[import-not-found]

        return MapImageLayer(url, gis=gis)

    def load_results(self, namespace: dict[str, Any] | None = None, prefix: str = "", *,
                     names: list[str] | None = None) -> list[Loaded]:
        """Assign every output to a variable in *namespace* (default: the notebook's).

        Every output is fetched first; those that could be are assigned (listed on the card)
        even if another one fails, and :class:`PartialResults` then says which failed and
        why. Loading again fetches only what failed. *names* loads only those outputs.
        Returns what was created.
        """
        with self.hold_sync():
            self.results_state = "loading"
            self.results_error = ""
        try:
            values, failures = self._fetch_all(names)
            loaded = assign_results(values, namespace, prefix, owner=self._job.job_url)
        except Exception as exc:
            with self.hold_sync():
                self.results_state = "error"
                self.results_error = str(exc)
            raise
        with self.hold_sync():
            if names is not None:  # a part: keep what was loaded before
                kept = {item["name"]: item for item in self.loaded}
                kept.update({item.name: item.to_dict() for item in loaded})
                self.loaded = list(kept.values())
            else:
                self.loaded = [item.to_dict() for item in loaded]
            self.results_state = "partial" if failures and loaded else \
                "error" if failures else "loaded"
            self.results_error = str(PartialResults(values, failures)) if failures else ""
        if failures:
            raise PartialResults(values, failures)
        return loaded

    def _send_file(self, name: str) -> None:
        """A downloaded output's bytes to the page, which offers them as a download (the
        server's URL may need a token the browser must never see)."""
        try:
            path = self.result(name)
            data = path.read_bytes() if isinstance(path, Path) else b""
        except Exception as exc:  # the row says why
            self.send({"kind": "file", "name": name, "error": str(exc)})
            return
        self.send({"kind": "file", "name": name, "file": path.name}, [data])

    def _load_from_card(self, namespace: dict[str, Any] | None,
                        names: list[str] | None = None) -> None:
        with contextlib.suppress(Exception):  # the card shows results_error
            self.load_results(namespace, names=names)

    def _download_progress(self, name: str) -> Callable[[int, int | None], None]:
        last = [0.0]

        def progress(received: int, total: int | None) -> None:
            now = time.monotonic()
            done = total is not None and received >= total
            if done or now - last[0] >= 0.2:  # the card needs ~5 updates a second, not 5000
                last[0] = now
                self.download = {} if done else {"name": name, "received": received,
                                                 "total": total}

        return progress

    # -- previews -------------------------------------------------------------------------
    @property
    def previews(self) -> dict[str, dict[str, Any]]:
        """What the card shows of each output, as data: ``{name: {"kind", "summary", …}}``
        (``kind``: features, table, value, file, raster, link, error, deferred)."""
        with self._preview_lock:
            return {name: dict(data) for name, (data, _) in self._previews.items()}

    def _start_previews(self) -> None:
        if not self._preview:
            self.preview_state = "off"
            return
        if self.preview_state:
            return
        self.preview_state = "building"
        threading.Thread(target=self._build_previews, name="gpjob-preview",
                         daemon=True).start()

    def _build_previews(self, names: list[str] | None = None, budget: Any = "default") -> None:
        """Fetch (once, cached for ``results``) and summarise each output; send each to the
        card as soon as it is ready; rewrite the saved snapshot at the end."""
        from .preview import of_output, output_descriptions

        budget = self._preview_budget if budget == "default" else budget
        try:
            if not self.output_info:  # the rows' labels and room, before their previews come
                described = output_descriptions(self._job)
                self.output_info = {name: described.get(name, {"label": name, "shows": ""})
                                    for name in self.outputs}
            for name in names or list(self.outputs):
                if self._closed:
                    return
                label = self.output_info.get(name, {}).get("label", "")
                summary = of_output(self._job, name, budget=budget, label=label,
                                    download_dir=self.download_dir)
                with self._preview_lock:
                    self._previews[name] = summary
                self._send_preview(name)
        finally:  # (the job's end waited for this to rewrite the saved snapshot)
            self.preview_state = "ready"
            self._refresh_displays()

    def _send_preview(self, name: str) -> None:
        with self._preview_lock:
            data, buffers = self._previews.get(name, (None, []))
        if data is not None:
            self.send({"kind": "preview", "name": name, "data": data}, buffers)

    def show(self, name: str) -> Any:
        """A bigger, interactive view of output *name*, where a well-kept library is there:
        lonboard, else ``GeoDataFrame.explore()`` (folium) for features; the frame itself for
        tables; an image for pictures; else the value."""
        from .preview import show

        return show(self.result(name))

    # -- displays -------------------------------------------------------------------------
    def _state_for_display(self) -> dict[str, Any]:
        from .preview import svg

        state = {name: getattr(self, name) for name in CARD_TRAITS}
        with self._preview_lock:
            state["previews"] = {name: _static_preview(data, buffers, svg)
                                 for name, (data, buffers) in self._previews.items()}
        return state

    def __repr__(self) -> str:
        from .fallback import text_repr

        return text_repr(self._state_for_display())

    def _ipython_display_(self) -> None:
        """Display with a display id, so the saved snapshot can be refreshed when the job ends."""
        from IPython.display import display

        data, meta = self._repr_mimebundle_()
        handle = display(data, metadata=meta, raw=True, display_id=True)
        if handle is not None:
            self._display_handles.append(handle)
            self._displayed_at = time.monotonic()
            self._watch_for_a_card(*NO_CARD_CHECKS)

    def _watch_for_a_card(self, first: float, then: float) -> None:
        """The page made a view (its view count rose) but no card ever spoke: our front end
        is not loaded there, e.g. installed with ``%pip`` after the page was loaded (ArcGIS
        Notebooks). The output then becomes the text snapshot and says to reload the page.
        No front end at all (nbconvert) makes no view: nothing changes then."""
        def check(again: float | None) -> None:
            if self._heard or self._closed or not (self._view_count or 0):
                return
            if again is not None:  # a slow page or a busy kernel gets a second chance
                _timer(again, check, None)
                return
            self._no_card = True
            self._refresh_displays()

        _timer(first, check, then)

    def _settle_unseen(self) -> None:
        """The job ended and no page ever made a view of this card (executed headless by
        nbclient / ``nbconvert --execute`` / papermill): its outputs become the static snapshot,
        which exports, nbviewer and GitHub then show (a widget view there shows nothing)."""
        if self._heard or self._view_count or self._closed or not self._display_handles \
                or self._unseen:
            return
        self._unseen = True
        self._refresh_displays()

    def _refresh_displays(self) -> None:
        """Rewrite every displayed copy: the saved notebook then shows where the job ended."""
        if not self._display_handles:
            return
        if self._no_card or self._unseen:  # no card in any page: the static snapshot
            from .fallback import html_snapshot, no_card_html, text_repr

            state = self._state_for_display()
            page = no_card_html(state) if self._no_card else html_snapshot(state)
            data, meta = {"text/plain": text_repr(state), "text/html": page}, {}
        else:
            data, meta = self._repr_mimebundle_()
        for handle in self._display_handles:
            with contextlib.suppress(Exception):  # no kernel / front end any more
                handle.update(data, metadata=meta, raw=True)

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict, dict] | dict | None:
        from .fallback import html_snapshot, text_repr

        bundle = super()._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle or {}, {})
        state = self._state_for_display()
        data = {**data, "text/plain": text_repr(state), "text/html": html_snapshot(state)}
        return data, meta


class ResultImage:
    """Image bytes from a result map service; shows inline in notebooks."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"<ResultImage {len(self.data)} bytes>"

    def _repr_png_(self) -> bytes | None:
        return self.data if self.data[:8] == b"\x89PNG\r\n\x1a\n" else None

    def _repr_jpeg_(self) -> bytes | None:
        return self.data if self.data[:3] == b"\xff\xd8\xff" else None


def _timer(delay: float, fn: Callable[..., Any], *args: Any) -> None:
    timer = threading.Timer(delay, fn, args)
    timer.daemon = True
    timer.start()


def _user_namespace() -> dict[str, Any] | None:
    """The notebook's namespace, captured in the kernel thread that handles the click."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return shell.user_ns if shell is not None else None


def _on_card_message(widget: JobWidget, content: Any, buffers: Any) -> None:
    """Actions sent by the card: ``log`` (catch up), ``cancel``, ``load_results``.

    Each click carries an ``id`` that is acknowledged at once: a card with no answer within a
    second knows the kernel is busy in a cell and says so.
    """
    if not isinstance(content, dict):
        return
    widget._heard = True
    action = content.get("action")
    if "id" in content:
        widget.send({"kind": "ack", "id": content["id"], "action": action})
    if action == "log":
        since = content.get("since", 0)
        since = since if isinstance(since, int) and since >= 0 else 0
        widget._send_log(since, widget.messages[since:])
    elif action == "load_results":
        namespace = _user_namespace()
        if namespace is None:
            from .loader import NOT_IN_MARIMO, in_marimo

            if in_marimo():  # (asked here: marimo knows its notebook in this thread only)
                widget.results_state, widget.results_error = "error", NOT_IN_MARIMO
                return
        names = content.get("names") if isinstance(content.get("names"), list) else None
        threading.Thread(target=widget._load_from_card, args=(namespace, names),
                         name="gpjob-load", daemon=True).start()
    elif action == "cancel":
        with contextlib.suppress(CancelError):  # cancel_state / cancel_error show the refusal
            widget.cancel()
    elif action == "previews":  # a view rendered (again): every preview there is
        for name in list(widget._previews):
            widget._send_preview(name)
    elif action == "preview" and isinstance(content.get("name"), str):  # past the budget
        threading.Thread(target=widget._build_previews, args=([content["name"]], None),
                         name="gpjob-preview", daemon=True).start()
    elif action == "file" and isinstance(content.get("name"), str):
        threading.Thread(target=widget._send_file, args=(content["name"],),
                         name="gpjob-file", daemon=True).start()
