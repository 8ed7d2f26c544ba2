"""The card shows every output the moment the job ends, in real JupyterLab and Notebook 7:
a map of polygons, 50,000 points, a table, a map image, a file. Screenshots (light, dark,
narrow) are saved for review in test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from gpjob_widget.server import Task

from .conftest import open_notebook, run_all, scroll_to, shot

SETUP = "import os\nfrom gpjob_widget import JobWidget\nTOKEN = os.environ['GPJOB_E2E_TOKEN']"
OUTPUTS = {"buffers": "GPFeatureRecordSetLayer_polygons", "stations": "GPFeatureRecordSetLayer_50k",
           "summary": "GPRecordSet", "elevation": "GPRasterDataLayer_mapImage",
           "report": "GPDataFile", "distance": "GPLinearUnit"}


def record_layout(page) -> None:
    """Record, at every change of the page, where the last Results row sits below the first
    (once all rows are there): a preview that pushes the rows below it shows up here."""
    page.evaluate(f"""() => {{
        window.__lastRowOffsets = [];
        new MutationObserver(() => {{
            const rows = document.querySelectorAll(
                '.gpjob-card .gpjob-preview:not([hidden]) [data-output]');
            if (rows.length < {len(OUTPUTS)}) return;
            const top = (el) => el.getBoundingClientRect().top;
            window.__lastRowOffsets.push(Math.round(top(rows[rows.length - 1]) - top(rows[0])));
        }}).observe(document.body, {{childList: true, subtree: true, attributes: true}});
    }}""")


def count_cards(page) -> None:
    """Count the card elements the page creates (``window.__cardsMade``): each is a view made
    again, e.g. when the kernel rewrites the output's saved snapshot."""
    page.evaluate("""() => {
        window.__cardsMade = 0;
        new MutationObserver((changes) => {
            for (const change of changes) for (const node of change.addedNodes) {
                if (node.nodeType !== 1) continue;
                window.__cardsMade += node.matches('.gpjob-card') ? 1
                    : node.querySelectorAll('.gpjob-card').length;
            }
        }).observe(document.body, {childList: true, subtree: true});
    }""")


def row(page, name: str):
    return page.locator(f'.gpjob-card [data-output="{name}"]')


@pytest.mark.parametrize("app", ["lab", "notebook7"])
def test_every_kind_of_output_shows_on_the_card(app, request, page, job_server):
    server = request.getfixturevalue(app)
    job_server.add_task(f"Outputs{app}", Task(duration=1, steps=2, results=OUTPUTS))
    url = job_server.task_url(f"Outputs{app}")
    open_notebook(page, server, f"preview-{app}.ipynb", [
        SETUP, f"w = JobWidget.submit({url!r}, {{}}, token=TOKEN)\nw"])
    record_layout(page)
    count_cards(page)
    run_all(page)
    expect(page.locator(".gpjob-card .gpjob-badge")).to_have_attribute(
        "data-status", "job-succeeded", timeout=30_000)
    expect(row(page, "buffers").locator("canvas")).to_be_visible(timeout=30_000)
    expect(row(page, "buffers")).to_contain_text("2 polygons · EPSG:3857")
    expect(row(page, "stations").locator("canvas")).to_be_visible(timeout=30_000)
    expect(row(page, "stations")).to_contain_text("50,000 points · EPSG:4326")
    expect(row(page, "summary").locator("table")).to_be_visible()
    expect(row(page, "summary")).to_contain_text("3 rows × 5 columns")
    expect(row(page, "summary").locator("tbody tr")).to_have_count(3)
    expect(row(page, "elevation").locator("img")).to_be_visible()
    expect(row(page, "report")).to_contain_text("report.csv")
    expect(row(page, "report").get_by_role("button", name="Download report.csv")).to_be_visible()
    expect(row(page, "distance")).to_contain_text("5 Miles")
    # the thumbnail is drawn, not blank: some pixels carry the stroke colour
    painted = row(page, "buffers").locator("canvas").evaluate("""(c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n += 1; return n; }""")
    assert painted > 100
    # no layout jump: from the moment the rows show, the last one never moved as the
    # previews above it arrived (each row kept the room its task said it needs)
    offsets = page.evaluate("window.__lastRowOffsets")
    assert offsets and max(offsets) - min(offsets) <= 2, offsets
    # when the previews are ready the kernel rewrites the output's saved snapshot, once, and
    # the page makes the card again: the new one shows every preview at once (no "Preparing",
    # no second trip for the bytes) where the last one had them
    page.wait_for_function("window.__cardsMade === 2", timeout=30_000)
    assert page.locator(".gpjob-card").count() == 1
    expect(page.locator(".gpjob-card .gpjob-preview")).not_to_contain_text("Preparing")
    expect(row(page, "stations")).to_have_attribute("data-draw-ms", re.compile(r"^\d"))
    draw_ms = float(row(page, "stations").get_attribute("data-draw-ms"))
    print(f"{app}: 50,000 points drawn in {draw_ms} ms")  # the benchmark has the figures
    scroll_to(page, ".gpjob-preview")
    shot(page, f"preview-{app}")
    shot(page, f"preview-{app}-card", element=".gpjob-card")  # (docs/preview.png)
    if app == "lab":
        page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', "
                      "{theme: 'JupyterLab Dark'})")
        expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
        expect(page.locator("#jupyterlab-splash")).to_have_count(0)  # the theme is applied
        scroll_to(page, ".gpjob-preview")
        shot(page, "preview-dark")
        page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', "
                      "{theme: 'JupyterLab Light'})")
        expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "true")
        expect(page.locator("#jupyterlab-splash")).to_have_count(0)
        page.set_viewport_size({"width": 480, "height": 900})
        scroll_to(page, ".gpjob-preview")
        shot(page, "preview-narrow")
    assert page.evaluate("window.__cardsMade") == 2  # nothing made the card again since


def test_downloads_from_the_card_by_keyboard_and_mouse(lab, page, job_server):
    """A file output of a server that needs a token comes through the kernel (the page never
    sees the token); of one that needs none, it is a plain link to the file."""
    from gpjob_widget.server import JobServer

    job_server.add_task("Report", Task(duration=0.3, steps=1, results={"report": "GPDataFile"}))
    with JobServer() as open_server:  # no token
        open_server.add_task("Open", Task(duration=0.3, steps=1, results={"report": "GPDataFile"}))
        open_notebook(page, lab, "downloads.ipynb", [
            SETUP, f"w = JobWidget.submit({job_server.task_url('Report')!r}, {{}}, token=TOKEN)\nw",
            f"plain = JobWidget.submit({open_server.task_url('Open')!r}, {{}})\nplain"])
        run_all(page)
        first, second = page.locator(".gpjob-card").nth(0), page.locator(".gpjob-card").nth(1)
        button = first.get_by_role("button", name="Download report.csv")
        with page.expect_download() as mouse:
            button.click()
        assert mouse.value.suggested_filename == "report.csv"
        body = Path(mouse.value.path()).read_bytes()
        assert body.startswith(b"name,") and len(body) == 48
        with page.expect_download() as keyboard:  # Tab to it, Enter: the card keeps its keys
            button.focus()
            page.keyboard.press("Enter")
        assert keyboard.value.suggested_filename == "report.csv"
        link = second.locator('[data-output="report"] a', has_text="Download")
        expect(link).to_be_visible(timeout=30_000)
        href = link.get_attribute("href")
        assert href.startswith(open_server.url) and "token" not in href
        assert page.request.get(href).body() == body
