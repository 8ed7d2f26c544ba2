"""The card in real JupyterLab / Notebook 7 and Chromium, against the loopback job server."""

from __future__ import annotations

import json
import time

from gpjob_widget.server import Message, Task

from .conftest import kernel_eval, kernel_idle, open_notebook, run_all, shot, wait_for

SETUP = "import os\nfrom gpjob_widget import JobWidget\nTOKEN = os.environ['GPJOB_E2E_TOKEN']"


def submit_cell(task_url: str, var: str = "w") -> str:
    return f"{var} = JobWidget.submit({task_url!r}, {{'distance': 5}}, token=TOKEN)\n{var}"


def badge(page, nth: int = 0) -> str:
    return page.locator(".gpjob-badge").nth(nth).get_attribute("data-status") or ""


def test_card_follows_a_job_live_and_ends_succeeded(lab, page, job_server):
    job_server.add_task("LiveSteps", Task(duration=8, steps=8, messages=[
        f"step message {i}" for i in range(8)]))
    open_notebook(page, lab, "live.ipynb", [SETUP, submit_cell(job_server.task_url("LiveSteps"))])
    run_all(page)
    page.wait_for_selector(".gpjob-card")
    bar = page.locator(".gpjob-card [role=progressbar]")
    values: list[int] = []
    counts: list[str] = []
    idle_samples = 0
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and badge(page) != "job-succeeded":
        now = bar.get_attribute("aria-valuenow")
        if now is not None and kernel_idle(page):
            idle_samples += 1
            values.append(int(now))
            counts.append(page.locator(".gpjob-log-title").inner_text())
        if len(set(values)) == 3:
            shot(page, "card-running")
        time.sleep(0.25)
    assert badge(page) == "job-succeeded"
    assert idle_samples > 3, "updates must arrive while the kernel is idle (from the poller)"
    distinct = sorted(set(values))
    assert len(distinct) >= 3 and values == sorted(values), values  # advanced live, never back
    assert len(set(counts)) >= 3, counts  # the message count advanced live too
    assert page.locator(".gpjob-badge-text").inner_text() == "Succeeded"
    assert bar.get_attribute("aria-valuenow") == "100"
    page.locator(".gpjob-log-summary").click()
    assert page.locator(".gpjob-row").count() >= 10
    shot(page, "card-succeeded")


def test_failed_job_shows_the_servers_error(lab, page, job_server):
    job_server.add_task("Fails", Task(duration=1, outcome="failed",
                                      error="ERROR 000732: Input Features: Dataset parcels does "
                                            "not exist"))
    open_notebook(page, lab, "fails.ipynb", [SETUP, submit_cell(job_server.task_url("Fails"))])
    run_all(page)
    wait_for(lambda: badge(page) == "job-failed", what="failed badge")
    error = page.locator(".gpjob-error").first
    assert "ERROR 000732" in error.inner_text() and error.is_visible()
    assert page.locator(".gpjob-cancel").is_hidden()
    shot(page, "card-failed")


def test_cancel_button_cancels_the_job_on_the_server(lab, page, job_server):
    job_server.add_task("ToCancel", Task(duration=120, steps=10))
    open_notebook(page, lab, "cancel.ipynb", [SETUP, submit_cell(job_server.task_url("ToCancel"))])
    run_all(page)
    button = page.locator(".gpjob-cancel")
    wait_for(lambda: button.is_enabled(), what="an enabled Cancel button")
    job_id = kernel_eval(page, "print(w.job_id)").strip()
    button.click()
    assert button.inner_text() == "Cancelling…"  # at once, before the server answers
    wait_for(lambda: badge(page) == "job-cancelled", what="cancelled badge")
    assert job_server.jobs[job_id].esri_status == "esriJobCancelled"
    assert any(r.path.endswith(f"{job_id}/cancel") for r in job_server.request_log)
    shot(page, "card-cancelled")


