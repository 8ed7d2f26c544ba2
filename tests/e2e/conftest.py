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

import nbformat
import pytest
import requests

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
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter {app} exited: {(home / f'{app}.log').read_text()}")
            try:
                if requests.get(f"{self.url}/api/status", params={"token": self.token},
                                timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"jupyter {app} did not start: {(home / f'{app}.log').read_text()}")

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
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


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


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


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
