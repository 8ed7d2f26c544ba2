"""Real JupyterLab (and Notebook 7) driven by Playwright in Debian's Chromium.

One Jupyter server per run of this package on a free port with its own config, settings and
runtime dirs; one loopback JobServer in this process (the kernel reaches it on 127.0.0.1).
Screenshots go to ``test-artifacts/``. The fixtures are package-scoped: Playwright's sync API runs
an event loop in the main thread, which must be gone before the other tests (asyncio.run) start.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import nbformat
import pytest
import requests
from playwright.sync_api import expect

from gpjob_widget.server import JobServer

CHROMIUM = os.environ.get("GPJOB_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
SETTINGS = {  # user settings written before the server starts
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
    "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings": {"saveState": True},
}

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(proc: subprocess.Popen, url: str, log: Path, name: str,
                  params: dict[str, str] | None = None) -> None:
    """Until *url* answers (the server *proc* logs to *log*), or fail with its log."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited: {log.read_text()}")
        try:
            if requests.get(url, params=params, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{name} did not start: {log.read_text()}")


def stop_server(proc: subprocess.Popen, log: Any, wait: float = 20) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


class JupyterServer:
    """``jupyter lab`` or ``jupyter notebook`` on 127.0.0.1 in a private home; from another
    environment with *python* (the old stack: JupyterLab 3, or ``classic=True`` for the
    Notebook 6 of that environment)."""

    def __init__(self, app: str, home: Path, env_extra: dict[str, str], *,
                 python: str = sys.executable, classic: bool = False) -> None:
        self.app, self.home, self.classic = app, home, classic
        self.port = free_port()
        self.token = uuid.uuid4().hex
        self.root = home / "work"
        self.root.mkdir(parents=True)
        settings = home / "settings"
        for name, value in SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        # a server of another environment runs that environment's own jupyter and kernels:
        # `python -m jupyter lab` would exec the first `jupyter-lab` on PATH (maybe ours),
        # and a kernelspec's "python" is looked up on PATH too
        path = f"{Path(python).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        self.env = {**os.environ, "PATH": path, "JUPYTER_CONFIG_DIR": str(home / "config"),
                    "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
                    "JUPYTERLAB_SETTINGS_DIR": str(settings),
                    "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
                    "JUPYTER_PLATFORM_DIRS": "1", **env_extra}
        if classic:  # notebook 6: its own NotebookApp, not jupyter_server's
            cmd = [python, "-m", "notebook", "--no-browser", "--allow-root",
                   f"--port={self.port}", "--NotebookApp.ip=127.0.0.1",
                   f"--NotebookApp.token={self.token}", f"--NotebookApp.notebook_dir={self.root}",
                   "--NotebookApp.disable_check_xsrf=True", "--NotebookApp.port_retries=0"]
        else:
            cmd = [python, "-m", "jupyterlab" if app == "lab" else "notebook",
                   "--no-browser", "--allow-root",
                   f"--port={self.port}", "--ServerApp.ip=127.0.0.1",
                   f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
                   "--ServerApp.disable_check_xsrf=True"]
            cmd.append("--LabApp.expose_app_in_browser=True" if app == "lab"
                       else "--JupyterNotebookApp.expose_app_in_browser=True")
        self.log = open(home / f"{app}.log", "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        wait_until_up(self.proc, f"{self.url}/api/status", home / f"{app}.log", f"jupyter {app}",
                      params={"token": self.token})

    def write_notebook(self, name: str, sources: list[str]) -> Path:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        path = self.root / name
        nbformat.write(nb, path)
        return path

    def stop(self) -> None:
        # shut kernels down politely, then the server
        try:
            for kernel in requests.get(f"{self.url}/api/kernels", params={"token": self.token},
                                       timeout=5).json():
                requests.delete(f"{self.url}/api/kernels/{kernel['id']}",
                                params={"token": self.token}, timeout=10)
        except requests.RequestException:
            pass
        stop_server(self.proc, self.log)


@pytest.fixture(scope="package")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is needed at {CHROMIUM}: run `bash scripts/test.sh`, "
                    "which installs it (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="package")
def job_server():
    with JobServer(token="e2e-s3cret") as srv:
        yield srv


@pytest.fixture(scope="package")
def lab(tmp_path_factory, job_server):
    server = JupyterServer("lab", tmp_path_factory.mktemp("lab"),
                           {"GPJOB_E2E_TOKEN": "e2e-s3cret"})
    yield server
    server.stop()


