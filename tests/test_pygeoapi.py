"""OGC API – Processes against a REAL pygeoapi 0.24 (started here with tests/ogc/): submit,
live percent, typed results, failure words, dismiss, and watching an existing job URL.

`bash scripts/test.sh` installs pygeoapi in .venv-pygeoapi (it needs Python >= 3.12). If it is
missing these tests fail and say so: they are never skipped.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from gpjob_widget import Job, JobWidget
from gpjob_widget import status as st
from gpjob_widget.errors import NotFound


def _watched(job: Job, poller) -> Job:
    job.watch(poll_interval=0.2, poller=poller)
    return job


def test_hello_world_runs_as_an_async_job(pygeoapi, poller):
    job = _watched(Job.submit(f"{pygeoapi}/processes/hello-world", {"name": "World"}), poller)
    assert job.flavour.name == "ogc" and job.job_url.startswith(f"{pygeoapi}/jobs/")
    assert job.wait(timeout=60) == st.SUCCEEDED
    assert job.results == {"echo": "Hello World!"}  # pygeoapi's single {"id", "value"}
    assert job.state.title == "hello-world"


def test_countdown_follows_percent_live_and_types_its_results(pygeoapi, poller):
    job = _watched(Job.submit(f"{pygeoapi}/processes/countdown", {"seconds": 4}), poller)
    percents: list[float] = []
    job.watcher.subscribe(lambda u: u.state.percent is not None and
                          percents.append(u.state.percent))
    assert job.wait(timeout=90) == st.SUCCEEDED
    live = [p for p in percents if 0 < p < 100]
    assert len(set(live)) >= 2 and live == sorted(live), percents
    messages = [m["description"] for m in job.messages]
    assert any(m.startswith("countdown:") for m in messages), messages
    results = job.results
    points = next(v for v in results.values() if type(v).__name__ == "GeoDataFrame")
    assert len(points) > 0 and str(points.crs) == "EPSG:4326"


def test_a_failing_process_shows_pygeoapis_words(pygeoapi, poller):
    job = _watched(Job.submit(f"{pygeoapi}/processes/countdown",
                              {"seconds": 1, "fail": True}), poller)
    assert job.wait(timeout=60) == st.FAILED
    assert "failed on purpose" in job.error


def test_cancel_dismisses_a_running_job_and_the_card_ends_cancelled(pygeoapi, poller):
    w = JobWidget.submit(f"{pygeoapi}/processes/countdown", {"seconds": 30}, poller=poller,
                         poll_interval=0.2)
    try:
        deadline = time.monotonic() + 30
        while w.status != st.EXECUTING and time.monotonic() < deadline:
            time.sleep(0.05)
        assert w.status == st.EXECUTING
        assert w.cancel() == st.CANCELLED
        assert w.wait(timeout=30) == st.CANCELLED and not w.error
        with pytest.raises(NotFound):  # pygeoapi forgets a dismissed job
            Job(w.job_url).check_status()
    finally:
        w.close()


def test_watching_an_existing_job_url(pygeoapi, poller):
    started = Job.submit(f"{pygeoapi}/processes/countdown", {"seconds": 2})
    job = _watched(Job(started.job_url), poller)
    assert job.flavour.name == "ogc"
    assert job.wait(timeout=60) == st.SUCCEEDED
    assert job.output_names()


def test_unknown_process_is_a_clear_error(pygeoapi):
    with pytest.raises(NotFound, match="NoSuchProcess"):
        Job.submit(f"{pygeoapi}/processes/nope", {})


def test_the_gpjob_command_watches_a_pygeoapi_job(pygeoapi):
    url = Job.submit(f"{pygeoapi}/processes/countdown", {"seconds": 1}).job_url
    run = subprocess.run([sys.executable, "-m", "gpjob_widget", "watch", url], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0 and "succeeded" in run.stderr
