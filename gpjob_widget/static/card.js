// The live progress card of a JobWidget (anywidget ES module; no bundler, no dependencies).
// Data arrive as traits (status, percent, counts…) and the log as appended deltas over custom
// messages (see DEVELOPERS.md). Every server string is untrusted: it is set as text, never HTML.

import { createLog } from "./card-log.js";
import { h, inMarimo, ownKeys } from "./dom.js";
import { markUnseen, notifyEnded } from "./notify.js";
import { createPreview } from "./preview.js";
import { STATES, TERMINAL, clock, formatBytes, formatElapsed, formatQuiet, linkify, makeBar,
  setBar, statusIcon } from "./status.js";

// what the card's tests and the board use, from where they live
export { MAX_ROWS } from "./card-log.js";
export { STATES, TERMINAL, formatElapsed, formatQuiet, makeBar, setBar, statusIcon } from
  "./status.js";
export const ACK_WAIT_MS = 1000; // a click unanswered this long: the kernel is busy in a cell
export const STALE_AFTER_MS = 90_000; // a check this overdue: nobody is watching any more
export const HELLO_WAIT_MS = 5_000; // no word from a kernel this long after render: not live
export const NOTIFY_MIN_RUN_MS = 30_000; // notify only for jobs that ran at least this long
export const BUSY_HINT = "The kernel is busy in a cell: interrupt it (■) to cancel now, or use " +
  "`await w.wait_async()`. The click will be carried out once the cell ends.";
// marimo handles a click only between cells, and an awaiting cell is still running there
export const BUSY_HINT_MARIMO = "marimo is running a cell (one that waits for a job, maybe): " +
  "the click will be carried out once it ends. Stop it (■) to cancel now; the card follows " +
  "the job without a cell waiting for it.";

