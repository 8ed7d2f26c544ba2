// JobBoard: one compact row per job, updated from coalesced row deltas (custom messages).
import { STATES, TERMINAL, formatQuiet, makeBar, setBar, statusIcon } from "./card.js";
import { h } from "./dom.js";

function render({ model, el }) {
  const board = h("div", "gpjob-board");
  const header = h("div", "gpjob-board-header");
  const summary = h("span", "gpjob-board-summary");
  summary.setAttribute("aria-live", "polite");
  const cancelAll = h("button", "gpjob-button gpjob-board-cancel-all", "Cancel all");
  cancelAll.type = "button";
  cancelAll.setAttribute("aria-label", "Cancel every running job on the server");
  header.append(summary, cancelAll);
  const bar = makeBar("Progress of all jobs");
  const table = h("div", "gpjob-board-rows");
  table.setAttribute("role", "list");
  board.append(header, bar, table);
  el.append(board);

  const rows = []; // index → { el, parts }

  function rowElement(index) {
    const row = h("div", "gpjob-board-row");
    row.setAttribute("role", "listitem");
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
    row.append(title, badge, progress, message, cancel);
    return { el: row, title, badge, progress, message, cancel };
  }

  function update(data) {
    while (rows.length <= data.index) {
      const r = rowElement(rows.length);
      rows.push(r);
      table.append(r.el);
    }
    const r = rows[data.index];
    const state = STATES[data.status] || STATES["job-unknown"];
    r.title.textContent = `${data.title || "job"} ${data.job_id || ""}`.trim();
    r.badge.className = `gpjob-badge gpjob-tone-${state.tone}`;
    r.badge.dataset.status = data.status;
    r.badge.replaceChildren(statusIcon(data.status), document.createTextNode(
      data.status === "job-unknown" && data.raw_status ? data.raw_status : state.label));
    const active = !TERMINAL.has(data.status);
    setBar(r.progress, data.percent, data.status);
    const stalled = data.stalled && data.changed_at && active ?
      `No progress reported for ${formatQuiet(Date.now() - data.changed_at)}` : "";
    r.message.textContent = data.error || stalled || data.progress_message || "";
    r.message.classList.toggle("gpjob-board-error", Boolean(data.error));
    r.message.classList.toggle("gpjob-board-stalled", Boolean(stalled && !data.error));
    r.cancel.hidden = !active;
    if (r.cancel.textContent !== "Cancelling…" || !active) {
      r.cancel.disabled = !data.cancellable;
      r.cancel.textContent = data.status === "job-cancelling" ? "Cancelling…" : "Cancel";
    }
  }

  function renderSummary() {
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

  const onCancelAll = () => model.send({ action: "cancel_all" });
  cancelAll.addEventListener("click", onCancelAll);
  model.on("msg:custom", onCustom);
  model.on("change:counts", renderSummary);
  model.on("change:total", renderSummary);
  model.on("change:aggregate", renderSummary);
  renderSummary();
  model.send({ action: "rows" });
  return () => {
    model.off("msg:custom", onCustom);
    model.off("change:counts", renderSummary);
    model.off("change:total", renderSummary);
    model.off("change:aggregate", renderSummary);
  };
}

export default { render };
