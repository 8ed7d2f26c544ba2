import { after, afterEach, mock, test } from "node:test";
import assert from "node:assert/strict";
import { FakeModel, setupDom } from "./fake-model.mjs";

const dom = setupDom();
const mounted = [];
afterEach(() => { while (mounted.length) mounted.pop()(); }); // clear every card's timers
after(() => dom.window.close());
const card = (await import("../gpjob_widget/static/card.js")).default;
const { STATES, MAX_ROWS, ACK_WAIT_MS, HELLO_WAIT_MS, STALE_AFTER_MS, formatElapsed } =
  await import("../gpjob_widget/static/card.js");

function mount(state) {
  const model = new FakeModel(state);
  const el = document.createElement("div");
  document.body.append(el);
  const cleanup = card.render({ model, el });
  mounted.push(cleanup);
  return { model, el, cleanup, q: (s) => el.querySelector(s) };
}

const messages = (n, start = 0) => Array.from({ length: n }, (_, i) => ({
  type: i % 10 === 0 ? "warning" : "informative", description: `message ${start + i}` }));

test("every status has its own badge label, icon and tone", () => {
  const labels = new Set();
  for (const [status, state] of Object.entries(STATES)) {
    const { q, cleanup } = mount({ status });
    const badge = q(".gpjob-badge");
    assert.equal(badge.dataset.status, status);
    assert.ok(badge.className.includes(`gpjob-tone-${state.tone}`));
    assert.equal(q(".gpjob-badge-text").textContent, state.label);
    const path = q(".gpjob-badge-icon svg path");  // an inline SVG, not a font glyph
    assert.ok(path && path.getAttribute("d").length > 10);
    labels.add(state.label);
    cleanup();
  }
  assert.equal(labels.size, Object.keys(STATES).length);
});

test("an unknown status word is shown as the server said it", () => {
  const { q } = mount({ status: "job-unknown", raw_status: "esriJobPaused" });
  assert.equal(q(".gpjob-badge-text").textContent, "Unknown (esriJobPaused)");
});

test("determinate and indeterminate progress, with aria", () => {
  const { model, q } = mount({ status: "job-executing", percent: null });
  const bar = q("[role=progressbar]");
  assert.ok(bar.classList.contains("gpjob-bar--indeterminate"));
  assert.equal(bar.getAttribute("aria-valuenow"), null);
  model.set("percent", 42.4);
  assert.ok(!bar.classList.contains("gpjob-bar--indeterminate"));
  assert.equal(bar.getAttribute("aria-valuenow"), "42");
  assert.equal(q(".gpjob-fill").style.width, "42.4%");
  assert.equal(q(".gpjob-percent").textContent, "42%");
  model.set("status", "job-failed");
  model.set("percent", null);
  assert.ok(!bar.classList.contains("gpjob-bar--indeterminate"));
});

test("log deltas append, overlaps are ignored and a gap asks for a resync", () => {
  const { model, q } = mount({ status: "job-executing" });
  assert.deepEqual(model.sent[0], { action: "log", since: 0, id: 0 });
  q("details").open = true;
  q("details").dispatchEvent(new window.Event("toggle"));
  model.custom({ kind: "log", start: 0, items: messages(3) });
  model.custom({ kind: "log", start: 1, items: messages(4, 1) }); // overlap of 2
  assert.equal(q(".gpjob-rows").childElementCount, 5);
  model.custom({ kind: "log", start: 9, items: messages(1, 9) }); // gap
  assert.deepEqual(model.sent.at(-1), { action: "log", since: 5 });
  assert.equal(q(".gpjob-rows").childElementCount, 5);
  assert.ok(q(".gpjob-row-warning"));
});

test("10,000 messages keep a bounded number of DOM rows", () => {
  const { model, q } = mount({ status: "job-executing" });
  q("details").open = true;
  q("details").dispatchEvent(new window.Event("toggle"));
  for (let i = 0; i < 10_000; i += 250) {
    model.custom({ kind: "log", start: i, items: messages(250, i) });
  }
  model.set("message_count", 10_000);
  const rows = q(".gpjob-rows");
  assert.equal(rows.childElementCount, MAX_ROWS);
  assert.equal(rows.lastElementChild.textContent, "message 9999");
  assert.match(q(".gpjob-earlier").textContent, /Show 500 earlier of 9500/);
  q(".gpjob-earlier").click();
  assert.equal(rows.childElementCount, 2 * MAX_ROWS);
  assert.match(q(".gpjob-log-summary").textContent, /Messages \(10000\)/);
});

