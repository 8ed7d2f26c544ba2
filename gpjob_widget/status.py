"""THE status table: every server status word of every flavour → one JS ``JobInfo`` name."""

from __future__ import annotations

NEW = "job-new"
SUBMITTED = "job-submitted"
WAITING = "job-waiting"
EXECUTING = "job-executing"
SUCCEEDED = "job-succeeded"
FAILED = "job-failed"
TIMED_OUT = "job-timed-out"
CANCELLING = "job-cancelling"
CANCELLED = "job-cancelled"
DELETING = "job-deleting"
DELETED = "job-deleted"
UNKNOWN = "job-unknown"  # a word no table row knows: shown, polled with bounded patience
# A batch's inputs before they are jobs: queued here (not on the server yet), or dropped here.
QUEUED_HERE = "batch-queued"
DROPPED = "batch-dropped"
BATCH = (QUEUED_HERE, DROPPED)

ALL = (NEW, SUBMITTED, WAITING, EXECUTING, SUCCEEDED, FAILED, TIMED_OUT,
       CANCELLING, CANCELLED, DELETING, DELETED)
TERMINAL = frozenset({SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, DELETED})
# States in which the job has not ended and a cancel request makes sense.
CANCELLABLE = frozenset({NEW, SUBMITTED, WAITING, EXECUTING, UNKNOWN})
# Terminal states for which JS waitForJobCompletion rejects.
UNSUCCESSFUL = TERMINAL - {SUCCEEDED}

# Lower-cased server word → name. GP (esriJob…), notebook/mission and admin words share one table.
_WORDS: dict[str, str] = {
    # GP services (REFERENCE §2); "expectedFailure" is listed by the docs
    "esrijobnew": NEW,
    "esrijobsubmitted": SUBMITTED,
    "esrijobwaiting": WAITING,
    "esrijobexecuting": EXECUTING,
    "esrijobsucceeded": SUCCEEDED,
    "esrijobfailed": FAILED,
    "expectedfailure": FAILED,
    "esrijobtimedout": TIMED_OUT,
    "esrijobcancelling": CANCELLING,
    "esrijobcancelled": CANCELLED,
    "esrijobdeleting": DELETING,
    "esrijobdeleted": DELETED,
    # Notebook / Mission-style and Enterprise admin jobs (REFERENCE §4, §5)
    "new": NEW,
    "submitted": SUBMITTED,
    "queued": WAITING,
    "waiting": WAITING,
    "pending": WAITING,
    "inqueue": WAITING,
    "in_queue": WAITING,
    "accepted": SUBMITTED,    # OGC API – Processes
    "successful": SUCCEEDED,  # OGC API – Processes
    "dismissed": CANCELLED,   # OGC API – Processes
    "error": FAILED,          # seen as a jobStatus in Esri's own client tests
    "processing": EXECUTING,
    "executing": EXECUTING,
    "running": EXECUTING,
    "completed": SUCCEEDED,
    "succeeded": SUCCEEDED,
    "failed": FAILED,
    "timedout": TIMED_OUT,
    "timed_out": TIMED_OUT,
    "cancelling": CANCELLING,
    "canceling": CANCELLING,
    "cancelled": CANCELLED,
    "canceled": CANCELLED,
    "deleting": DELETING,
    "deleted": DELETED,
    # Feature service createReplica / ArcGIS Hub download jobs (Esri hub.js)
    "inprogress": EXECUTING,
    "pagingdata": EXECUTING,
    "convertingdata": EXECUTING,
    "exportingdata": EXECUTING,
    "exportattachments": EXECUTING,
    "exportingsnapshot": EXECUTING,
    "exportchanges": EXECUTING,
    "importchanges": EXECUTING,
    "importattachments": EXECUTING,
    "provisioningreplica": EXECUTING,
    "unregisteringreplica": EXECUTING,
    "completedwitherrors": SUCCEEDED,
}
# The JS names themselves are accepted too (e.g. from to_json()).
_WORDS.update({name: name for name in ALL})


# Words that mean "in a queue" whatever the exact spelling ("Pending", "Queued (3)", …): a job
# behind a queue may wait for hours and is never given up on.
_QUEUED_STEMS = ("queue", "pending", "waiting")


def normalize(word: object) -> str:
    """Map a server status word to a ``job-…`` name; :data:`UNKNOWN` if no row knows it.

    The GeoServices spelling without the ``esri`` prefix (``JobSucceeded``) is accepted too.
    """
    if not isinstance(word, str) or not word.strip():
        return UNKNOWN
    key = word.strip().lower()
    known = _WORDS.get(key) or _WORDS.get(key.removeprefix("esri").removeprefix("job"))
    if known:
        return known
    return WAITING if any(stem in key for stem in _QUEUED_STEMS) else UNKNOWN


def is_terminal(status: str) -> bool:
    """True when the job has ended and polling should stop."""
    return status in TERMINAL
