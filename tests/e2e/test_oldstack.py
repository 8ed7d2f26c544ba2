"""Where users' notebooks are: JupyterLab 3.6 and the classic Notebook 6.5 with ipywidgets 7.8 and
ipykernel 6.29 (.venv-oldstack, made by scripts/test.sh with a plain ``pip install ".[geo]"``),
and the lowest versions pyproject.toml admits (.venv-lowest, on Python 3.10)."""

from __future__ import annotations

import os
import subprocess
import textwrap
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from gpjob_widget.server import Message, Task

from .conftest import JupyterServer, kernel_eval, open_notebook, run_all, shot

ROOT = Path(__file__).resolve().parents[2]
SETUP = ("import os\nfrom gpjob_widget import JobBoard, JobWidget\n"
         "TOKEN = os.environ['GPJOB_E2E_TOKEN']")
APPS = ["lab3", "notebook6"]


def python_of(variable: str, venv: str) -> str:
    python = os.environ.get(variable, str(ROOT / venv / "bin" / "python"))
    if not Path(python).exists():
        pytest.fail(f"{python} is missing: `bash scripts/test.sh` makes {venv} "
                    "(scripts/stacks.sh)", pytrace=False)
    return python


@pytest.fixture(scope="module")
def oldstack_python() -> str:
    return python_of("GPJOB_OLDSTACK_PYTHON", ".venv-oldstack")


@pytest.fixture(scope="module")
def lab3(tmp_path_factory, job_server, oldstack_python):
    server = JupyterServer("lab", tmp_path_factory.mktemp("lab3"),
                           {"GPJOB_E2E_TOKEN": "e2e-s3cret"}, python=oldstack_python)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def notebook6(tmp_path_factory, job_server, oldstack_python):
    server = JupyterServer("notebook", tmp_path_factory.mktemp("nb6"),
                           {"GPJOB_E2E_TOKEN": "e2e-s3cret"}, python=oldstack_python,
                           classic=True)
    yield server
    server.stop()


VERSIONS = """
import importlib.metadata as m, json
found = {}
for name in ("ipywidgets", "ipykernel", "anywidget", "traitlets", "gpjob_widget", "jupyterlab",
             "notebook", "requests", "urllib3", "tqdm", "platformdirs"):
    try:
        found[name] = m.version(name)
    except m.PackageNotFoundError:
        pass
print(json.dumps(found))
"""


def versions(python: str) -> dict[str, str]:
    """The installed versions of what matters, in the environment of *python*."""
    import json

    return json.loads(subprocess.run([python, "-c", VERSIONS], capture_output=True, text=True,
                                     check=True).stdout)


def test_a_plain_install_keeps_the_old_stack(oldstack_python):
    found = versions(oldstack_python)
    assert found["ipywidgets"] == "7.8.5" and found["jupyterlab"] == "3.6.8"
    assert found["notebook"] == "6.5.7" and found["ipykernel"] == "6.29.5"
    check = subprocess.run([oldstack_python, "-m", "pip", "check"], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout


def test_the_lowest_versions_we_admit_work():
    python = python_of("GPJOB_LOWEST_PYTHON", ".venv-lowest")
    found = versions(python)
    assert (found["anywidget"], found["ipywidgets"], found["traitlets"]) == (
        "0.9.10", "7.6.5", "5.0.5")
    assert (found["requests"], found["urllib3"], found["tqdm"], found["platformdirs"]) == (
        "2.31.0", "2.0.2", "4.66.0", "3.0.0")
    script = textwrap.dedent("""
        from gpjob_widget import Job, JobBoard, JobWidget
        from gpjob_widget.server import JobServer, Task
        with JobServer() as srv:
            srv.add_task("T", Task(duration=0.5, steps=2, results={"n": ("GPLong", 7)}))
            job = Job.submit(srv.task_url("T"), {"x": 1})
            assert job.wait(timeout=30, progress=False) == "job-succeeded", job.state
            assert job.results == {"n": 7}
            w = JobWidget.submit(srv.task_url("T"), {}, poll_interval=0.1)
            bundle = w._repr_mimebundle_()[0]
            assert "application/vnd.jupyter.widget-view+json" in bundle, bundle
            assert w.wait(timeout=30) == "job-succeeded" and w.percent == 100
            board = JobBoard()
            board.submit(srv.task_url("T"), {})
            assert set(board.wait(timeout=30).values()) == {"job-succeeded"}
            w.close(); board.close()
        print("lowest ok")
    """)
    run = subprocess.run([python, "-c", script], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "GPJOB_HISTORY": "0"})
    assert run.returncode == 0 and "lowest ok" in run.stdout, run.stderr[-3000:]