test("the closed log renders no rows until opened", () => {
  const { model, q } = mount({ status: "job-executing" });
  model.custom({ kind: "log", start: 0, items: messages(50) });
  assert.equal(q(".gpjob-rows").childElementCount, 0);
  q("details").open = true;
  q("details").dispatchEvent(new window.Event("toggle"));
  assert.equal(q(".gpjob-rows").childElementCount, 50);
});

test("Cancel sends the action and shows Cancelling… at once", () => {
  const { model, q } = mount({ status: "job-executing", cancellable: true, cancel_state: "" });
  const button = q(".gpjob-cancel");
  assert.equal(button.disabled, false);
  assert.ok(button.getAttribute("aria-label"));
  button.click();
  assert.equal(model.sent.at(-1).action, "cancel");
  model.custom({ kind: "ack", id: model.sent.at(-1).id });
  assert.equal(button.textContent, "Cancelling…");
  assert.equal(button.disabled, true);
  model.set("percent", 50); // unrelated updates keep it
  model.set("cancellable", true);
  assert.equal(button.textContent, "Cancelling…");
  model.set("cancel_state", "refused");
  model.set("cancel_error", "Job already completed");
  assert.match(q(".gpjob-cancel-info").textContent, /Job already completed/);
  assert.equal(button.textContent, "Cancel"); // refused: may try again
  model.set("status", "job-cancelled");
  assert.equal(button.hidden, true);
});

test("Cancel is disabled when the job cannot be cancelled", () => {
  const { q } = mount({ status: "job-executing", cancellable: false });
  assert.equal(q(".gpjob-cancel").disabled, true);
});

test("Load results: shown on success, sends the action, lists variables", () => {
  const { model, q } = mount({ status: "job-succeeded", results_state: "available" });
  const button = q(".gpjob-load");
  assert.equal(button.hidden, false);
  button.click();
  assert.equal(model.sent.at(-1).action, "load_results");
  model.custom({ kind: "ack", id: model.sent.at(-1).id });
  assert.equal(button.textContent, "Loading…");
  model.set("download", { name: "big.tif", received: 500, total: 1000 });
  assert.match(q(".gpjob-download").textContent, /big.tif: 500 bytes of 1.0 kB \(50%\)/);
  model.set("loaded", [{ name: "out", variable: "out", type: "GeoDataFrame", shape: "3 rows × 2 columns", note: "" }]);
  model.set("results_state", "loaded");
  assert.match(q(".gpjob-loaded").textContent, /out · GeoDataFrame · 3 rows × 2 columns/);
  model.set("results_state", "error");
  model.set("results_error", "result 'x': Not Found");
  assert.equal(q(".gpjob-results-error").textContent, "result 'x': Not Found");
});

