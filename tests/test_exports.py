"""Exports and viewers show the card's last snapshot: a notebook executed headless (nbclient, as
``nbconvert --execute`` and papermill do) and exported to HTML with nbconvert, and the notebook
file as GitHub / nbviewer render it (``metadata.widgets`` must then hold a ``"state"`` key)."""

from __future__ import annotations

import subprocess
import sys

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

SECRET = "s3cret-token-of-the-export-test"
SETUP = """import os
from gpjob_widget import JobWidget
from gpjob_widget.server import JobServer, Task
TOKEN = os.environ["GPJOB_EXPORT_TOKEN"]  # the notebook holds no token of its own
srv = JobServer(token=TOKEN).start()
srv.add_task("Buffer", Task(duration=1, steps=2, results={
    "buffers": "GPFeatureRecordSetLayer_polygons", "summary": "GPRecordSet"}))"""


def executed(*cells: str):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return nb


def test_an_executed_notebook_exports_the_cards_last_snapshot(tmp_path, monkeypatch):
    monkeypatch.setenv("GPJOB_EXPORT_TOKEN", SECRET)  # the kernel inherits it
    nb = executed(SETUP, "w = JobWidget.submit(srv.task_url('Buffer'), {}, token=TOKEN)\nw",
                  "await w")
    (card,) = nb.cells[1].outputs
    html = card["data"]["text/html"]
    assert "gpjob-snapshot" in html and "Succeeded" in html
    assert 'data-output="buffers"' in html and "<svg" in html and "<table" in html
    # nobody ever viewed it: the output is the snapshot itself, not a widget view that an
    # export without a widget manager (or offline) would leave blank
    assert "application/vnd.jupyter.widget-view+json" not in card["data"]
    # GitHub refuses a notebook whose widget metadata lacks a "state" key
    assert "state" in nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
    nbformat.validate(nb)
    page, _ = HTMLExporter().from_notebook_node(nb)
    assert "gpjob-snapshot" in page and "2 polygons · EPSG:3857" in page
    assert "<script" not in html
    path = tmp_path / "executed.ipynb"
    nbformat.write(nb, path)
    saved = path.read_text()
    assert "gpjob-snapshot" in saved  # what GitHub and nbviewer render
    assert SECRET not in saved  # neither in the outputs nor in the saved widget state
    # the command users type
    run = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html",
                          str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    exported = (tmp_path / "executed.html").read_text()
    assert 'data-output="buffers"' in exported and "3 rows × 5 columns" in exported
    assert SECRET not in exported


def test_a_notebook_saved_from_a_live_page_exports_the_snapshot_too():
    """A page saves the card's output with its text/html twin and (by default in JupyterLab)
    no widget state: nbconvert then renders the twin."""
    from gpjob_widget import JobWidget
    from gpjob_widget.server import JobServer, Task

    with JobServer() as srv:
        srv.add_task("T", Task(duration=0.2, steps=1))
        w = JobWidget.submit(srv.task_url("T"), {}, poll_interval=0.05)
        assert w.wait(timeout=30) == "job-succeeded"
        data, meta = w._repr_mimebundle_()
        w.close()
    assert "application/vnd.jupyter.widget-view+json" in data
    cell = nbformat.v4.new_code_cell("w", outputs=[nbformat.v4.new_output(
        "display_data", data=data, metadata=meta)])
    nb = nbformat.v4.new_notebook(cells=[cell])
    nbformat.validate(nb)
    page, _ = HTMLExporter().from_notebook_node(nb)
    assert "gpjob-snapshot" in page and "Succeeded" in page