function render({ model, el }) {
  const card = ownKeys(h("div", "gpjob-card"));
  card.setAttribute("role", "group");

  // header: title, id, badge
  const header = h("div", "gpjob-header");
  const title = h("span", "gpjob-title");
  const jobId = h("span", "gpjob-id");
  const badge = h("span", "gpjob-badge");
  badge.setAttribute("role", "status");
  badge.setAttribute("aria-live", "polite");
  const badgeIcon = h("span", "gpjob-badge-icon");
  badgeIcon.setAttribute("aria-hidden", "true");
  const badgeText = h("span", "gpjob-badge-text");
  badge.append(badgeIcon, badgeText);
  header.append(title, jobId, badge);

  const bar = makeBar("Job progress");

  // one line of facts: percent · elapsed · latest message
  const facts = h("div", "gpjob-facts");
  const percentText = h("span", "gpjob-percent");
  const elapsedText = h("span", "gpjob-elapsed");
  const progressText = h("span", "gpjob-progress-message");
  facts.append(percentText, elapsedText, progressText);

  const notice = h("div", "gpjob-notice");
  notice.setAttribute("role", "status");
  const busy = h("div", "gpjob-busy", BUSY_HINT);
  busy.setAttribute("role", "status");
  busy.hidden = true;
  const stale = h("div", "gpjob-stale");
  stale.setAttribute("role", "status");
  stale.hidden = true;
  const stall = h("div", "gpjob-stall");
  stall.setAttribute("role", "status");
  stall.hidden = true;
  const error = h("div", "gpjob-error");
  error.setAttribute("role", "alert");

  // actions
  const actions = h("div", "gpjob-actions");
  const cancelButton = h("button", "gpjob-button gpjob-cancel", "Cancel");
  cancelButton.type = "button";
  cancelButton.setAttribute("aria-label", "Cancel the job on the server");
  const cancelInfo = h("span", "gpjob-cancel-info");
  const loadButton = h("button", "gpjob-button gpjob-load", "Load results");
  loadButton.type = "button";
  loadButton.setAttribute("aria-label", "Load the job's results into notebook variables");
  const notifyLabel = h("label", "gpjob-notify");
  const notifyBox = h("input");
  notifyBox.type = "checkbox";
  notifyLabel.append(notifyBox, document.createTextNode(" Notify me when it ends"));
  notifyLabel.title = "A browser notification if the job ends while this page is hidden";
  actions.append(cancelButton, loadButton, cancelInfo, notifyLabel);

  // results: download progress and loaded variables
  const results = h("div", "gpjob-results");
  const download = h("div", "gpjob-download");
  const loadedList = h("ul", "gpjob-loaded");
  loadedList.setAttribute("aria-label", "Variables created");
  const resultsError = h("div", "gpjob-error gpjob-results-error");
  resultsError.setAttribute("role", "alert");
  results.append(download, resultsError, loadedList);

  const log = createLog(model);

  const preview = createPreview(model, (action, extra) => sendAction(action, extra));
  card.append(header, bar, facts, stale, stall, notice, busy, error, actions, results,
    preview.el, log.el);
  el.append(card);

  // -- state ------------------------------------------------------------------------------
  // A click shows its effect at once; it lasts until the matching trait moves on.
  let cancelClickedAt = null; // cancel_state when Cancel was clicked
  let loadClickedAt = null; // results_state when Load was clicked
  let timer = null;
  let lastStatus = null; // to see a job end in this view
  let nextId = 1;
  const pending = new Map(); // click id → timer showing the busy hint
  let heard = false; // any word from the kernel since this view was rendered
  let silent = false; // none at all within HELLO_WAIT_MS: restored from a saved notebook

  const get = (name) => model.get(name);
  const status = () => get("status") || "job-new";

  function renderHeader() {
    title.textContent = get("title") || "ArcGIS job";
    jobId.textContent = get("job_id") || "";
    jobId.title = get("job_url") || "";
  }

  function renderStatus() {
    const s = status();
    const state = STATES[s] || STATES["job-unknown"];
    const raw = get("raw_status");
    badge.className = `gpjob-badge gpjob-tone-${state.tone}`;
    badge.dataset.status = s;
    badgeIcon.replaceChildren(statusIcon(s));
    badgeText.textContent = s === "job-unknown" && raw ? `Unknown (${raw})` : state.label;
    card.dataset.status = s;
    if (lastStatus !== null && !TERMINAL.has(lastStatus) && TERMINAL.has(s)) onEnded(state);
    lastStatus = s;
    renderProgress();
    renderActions();
    renderStale();
    renderStall();
    renderElapsed();
    if (TERMINAL.has(s) || !get("watching")) stopTimer(); else startTimer();
  }

  function onEnded(state) {
    const ran = (get("ended_at") || Date.now()) - (get("started_at") || Date.now());
    if (!get("notify") || ran < NOTIFY_MIN_RUN_MS || !document.hidden) return;
    markUnseen();
    notifyEnded(model, state);
  }

  // Not live any more (kernel restarted, notebook reopened from its saved state, watching
  // stopped): say where the job was last seen instead of looking like it still runs.
  function renderStale() {
    const s = status();
    const due = get("next_check_at");
    const checked = get("checked_at");
    const overdue = (get("watching") && due && Date.now() - due > STALE_AFTER_MS) || silent;
    const stopped = !get("watching") && !TERMINAL.has(s) && !get("error");
    const show = !TERMINAL.has(s) && (overdue || stopped);
    const changed = card.classList.contains("gpjob-card--stale") !== Boolean(overdue);
    card.classList.toggle("gpjob-card--stale", Boolean(show));
    card.classList.toggle("gpjob-card--unreachable", Boolean(overdue && !TERMINAL.has(s)));
    if (changed) renderActions();
    stale.hidden = !show;
    if (!show) return;
    const label = (STATES[s] || STATES["job-unknown"]).label;
    const when = checked ? ` at ${clock(checked)}` : "";
    const url = get("job_url") || "";
    stale.textContent = overdue ?
      `Last seen ${label}${when}; no update since (kernel restarted, or a saved notebook). ` +
      `Reattach: JobWidget("${url}") or JobBoard.recent().` :
      `Not watched: last seen ${label}${when}. Resume with w.start() or w.wait_async().`;
  }

  // The engine calls a job stalled when it said nothing new for much longer than its rhythm.
  function renderStall() {
    const s = status();
    const since = get("changed_at");
    const show = Boolean(get("stalled") && since) && !TERMINAL.has(s);
    stall.hidden = !show;
    if (!show) return;
    const label = (STATES[s] || STATES["job-unknown"]).label;
    stall.textContent = `No progress reported for ${formatQuiet(Date.now() - since)}. ` +
      `The server still says ${label}; if the job is stuck, Cancel it.`;
  }

  function renderProgress() {
    const shown = setBar(bar, get("percent"), status());
    percentText.textContent = shown === null ? "" : `${shown}%`;
  }

  function renderElapsed() {
    const start = get("started_at");
    if (!start) { elapsedText.textContent = ""; return; }
    const frozen = card.classList.contains("gpjob-card--stale") ? get("checked_at") : null;
    const end = get("ended_at") || frozen || Date.now();
    elapsedText.textContent = formatElapsed(end - start);
  }

  function startTimer() {
    if (timer === null) {
      timer = setInterval(() => { renderStale(); renderStall(); renderElapsed(); }, 1000);
    }
  }

  function stopTimer() {
    if (timer !== null) { clearInterval(timer); timer = null; }
  }

  function renderMessageLine() {
    progressText.replaceChildren(linkify(get("progress_message") || ""));
  }

  function renderNotice() {
    notice.textContent = get("notice") || "";
    notice.hidden = !get("notice");
    error.textContent = get("error") || "";
    error.hidden = !get("error");
  }

  function renderActions() {
    const s = status();
    const cancelState = get("cancel_state") || "";
    if (cancelClickedAt !== null && (cancelState !== cancelClickedAt || TERMINAL.has(s))) {
      cancelClickedAt = null;
    }
    const cancelling = cancelClickedAt !== null || s === "job-cancelling" ||
      cancelState === "requested";
    const unreachable = card.classList.contains("gpjob-card--unreachable"); // no kernel to ask
    cancelButton.hidden = TERMINAL.has(s);
    cancelButton.disabled = TERMINAL.has(s) || cancelling || !get("cancellable") || unreachable;
    cancelButton.textContent = cancelling ? "Cancelling…" : "Cancel";
    cancelInfo.textContent =
      cancelState === "refused" ? `Cancel refused: ${get("cancel_error") || ""}` :
      cancelState === "unconfirmed" ? "Still cancelling… the server has not confirmed." : "";
    cancelInfo.classList.toggle("gpjob-cancel-refused", cancelState === "refused");

    const rs = get("results_state") || "";
    if (loadClickedAt !== null && rs !== loadClickedAt) loadClickedAt = null;
    const loading = rs === "loading" || loadClickedAt !== null;
    loadButton.hidden = !["available", "loading", "loaded", "partial", "error"].includes(rs);
    loadButton.disabled = loading;
    loadButton.textContent = loading ? "Loading…" : rs === "loaded" ? "Load again" :
      rs === "partial" ? "Retry the failed ones" : rs === "error" ? "Retry loading" :
        "Load results";
  }

  function renderNotify() {
    notifyBox.checked = Boolean(get("notify"));
    notifyLabel.hidden = TERMINAL.has(status()) && !notifyBox.checked;
  }

  async function onNotifyToggle() {
    const on = notifyBox.checked;
    if (on && typeof Notification !== "undefined" && Notification.permission === "default") {
      await Notification.requestPermission(); // asked on the user's own click
    }
    model.set("notify", on);
    model.save_changes();
  }

  function renderResults() {
    const rs = get("results_state");
    const failed = rs === "error" || rs === "partial";
    resultsError.textContent = failed ? get("results_error") || "" : "";
    resultsError.hidden = !failed;
    const loaded = get("loaded") || [];
    loadedList.replaceChildren(...loaded.map((item) => {
      const li = h("li", "gpjob-loaded-item");
      const code = h("code", "", item.variable);
      li.append(code, document.createTextNode(
        ` · ${item.type}${item.shape ? ` · ${item.shape}` : ""}${item.note ? ` (${item.note})` : ""}`));
      return li;
    }));
    loadedList.hidden = loaded.length === 0;
    if (rs === "none") {
      loadedList.hidden = false;
      loadedList.replaceChildren(h("li", "gpjob-loaded-item", "The job succeeded with no outputs."));
    }
    const d = get("download") || {};
    download.hidden = !d.name;
    if (d.name) {
      const pct = d.total ? Math.round((100 * d.received) / d.total) : null;
      download.textContent = `Downloading ${d.name}: ${formatBytes(d.received || 0)}` +
        (d.total ? ` of ${formatBytes(d.total)} (${pct}%)` : "");
    }
    renderActions();
  }

  function hear() {
    heard = true;
    if (silent) { silent = false; renderStale(); renderElapsed(); }
  }

  // A click is a request to the kernel; the kernel acknowledges it at once when it is free.
  function sendAction(action, extra = {}) {
    const id = nextId++;
    pending.set(id, setTimeout(() => {
      busy.textContent = inMarimo(el) ? BUSY_HINT_MARIMO : BUSY_HINT;
      busy.hidden = false;
    }, ACK_WAIT_MS));
    model.send({ action, id, ...extra });
  }

  function onAck(id) {
    clearTimeout(pending.get(id));
    pending.delete(id);
    if (pending.size === 0) busy.hidden = true;
  }

  function renderPreview() {
    preview.setOutputs(status() === "job-succeeded" ? get("outputs") : [], get("preview_state"),
      get("output_info") || {});
  }

  function onCustom(msg, buffers) {
    hear();
    if (msg && msg.kind === "ack") { onAck(msg.id); return; }
    if (msg && preview.onMessage(msg, buffers)) return;
    log.onMessage(msg);
  }

  function onCancel() {
    if (cancelButton.disabled) return;
    cancelClickedAt = get("cancel_state") || "";
    renderActions();
    sendAction("cancel");
  }

  function onLoad() {
    if (loadButton.disabled) return;
    loadClickedAt = get("results_state") || "";
    renderActions();
    sendAction("load_results");
  }

  // -- wiring -------------------------------------------------------------------------------
  const handlers = [
    ["change:title change:job_id change:job_url", renderHeader],
    ["change:status change:raw_status change:watching", renderStatus],
    ["change:next_check_at change:checked_at", renderStale],
    ["change:stalled change:changed_at", renderStall],
    ["change:notify change:status", renderNotify],
    ["change:percent", renderProgress],
    ["change:started_at change:ended_at", renderElapsed],
    ["change:progress_message", renderMessageLine],
    ["change:notice change:error", renderNotice],
    ["change:cancellable change:cancel_state change:cancel_error", renderActions],
    ["change:results_state change:results_error change:loaded change:download", renderResults],
    ["change:message_count change:warning_count change:error_count", log.renderSummary],
    ["change:outputs change:output_info change:preview_state change:status", renderPreview],
    ["msg:custom", onCustom],
  ];
  for (const [events, fn] of handlers) {
    for (const event of events.split(" ")) model.on(event, fn);
  }
  // trait updates from the poller say the kernel is alive (not _view_count: the page's own)
  const LIVE = ["change:checked_at", "change:status", "change:watching", "change:percent"];
  for (const event of LIVE) model.on(event, hear);
  cancelButton.addEventListener("click", onCancel);
  loadButton.addEventListener("click", onLoad);
  notifyBox.addEventListener("change", onNotifyToggle);

  renderHeader();
  renderStatus();
  renderMessageLine();
  renderNotice();
  renderResults();
  log.renderSummary();
  renderNotify();
  renderPreview();
  // catch up (a re-rendered or reloaded view); its acknowledgement also says the kernel is live
  try {
    model.send({ action: "log", since: log.count, id: 0 });
    if (!(get("preview_state") === "ready" && preview.has(get("outputs")))) {
      model.send({ action: "previews" });
    }
  } catch (_) { /* a view restored with no kernel behind it: it will say so */ }
  const hello = setTimeout(() => {
    silent = !heard;
    renderStale();
    renderElapsed();
  }, HELLO_WAIT_MS);

  return () => {
    stopTimer();
    preview.cleanup();
    log.cleanup();
    clearTimeout(hello);
    for (const event of LIVE) model.off(event, hear);
    for (const id of pending.keys()) clearTimeout(pending.get(id));
    for (const [events, fn] of handlers) {
      for (const event of events.split(" ")) model.off(event, fn);
    }
  };
}

export default { render };
