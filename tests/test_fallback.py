"""Plain-text and static-HTML twins of the card."""

import time

import pytest

from gpjob_widget.fallback import elapsed, html_snapshot, text_repr
from gpjob_widget.frontend import STATES

START = 1_700_000_000_000.0
BASE = {"title": "Buffer", "job_id": "j1", "status": "job-executing", "percent": 42.0,
        "message_count": 3, "started_at": START, "ended_at": START + 65_000,
        "progress_message": "Step 2 of 5"}


def test_text_repr_has_status_percent_and_last_message():
    text = text_repr(BASE)
    assert text.startswith("Buffer j1: Running · 42% · 3 messages · 1 min 05 s")
    assert text.endswith("Step 2 of 5")


def test_text_repr_prefers_the_error_and_shows_unknown_words():
    assert text_repr({**BASE, "status": "job-failed", "error": "ERROR 000732"}).endswith(
        "ERROR 000732")
    assert "Unknown (esriJobPaused)" in text_repr({**BASE, "status": "job-unknown",
                                                   "raw_status": "esriJobPaused"})


@pytest.mark.parametrize("status", list(STATES))
def test_every_state_has_a_snapshot(status):
    html = html_snapshot({**BASE, "status": status})
    assert STATES[status]["label"] in html and "<script" not in html
    assert "<svg" in html and "<path d=" in html  # an icon that needs no font


def test_snapshot_escapes_untrusted_text():
    evil = '<img src=x onerror="alert(1)">'
    html = html_snapshot({**BASE, "error": evil, "progress_message": evil, "title": evil,
                          "loaded": [{"variable": evil, "type": "str", "shape": ""}]})
    assert "<img" not in html and "&lt;img" in html


def test_snapshot_without_percent_has_no_bar_and_elapsed_uses_the_end():
    html = html_snapshot({**BASE, "percent": None})
    assert "height:6px" not in html  # no bar
    assert elapsed({"started_at": 1000.0, "ended_at": 3_726_000.0}) == "1 h 02 min"
    assert elapsed({}) == ""
    running = elapsed({"started_at": time.time() * 1000 - 5_000})  # no end yet: up to now
    assert running.endswith(" s") and 5 <= int(running.split()[0]) < 60


def test_a_snapshot_of_a_running_job_says_when_it_was_last_seen_and_how_to_reattach():
    html = html_snapshot({**BASE, "checked_at": START + 30_000,
                          "job_url": "https://h/arcgis/rest/services/S/GPServer/T/jobs/j1"})
    assert "Last seen Running at 2023-11-14 22:13:50 UTC" in html
    assert 'JobWidget("https://h/arcgis/rest/services/S/GPServer/T/jobs/j1")' in html
    ended = html_snapshot({**BASE, "status": "job-succeeded", "job_url": "https://h/jobs/j1"})
    assert "Last seen" not in ended
