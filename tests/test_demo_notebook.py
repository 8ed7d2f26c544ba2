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
    # a card, or a box of cards, per cell that shows one: live widgets, or (for jobs awaited
    # headless here, where no page ever viewed them) the card's static snapshot
    cards = [o for c in nb.cells for o in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
             or "gpjob-snapshot" in o.get("data", {}).get("text/html", "")]
    assert len(cards) >= 10
