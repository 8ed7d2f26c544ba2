"""Watch long-running ArcGIS jobs live in Jupyter: a progress card, Cancel, results as objects."""

from .board import JobBoard
from .errors import (
    ArcGISError,
    AuthError,
    CancelError,
    GPJobError,
    InvalidJobURL,
    JobFailed,
    JobNotFound,
    NotFound,
    PermissionDenied,
    ResultError,
    TransientError,
    WatchError,
)
from .job import Job
from .widget import JobWidget

__all__ = [
    "ArcGISError", "AuthError", "CancelError", "GPJobError", "InvalidJobURL", "Job", "JobBoard",
    "JobFailed",
    "JobNotFound", "JobWidget", "NotFound", "PermissionDenied", "ResultError", "TransientError",
    "WatchError",
]
__version__ = "0.1.0"
