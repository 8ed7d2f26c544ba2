// The live progress card of a JobWidget (anywidget ES module; no bundler, no dependencies).
// Data arrive as traits (status, percent, counts…) and the log as appended deltas over custom
// messages (see DEVELOPERS.md). Every server string is untrusted: it is set as text, never HTML.

import { h, inMarimo, ownKeys } from "./dom.js";
import { createPreview } from "./preview.js";
import TABLE from "./states.json" with { type: "json" };

// THE status table (shared with Python's text and HTML views): label, icon, tone per status.
export const STATES = TABLE.states;
export const ICONS = TABLE.icons;
export const TERMINAL = new Set([
  "job-succeeded", "job-failed", "job-timed-out", "job-cancelled", "job-deleted",
]);
export const MAX_ROWS = 500; // log rows kept in the DOM; older ones on demand
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

const URL_RE = /https?:\/\/[^\s<>"'`]+/g;

const SVG_NS = "http://www.w3.org/2000/svg";

/** The badge icon of *status*: an inline SVG (font glyphs are missing on many machines). */
export function statusIcon(status) {
  const state = STATES[status] || STATES["job-unknown"];
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("class", "gpjob-icon");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", ICONS[state.icon]);
  svg.append(path);
  return svg;
}

// Jobs that ended while the page was hidden, shown in the tab title until it is seen again.
const unseen = { count: 0, title: null };
function markUnseen() {
  if (unseen.title === null) unseen.title = document.title;
  unseen.count += 1;
  document.title = `(${unseen.count}) ${unseen.title}`;
}
if (typeof document !== "undefined") {
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && unseen.title !== null) {
      document.title = unseen.title;
      unseen.count = 0;
      unseen.title = null;
    }
  });
}

/** A notification for a watched job that ended while the page was hidden (opt-in). */
function notifyEnded(model, state) {
  if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
  const title = `${model.get("title") || "ArcGIS job"}: ${state.label}`;
  const body = model.get("error") || model.get("progress_message") || model.get("job_id") || "";
  try {
    new Notification(title, { body, tag: `gpjob-${model.get("job_id")}` });
  } catch (_) { /* some browsers only notify from a service worker */ }
}

/** "14:02:11" in the viewer's local time, for an epoch-ms time. */
export function clock(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** Text with http(s) URLs as links; everything else stays text. */
export function linkify(text) {
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const match of String(text).matchAll(URL_RE)) {
    frag.append(document.createTextNode(text.slice(last, match.index)));
    const a = h("a", "gpjob-link", match[0]);
    a.href = match[0];
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    frag.append(a);
    last = match.index + match[0].length;
  }
  frag.append(document.createTextNode(String(text).slice(last)));
  return frag;
}

/** A progress bar (role=progressbar, 0–100) labelled *label*; fill it with setBar(). */
export function makeBar(label, className = "gpjob-bar") {
  const bar = h("div", className);
  bar.setAttribute("role", "progressbar");
  bar.setAttribute("aria-valuemin", "0");
  bar.setAttribute("aria-valuemax", "100");
  bar.setAttribute("aria-label", label);
  bar.append(h("div", "gpjob-fill"));
  return bar;
}

/** Show *percent* (a number, or null = indeterminate while the job is active) for *status*. */
export function setBar(bar, percent, status) {
  const fill = bar.firstElementChild;
  const known = typeof percent === "number" && isFinite(percent);
  const active = !TERMINAL.has(status);
  bar.classList.toggle("gpjob-bar--indeterminate", !known && active);
  bar.dataset.tone = (STATES[status] || STATES["job-unknown"]).tone;
  if (known) {
    const v = Math.max(0, Math.min(100, percent));
    fill.style.width = `${v}%`;
    bar.setAttribute("aria-valuenow", String(Math.round(v)));
    bar.setAttribute("aria-valuetext", `${Math.round(v)} percent`);
  } else {
    fill.style.width = active ? "" : "100%";
    bar.removeAttribute("aria-valuenow");
    bar.setAttribute("aria-valuetext", active ? "in progress" : "ended");
  }
  return known ? Math.round(Math.max(0, Math.min(100, percent))) : null;
}

export function formatElapsed(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(s / 3600), minutes = Math.floor((s % 3600) / 60), secs = s % 60;
  if (hours) return `${hours} h ${String(minutes).padStart(2, "0")} min`;
  if (minutes) return `${minutes} min ${String(secs).padStart(2, "0")} s`;
  return `${secs} s`;
}

/** A quiet spell as the Python side says it: "42 min", "3 h 5 min" (seconds under a minute). */
export function formatQuiet(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  return hours ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
}

