"""The status table: every flavour's words map to one JS JobInfo name."""

import pytest

from gpjob_widget import status as st


@pytest.mark.parametrize(("word", "name"), [
    ("esriJobNew", st.NEW), ("esriJobSubmitted", st.SUBMITTED), ("esriJobWaiting", st.WAITING),
    ("esriJobExecuting", st.EXECUTING), ("esriJobSucceeded", st.SUCCEEDED),
    ("esriJobFailed", st.FAILED), ("esriJobTimedOut", st.TIMED_OUT),
    ("esriJobCancelling", st.CANCELLING), ("esriJobCancelled", st.CANCELLED),
    ("esriJobDeleting", st.DELETING), ("esriJobDeleted", st.DELETED),
    ("expectedFailure", st.FAILED),  # listed by Esri's docs
    ("SUBMITTED", st.SUBMITTED), ("PROCESSING", st.EXECUTING), ("EXECUTING", st.EXECUTING),
    ("COMPLETED", st.SUCCEEDED), ("FAILED", st.FAILED), ("CANCELLED", st.CANCELLED),
    ("CANCELLING", st.CANCELLING), ("job-succeeded", st.SUCCEEDED), (" completed ", st.SUCCEEDED),
    # queues: a waiting job, never an unknown one (REFERENCE §9)
    ("Pending", st.WAITING), ("PENDING", st.WAITING), ("Queued", st.WAITING),
    ("InQueue", st.WAITING), ("queued (position 3)", st.WAITING),
    # the GeoServices spec drops the esri prefix (geoservices_spec_gp_job_succeeded_no_esri_prefix)
    ("JobSucceeded", st.SUCCEEDED), ("JobExecuting", st.EXECUTING), ("JobCancelled", st.CANCELLED),
    # OGC API – Processes
    ("accepted", st.SUBMITTED), ("running", st.EXECUTING), ("successful", st.SUCCEEDED),
    ("failed", st.FAILED), ("dismissed", st.CANCELLED),
])
def test_known_words(word, name):
    assert st.normalize(word) == name


@pytest.mark.parametrize("word", ["esriJobPaused", "UNAVAILABLE", "", None, 3, "job-unknown"])
def test_unknown_words_do_not_crash(word):
    assert st.normalize(word) == st.UNKNOWN
    assert not st.is_terminal(st.normalize(word))


def test_terminal_and_cancellable_sets():
    assert {st.SUCCEEDED, st.FAILED, st.TIMED_OUT, st.CANCELLED, st.DELETED} == st.TERMINAL
    assert not st.TERMINAL & st.CANCELLABLE
    assert st.CANCELLING not in st.CANCELLABLE
    assert st.TERMINAL - {st.SUCCEEDED} == st.UNSUCCESSFUL