@pytest.fixture(scope="package")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS,
                                    headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = request.node.name.replace("[", "_").replace("]", "")
    with contextlib.suppress(Exception):
        page.screenshot(path=str(ARTIFACTS / f"{name}-final.png"), full_page=True)
    context.close()


def scroll_to(page, selector: str) -> None:
    """Scroll the first *selector* into view and wait until it is there. No element handle is
    held meanwhile: a notebook may re-attach a cell's output as it scrolls (Notebook 7 did, on a
    loaded machine), which fails Playwright's own scroll with "not attached to the DOM"."""
    page.evaluate("(s) => document.querySelector(s)?.scrollIntoView({block: 'nearest'})",
                  selector)
    expect(page.locator(selector).first).to_be_in_viewport(timeout=30_000)


def shot(page, name: str, element: str = "") -> None:
    """A screenshot for review in test-artifacts/: the page, or just *element* (a selector,
    scrolled into view first; the picture is clipped to its box)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = str(ARTIFACTS / f"{name}.png")
    if not element:
        page.screenshot(path=path, full_page=True)
        return
    viewport = page.viewport_size
    scroll_to(page, element)
    height = page.evaluate("(s) => document.querySelector(s).getBoundingClientRect().height",
                           element)
    if viewport and height + 200 > viewport["height"]:  # a tall card: a taller page
        page.set_viewport_size({"width": viewport["width"], "height": int(height) + 300})
    # (the notebook lays itself out again after a resize: scroll until the whole box shows)
    page.wait_for_function("""(s) => {
        const el = document.querySelector(s);
        el.scrollIntoView({block: 'start'});
        const r = el.getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight; }""", arg=element,
        timeout=30_000)
    clip = page.evaluate("""(s) => {
        const r = document.querySelector(s).getBoundingClientRect();
        return {x: r.x, y: r.y, width: r.width, height: r.height}; }""", element)
    page.screenshot(path=path, clip=clip)
    if viewport and page.viewport_size != viewport:
        page.set_viewport_size(viewport)


KERNEL = "window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel"


def open_notebook(page, server: JupyterServer, name: str, sources: list[str]) -> None:
    """Open *name* (written from *sources*) and wait for an idle kernel."""
    server.write_notebook(name, sources)
    if server.classic:
        page.goto(f"{server.url}/notebooks/{name}?token={server.token}")
        page.wait_for_function("() => window.Jupyter?.notebook?.kernel?.is_connected() && "
                               "Jupyter.notebook.kernel_busy === false", timeout=90_000)
        # the classic widget manager restores state on connect: let anywidget's nbextension
        # configure requirejs first (else the first outputs can come out empty)
        page.wait_for_function("() => !!window.requirejs?.s.contexts._.config.map['*']"
                               "?.anywidget", timeout=60_000)
        # and the widget manager's own start-up question (comm_info, asked on connect) must be
        # answered first: a widget opened meanwhile is created twice and its view removed.
        # The kernel answers in order, so one round trip of ours comes after it.
        kernel_eval(page, "pass")
        return
    # a fresh workspace per notebook: no tabs restored from earlier tests
    base = f"lab/workspaces/{uuid.uuid4().hex[:8]}/tree" if server.app == "lab" else "notebooks"
    page.goto(f"{server.url}/{base}/{name}?token={server.token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", state="attached", timeout=60_000)
    page.wait_for_function(
        f"() => window.jupyterapp?.shell.currentWidget?.context?.path === {name!r} && "
        f"{KERNEL}?.connectionStatus === 'connected' && {KERNEL}?.status === 'idle'",
        timeout=90_000)


def run_all(page) -> None:
    """Start running every cell; returns at once (a cell may wait for a job)."""
    page.evaluate("() => { if (window.Jupyter?.notebook) Jupyter.notebook.execute_all_cells(); "
                  "else window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


def kernel_idle(page) -> bool:
    return page.evaluate(f"() => {KERNEL}?.status === 'idle'")


def kernel_eval(page, code: str) -> str:
    """Run *code* in the notebook's kernel (no new cell); its printed output."""
    if page.evaluate("() => !!window.Jupyter?.notebook"):  # the classic Notebook
        return page.evaluate("""(code) => new Promise((resolve) => {
            let out = "";  // the end is a sentinel printed last: replies can beat the output
            Jupyter.notebook.kernel.execute(code + "\\nprint('<<END>>', end='')", { iopub: {
                output: (msg) => {
                    if (msg.header.msg_type === "stream") out += msg.content.text;
                    if (msg.header.msg_type === "error") resolve("ERROR " + msg.content.evalue);
                    if (out.endsWith("<<END>>")) resolve(out.slice(0, -7));
                } } }, { store_history: false });
        })""", code)
    return page.evaluate("""async (code) => {
        const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        const future = kernel.requestExecute({ code, store_history: false });
        let out = "";
        future.onIOPub = (msg) => {
            if (msg.header.msg_type === "stream") out += msg.content.text;
            if (msg.header.msg_type === "error") out += "ERROR " + msg.content.evalue;
        };
        await future.done;
        return out;
    }""", code)


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="package")
def notebook7(tmp_path_factory, job_server):
    if importlib.util.find_spec("notebook") is None:
        pytest.fail("Notebook 7 (the `notebook` package) is part of the dev extra")
    server = JupyterServer("notebook", tmp_path_factory.mktemp("nb7"),
                           {"GPJOB_E2E_TOKEN": "e2e-s3cret"})
    yield server
    server.stop()


