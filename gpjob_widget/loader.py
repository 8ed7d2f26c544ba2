"""Results into notebook variables: valid names, no silent overwrite, all or nothing."""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import asdict, dataclass
from typing import Any

from .results import describe

_OWNER = "__gpjob_loaded__"  # namespace key remembering which variables we created, and of what


@dataclass(frozen=True)
class Loaded:
    """One variable created from one output."""

    name: str          # the output parameter
    variable: str      # the variable it was assigned to
    type: str
    shape: str
    note: str = ""     # e.g. "renamed: out already existed"

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def variable_name(param: str, prefix: str = "") -> str:
    """A valid identifier from a parameter name: ``Output Features-1`` → ``Output_Features_1``."""
    name = re.sub(r"\W+", "_", f"{prefix}{param}").strip("_") or "result"
    if name[0].isdigit():
        name = f"r_{name}"
    if keyword.iskeyword(name) or hasattr(builtins, name):
        name = f"{name}_"
    return name


def user_namespace() -> MutableMapping[str, Any]:
    """The IPython user namespace, or a clear error outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        shell = None
    else:
        shell = get_ipython()
    if shell is None:
        raise RuntimeError("load_results() needs a notebook / IPython; pass namespace=dict(...) "
                           "elsewhere")
    return shell.user_ns


def assign_results(values: Mapping[str, Any], namespace: MutableMapping[str, Any] | None = None,
                   prefix: str = "") -> list[Loaded]:
    """Assign every value to a variable; returns what was created.

    A name taken by a variable the user made is never overwritten: a suffix is added and the
    :attr:`Loaded.note` says so. Variables this function created before (loading the same job
    again) are reused. All names are chosen before anything is assigned.
    """
    ns = user_namespace() if namespace is None else namespace
    ours: dict[str, str] = ns.setdefault(_OWNER, {}) if isinstance(ns, dict) else {}
    taken = set(ns)
    plan: list[Loaded] = []
    for param, value in values.items():
        base = variable_name(param, prefix)
        name, note = base, ""
        counter = 1
        while (name in taken and ours.get(name) != param) or name in {p.variable for p in plan}:
            counter += 1
            name = f"{base}_{counter}"
        if name != base:
            note = f"renamed: {base} already existed"
        kind, shape = describe(value)
        plan.append(Loaded(param, name, kind, shape, note))
    for item in plan:
        ns[item.variable] = values[item.name]
        ours[item.variable] = item.name
    return plan
