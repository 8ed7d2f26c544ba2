"""The exception family: every failure a user can meet, with the server's own words in it."""

from __future__ import annotations


class GPJobError(Exception):
    """Base class of every gpjob_widget error."""


class InvalidJobURL(GPJobError, ValueError):
    """The URL is not something we can watch (raised before any thread starts)."""


class ArcGISError(GPJobError):
    """The server answered with an ArcGIS error body (usually HTTP 200 + ``{"error": …}``)."""

    def __init__(self, message: str, *, code: int | None = None, details: list[str] | None = None,
                 url: str = "") -> None:
        self.code = code
        self.message = message
        self.details = list(details or [])
        self.url = url
        text = f"{message} (code {code})" if code is not None else message
        if self.details:
            text += ": " + "; ".join(d for d in self.details if d and d != message)
        super().__init__(text.rstrip(": "))


class AuthError(ArcGISError):
    """498 (invalid or expired token) or 499 (token required), after any refresh was tried."""


class PermissionDenied(ArcGISError):
    """403: the credentials are valid but not allowed to do this."""


class NotFound(ArcGISError):
    """HTTP 404/410 or an ArcGIS "not found" error body."""


class JobNotFound(NotFound):
    """The server does not know this job (unknown id, or the job was deleted)."""


class TransientError(GPJobError):
    """A failure worth retrying later: 5xx, 429, reset, timeout, proxy HTML, broken JSON."""

    def __init__(self, message: str, *, retry_after: float | None = None, url: str = "") -> None:
        self.retry_after = retry_after
        self.url = url
        super().__init__(message)


class ServerError(ArcGISError, TransientError):
    """An ArcGIS error body with a 5xx code: reported by the server, possibly transient."""

    def __init__(self, message: str, *, code: int | None = None, details: list[str] | None = None,
                 url: str = "") -> None:
        ArcGISError.__init__(self, message, code=code, details=details, url=url)
        self.retry_after = None


class JobFailed(GPJobError):
    """``wait()`` ended on failed / timed-out / cancelled / deleted (JS: the promise rejects)."""

    def __init__(self, status: str, message: str = "") -> None:
        self.status = status
        super().__init__(f"job ended {status}" + (f": {message}" if message else ""))


class WatchError(GPJobError):
    """We stopped watching before the job ended (lost contact, unknown status, closed)."""


class CancelError(GPJobError):
    """The server refused to cancel (e.g. the job already ended), or cancel is unsupported."""


class ResultError(GPJobError):
    """A result could not be fetched, downloaded or converted."""

    def __init__(self, message: str, *, param: str = "") -> None:
        self.param = param
        super().__init__(f"result {param!r}: {message}" if param else message)


class ResultTooBig(ResultError):
    """A result larger than the byte budget it was fetched with (nothing was kept)."""

    def __init__(self, size: int | None, budget: int, *, param: str = "") -> None:
        self.size, self.budget = size, budget
        known = f"{size:,} bytes" if size else "more"
        super().__init__(f"{known} is over the budget of {budget:,} bytes", param=param)


class PartialResults(ResultError):
    """Some outputs could not be fetched: which and why; the others are in :attr:`results`
    (and stay loadable one by one)."""

    def __init__(self, results: dict, failures: dict[str, ResultError]) -> None:
        self.results = results
        self.failures = failures
        done = f"{len(results)} of {len(results) + len(failures)} outputs loaded"
        reasons = "; ".join(str(exc) for exc in failures.values())
        super().__init__(f"{len(failures)} output{'s' * (len(failures) > 1)} could not be "
                         f"loaded ({done}): {reasons}")
