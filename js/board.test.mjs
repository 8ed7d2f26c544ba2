// Unit tests of the JobBoard view (gpjob_widget/static/board.js). Rows arrive as
// {"kind": "rows", "rows": [...]} custom messages shaped like JobBoard.row() (board.py): index,
// the ROW_TRAITS (title, job_id, status, raw_status, percent, progress_message, cancellable,
// error, stalled, changed_at), a batch's key / attempts, a finished row's summary / thumb.
import { after, afterEach, mock, test } from "node:test";
import assert from "node:assert/strict";
import { FakeModel, setupDom } from "./fake-model.mjs";

const dom = setupDom();
const mounted = [];
afterEach(() => { while (mounted.length) mounted.pop()(); }); // clear every board's interval
after(() => dom.window.close());
const board = (await import("../gpjob_widget/static/board.js")).default;
const { STATES } = await import("../gpjob_widget/static/card.js");

function mount(state = {}) {
  const model = new FakeModel({ total: 0, counts: {}, aggregate: null, rollup: {}, ...state });
  const el = document.createElement("div");
  document.body.append(el);
  const cleanup = board.render({ model, el });
  mounted.push(cleanup);
  const q = (s) => el.querySelector(s);
  const rows = () => [...el.querySelectorAll(".gpjob-board-row")];
  const part = (i, cls) => rows()[i].querySelector(cls);
  return { model, el, cleanup, q, rows, part, send: (...list) => model.custom({ kind: "rows", rows: list }) };
}

/** A row as JobBoard.row() sends it for a watched job. */
const job = (index, extra = {}) => ({ index, title: "Buffer", job_id: `j${index}`, status: "job-executing",
  raw_status: "esriJobExecuting", percent: null, progress_message: "", cancellable: true, error: "",
  stalled: false, changed_at: Date.now(), ...extra });

test("the board asks for its rows on render", () => {
  const { model } = mount();
  assert.deepEqual(model.sent, [{ action: "rows" }]);
});

test("rows show a status badge, a percent bar, the message and Cancel", () => {
  const { send, rows, part } = mount();
  send(job(0, { percent: 42.4, progress_message: "Buffering 3 of 7" }),
    job(1, { status: "job-succeeded", percent: 100, cancellable: false, summary: "out: 12 polygons · EPSG:4326" }));
  assert.equal(rows().length, 2);
  assert.equal(rows()[0].getAttribute("role"), "listitem");
  assert.equal(part(0, ".gpjob-board-title").textContent, "Buffer j0");
  const badge = part(0, ".gpjob-badge");
  assert.equal(badge.dataset.status, "job-executing");
  assert.ok(badge.classList.contains(`gpjob-tone-${STATES["job-executing"].tone}`));
  assert.equal(badge.textContent, "Running");
  assert.ok(badge.querySelector("svg path"));
  const bar = part(0, "[role=progressbar]");
  assert.equal(bar.getAttribute("aria-valuenow"), "42");
  assert.equal(bar.getAttribute("aria-label"), "Progress of job 1");
  assert.equal(bar.firstElementChild.style.width, "42.4%");
  assert.equal(part(0, ".gpjob-board-message").textContent, "Buffering 3 of 7");
  assert.equal(part(0, ".gpjob-board-cancel").hidden, false);
  assert.equal(part(0, ".gpjob-board-cancel").disabled, false);
  assert.equal(part(1, ".gpjob-badge").textContent, "Succeeded");
  assert.equal(part(1, ".gpjob-board-message").textContent, "out: 12 polygons · EPSG:4326");
  assert.equal(part(1, ".gpjob-board-cancel").hidden, true); // an ended job: nothing to cancel
});

test("deltas update rows in place; an indeterminate job's bar says in progress", () => {
  const { send, rows, part } = mount();
  send(job(0), job(1));
  const first = rows()[0];
  assert.ok(part(0, "[role=progressbar]").classList.contains("gpjob-bar--indeterminate"));
  assert.equal(part(0, "[role=progressbar]").getAttribute("aria-valuetext"), "in progress");
  send(job(0, { percent: 80, progress_message: "almost" }));
  assert.equal(rows().length, 2);
  assert.equal(rows()[0], first);
  assert.equal(part(0, "[role=progressbar]").getAttribute("aria-valuenow"), "80");
  assert.equal(part(0, ".gpjob-board-message").textContent, "almost");
});

test("a failed row shows the server's error as text", () => {
  const { send, part, el } = mount();
  const error = 'ERROR 000735: <img src=x onerror="window.__xss=1"> is required';
  send(job(0, { status: "job-failed", error, progress_message: "ignored", cancellable: false }));
  const message = part(0, ".gpjob-board-message");
  assert.equal(message.textContent, error);
  assert.ok(message.classList.contains("gpjob-board-error"));
  assert.equal(el.querySelector(".gpjob-board-message img"), null);
  assert.equal(window.__xss, undefined);
});

