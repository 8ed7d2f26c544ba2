// The live progress card of a JobWidget (anywidget ES module; no bundler, no dependencies).
// Data arrive as traits (status, percent, counts…) and the log as appended deltas over custom
// messages (see DEVELOPERS.md). Every server string is untrusted: it is set as text, never HTML.

import TABLE from "./states.json" with { type: "json" };

// THE status table (shared with Python's text and HTML views): label, icon, tone per status.
export const STATES = TABLE.states;
export const ICONS = TABLE.icons;
export const TERMINAL = new Set([
  "job-succeeded", "job-failed", "job-timed-out", "job-cancelled", "job-deleted",
]);
export const MAX_ROWS = 500; // log rows kept in the DOM; older ones on demand
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

function h(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
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

function formatBytes(n) {
  const units = ["bytes", "kB", "MB", "GB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i += 1; }
  return i ? `${n.toFixed(1)} ${units[i]}` : `${n} bytes`;
}

function render({ model, el }) {
  const card = h("div", "gpjob-card");
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
  actions.append(cancelButton, loadButton, cancelInfo);

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

  card.append(header, bar, facts, notice, error, actions, results, log);
  el.append(card);

  // -- state ------------------------------------------------------------------------------
  const messages = []; // every message received (plain objects)
  let firstShown = 0; // index of the first message with a DOM row
  // A click shows its effect at once; it lasts until the matching trait moves on.
  let cancelClickedAt = null; // cancel_state when Cancel was clicked
  let loadClickedAt = null; // results_state when Load was clicked
  let timer = null;

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
    renderProgress();
    renderActions();
    renderElapsed();
    if (TERMINAL.has(s) || !get("watching")) stopTimer(); else startTimer();
  }

  function renderProgress() {
    const shown = setBar(bar, get("percent"), status());
    percentText.textContent = shown === null ? "" : `${shown}%`;
  }

  function renderElapsed() {
    const start = get("started_at");
    if (!start) { elapsedText.textContent = ""; return; }
    const end = get("ended_at") || Date.now();
    elapsedText.textContent = formatElapsed(end - start);
  }

  function startTimer() {
    if (timer === null) timer = setInterval(renderElapsed, 1000);
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
    cancelButton.hidden = TERMINAL.has(s);
    cancelButton.disabled = TERMINAL.has(s) || cancelling || !get("cancellable");
    cancelButton.textContent = cancelling ? "Cancelling…" : "Cancel";
    cancelInfo.textContent =
      cancelState === "refused" ? `Cancel refused: ${get("cancel_error") || ""}` :
      cancelState === "unconfirmed" ? "Still cancelling… the server has not confirmed." : "";
    cancelInfo.classList.toggle("gpjob-cancel-refused", cancelState === "refused");

    const rs = get("results_state") || "";
    if (loadClickedAt !== null && rs !== loadClickedAt) loadClickedAt = null;
    const loading = rs === "loading" || loadClickedAt !== null;
    loadButton.hidden = !["available", "loading", "loaded", "error"].includes(rs);
    loadButton.disabled = loading;
    loadButton.textContent = loading ? "Loading…" :
      rs === "loaded" ? "Load again" : rs === "error" ? "Retry loading" : "Load results";
  }

  function renderResults() {
    const rs = get("results_state");
    resultsError.textContent = rs === "error" ? get("results_error") || "" : "";
    resultsError.hidden = rs !== "error";
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

  function onCustom(msg) {
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
    model.send({ action: "cancel" });
  }

  function onLoad() {
    if (loadButton.disabled) return;
    loadClickedAt = get("results_state") || "";
    renderActions();
    model.send({ action: "load_results" });
  }

  // -- wiring -------------------------------------------------------------------------------
  const handlers = [
    ["change:title change:job_id change:job_url", renderHeader],
    ["change:status change:raw_status change:watching", renderStatus],
    ["change:percent", renderProgress],
    ["change:started_at change:ended_at", renderElapsed],
    ["change:progress_message", renderMessageLine],
    ["change:notice change:error", renderNotice],
    ["change:cancellable change:cancel_state change:cancel_error", renderActions],
    ["change:results_state change:results_error change:loaded change:download", renderResults],
    ["change:message_count change:warning_count change:error_count", renderSummary],
    ["msg:custom", onCustom],
  ];
  for (const [events, fn] of handlers) {
    for (const event of events.split(" ")) model.on(event, fn);
  }
  cancelButton.addEventListener("click", onCancel);
  loadButton.addEventListener("click", onLoad);
  earlier.addEventListener("click", showEarlier);
  log.addEventListener("toggle", openLog);

  renderHeader();
  renderStatus();
  renderMessageLine();
  renderNotice();
  renderResults();
  renderSummary();
  model.send({ action: "log", since: 0 }); // catch up: a re-rendered or reloaded view

  return () => {
    stopTimer();
    for (const [events, fn] of handlers) {
      for (const event of events.split(" ")) model.off(event, fn);
    }
  };
}

export default { render };