def test_the_lowest_ipykernel_handles_a_click_while_a_cell_awaits(tmp_path, job_server):
    """On ipykernel 6 a comm message waits behind the cell that awaits; the lowest versions'
    kernel (ipykernel 6.4, the newest traitlets 5.0.5 allows) gets our pump too: a Cancel
    sent to the card's comm while ``await w.wait_async()`` runs reaches the server at once."""
    import json

    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    python = python_of("GPJOB_LOWEST_PYTHON", ".venv-lowest")
    spec = tmp_path / "kernels" / "lowest"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "lowest", "language": "python"}))
    job_server.add_task("LowestAwait", Task(duration=300, steps=10))
    manager = KernelManager(kernel_name="lowest",
                            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec.parent)]))
    manager.start_kernel(env={**os.environ, "GPJOB_HISTORY": "0"})
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)

        def run(code: str) -> str:
            reply = client.execute_interactive(code, timeout=60, output_hook=lambda msg: (
                out.append(msg["content"].get("text", "")) if msg["msg_type"] == "stream"
                else None))
            assert reply["content"]["status"] == "ok", reply["content"]
            return "".join(out)

        out: list[str] = []
        assert run("import ipykernel; print(ipykernel.__version__, end='')") == "6.4.2"
        out.clear()
        comm_id = run(f"from gpjob_widget import JobWidget\n"
                      f"w = JobWidget.submit({job_server.task_url('LowestAwait')!r}, {{}}, "
                      f"token='e2e-s3cret', poll_interval=0.2)\nprint(w.model_id, end='')")
        (job_id,) = [j for j, job in job_server.jobs.items() if job.task_name == "LowestAwait"]
        awaiting = client.execute("print(await w.wait_async(), end='')")
        click = client.session.msg("comm_msg", {"comm_id": comm_id, "data": {
            "method": "custom", "content": {"action": "cancel", "id": 1}}})
        client.shell_channel.send(click)  # queued behind the awaiting cell
        printed = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            msg = client.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") == awaiting and \
                    msg["msg_type"] == "stream":
                printed += msg["content"]["text"]
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle" \
                    and msg["parent_header"].get("msg_id") == awaiting:
                break
        assert printed == "job-cancelled"  # the await ended by itself: the click got through
        assert job_server.jobs[job_id].esri_status in ("esriJobCancelling", "esriJobCancelled")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.mark.parametrize("app", APPS)
def test_live_card_html_as_text_and_cancel(app, request, page, job_server):
    server = request.getfixturevalue(app)
    job_server.add_task(f"Old{app}", Task(duration=60, steps=20, messages=[
        Message("warning", "<b>not bold</b> <img src=x onerror=alert(1)>"),
        *[f"step {i}" for i in range(19)]]))
    open_notebook(page, server, f"old-{app}.ipynb", [
        SETUP, f"w = JobWidget.submit({job_server.task_url(f'Old{app}')!r}, {{}}, token=TOKEN)"
               "\nw"])
    run_all(page)
    if app == "lab3":  # really JupyterLab 3, and a kernel of the old stack
        assert page.evaluate("() => window.jupyterapp.version") == "3.6.8"
    assert kernel_eval(page, "import ipywidgets, ipykernel; print(ipywidgets.__version__, "
                             "ipykernel.__version__, end='')") == "7.8.5 6.29.5"
    bar = page.locator(".gpjob-card [role=progressbar]")
    expect(bar).to_have_attribute("aria-valuenow", "5", timeout=30_000)
    expect(bar).to_have_attribute("aria-valuenow", "10", timeout=30_000)  # live: it moved on
    page.locator(".gpjob-card .gpjob-log-summary").click()
    row = page.locator(".gpjob-row-warning").first
    expect(row).to_contain_text("<b>not bold</b>")  # text, not markup
    assert page.locator(".gpjob-row-warning b, .gpjob-row-warning img").count() == 0
    shot(page, f"oldstack-{app}-running")
    job_id = page.locator(".gpjob-card .gpjob-id").text_content()
    page.get_by_role("button", name="Cancel the job on the server").click()
    expect(page.locator(".gpjob-card .gpjob-badge")).to_have_attribute(
        "data-status", "job-cancelled", timeout=30_000)
    assert job_server.jobs[job_id].esri_status == "esriJobCancelled"
    shot(page, f"oldstack-{app}-cancelled")


