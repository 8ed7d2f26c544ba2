"""A 10,000-message job: bytes over the comm and time per card update, ours vs naive.

(a) Comm bytes: the real JobWidget code path (snapshots applied as the poller would, 50 new
    messages per check) with the widget's comm replaced by a byte counter, against a naive widget
    whose synced ``List`` trait holds the whole log (ipywidgets resends it on every change).
(b) Chromium: the real card.js rendering the same stream with its log open, against a renderer
    that rebuilds every row per update. Needs Debian's chromium (scripts/test.sh installs it).

    python benchmarks/card_sync.py [--messages 10000] [--batch 50]
"""

from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path

import traitlets as t
from ipywidgets import DOMWidget

from gpjob_widget import JobWidget
from gpjob_widget import status as st
from gpjob_widget.snapshot import JobSnapshot, Message

CARD = Path(__file__).resolve().parents[1] / "gpjob_widget" / "static" / "card.js"


def messages(n: int) -> list[Message]:
    return [Message("warning" if i % 25 == 0 else "informative",
                    f"Processed batch {i + 1}: 1,024 features written to C:\\scratch\\out.gdb")
            for i in range(n)]


class Counter:
    """Stands in for the comm: counts the JSON bytes each message would put on the wire."""

    def __init__(self) -> None:
        self.bytes = 0
        self.messages = 0

    def __call__(self, msg: dict, buffers=None) -> None:
        self.bytes += len(json.dumps(msg, separators=(",", ":")))
        self.messages += 1


class NaiveWidget(DOMWidget):
    """The baseline: the whole log in one synced List trait."""

    status = t.Unicode("").tag(sync=True)
    percent = t.Float(None, allow_none=True).tag(sync=True)
    messages = t.List(t.Dict()).tag(sync=True)


def comm_bytes(n: int, batch: int) -> tuple[int, int, int]:
    log = messages(n)
    raw = sum(len(json.dumps(m.to_dict(), separators=(",", ":"))) for m in log)

    ours = JobWidget("http://127.0.0.1:9/arcgis/rest/services/S/GPServer/T/jobs/j1", start=False)
    counter = Counter()
    ours._send = counter
    naive = NaiveWidget()
    naive_counter = Counter()
    naive._send = naive_counter
    for end in range(batch, n + batch, batch):
        percent = 100.0 * min(end, n) / n
        ours._apply(JobSnapshot(job_id="j1", status=st.EXECUTING, percent=percent,
                                messages=tuple(log[:end])))
        with naive.hold_sync():
            naive.status = st.EXECUTING
            naive.percent = percent
            naive.messages = [m.to_dict() for m in log[:end]]
    ours.close()
    naive.close()
    return raw, counter.bytes, naive_counter.bytes


PAGE_SCRIPT = """async ({ card, n, batch, naive }) => {
  const { default: widget } = await import(card);
  class Model {
    constructor() { this.state = { status: "job-executing", percent: 0, watching: true,
      message_count: 0, warning_count: 0, error_count: 0, loaded: [], download: {} };
      this.l = {}; }
    get(k) { return this.state[k]; }
    set(k, v) { this.state[k] = v; (this.l["change:" + k] || []).forEach((f) => f(v)); }
    on(e, f) { (this.l[e] ||= []).push(f); }
    off() {}
    send() {}
    custom(c) { (this.l["msg:custom"] || []).forEach((f) => f(c)); }
  }
  const el = document.createElement("div");
  document.body.append(el);
  const model = new Model();
  const all = [];
  let rows = null;
  if (!naive) {
    widget.render({ model, el });
    const log = el.querySelector("details");
    log.open = true;
    log.dispatchEvent(new Event("toggle"));
  } else {
    rows = document.createElement("ol");
    el.append(rows);
  }
  const times = [];
  for (let start = 0; start < n; start += batch) {
    const items = [];
    for (let i = start; i < Math.min(n, start + batch); i++) {
      items.push({ type: i % 25 ? "informative" : "warning",
                   description: `Processed batch ${i + 1}: 1,024 features written` });
    }
    const t0 = performance.now();
    if (naive) {  // rebuild every row from the whole list, as a naive List-trait view would
      all.push(...items);
      rows.replaceChildren(...all.map((m) => { const li = document.createElement("li");
        li.textContent = m.description; li.className = m.type; return li; }));
    } else {
      model.custom({ kind: "log", start, items });
      model.set("message_count", start + items.length);
      model.set("percent", (100 * (start + items.length)) / n);
    }
    document.body.offsetHeight;  // force layout, as the browser would before painting
    times.push(performance.now() - t0);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { mean: times.reduce((a, b) => a + b, 0) / times.length,
           p95: sorted[Math.floor(sorted.length * 0.95)], rows: el.querySelectorAll("li").length };
}"""


def chromium_times(n: int, batch: int) -> dict[str, dict]:
    from playwright.sync_api import sync_playwright

    card = "data:text/javascript;base64," + base64.b64encode(CARD.read_bytes()).decode()
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu",
                                          "--disable-background-networking"])
        for naive in (False, True):
            page = browser.new_page()
            page.set_content("<!DOCTYPE html><body></body>")
            out["naive" if naive else "ours"] = page.evaluate(
                PAGE_SCRIPT, {"card": card, "n": n, "batch": batch, "naive": naive})
            page.close()
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()

    raw, ours, naive = comm_bytes(args.messages, args.batch)
    print(f"{args.messages} messages, {args.batch} per check ({args.messages // args.batch} "
          "updates)")
    print(f"  raw message JSON        {raw / 1e6:10.2f} MB")
    print(f"  comm bytes, ours        {ours / 1e6:10.2f} MB   ratio to raw {ours / raw:8.2f}")
    print(f"  comm bytes, naive List  {naive / 1e6:10.2f} MB   ratio to raw {naive / raw:8.2f}")
    print(f"  naive / ours            {naive / ours:10.1f} x")
    if not args.no_browser:
        times = chromium_times(args.messages, args.batch)
        o, b = times["ours"], times["naive"]
        print(f"  Chromium ms per update, ours   mean {o['mean']:7.2f}  p95 {o['p95']:7.2f}  "
              f"(DOM rows kept: {o['rows']})")
        print(f"  Chromium ms per update, naive  mean {b['mean']:7.2f}  p95 {b['p95']:7.2f}  "
              f"(DOM rows kept: {b['rows']})")
        print(f"  naive / ours (mean)            {b['mean'] / o['mean']:7.1f} x")


if __name__ == "__main__":
    main()
