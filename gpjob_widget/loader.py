"""Results into notebook variables: valid names, no silent overwrite, all or nothing.

Naming: ``prefix + param`` made a valid identifier (NFKC-normalised as Python does, runs of other
characters → ``_``, a leading digit gets ``r_``); a keyword or a builtin's name gets a trailing
``_`` (``list`` → ``list_``), and the note says so.

Collisions: a name already in the namespace is never overwritten silently; the variable gets a
suffix (``out_2``, ``out_3``…) and the note says which name existed. Two exceptions, both safe:
the variable already holds the very object being assigned (loading the same cached results again),
or it still holds what an earlier load with the same ``owner`` (the job) and output created. A
variable the user has since reassigned is the user's again.
"""

from __future__ import annotations

import builtins
import keyword
import re
import sys
import unicodedata
from collections.abc import Mapping, MutableMapping
from dataclasses import asdict, dataclass
from typing import Any

from .results import describe

REGISTRY = "__gpjob_loaded__"  # {variable: (owner, param, id(value))}, only when an owner is given


@dataclass(frozen=True)
class Loaded:
    """One variable created from one output."""

    name: str          # the output parameter
    variable: str      # the variable it was assigned to
    type: str          # e.g. "GeoDataFrame"
    shape: str         # e.g. "120 rows × 5 columns", "2.1 MB", ""
    note: str = ""     # e.g. "renamed: out_features already existed"

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def __str__(self) -> str:
        shape = f" ({self.shape})" if self.shape else ""
        return f"{self.variable} = {self.type}{shape}" + (f"  [{self.note}]" if self.note else "")


def _name_and_note(param: str, prefix: str = "") -> tuple[str, str]:
    text = unicodedata.normalize("NFKC", f"{prefix}{param}")
    spaced = "".join(c if ("a" + c).isidentifier() else " " for c in text)
    name = re.sub(r"_*\s+_*", "_", spaced.strip()).strip("_") or "result"
    if name[0].isdigit():
        name = f"r_{name}"
    if keyword.iskeyword(name):
        return f"{name}_", f"renamed: {name} is a Python keyword"
    if hasattr(builtins, name):
        return f"{name}_", f"renamed: {name} would shadow the builtin"
    return name, ""


def variable_name(param: str, prefix: str = "") -> str:
    """A valid identifier from a parameter name: ``Output Features-1`` → ``Output_Features_1``."""
    return _name_and_note(param, prefix)[0]


def user_namespace() -> MutableMapping[str, Any]:
    """The IPython user namespace, or a clear error outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        shell = None
    else:
        shell = get_ipython()
    if shell is None:
        if in_marimo():
            raise RuntimeError(NOT_IN_MARIMO)
        raise RuntimeError("loading results into variables needs a running IPython / Jupyter "
                           "kernel; elsewhere pass a namespace, e.g. load_results(globals()) "
                           "or load_results(my_dict)")
    return shell.user_ns


# marimo's cells own their variables: nothing may add some behind them
NOT_IN_MARIMO = ("marimo notebooks cannot have variables added behind their cells: use the "
                 "results in a cell instead, e.g. `outputs = w.results` (or w.result(name))")


def in_marimo() -> bool:
    """True in a marimo notebook's kernel thread (its runtime context is per thread)."""
    marimo = sys.modules.get("marimo")
    running = getattr(marimo, "running_in_notebook", None)
    try:
        return bool(running and running())
    except Exception:  # an older or partial marimo: not the notebook we know
        return False


def _safe_describe(value: Any) -> tuple[str, str]:
    try:
        return describe(value)
    except Exception:  # a description must never stop the load
        return type(value).__name__, ""


def assign_results(values: Mapping[str, Any],
                   namespace: MutableMapping[str, Any] | None = None, prefix: str = "", *,
                   owner: str | None = None) -> list[Loaded]:
    """Assign every value to a variable named after its output; returns what was created.

    *namespace* defaults to the notebook's (IPython ``user_ns``). Every name is chosen before
    anything is assigned, then all are assigned at once. *owner* (e.g. the job URL) lets a later
    load of the same job reuse the variables it created (see the module docstring); without it a
    name is reused only when it already holds the very same object.
    """
    ns = user_namespace() if namespace is None else namespace
    registry = ns.get(REGISTRY) if owner is not None else None
    registry = registry if isinstance(registry, dict) else {}
    chosen: set[str] = set()
    plan: list[Loaded] = []

    def reusable(name: str, param: str, value: Any) -> bool:
        current = ns[name]
        if current is value:
            return True
        record = registry.get(name)
        return owner is not None and record == (owner, param, id(current))

    for param, value in values.items():
        param = str(param)
        base, note = _name_and_note(param, prefix)
        name, counter = base, 1
        while name in chosen or (name in ns and not reusable(name, param, value)):
            counter += 1
            name = f"{base}_{counter}"
        if name != base:
            note = "; ".join(filter(None, [note, f"renamed: {base} already existed"]))
        chosen.add(name)
        plan.append(Loaded(param, name, *_safe_describe(value), note))
    ns.update({item.variable: values[item.name] for item in plan})
    if owner is not None and plan:
        registry.update({item.variable: (owner, item.name, id(values[item.name]))
                         for item in plan})
        ns[REGISTRY] = registry
    return plan
