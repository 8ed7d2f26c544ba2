"""notebooks/demo.ipynb runs top to bottom with no account (headless, through a real kernel)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

DEMO = Path(__file__).parent.parent / "notebooks" / "demo.ipynb"


def test_demo_notebook_runs_top_to_bottom(tmp_path):
    nb = nbformat.read(DEMO, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
    text = "\n".join(str(o.get("data", {}).get("text/plain", ""))
                     for c in nb.cells for o in c.get("outputs", []))
    assert "'job-failed'" in text  # the failing job's final status, awaited
    assert "'job-succeeded'" in text  # `await mine.wait_async()`
    assert "demo_GPRecordSet" in text and "GeoDataFrame" in text
    # the notebook opens with a form, filled from a notebook variable and ready to submit
    form_cell = next(c for c in nb.cells if c.cell_type == "code" and "TaskForm(" in c.source)
    (shown,) = [o for o in form_cell.outputs if o.output_type in ("display_data",
                                                                   "execute_result")]
    assert "application/vnd.jupyter.widget-view+json" in shown["data"]
    assert "valid)" in shown["data"]["text/plain"], shown["data"]["text/plain"]
    code_cell = next(c for c in nb.cells if "print(form.code)" in c.source)
    code = "".join(o.get("text", "") for o in code_cell.outputs)
    assert "JobWidget.submit(" in code and "'in_features': stations" in code
    # a card, or a box of cards, per cell that shows one: live widgets, or (for jobs awaited
    # headless here, where no page ever viewed them) the card's static snapshot
    cards = [o for c in nb.cells for o in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
             or "gpjob-snapshot" in o.get("data", {}).get("text/html", "")]
    assert len(cards) >= 10
