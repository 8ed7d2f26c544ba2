"""Shared fixtures: a real loopback job server, and widgets that are always closed."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from gpjob_widget import JobWidget
from gpjob_widget.poller import Poller
from gpjob_widget.server import JobServer

ROOT = Path(__file__).resolve().parents[1]
LAUNCH = ROOT / "tests" / "ogc" / "launch.py"


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


@pytest.fixture(scope="session")
def pygeoapi():
    """A real pygeoapi 0.24 (tests/ogc/), started once for the session; its URL."""
    python = os.environ.get("GPJOB_PYGEOAPI_PYTHON", str(ROOT / ".venv-pygeoapi" / "bin" /
                                                          "python"))
    if not Path(python).exists():
        pytest.fail(f"pygeoapi is not installed ({python} is missing): run `bash "
                    "scripts/test.sh`, which installs pygeoapi 0.24 in .venv-pygeoapi with a "
                    "Python >= 3.12, or set GPJOB_PYGEOAPI_PYTHON", pytrace=False)
    proc = subprocess.Popen([python, str(LAUNCH), "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()  # "READY http://127.0.0.1:PORT workdir=…" (launch.py waits)
    if not line.startswith("READY "):
        proc.kill()
        pytest.fail(f"pygeoapi did not start: {line}{proc.stderr.read()[-3000:]}",
                    pytrace=False)
    yield line.split()[1]
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
