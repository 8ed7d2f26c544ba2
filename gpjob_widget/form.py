"""TaskForm: a task's own description as a form in the cell; Submit turns it into the job's card.

The description (GP ``<task>?f=json``, OGC ``/processes/{id}``) becomes fields
(``flavours.descriptions``); each field's control and the conversion of what the page holds
into Python come from THE data-type table (``results.DATA_TYPES``); the Python values are
submitted as code would submit them (``JobWidget.submit``), so :attr:`TaskForm.code` is the
same run, reproducible.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import anywidget
import ipywidgets
import traitlets as t

from . import frontend
from .errors import GPJobError
from .flavours import check_task_url, for_task_url
from .flavours.descriptions import FormField, gp_fields, ogc_fields
from .inputs import InputProblem, empty, geometry_kind
from .job import JOB_OPTIONS, Job
from .transport import Transport, split_token
from .units import ArealUnit, LinearUnit
from .widget import CARD_OPTIONS, JobWidget

log = logging.getLogger("gpjob_widget")


def describe(task_url: str, transport: Transport) -> dict[str, Any]:
    """The task's (or process's) description, as the server gives it."""
    return transport.get_json(task_url)


def fields_of(description: Mapping[str, Any], protocol: str) -> tuple[list[FormField],
                                                                       list[FormField]]:
    return ogc_fields(description) if protocol == "ogc" else gp_fields(description)


class FormView(anywidget.AnyWidget):
    """The form itself (static/form.js): fields, values both ways, problems, Submit."""

    _handles_clicks_while_awaited = True  # kernel.pump may handle its messages

    _esm = frontend.module("form.js")
    _css = frontend.stylesheet("card.css", "form.css")

    title = t.Unicode("").tag(sync=True)
    description = t.Unicode("").tag(sync=True)
    task_url = t.Unicode("").tag(sync=True)
    fields = t.List(t.Dict()).tag(sync=True)
    outputs = t.List(t.Dict()).tag(sync=True)
    values = t.Dict().tag(sync=True)            # form values (JSON), both ways
    problems = t.Dict().tag(sync=True)          # name → what is wrong, from Python
    variables = t.List(t.Dict()).tag(sync=True)  # the notebook's (Geo)DataFrames
    code = t.Unicode("").tag(sync=True)
    phase = t.Unicode("editing").tag(sync=True)  # editing · submitting · submitted
    submit_error = t.Unicode("").tag(sync=True)  # the server's own words when it refused
    submit_failed_here = t.Bool(False).tag(sync=True)  # …or ours, when it was not the server


class TaskForm(ipywidgets.VBox):
    """A form built from a task's own description; Submit runs it and the card appears.

    >>> form = TaskForm(task_url, token=my_token)        # displays the form
    >>> form.values = {"distance": LinearUnit(5, "esriMiles")}   # or fill it in on the page
    >>> form.validate()                                  # {} when it can be submitted
    >>> w = form.submit(); form.job is w                 # the live card, under the form
    >>> print(form.code)                                 # the same run as code
    """

    def __init__(self, task_url: str, token: Any = None, values: Mapping[str, Any] | None = None,
                 *, namespace: Mapping[str, Any] | None = None, **job_options: Any) -> None:
        unknown = set(job_options) - set(CARD_OPTIONS)
        if unknown:
            raise TypeError(f"unknown TaskForm option(s): {', '.join(sorted(unknown))}")
        url, url_token = split_token(check_task_url(task_url))
        self.task_url = url
        self._token = token if token is not None else url_token
        self._job_options = job_options
        flavour = job_options.get("flavour")
        self.protocol = "ogc" if (flavour or for_task_url(url).name) == "ogc" else "gp"
        transport = Transport(url, self._token, verify=job_options.get("verify", True),
                              timeout=job_options.get("timeout", (5.0, 30.0)))
        if self.protocol == "ogc":
            transport.auth_header = "Authorization"
        self.about = describe(url, transport)
        self.inputs, self.outputs = fields_of(self.about, self.protocol)
        self._fields = {f.name: f for f in self.inputs}
        self._namespace = namespace
        self._submitted: Any = None  # the last job submitted (a Job), and its card
        self._card: Any = None
        self.view = FormView(
            title=str(self.about.get("displayName") or self.about.get("title")
                      or self.about.get("name") or self.about.get("id") or url.rsplit("/")[-1]),
            description=str(self.about.get("description") or ""), task_url=url,
            fields=[f.to_dict() for f in self.inputs],
            outputs=[f.to_dict() for f in self.outputs],
            values={f.name: f.default for f in self.inputs})
        super().__init__(children=[self.view])
        self.view.observe(self._on_values, names="values")
        self.view.on_msg(self._on_message)
        self._refresh_variables()
        if values:
            self.values = {**self.values, **values}
        self._on_values()

    # -- values -----------------------------------------------------------------------------
    @property
    def namespace(self) -> Mapping[str, Any]:
        """Where notebook variables are found (the IPython user namespace by default)."""
        if self._namespace is not None:
            return self._namespace
        with contextlib.suppress(ImportError):
            from IPython import get_ipython

            shell = get_ipython()
            if shell is not None:
                return shell.user_ns
        return {}

    @property
    def values(self) -> dict[str, Any]:
        """The current inputs as Python values (what ``JobWidget.submit`` would be given);
        a value the page holds that cannot be used yet is None (see :meth:`validate`)."""
        out: dict[str, Any] = {}
        for name, field in self._fields.items():
            try:
                out[name] = field.coerce(self.view.values.get(name), self.namespace)
            except InputProblem:
                out[name] = None
        return out

    @values.setter
    def values(self, values: Mapping[str, Any]) -> None:
        unknown = set(values) - set(self._fields)
        if unknown:
            raise KeyError(f"the task has no input {', '.join(sorted(unknown))} "
                           f"(inputs: {', '.join(self._fields)})")
        state = dict(self.view.values)
        state.update({name: to_form(self._fields[name], value, self.namespace)
                      for name, value in values.items()})
        self.view.values = state

    def validate(self) -> dict[str, str]:
        """``{input name: what is wrong}``, empty when the form can be submitted."""
        problems: dict[str, str] = {}
        for name, field in self._fields.items():
            try:
                field.coerce(self.view.values.get(name), self.namespace)
            except InputProblem as exc:
                problems[name] = str(exc)
        return problems

    @property
    def params(self) -> dict[str, Any]:
        """The inputs to submit: Python values, blank optional ones left out."""
        problems = self.validate()
        if problems:
            raise InputProblem("; ".join(problems.values()))
        return {name: value for name, value in self.values.items() if value is not None}

    def _on_values(self, _change: Any = None) -> None:
        problems = self.validate()
        with self.view.hold_sync():
            self.view.problems = problems
            self.view.code = self.code

    # -- code ---------------------------------------------------------------------------------
    @property
    def code(self) -> str:
        """The same run as code: a ``JobWidget.submit(task_url, params={…})`` call."""
        imports: dict[str, set[str]] = {"gpjob_widget": {"JobWidget"}}
        lines = []
        for name, field in self._fields.items():
            try:
                value = field.coerce(self.view.values.get(name), self.namespace)
            except InputProblem:
                value = None
            if value is None:
                continue
            lines.append(f"        {name!r}: {literal(value, self.namespace, imports)},")
        token = "\n    token=token,  # the token you gave TaskForm" if self._token else ""
        options = "".join(f"\n    {k}={v!r}," for k, v in self._job_options.items()
                          if k in ("flavour", "timeout") or (k == "verify" and v is not True))
        body = "\n".join(lines)
        head = "\n".join(f"from {module} import {', '.join(sorted(names))}"
                         for module, names in sorted(imports.items()))
        return (head + "\n\n"
                f"w = JobWidget.submit(\n    {self.task_url!r},\n    params={{\n{body}\n    }},"
                f"{token}{options}\n)\nw")

    # -- submit -------------------------------------------------------------------------------
    def submit(self) -> Any:
        """Submit the task with these values; the job's live card appears under the form.

        :class:`InputProblem` if the form is not valid; the server's own refusal (an
        :class:`~gpjob_widget.errors.ArcGISError`) is raised and shown next to the form."""
        params = self.params
        with self.view.hold_sync():
            self.view.phase = "submitting"
            self.view.submit_error = ""
            self.view.submit_failed_here = False
        options = dict(self._job_options)
        reach = {k: options.pop(k) for k in JOB_OPTIONS if k in options}
        try:
            job = Job.submit(self.task_url, params, self._token, **reach)
        except (GPJobError, TypeError, ValueError) as exc:
            with self.view.hold_sync():
                self.view.phase = "editing"
                self.view.submit_error = str(exc)
            raise
        self._submitted, self._card = job, None
        try:
            card = self.job
        except Exception:  # marimo makes widgets only while a cell runs: form.job, in one
            log.debug("gpjob_widget: the card waits for form.job", exc_info=True)
            card = None
        self.view.phase = "submitted"
        if card is not None:
            with contextlib.suppress(Exception):  # a front end without ipywidgets' boxes
                self.children = (*self.children, card)  # earlier runs keep their cards
        return card if card is not None else job

    @property
    def job(self) -> Any:
        """The card (:class:`JobWidget`) of the job the form submitted last, or None."""
        if self._card is None and self._submitted is not None:
            options = {k: v for k, v in self._job_options.items() if k not in JOB_OPTIONS}
            self._card = JobWidget(_job=self._submitted, **options)
        return self._card

    def _on_message(self, _view: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        action = content.get("action")
        if action == "submit":
            if isinstance(content.get("values"), dict):  # what the page showed at the click
                self.view.values = {k: v for k, v in content["values"].items()
                                    if k in self._fields}
            try:
                self.submit()
            except (GPJobError, InputProblem, TypeError, ValueError):
                pass  # problems and refusals show on the form
            except Exception as exc:  # never a form stuck at "Submitting…"
                log.exception("gpjob_widget: the form could not submit")
                with self.view.hold_sync():
                    self.view.phase = "editing"
                    self.view.submit_error = f"{type(exc).__name__}: {exc}"
                    self.view.submit_failed_here = True
        elif action == "variables":
            self._refresh_variables()
        elif action == "edit":
            self.view.phase = "editing"

    def _display_(self) -> Any:
        """What marimo shows: the form itself (marimo draws anywidgets, not an ipywidgets
        box); the job's card is ``form.job``, in a cell of its own."""
        return self.view

    def close(self) -> None:
        """Close the form and the cards of the jobs it submitted (their watching stops)."""
        for child in self.children:
            child.close()
        super().close()

    def _refresh_variables(self) -> None:
        self.view.variables = notebook_frames(self.namespace)

    def __repr__(self) -> str:
        state = "valid" if not self.validate() else f"{len(self.validate())} problem(s)"
        job = f", job {self._submitted.job_id}" if self._submitted is not None else ""
        return f"<TaskForm {self.view.title} ({len(self.inputs)} inputs, {state}{job})>"