function formatBytes(n) {
  const units = ["bytes", "kB", "MB", "GB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i += 1; }
  return i ? `${n.toFixed(1)} ${units[i]}` : `${n} bytes`;
}

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

  // message log
  const log = h("details", "gpjob-log");
  const summary = h("summary", "gpjob-log-summary");
  const earlier = h("button", "gpjob-button gpjob-earlier");
  earlier.type = "button";
  const rows = h("ol", "gpjob-rows");
  log.append(summary, earlier, rows);

  const preview = createPreview(model);
  card.append(header, bar, facts, stale, stall, notice, busy, error, actions, results,
    preview.el, log);
  el.append(card);

  // -- state ------------------------------------------------------------------------------
  const messages = []; // every message received (plain objects)
  let firstShown = 0; // index of the first message with a DOM row
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

  function renderSummary() {
    const n = get("message_count") || messages.length;
    const w = get("warning_count") || 0;
    const e = get("error_count") || 0;
    summary.replaceChildren(h("span", "gpjob-log-title", `Messages (${n})`));
    if (w) summary.append(h("span", "gpjob-count gpjob-count-warning", `${w} warning${w > 1 ? "s" : ""}`));
    if (e) summary.append(h("span", "gpjob-count gpjob-count-error", `${e} error${e > 1 ? "s" : ""}`));
    log.hidden = n === 0;
  }

  function row(message, index) {
    const type = ["warning", "error", "abort", "empty"].includes(message.type) ? message.type : "informative";
    const li = h("li", `gpjob-row gpjob-row-${type}`);
    li.value = index + 1;
    if (type !== "informative") li.append(h("span", "gpjob-row-type", type));
    li.append(linkify(message.description ?? ""));
    return li;
  }

  function renderEarlier() {
    earlier.hidden = firstShown === 0 || !log.open;
    earlier.textContent = `Show ${Math.min(firstShown, MAX_ROWS)} earlier of ${firstShown}`;
  }

  // Append rows for messages[from…] (log open only), keeping at most MAX_ROWS in the DOM.
  function appendRows(from) {
    if (!log.open) return;
    const start = Math.max(from, messages.length - MAX_ROWS, firstShown);
    const frag = document.createDocumentFragment();
    for (let i = start; i < messages.length; i += 1) frag.append(row(messages[i], i));
    rows.append(frag);
    while (rows.childElementCount > MAX_ROWS) {
      rows.firstElementChild.remove();
      firstShown += 1;
    }
    if (firstShown < messages.length - rows.childElementCount) {
      firstShown = messages.length - rows.childElementCount;
    }
    renderEarlier();
  }

  function openLog() {
    if (!log.open) return;
    firstShown = Math.max(0, messages.length - MAX_ROWS);
    rows.replaceChildren();
    const frag = document.createDocumentFragment();
    for (let i = firstShown; i < messages.length; i += 1) frag.append(row(messages[i], i));
    rows.append(frag);
    renderEarlier();
  }

  function showEarlier() {
    const from = Math.max(0, firstShown - MAX_ROWS);
    const frag = document.createDocumentFragment();
    for (let i = from; i < firstShown; i += 1) frag.append(row(messages[i], i));
    rows.prepend(frag);
    firstShown = from;
    renderEarlier();
  }

  function hear() {
    heard = true;
    if (silent) { silent = false; renderStale(); renderElapsed(); }
  }

  // A click is a request to the kernel; the kernel acknowledges it at once when it is free.
  function sendAction(action) {
    const id = nextId++;
    pending.set(id, setTimeout(() => {
      busy.textContent = inMarimo(el) ? BUSY_HINT_MARIMO : BUSY_HINT;
      busy.hidden = false;
    }, ACK_WAIT_MS));
    model.send({ action, id });
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
    if (!msg || msg.kind !== "log" || !Array.isArray(msg.items)) return;
    const start = Number(msg.start) || 0;
    if (start > messages.length) { // a gap: ask again from what we have
      model.send({ action: "log", since: messages.length });
      return;
    }
    const fresh = msg.items.slice(messages.length - start);
    if (!fresh.length) return;
    const before = messages.length;
    for (const item of fresh) messages.push(item);
    appendRows(before);
    renderSummary();
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
    ["change:message_count change:warning_count change:error_count", renderSummary],
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
  earlier.addEventListener("click", showEarlier);
  notifyBox.addEventListener("change", onNotifyToggle);
  log.addEventListener("toggle", openLog);

  renderHeader();
  renderStatus();
  renderMessageLine();
  renderNotice();
  renderResults();
  renderSummary();
  renderNotify();
  renderPreview();
  // catch up (a re-rendered or reloaded view); its acknowledgement also says the kernel is live
  try {
    model.send({ action: "log", since: 0, id: 0 });
    model.send({ action: "previews" });
  } catch (_) { /* a view restored with no kernel behind it: it will say so */ }
  const hello = setTimeout(() => {
    silent = !heard;
    renderStale();
    renderElapsed();
  }, HELLO_WAIT_MS);

  return () => {
    stopTimer();
    preview.cleanup();
    clearTimeout(hello);
    for (const event of LIVE) model.off(event, hear);
    for (const id of pending.keys()) clearTimeout(pending.get(id));
    for (const [events, fn] of handlers) {
      for (const event of events.split(" ")) model.off(event, fn);
    }
  };
}

export default { render };
