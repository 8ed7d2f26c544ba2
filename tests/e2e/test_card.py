"""The card in real JupyterLab / Notebook 7 and Chromium, against the loopback job server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

import gpjob_widget
from gpjob_widget.server import Message, Task

from .conftest import kernel_eval, open_notebook, run_all, shot, wait_for

SETUP = "import os\nfrom gpjob_widget import JobWidget\nTOKEN = os.environ['GPJOB_E2E_TOKEN']"


def submit_cell(task_url: str, var: str = "w") -> str:
    return f"{var} = JobWidget.submit({task_url!r}, {{'distance': 5}}, token=TOKEN)\n{var}"


def badge(page, nth: int = 0):
    return page.locator(".gpjob-badge").nth(nth)


def expect_status(page, status: str, timeout: float = 30_000, nth: int = 0) -> None:
    expect(badge(page, nth)).to_have_attribute("data-status", status, timeout=timeout)


RECORD_BAR = """(bar) => {
    // every value the bar shows, and whether the kernel was idle then: no sampling, no luck
    window.__bar = [];
    const kernel = () => window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel;
    new MutationObserver(() => window.__bar.push([bar.getAttribute("aria-valuenow"),
        kernel()?.status, document.querySelector(".gpjob-log-title")?.textContent]))
      .observe(bar, { attributes: true, attributeFilter: ["aria-valuenow"] });
}"""


def test_card_follows_a_job_live_and_ends_succeeded(lab, page, job_server):
    job_server.add_task("LiveSteps", Task(duration=8, steps=8, messages=[
        f"step message {i}" for i in range(8)]))
    open_notebook(page, lab, "live.ipynb", [SETUP, submit_cell(job_server.task_url("LiveSteps"))])
    run_all(page)
    bar = page.locator(".gpjob-card [role=progressbar]")
    bar.wait_for()
    bar.evaluate(RECORD_BAR)
    page.wait_for_function("() => Number(document.querySelector('.gpjob-card "
                           "[role=progressbar]')?.getAttribute('aria-valuenow')) >= 25")
    shot(page, "card-running")
    expect_status(page, "job-succeeded")
    seen = page.evaluate("() => window.__bar")
    values = [int(v) for v, _, _ in seen if v is not None]
    idle = [v for v, kernel, _ in seen if v is not None and kernel == "idle"]
    assert len(idle) >= 3, f"updates must arrive while the kernel is idle (from the poller): {seen}"
    assert len(set(values)) >= 3 and values == sorted(values), values  # live, never back
    assert len({count for _, _, count in seen}) >= 3, seen  # the message count advanced too
    expect(page.locator(".gpjob-badge-text")).to_have_text("Succeeded")
    expect(page.locator(".gpjob-badge-icon svg path")).to_be_visible()  # an icon, not a glyph
    expect(bar).to_have_attribute("aria-valuenow", "100")
    page.locator(".gpjob-log-summary").click()
    expect(page.locator(".gpjob-row").nth(9)).to_be_visible()  # waits for the rows to arrive
    shot(page, "card-succeeded")


def test_failed_job_shows_the_servers_error(lab, page, job_server):
    job_server.add_task("Fails", Task(duration=1, outcome="failed",
                                      error="ERROR 000732: Input Features: Dataset parcels does "
                                            "not exist"))
    open_notebook(page, lab, "fails.ipynb", [SETUP, submit_cell(job_server.task_url("Fails"))])
    run_all(page)
    expect_status(page, "job-failed")
    error = page.locator(".gpjob-error").first
    expect(error).to_be_visible()
    expect(error).to_contain_text("ERROR 000732")
    expect(page.locator(".gpjob-cancel")).to_be_hidden()
    shot(page, "card-failed")


def test_cancel_button_cancels_the_job_on_the_server(lab, page, job_server):
    job_server.add_task("ToCancel", Task(duration=120, steps=10))
    open_notebook(page, lab, "cancel.ipynb", [SETUP, submit_cell(job_server.task_url("ToCancel"))])
    run_all(page)
    button = page.locator(".gpjob-cancel")
    expect(button).to_be_enabled()
    job_id = kernel_eval(page, "print(w.job_id)").strip()
    button.click()
    expect(button).to_have_text("Cancelling…")  # at once, before the server answers
    expect_status(page, "job-cancelled")
    expect(page.locator(".gpjob-badge-icon svg path")).to_be_visible()
    assert job_server.jobs[job_id].esri_status == "esriJobCancelled"
    assert any(r.path.endswith(f"{job_id}/cancel") for r in job_server.request_log)
    shot(page, "card-cancelled")


def test_cancel_refused_by_the_server_is_shown(lab, page, job_server):
    job_server.add_task("NoCancel", Task(duration=120, cancel_supported=False))
    open_notebook(page, lab, "nocancel.ipynb",
                  [SETUP, submit_cell(job_server.task_url("NoCancel"))])
    run_all(page)
    button = page.locator(".gpjob-cancel")
    expect(button).to_be_enabled()
    button.focus()  # keyboard operable: focus and Enter, no mouse
    page.keyboard.press("Enter")
    expect(page.locator(".gpjob-cancel-info")).to_contain_text("not supported")
    assert badge(page).get_attribute("data-status") in ("job-executing", "job-submitted")
    kernel_eval(page, "w.stop()")


def test_card_fits_a_narrow_cell(lab, page, job_server):
    job_server.add_task("Narrow", Task(duration=60, steps=4, messages=[
        "a long message without spaces " + "x" * 200]))
    page.set_viewport_size({"width": 520, "height": 900})
    open_notebook(page, lab, "narrow.ipynb", [SETUP, submit_cell(job_server.task_url("Narrow"))])
    run_all(page)
    card = page.locator(".gpjob-card")
    expect_status(page, "job-executing")
    page.locator(".gpjob-log-summary").click()
    expect(page.locator(".gpjob-row").first).to_be_visible()
    sizes = card.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] <= sizes[1] + 1, sizes  # nothing sticks out sideways
    shot(page, "card-narrow")
    kernel_eval(page, "w.stop()")


def test_dark_theme_renders_readably(lab, page, job_server):
    job_server.add_task("Dark", Task(duration=60, steps=4, messages=["dark"]))
    open_notebook(page, lab, "dark.ipynb", [SETUP, submit_cell(job_server.task_url("Dark"))])
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', "
                  "{theme: 'JupyterLab Dark'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    run_all(page)
    card = page.locator(".gpjob-card")
    expect_status(page, "job-executing")
    colours = card.evaluate("""(el) => {
        const s = getComputedStyle(el);
        const lum = (c) => { const [r, g, b] = c.match(/\\d+/g).map(Number);
                              return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255; };
        return { bg: lum(s.backgroundColor), fg: lum(s.color) };
    }""")
    assert colours["bg"] < 0.3 and colours["fg"] > 0.6, colours
    shot(page, "card-dark")
    kernel_eval(page, "w.stop()")
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', "
                  "{theme: 'JupyterLab Light'})")


def test_untrusted_text_never_runs_as_html(lab, page, job_server):
    evil = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    job_server.add_task("Evil", Task(duration=1, messages=[Message("warning", evil)],
                                     outcome="failed", error=f"{evil} failed"))
    open_notebook(page, lab, "evil.ipynb", [SETUP, submit_cell(job_server.task_url("Evil"))])
    run_all(page)
    expect_status(page, "job-failed")
    page.locator(".gpjob-log-summary").click()
    card = page.locator(".gpjob-card")
    expect(page.locator(".gpjob-row-warning")).to_contain_text(evil)  # rendered, as text
    expect(card.locator(".gpjob-error").first).to_contain_text(evil)
    assert card.locator("img").count() == 0 and card.locator("script").count() == 0
    assert page.evaluate("() => window.__xss") is None


@pytest.mark.parametrize("app", ["lab", "notebook7"])
def test_load_results_button_assigns_variables_in_the_kernel(app, request, page, job_server):
    server = request.getfixturevalue(app)
    job_server.add_task(f"Outputs{app}", Task(duration=1, results={
        "out_table": "GPRecordSet", "out_features": "GPFeatureRecordSetLayer_polygons",
        "report": "GPDataFile", "when": "GPDate"}))
    open_notebook(page, server, f"load-{app}.ipynb",
                  [SETUP, submit_cell(job_server.task_url(f"Outputs{app}"))])
    run_all(page)
    load = page.locator(".gpjob-load")
    expect(load).to_be_visible(timeout=60_000)
    load.click()
    expect(page.locator(".gpjob-loaded-item")).to_have_count(4, timeout=60_000)
    listed = page.locator(".gpjob-loaded")
    expect(listed).to_contain_text("out_table · DataFrame · 3 rows × 5 columns")
    expect(listed).to_contain_text("out_features · GeoDataFrame · 2 rows × 3 columns")
    seen = kernel_eval(page, "import json; print(json.dumps([type(out_table).__name__, "
                             "len(out_features), str(out_features.crs), report.exists(), "
                             "when.isoformat()]))")
    assert json.loads(seen) == ["DataFrame", 2, "EPSG:3857", True, "2023-11-14T22:13:20+00:00"]
    shot(page, f"card-loaded-{app}")


def test_saved_notebook_has_a_snapshot_and_no_secret(lab, page, job_server):
    job_server.add_task("Saved", Task(duration=1, steps=2, messages=["saved run"]))
    path = lab.root / "saved.ipynb"
    open_notebook(page, lab, "saved.ipynb", [SETUP, submit_cell(job_server.task_url("Saved"))])
    run_all(page)
    expect_status(page, "job-succeeded")

    def saved_with_the_end() -> bool:  # the snapshot is rewritten just after the end: save again
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        return path.exists() and "Succeeded" in path.read_text()

    wait_for(saved_with_the_end, interval=0.5, what="saved snapshot showing the end")
    text = path.read_text()
    assert "e2e-s3cret" not in text
    saved = json.loads(text)
    outputs = [o for c in saved["cells"] for o in c.get("outputs", [])]
    snapshot = next(o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {}))
    assert "Succeeded" in "".join(snapshot) and "<script" not in "".join(snapshot)
    assert "application/vnd.jupyter.widget-view+json" in json.dumps(outputs)


def test_card_in_notebook_7(notebook7, page, job_server):
    job_server.add_task("Nb7", Task(duration=4, steps=4, messages=["nb7"]))
    open_notebook(page, notebook7, "nb7.ipynb", [SETUP, submit_cell(job_server.task_url("Nb7"))])
    run_all(page)
    expect_status(page, "job-executing")
    shot(page, "notebook7-running")
    expect_status(page, "job-succeeded")
    expect(page.locator(".gpjob-card [role=progressbar]")).to_have_attribute("aria-valuenow",
                                                                            "100")
    shot(page, "notebook7-succeeded")


def test_every_status_badge_draws_a_visible_icon(lab, page, job_server):
    statuses = json.loads((Path(gpjob_widget.__file__).parent / "static" / "states.json")
                          .read_text())["states"]
    cells = [SETUP + "\nfrom ipywidgets import VBox\n"
             "url = 'http://127.0.0.1:9/arcgis/rest/services/A/GPServer/T/jobs/j'\n"
             f"cards = [JobWidget(url + s, start=False) for s in {list(statuses)!r}]\n"
             "for card, s in zip(cards, " + repr(list(statuses)) + "):\n"
             "    card.status, card.raw_status = s, 'esriJobPaused'\n"
             "VBox(cards)"]
    open_notebook(page, lab, "states.ipynb", cells)
    run_all(page)
    badges = page.locator(".gpjob-badge")
    expect(badges).to_have_count(len(statuses))
    for i, status in enumerate(statuses):
        expect(badges.nth(i)).to_have_attribute("data-status", status)
        icon = badges.nth(i).locator("svg")
        expect(icon.locator("path")).to_be_visible()
        svg, path = icon.bounding_box(), icon.locator("path").bounding_box()
        assert svg and svg["width"] >= 10 and svg["height"] >= 10, (status, svg)
        assert path and path["width"] >= 4 and path["height"] >= 4, (status, path)
        assert path["width"] * path["height"] >= 40, (status, path)  # a shape, not a speck
    shot(page, "card-every-status")
