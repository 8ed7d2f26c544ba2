"""Watch long-running ArcGIS jobs live in Jupyter: a progress card, Cancel, results as objects.

``Job`` (and the ``gpjob`` command) need no Jupyter: the widget stack (anywidget, ipywidgets,
IPython) is imported only when ``JobWidget`` or ``JobBoard`` is first used.
"""

from typing import TYPE_CHECKING, Any

from .errors import (
    ArcGISError,
    AuthError,
    CancelError,
    GPJobError,
    InvalidJobURL,
    JobFailed,
    JobNotFound,
    NotFound,
    PartialResults,
    PermissionDenied,
    ResultError,
    TransientError,
    WatchError,
)
from .job import Job

if TYPE_CHECKING:
    from .board import JobBoard
    from .form import TaskForm
    from .widget import JobWidget

__all__ = [
    "ArcGISError", "AuthError", "CancelError", "GPJobError", "InvalidJobURL", "Job", "JobBoard",
    "JobFailed", "JobNotFound", "JobWidget", "NotFound", "PartialResults", "PermissionDenied",
    "ResultError", "TaskForm", "TransientError", "WatchError",
]
__version__ = "0.1.0"

_VIEWS = {"JobWidget": "widget", "JobBoard": "board", "TaskForm": "form"}


def __getattr__(name: str) -> Any:
    if name in _VIEWS:
        from importlib import import_module

        return getattr(import_module(f".{_VIEWS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
