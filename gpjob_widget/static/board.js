// JobBoard: one compact row per job (or per input of a batch), updated from coalesced row
// deltas (custom messages); a batch's header is its roll-up: counts, one bar, elapsed, ETA.
import { STATES, TERMINAL, formatQuiet, makeBar, setBar, statusIcon } from "./status.js";
import { h, ownKeys } from "./dom.js";

const ENDED = new Set([...TERMINAL, "batch-dropped"]);

function render({ model, el }) {
  const board = ownKeys(h("div", "gpjob-board"));
  const header = h("div", "gpjob-board-header");
  const summary = h("span", "gpjob-board-summary");
  summary.setAttribute("aria-live", "polite");
  const buttons = h("span", "gpjob-board-buttons");
  const retry = h("button", "gpjob-button gpjob-board-retry", "Retry failed");
  retry.type = "button";
  retry.setAttribute("aria-label", "Run the failed inputs again");
  retry.hidden = true;
  const cancelAll = h("button", "gpjob-button gpjob-board-cancel-all", "Cancel all");
  cancelAll.type = "button";
  cancelAll.setAttribute("aria-label", "Cancel every running job on the server");
  buttons.append(retry, cancelAll);
  header.append(summary, buttons);
  const bar = makeBar("Progress of all jobs");
  const table = h("div", "gpjob-board-rows");
  table.setAttribute("role", "list");
  board.append(header, bar, table);
  el.append(board);

  const rows = []; // index → { el, parts, data }

  function rowElement(index) {
    const row = h("div", "gpjob-board-row");
    row.setAttribute("role", "listitem");
    const thumb = h("img", "gpjob-board-thumb");
    thumb.alt = "";
    thumb.hidden = true;
    const title = h("span", "gpjob-board-title");
    const badge = h("span", "gpjob-badge");
    const progress = makeBar(`Progress of job ${index + 1}`, "gpjob-bar gpjob-board-bar");
    const message = h("span", "gpjob-board-message");
    const cancel = h("button", "gpjob-button gpjob-board-cancel", "Cancel");
    cancel.type = "button";
    cancel.addEventListener("click", () => {
      cancel.disabled = true;
      cancel.textContent = "Cancelling…";
      model.send({ action: "cancel", index });
    });
    row.append(thumb, title, badge, progress, message, cancel);
    return { el: row, thumb, title, badge, progress, message, cancel, data: null };
  }

  function words(data) {
    const active = !ENDED.has(data.status);
    const stalled = data.stalled && data.changed_at && active ?
      `No progress reported for ${formatQuiet(Date.now() - data.changed_at)}; ` +
      "if it is stuck, Cancel it" : "";
    return { stalled, text: data.error || stalled || data.summary || data.progress_message || "" };
  }

  function update(data) {
    while (rows.length <= data.index) {
      const r = rowElement(rows.length);
      rows.push(r);
      table.append(r.el);
    }
    const r = rows[data.index];
    r.data = data;
    const state = STATES[data.status] || STATES["job-unknown"];
    const key = data.key !== undefined ? `${data.key} · ` : "";
    const tries = data.attempts > 1 ? ` (attempt ${data.attempts})` : "";
    r.title.textContent = `${key}${data.title || "job"} ${data.job_id || ""}`.trim() + tries;
    r.el.dataset.key = data.key ?? "";
    r.badge.className = `gpjob-badge gpjob-tone-${state.tone}`;
    r.badge.dataset.status = data.status;
    r.badge.replaceChildren(statusIcon(data.status), document.createTextNode(
      data.status === "job-unknown" && data.raw_status ? data.raw_status : state.label));
    const active = !ENDED.has(data.status);
    setBar(r.progress, data.percent, data.status);
    const { stalled, text } = words(data);
    const refused = data.cancel_state === "refused" && active;
    r.message.textContent = refused ? `Cancel refused: ${data.cancel_error || "by the server"}` : text;
    r.message.title = data.summary || "";
    r.message.classList.toggle("gpjob-board-error", Boolean(data.error) || refused);
    r.message.classList.toggle("gpjob-board-stalled", Boolean(stalled && !data.error));
    r.thumb.hidden = !data.thumb;
    if (data.thumb && r.thumb.src !== data.thumb) r.thumb.src = data.thumb; // an SVG: no script
    r.cancel.hidden = !active || data.status === "batch-queued";
    if (r.cancel.textContent !== "Cancelling…" || !active || refused) {
      r.cancel.disabled = !data.cancellable;
      r.cancel.textContent = data.status === "job-cancelling" ? "Cancelling…" : "Cancel";
    }
  }

  function renderSummary() {
    const roll = model.get("rollup") || {};
    if (roll.total !== undefined) { // a batch: its roll-up
      summary.textContent = roll.words;
      setBar(bar, roll.percent, roll.finished ? "job-succeeded" : "job-executing");
      cancelAll.disabled = roll.finished;
      retry.hidden = !roll.failed;
      board.dataset.batch = "true";
      return;
    }
    const counts = model.get("counts") || {};
    const total = model.get("total") || 0;
    const ended = [...TERMINAL].reduce((n, s) => n + (counts[s] || 0), 0);
    const parts = Object.entries(counts).map(([s, n]) => `${n} ${(STATES[s] || STATES["job-unknown"]).label.toLowerCase()}`);
    summary.textContent = `${ended} of ${total} jobs ended${parts.length ? ` · ${parts.join(" · ")}` : ""}`;
    setBar(bar, model.get("aggregate"), ended === total && total ? "job-succeeded" : "job-executing");
    cancelAll.disabled = ended === total;
  }

  function onCustom(msg) {
    if (msg && msg.kind === "rows" && Array.isArray(msg.rows)) msg.rows.forEach(update);
  }

  // stalled rows say for how long: refresh their words now and then
  const timer = setInterval(() => {
    for (const r of rows) {
      if (r.data && r.data.stalled) r.message.textContent = words(r.data).text;
    }
  }, 15_000);

  const onCancelAll = () => model.send({ action: "cancel_all" });
  const onRetry = () => model.send({ action: "retry_failed" });
  cancelAll.addEventListener("click", onCancelAll);
  retry.addEventListener("click", onRetry);
  const events = ["change:counts", "change:total", "change:aggregate", "change:rollup"];
  model.on("msg:custom", onCustom);
  for (const e of events) model.on(e, renderSummary);
  renderSummary();
  model.send({ action: "rows" });
  return () => {
    clearInterval(timer);
    model.off("msg:custom", onCustom);
    for (const e of events) model.off(e, renderSummary);
  };
}

export default { render };