@pytest.mark.parametrize("app", APPS)
def test_await_keeps_cancel_working_and_load_results(app, request, page, job_server):
    server = request.getfixturevalue(app)
    job_server.add_task(f"Await{app}", Task(duration=120, steps=10))
    job_server.add_task(f"Outputs{app}", Task(duration=0.5, steps=1, results={
        "count": ("GPLong", 7), "summary": "GPRecordSet"}))
    open_notebook(page, server, f"await-{app}.ipynb", [
        SETUP,
        f"w = JobWidget.submit({job_server.task_url(f'Await{app}')!r}, {{}}, token=TOKEN)\nw",
        "status = await w.wait_async()\nstatus",
        f"r = JobWidget.submit({job_server.task_url(f'Outputs{app}')!r}, {{}}, token=TOKEN)\nr",
        "board = JobBoard(token=TOKEN)\nfor i in range(3):\n"
        f"    board.submit({job_server.task_url(f'Outputs{app}')!r}, {{'i': i}})\nboard"])
    run_all(page)
    cancel = page.get_by_role("button", name="Cancel the job on the server").first
    expect(cancel).to_be_enabled(timeout=30_000)
    job_id = page.locator(".gpjob-card .gpjob-id").first.text_content()
    cancel.click()  # while the next cell awaits
    expect(page.locator(".gpjob-card .gpjob-badge").first).to_have_attribute(
        "data-status", "job-cancelled", timeout=30_000)
    assert job_server.jobs[job_id].esri_status in ("esriJobCancelling", "esriJobCancelled")
    load = page.get_by_role("button", name="Load the job's results into notebook variables")
    expect(load).to_be_visible(timeout=60_000)
    load.click()
    expect(page.locator(".gpjob-loaded-item").first).to_contain_text("count", timeout=30_000)
    assert kernel_eval(page, "print(status, count, type(summary).__name__)") == \
        "job-cancelled 7 DataFrame\n"
    expect(page.locator(".gpjob-board-row")).to_have_count(3, timeout=30_000)
    expect(page.locator(".gpjob-board-summary")).to_contain_text("3 of 3 jobs ended",
                                                                 timeout=30_000)
    shot(page, f"oldstack-{app}-board")


@pytest.mark.parametrize("app", APPS)
def test_form_and_previews_on_the_old_stack(app, request, page, job_server):
    """A form filled with the keyboard (the classic Notebook's shortcuts must not eat the keys)
    and submitted; its card shows every output's preview (binary buffers through ipywidgets 7)."""
    from gpjob_widget.server.params import Param

    from .test_form import choose, field, type_in

    server = request.getfixturevalue(app)
    job_server.add_task(f"FormOld{app}", Task(duration=0.5, steps=1, inputs={
        "title": Param("GPString", "", "Title", required=True),
        "count": Param("GPLong", 3, "Count", filter={"type": "range", "minimum": 1,
                                                     "maximum": 9}),
        "units": Param("GPString", "esriMiles", "Units", choices=("esriMiles", "esriFeet"))},
        results={"buffers": "GPFeatureRecordSetLayer_polygons", "summary": "GPRecordSet",
                 "elevation": "GPRasterDataLayer_mapImage"}))
    url = job_server.task_url(f"FormOld{app}")
    open_notebook(page, server, f"form-old-{app}.ipynb", [
        SETUP + "\nfrom gpjob_widget import TaskForm",
        f"form = TaskForm({url!r}, token=TOKEN)\nform"])
    run_all(page)
    submit = page.get_by_role("button", name="Submit")
    expect(submit).to_be_disabled(timeout=30_000)
    type_in(field(page, "title").locator("input"), "abc")  # a, b, c: shortcuts in Notebook 6
    type_in(field(page, "count").locator("input"), "4")
    choose(field(page, "units").locator("select"), "esriFeet")
    expect(submit).to_be_enabled()
    cells = page.locator(".jp-Notebook .jp-Cell, #notebook-container > .cell")
    assert cells.count() == 2  # no cell was inserted by a typed key
    submit.click()
    card = page.locator(".gpjob-card")
    expect(card.locator(".gpjob-badge")).to_have_attribute("data-status", "job-succeeded",
                                                           timeout=30_000)
    (job_id,) = [j for j, job in job_server.jobs.items() if job.task_name == f"FormOld{app}"]
    assert job_server.jobs[job_id].params == {"title": "abc", "count": "4", "units": "esriFeet"}
    expect(card.locator('[data-output="buffers"] canvas')).to_be_visible(timeout=30_000)
    expect(card.locator('[data-output="summary"] table')).to_be_visible()
    expect(card.locator('[data-output="elevation"] img')).to_be_visible()
    shot(page, f"oldstack-{app}-form")