def test_cancel_refused_by_the_server_is_shown(lab, page, job_server):
    job_server.add_task("NoCancel", Task(duration=120, cancel_supported=False))
    open_notebook(page, lab, "nocancel.ipynb",
                  [SETUP, submit_cell(job_server.task_url("NoCancel"))])
    run_all(page)
    button = page.locator(".gpjob-cancel")
    wait_for(lambda: button.is_enabled(), what="an enabled Cancel button")
    button.focus()  # keyboard operable: focus and Enter, no mouse
    page.keyboard.press("Enter")
    info = page.locator(".gpjob-cancel-info")
    wait_for(lambda: "not supported" in info.inner_text(), what="the refusal")
    assert badge(page) in ("job-executing", "job-submitted")
    kernel_eval(page, "w.stop()")


def test_card_fits_a_narrow_cell(lab, page, job_server):
    job_server.add_task("Narrow", Task(duration=60, steps=4, messages=[
        "a long message without spaces " + "x" * 200]))
    page.set_viewport_size({"width": 520, "height": 900})
    open_notebook(page, lab, "narrow.ipynb", [SETUP, submit_cell(job_server.task_url("Narrow"))])
    run_all(page)
    card = page.locator(".gpjob-card")
    card.wait_for()
    wait_for(lambda: badge(page) == "job-executing", what="running")
    page.locator(".gpjob-log-summary").click()
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
    card.wait_for()
    wait_for(lambda: badge(page) == "job-executing", what="running")
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
    wait_for(lambda: badge(page) == "job-failed", what="failed badge")
    page.locator(".gpjob-log-summary").click()
    card = page.locator(".gpjob-card")
    assert evil in card.inner_text()
    assert card.locator("img").count() == 0 and card.locator("script").count() == 0
    time.sleep(0.5)
    assert page.evaluate("() => window.__xss") is None


def test_load_results_button_assigns_variables_in_the_kernel(lab, page, job_server):
    job_server.add_task("Outputs", Task(duration=1, results={
        "out_table": "GPRecordSet", "out_features": "GPFeatureRecordSetLayer_polygons",
        "report": "GPDataFile", "when": "GPDate"}))
    open_notebook(page, lab, "load.ipynb", [SETUP, submit_cell(job_server.task_url("Outputs"))])
    run_all(page)
    load = page.locator(".gpjob-load")
    wait_for(lambda: load.is_visible(), what="the Load results button")
    load.click()
    wait_for(lambda: page.locator(".gpjob-loaded-item").count() == 4, what="4 variables listed")
    listed = page.locator(".gpjob-loaded").inner_text()
    assert "out_table · DataFrame · 3 rows × 5 columns" in listed
    assert "out_features · GeoDataFrame · 2 rows × 3 columns" in listed
    seen = kernel_eval(page, "import json; print(json.dumps([type(out_table).__name__, "
                             "len(out_features), str(out_features.crs), report.exists(), "
                             "when.isoformat()]))")
    assert json.loads(seen) == ["DataFrame", 2, "EPSG:3857", True, "2023-11-14T22:13:20+00:00"]
    shot(page, "card-loaded")


def test_saved_notebook_has_a_snapshot_and_no_secret(lab, page, job_server):
    job_server.add_task("Saved", Task(duration=1, steps=2, messages=["saved run"]))
    path = lab.root / "saved.ipynb"
    open_notebook(page, lab, "saved.ipynb", [SETUP, submit_cell(job_server.task_url("Saved"))])
    run_all(page)
    wait_for(lambda: badge(page) == "job-succeeded", what="succeeded")
    time.sleep(1.0)  # the display refresh after the end
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    wait_for(lambda: "Succeeded" in path.read_text(), what="saved snapshot showing the end")
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
    page.wait_for_selector(".gpjob-card")
    wait_for(lambda: badge(page) == "job-executing", what="running in Notebook 7")
    shot(page, "notebook7-running")
    wait_for(lambda: badge(page) == "job-succeeded", what="succeeded in Notebook 7")
    assert page.locator(".gpjob-card [role=progressbar]").get_attribute("aria-valuenow") == "100"
    shot(page, "notebook7-succeeded")