test("an unknown status word is shown as the server said it", () => {
  const { send, part } = mount();
  send(job(0, { status: "job-unknown", raw_status: "esriJobPaused" }));
  assert.equal(part(0, ".gpjob-badge").textContent, "esriJobPaused");
  assert.equal(part(0, ".gpjob-badge").dataset.status, "job-unknown");
});

test("a stalled running row says for how long and points at Cancel, and keeps counting", () => {
  const now = Date.UTC(2024, 4, 1, 12, 0, 0);
  mock.timers.enable({ apis: ["setInterval", "Date"], now });
  try {
    const { send, part } = mount();
    send(job(0, { stalled: true, changed_at: now - 42 * 60_000, progress_message: "Buffering" }));
    const message = part(0, ".gpjob-board-message");
    assert.equal(message.textContent, "No progress reported for 42 min; if it is stuck, Cancel it");
    assert.ok(message.classList.contains("gpjob-board-stalled"));
    assert.equal(part(0, ".gpjob-board-cancel").disabled, false);
    mock.timers.tick(60_000); // refreshed every 15 s
    assert.equal(message.textContent, "No progress reported for 43 min; if it is stuck, Cancel it");
    mock.timers.tick(60 * 60_000);
    assert.equal(message.textContent, "No progress reported for 1 h 43 min; if it is stuck, Cancel it");
    send(job(0, { stalled: false, progress_message: "Buffering 4 of 7" })); // it moved
    assert.equal(message.textContent, "Buffering 4 of 7");
    assert.ok(!message.classList.contains("gpjob-board-stalled"));
  } finally {
    mock.timers.reset();
  }
});

test("an ended row is never stalled", () => {
  const { send, part } = mount();
  const long = Date.now() - 3 * 3600_000;
  send(job(0, { status: "job-succeeded", stalled: true, changed_at: long, summary: "out: 3 rows" }),
    job(1, { status: "batch-dropped", stalled: true, changed_at: long, progress_message: "" }),
    job(2, { status: "job-cancelled", stalled: true, changed_at: long, progress_message: "Cancelled by you" }));
  assert.equal(part(0, ".gpjob-board-message").textContent, "out: 3 rows");
  assert.equal(part(1, ".gpjob-board-message").textContent, "");
  assert.equal(part(2, ".gpjob-board-message").textContent, "Cancelled by you");
  for (const i of [0, 1, 2]) {
    assert.doesNotMatch(part(i, ".gpjob-board-message").textContent, /No progress/);
    assert.ok(!part(i, ".gpjob-board-message").classList.contains("gpjob-board-stalled"));
    assert.equal(part(i, ".gpjob-board-cancel").hidden, true);
  }
});

test("a row's Cancel sends its index and says Cancelling… until the job ends", () => {
  const { model, send, part } = mount();
  send(job(0), job(1));
  const cancel = part(1, ".gpjob-board-cancel");
  assert.equal(cancel.getAttribute("type"), "button");
  cancel.click();
  assert.deepEqual(model.sent.at(-1), { action: "cancel", index: 1 });
  assert.equal(cancel.textContent, "Cancelling…");
  assert.equal(cancel.disabled, true);
  send(job(1, { percent: 50 })); // still running: the click is remembered
  assert.equal(cancel.textContent, "Cancelling…");
  assert.equal(cancel.disabled, true);
  send(job(1, { status: "job-cancelling", cancellable: false }));
  assert.equal(cancel.textContent, "Cancelling…");
  send(job(1, { status: "job-cancelled", cancellable: false }));
  assert.equal(cancel.hidden, true);
  assert.equal(part(0, ".gpjob-board-cancel").textContent, "Cancel"); // the other row untouched
});

test("batch rows: key, attempts, queued here (no Cancel), and a thumbnail", () => {
  const { send, part } = mount();
  const thumb = "data:image/svg+xml;base64,PHN2Zy8+";
  send({ index: 0, key: "north", attempts: 2, title: "Buffer", job_id: "j9", status: "job-succeeded",
    raw_status: "", percent: 100, progress_message: "", cancellable: false, error: "", stalled: false,
    changed_at: null, summary: "out: 3 polygons", thumb },
  { index: 1, key: "south", attempts: 0, title: "GPServer", job_id: "", status: "batch-queued", raw_status: "",
    percent: null, cancellable: false, progress_message: "not on the server yet", error: "", stalled: false,
    changed_at: null });
  assert.equal(part(0, ".gpjob-board-title").textContent, "north · Buffer j9 (attempt 2)");
  const img = part(0, "img.gpjob-board-thumb");
  assert.equal(img.hidden, false);
  assert.equal(img.getAttribute("src"), thumb);
  assert.equal(img.alt, "");
  assert.equal(part(1, ".gpjob-board-title").textContent, "south · GPServer");
  assert.equal(part(1, ".gpjob-badge").textContent, "Queued here");
  assert.equal(part(1, ".gpjob-board-message").textContent, "not on the server yet");
  assert.equal(part(1, ".gpjob-board-cancel").hidden, true);
  assert.equal(part(1, "img.gpjob-board-thumb").hidden, true);
});