test("untrusted text stays text; only http(s) becomes a link", () => {
  const evil = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> javascript:alert(1) see https://example.com/a?b=1';
  const { model, q, el } = mount({ status: "job-failed", error: evil, progress_message: evil });
  q("details").open = true;
  q("details").dispatchEvent(new window.Event("toggle"));
  model.custom({ kind: "log", start: 0, items: [{ type: "error", description: evil }] });
  assert.equal(el.querySelector("img"), null);
  assert.equal(el.querySelector("script"), null);
  assert.equal(q(".gpjob-error").textContent, evil);
  const links = [...el.querySelectorAll("a")];
  assert.ok(links.length >= 1);
  for (const a of links) assert.match(a.href, /^https:\/\/example\.com\//);
  assert.equal(window.__xss, undefined);
});

test("elapsed time and cleanup of timers and listeners", () => {
  const now = Date.now();
  const { model, q, cleanup } = mount({ status: "job-executing", started_at: now - 65_000 });
  assert.match(q(".gpjob-elapsed").textContent, /1 min 0[45] s/);
  model.set("ended_at", now - 5_000);
  assert.equal(q(".gpjob-elapsed").textContent, "1 min 00 s");
  cleanup();
  assert.equal(model.listenerCount(), 0);
  assert.equal(formatElapsed(3_725_000), "1 h 02 min");
});

test("failure text and notices are shown prominently", () => {
  const { model, q } = mount({ status: "job-executing" });
  assert.equal(q(".gpjob-error").hidden, true);
  model.set("notice", "HTTP 503 — retrying in 2 s (attempt 1)");
  assert.equal(q(".gpjob-notice").hidden, false);
  model.set("status", "job-failed");
  model.set("error", "ERROR 000732: Dataset does not exist");
  assert.equal(q(".gpjob-error").textContent, "ERROR 000732: Dataset does not exist");
  assert.equal(q(".gpjob-error").getAttribute("role"), "alert");
});

test("the card's status table is the shared states.json, as Python reads it", async () => {
  const { readFile } = await import("node:fs/promises");
  const table = JSON.parse(await readFile(new URL("../gpjob_widget/static/states.json", import.meta.url)));
  assert.deepEqual(STATES, table.states);
});

test("a click the kernel does not acknowledge within a second shows the busy hint", () => {
  mock.timers.enable({ apis: ["setTimeout", "setInterval"] });
  try {
    const { model, q } = mount({ status: "job-executing", cancellable: true });
    q(".gpjob-cancel").click();
    const busy = q(".gpjob-busy");
    mock.timers.tick(ACK_WAIT_MS - 1);
    assert.equal(busy.hidden, true);
    mock.timers.tick(2);
    assert.equal(busy.hidden, false);
    assert.match(busy.textContent, /kernel is busy in a cell.*await w\.wait_async\(\)/);
    model.custom({ kind: "ack", id: model.sent.at(-1).id }); // the cell ended: carried out
    assert.equal(busy.hidden, true);
  } finally {
    mock.timers.reset();
  }
});

test("an acknowledged click never shows the busy hint", () => {
  mock.timers.enable({ apis: ["setTimeout", "setInterval"] });
  try {
    const { model, q } = mount({ status: "job-executing", cancellable: true });
    q(".gpjob-cancel").click();
    model.custom({ kind: "ack", id: model.sent.at(-1).id });
    mock.timers.tick(5 * ACK_WAIT_MS);
    assert.equal(q(".gpjob-busy").hidden, true);
  } finally {
    mock.timers.reset();
  }
});

test("a card nobody updates any more says where the job was last seen", () => {
  const seen = Date.now() - STALE_AFTER_MS - 60_000;
  const { q } = mount({ status: "job-executing", watching: true, percent: 40, cancellable: true,
    job_url: "http://h/jobs/j1",
    started_at: seen - 60_000, checked_at: seen, next_check_at: seen + 10_000 });
  const stale = q(".gpjob-stale");
  assert.equal(stale.hidden, false);
  assert.match(stale.textContent, /^Last seen Running at .*Reattach: JobWidget\("http:\/\/h\/jobs\/j1"\)/);
  assert.ok(q(".gpjob-card").classList.contains("gpjob-card--stale"));
  assert.equal(q(".gpjob-elapsed").textContent, "1 min 00 s"); // frozen at the last check
  assert.equal(q(".gpjob-cancel").disabled, true); // no kernel behind it to ask
});

test("a live card is not stale; a stopped one says it is not watched", () => {
  const now = Date.now();
  const live = mount({ status: "job-executing", watching: true, checked_at: now, next_check_at: now + 5000 });
  assert.equal(live.q(".gpjob-stale").hidden, true);
  const stopped = mount({ status: "job-executing", watching: false, checked_at: now });
  assert.match(stopped.q(".gpjob-stale").textContent, /^Not watched: last seen Running/);
  const ended = mount({ status: "job-succeeded", watching: false });
  assert.equal(ended.q(".gpjob-stale").hidden, true);
});

test("notify: a long job that ends while the page is hidden notifies and counts in the title", () => {
  const shown = [];
  globalThis.Notification = class { constructor(title, options) { shown.push([title, options.body]); } };
  globalThis.Notification.permission = "granted";
  Object.defineProperty(document, "hidden", { value: true, configurable: true });
  document.title = "demo.ipynb";
  try {
    const { model } = mount({ status: "job-executing", notify: true, title: "Buffer",
      started_at: Date.now() - 45_000 });
    model.set("ended_at", Date.now());
    model.set("status", "job-succeeded");
    assert.deepEqual(shown, [["Buffer: Succeeded", ""]]);
    assert.equal(document.title, "(1) demo.ipynb");
    const short = mount({ status: "job-executing", notify: true, started_at: Date.now() - 5_000 });
    short.model.set("status", "job-failed"); // ran 5 s: not worth a notification
    assert.equal(shown.length, 1);
    Object.defineProperty(document, "hidden", { value: false, configurable: true });
    document.dispatchEvent(new window.Event("visibilitychange"));
    assert.equal(document.title, "demo.ipynb");
  } finally {
    delete globalThis.Notification;
    delete document.hidden;
  }
});

test("notify is off unless asked, and the toggle sets the trait", () => {
  const shown = [];
  globalThis.Notification = class { constructor(title) { shown.push(title); } };
  globalThis.Notification.permission = "granted";
  Object.defineProperty(document, "hidden", { value: true, configurable: true });
  try {
    const { model, q } = mount({ status: "job-executing", started_at: Date.now() - 60_000 });
    model.set("status", "job-succeeded");
    assert.equal(shown.length, 0);
    const other = mount({ status: "job-executing" });
    const box = other.q(".gpjob-notify input");
    box.checked = true;
    box.dispatchEvent(new window.Event("change"));
    return new Promise((resolve) => setTimeout(() => {
      assert.equal(other.model.get("notify"), true);
      resolve();
    }, 0));
  } finally {
    delete globalThis.Notification;
    delete document.hidden;
  }
});

test("a view restored from a saved notebook, with no kernel behind it, says last seen", () => {
  mock.timers.enable({ apis: ["setTimeout", "setInterval"] });
  try {
    const now = Date.now();
    const restored = mount({ status: "job-executing", watching: true, checked_at: now,
      next_check_at: now + 5000, job_url: "http://h/jobs/j1" });
    const live = mount({ status: "job-executing", watching: true, checked_at: now,
      next_check_at: now + 5000 });
    live.model.custom({ kind: "ack", id: 0 }); // a live kernel answers the view's hello
    mock.timers.tick(HELLO_WAIT_MS + 1);
    assert.match(restored.q(".gpjob-stale").textContent, /^Last seen Running at/);
    assert.equal(live.q(".gpjob-stale").hidden, true);
    restored.model.set("percent", 50); // word from a kernel after all: live again
    assert.equal(restored.q(".gpjob-stale").hidden, true);
  } finally {
    mock.timers.reset();
  }
});

test("a stalled job says for how long, and points at Cancel; it clears when the job moves", () => {
  const { model, q } = mount({ status: "job-executing", stalled: true, cancellable: true,
                               changed_at: Date.now() - 42 * 60_000 });
  const stall = q(".gpjob-stall");
  assert.equal(stall.hidden, false);
  assert.match(stall.textContent, /No progress reported for 42 min/);
  assert.match(stall.textContent, /if the job is stuck, Cancel it/);
  assert.equal(q("button.gpjob-cancel").disabled, false);
  model.set("stalled", false);
  assert.equal(stall.hidden, true);
  model.set("stalled", true);
  model.set("status", "job-succeeded");
  assert.equal(stall.hidden, true);                // an ended job is never stalled
});

test("a view made again starts where the last one was: log open, messages and previews there", () => {
  const model = new FakeModel({ status: "job-succeeded", outputs: ["table"], preview_state: "ready",
    output_info: { table: { label: "Table", shows: "table" } }, message_count: 3 });
  const mountOn = () => {
    const el = document.createElement("div");
    document.body.append(el);
    const cleanup = card.render({ model, el });
    mounted.push(cleanup);
    return (s) => el.querySelector(s);
  };
  const first = mountOn();
  model.custom({ kind: "log", start: 0, items: messages(3) });
  model.custom({ kind: "preview", name: "table", data: { kind: "table", summary: "1 row × 1 column",
    columns: [{ name: "a", type: "integer" }], head: [["1"]] } });
  const log = first(".gpjob-log");
  log.open = true;
  log.dispatchEvent(new window.Event("toggle"));
  model.sent.length = 0;

  const again = mountOn(); // e.g. the kernel rewrote the output's saved snapshot
  assert.equal(again(".gpjob-log").open, true);
  assert.equal(again(".gpjob-rows").childElementCount, 3);
  assert.equal(again('[data-output="table"]').dataset.kind, "table");
  assert.ok(again('[data-output="table"] table'));
  // it asks only for messages after the ones it has, and for no preview it already has
  assert.deepEqual(model.sent.filter((m) => m.action === "log").map((m) => m.since), [3]);
  assert.equal(model.sent.filter((m) => m.action === "previews").length, 0);
});