def cards_and_board(job_server, prefix: str) -> list[str]:
    """The cells of a notebook (or app) for :func:`check_cards_and_board`: a live card (its
    job runs a minute), a finished card with outputs, a board of 3 finished jobs."""
    from gpjob_widget.server import Task

    job_server.add_task(f"{prefix}Live", Task(duration=60, steps=20))
    job_server.add_task(f"{prefix}Outputs", Task(duration=0.5, steps=1, results={
        "count": ("GPLong", 7), "summary": "GPRecordSet",
        "buffers": "GPFeatureRecordSetLayer_polygons"}))
    live = job_server.task_url(f"{prefix}Live")
    outputs = job_server.task_url(f"{prefix}Outputs")
    return [f"live = JobWidget.submit({live!r}, {{}}, token=TOKEN)\nlive",
            f"done = JobWidget.submit({outputs!r}, {{}}, token=TOKEN)\ndone",
            f"board = JobBoard(token=TOKEN)\nfor i in range(3):\n"
            f"    board.submit({outputs!r}, {{'i': i}})\nboard"]


def check_cards_and_board(page, *, loads: str = "") -> Any:
    """The page of a notebook (or app) with a live card, a finished card with outputs
    (count, summary, buffers) and a board of 3 finished jobs: the live card moves, the
    previews show, the board rolls up; Load results then says *loads* (default: the variables
    it made). Returns the cards."""
    cards = page.locator(".gpjob-card")
    expect(cards).to_have_count(2, timeout=60_000)
    bar = cards.nth(0).locator("[role=progressbar]")
    expect(bar).to_have_attribute("aria-valuenow", "5", timeout=30_000)
    expect(bar).to_have_attribute("aria-valuenow", "10", timeout=30_000)  # live
    done = cards.nth(1)
    expect(done.locator(".gpjob-badge")).to_have_attribute("data-status", "job-succeeded",
                                                           timeout=30_000)
    expect(done.locator('[data-output="buffers"] canvas')).to_be_visible(timeout=30_000)
    expect(done.locator('[data-output="summary"] table')).to_be_visible()
    expect(page.locator(".gpjob-board-row")).to_have_count(3, timeout=30_000)
    expect(page.locator(".gpjob-board-summary")).to_contain_text("3 of 3 jobs ended",
                                                                 timeout=30_000)
    done.get_by_role("button", name="Load the job's results into notebook variables").click()
    if loads:
        expect(done).to_contain_text(loads, timeout=30_000)
    else:
        expect(done.locator(".gpjob-loaded-item").first).to_contain_text("count",
                                                                         timeout=30_000)
    return cards


def cancel_on_the_server(card, job_server) -> None:
    """Cancel *card*'s job with its button: the badge and the server both say cancelled."""
    job_id = card.locator(".gpjob-id").text_content()
    card.get_by_role("button", name="Cancel the job on the server").click()
    expect(card.locator(".gpjob-badge")).to_have_attribute("data-status", "job-cancelled",
                                                           timeout=30_000)
    assert job_server.jobs[job_id].esri_status == "esriJobCancelled"