test("plain board header: jobs ended, counts per status, the mean percent", () => {
  const { model, q } = mount();
  model.set("counts", { "job-executing": 2, "job-succeeded": 1 });
  model.set("total", 3);
  model.set("aggregate", 60);
  assert.equal(q(".gpjob-board-summary").textContent, "1 of 3 jobs ended · 2 running · 1 succeeded");
  const bar = q(".gpjob-board > [role=progressbar]");
  assert.equal(bar.getAttribute("aria-valuenow"), "60");
  assert.equal(q(".gpjob-board-cancel-all").disabled, false);
  assert.equal(q(".gpjob-board-retry").hidden, true);
  model.set("counts", { "job-succeeded": 2, "job-failed": 1 });
  assert.equal(q(".gpjob-board-cancel-all").disabled, true); // all ended
});

test("a batch's roll-up header: its words, one bar, Retry failed and Cancel all", () => {
  const { model, q, el } = mount();
  const words = "4 of 10 done (3 succeeded, 1 failed) · 2 running · 4 queued · 1 min 05 s · about 1 min 20 s left";
  model.set("rollup", { total: 10, done: 4, succeeded: 3, failed: 1, running: 2, queued: 4, percent: 45,
    elapsed: 65, eta: 80, words, finished: false });
  assert.equal(q(".gpjob-board-summary").textContent, words);
  assert.equal(q(".gpjob-board-summary").getAttribute("aria-live"), "polite");
  assert.equal(el.querySelector(".gpjob-board").dataset.batch, "true");
  assert.equal(q(".gpjob-board > [role=progressbar]").getAttribute("aria-valuenow"), "45");
  const retry = q(".gpjob-board-retry");
  const cancelAll = q(".gpjob-board-cancel-all");
  assert.equal(retry.hidden, false);
  assert.equal(retry.textContent, "Retry failed");
  assert.equal(cancelAll.textContent, "Cancel all");
  assert.equal(cancelAll.disabled, false);
  cancelAll.click();
  assert.deepEqual(model.sent.at(-1), { action: "cancel_all" });
  retry.click();
  assert.deepEqual(model.sent.at(-1), { action: "retry_failed" });
  model.set("counts", { "job-executing": 9 }); // a batch's header stays its roll-up
  assert.equal(q(".gpjob-board-summary").textContent, words);
  model.set("rollup", { total: 10, done: 10, succeeded: 10, failed: 0, running: 0, queued: 0, percent: 100,
    elapsed: 200, eta: null, words: "10 of 10 done (10 succeeded, 0 failed) · 0 running · 0 queued · 3 min 20 s",
    finished: true });
  assert.equal(retry.hidden, true);
  assert.equal(cancelAll.disabled, true);
  assert.equal(q(".gpjob-board > [role=progressbar]").getAttribute("aria-valuenow"), "100");
});

test("cleanup removes the listeners and the stall refresh", () => {
  mock.timers.enable({ apis: ["setInterval"] });
  try {
    const { model, cleanup, send, part, rows } = mount();
    send(job(0, { stalled: true, changed_at: Date.now() - 5 * 60_000 }));
    const message = part(0, ".gpjob-board-message");
    message.textContent = "sentinel";
    cleanup();
    assert.equal(model.listenerCount(), 0);
    mock.timers.tick(60_000);
    assert.equal(message.textContent, "sentinel");
    send(job(1));
    assert.equal(rows().length, 1); // no longer listening
  } finally {
    mock.timers.reset();
  }
});

// -- bugs found: this fails today (see the report / comments) -------------------------------------

// A regression test: a bug these tests found, now fixed.
test("a refused cancel gives the row its Cancel back and says why", () => {
  const { send, part } = mount();
  send(job(0));
  const cancel = part(0, ".gpjob-board-cancel");
  cancel.click();
  send(job(0, { cancel_state: "refused", cancel_error: "Job already completed" }));
  assert.equal(cancel.textContent, "Cancel");
  assert.equal(cancel.disabled, false);
  assert.match(part(0, ".gpjob-board-message").textContent, /Job already completed/);
});