def notebook_frames(namespace: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The (Geo)DataFrames a user could give a table or feature input, with row counts."""
    found = []
    for name, value in list(namespace.items()):
        if name.startswith("_") or not (hasattr(value, "columns") and hasattr(value, "dtypes")):
            continue
        geometry = geometry_kind(value)
        found.append({"name": name, "rows": len(value), "geometry": geometry,
                      "kind": "GeoDataFrame" if geometry or hasattr(value, "crs") else
                      "DataFrame"})
    return sorted(found, key=lambda v: v["name"])


def to_form(field: FormField, value: Any, namespace: Mapping[str, Any]) -> Any:
    """A Python value as the form holds it (the inverse of ``field.coerce``)."""
    control = field.control
    if empty(value) and control != "checkbox":
        return [] if field.member is not None or field.columns else None
    if control == "datetime" and isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, LinearUnit):
        return {"distance": value.distance, "units": value.units}
    if isinstance(value, ArealUnit):
        return {"area": value.area, "units": value.units}
    if control in ("features", "records", "geometry"):
        if isinstance(value, Mapping) and value.get("url"):
            return {"source": "url", "url": value["url"]}
        if isinstance(value, Mapping) and (value.get("itemId") or value.get("itemID")):
            return {"source": "item", "itemID": value.get("itemId") or value.get("itemID")}
        if control == "geometry" and hasattr(value, "__geo_interface__"):  # shapely
            value = json.loads(json.dumps(value.__geo_interface__))
        if isinstance(value, Mapping):
            return {"source": "json", "text": json.dumps(value)}
        name = next((n for n, v in namespace.items() if v is value), None)
        if name is None:
            raise ValueError(f"{field.label}: give a notebook variable (by name in the "
                             "namespace), a {'url': …} or a feature set")
        return {"source": "variable", "name": name}
    if control == "file" and isinstance(value, Mapping):
        item = value.get("itemID") or value.get("itemId")
        return {"source": "item", "itemID": item} if item else \
            {"source": "url", "url": value.get("url") or value.get("href")}
    if control == "json" and not isinstance(value, str):
        return json.dumps(value)
    if field.columns:
        return [[to_form(c, cell, namespace) for c, cell in zip(field.columns, row,
                                                                   strict=False)]
                for row in value]
    if field.member is not None:
        return [to_form(field.member, v, namespace) for v in value]
    return value


def literal(value: Any, namespace: Mapping[str, Any], imports: dict[str, set[str]]) -> str:
    """*value* as Python source: notebook variables by name, units and dates constructed."""
    name = next((n for n, v in namespace.items() if v is value and not n.startswith("_")),
                None)
    if name is not None and not isinstance(value, str | int | float | bool):
        return name
    if isinstance(value, LinearUnit | ArealUnit):
        imports.setdefault("gpjob_widget.units", set()).add(type(value).__name__)
        amount = value.distance if isinstance(value, LinearUnit) else value.area
        return f"{type(value).__name__}({amount!r}, {value.units!r})"
    if isinstance(value, datetime):
        imports.setdefault("datetime", set()).add("datetime")
        return f"datetime.fromisoformat({value.isoformat()!r})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v, namespace, imports) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {literal(v, namespace, imports)}"
                               for k, v in value.items()) + "}"
    return repr(value)
