"""Shared fixtures: a real loopback job server, and widgets that are always closed."""

from __future__ import annotations

import os
import tempfile
import time

import pytest

from gpjob_widget import JobWidget
from gpjob_widget.poller import Poller
from gpjob_widget.server import JobServer


def pytest_configure(config: pytest.Config) -> None:
    """The tests' own job history, not the user's (kernels and subprocesses inherit it)."""
    os.environ["GPJOB_HISTORY_DIR"] = tempfile.mkdtemp(prefix="gpjob-history-")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/e2e/ drives a real browser: `-m "not e2e"` leaves it out."""
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.e2e)


def wait_until(predicate, timeout: float = 30.0, what: str = "the condition"):
    """Poll *predicate* until it is truthy (its value is returned) or fail after *timeout* s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def until():
    """``until(predicate, timeout=30, what=…)``: wait for a condition, with a deadline."""
    return wait_until


@pytest.fixture
def server():
    with JobServer() as srv:
        yield srv


@pytest.fixture
def poller():
    """A private poller, so thread counts are this test's own."""
    p = Poller(max_workers=4, idle_exit=0.3)
    yield p
    p.shutdown()


@pytest.fixture
def watch(poller):
    """Make JobWidgets that poll fast on the private poller, and close them at the end."""
    made: list[JobWidget] = []

    def make(url: str | None = None, *, submit: dict | None = None, **options) -> JobWidget:
        options.setdefault("poll_interval", 0.05)
        options.setdefault("poller", poller)
        if submit is not None:
            widget = JobWidget.submit(url, submit, **options)
        else:
            widget = JobWidget(url, **options)
        made.append(widget)
        return widget

    yield make
    for widget in made:
        widget.close()
