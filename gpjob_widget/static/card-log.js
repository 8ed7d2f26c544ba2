// The card's message log: a collapsible list that receives the job's messages as appended
// deltas (see DEVELOPERS.md) and keeps at most MAX_ROWS rows in the page ("Show earlier" brings
// back older ones), so a 10,000-message job stays smooth. Messages are text, never HTML.

import { h, memoryOf } from "./dom.js";
import { linkify } from "./status.js";

export const MAX_ROWS = 500; // log rows kept in the DOM; older ones on demand

/** The log of *model*'s job: `{el, onMessage(msg), renderSummary(), cleanup()}`. */
export function createLog(model) {
  const log = h("details", "gpjob-log");
  const summary = h("summary", "gpjob-log-summary");
  const earlier = h("button", "gpjob-button gpjob-earlier");
  earlier.type = "button";
  const rows = h("ol", "gpjob-rows");
  log.append(summary, earlier, rows);
  const memory = memoryOf(model);
  const messages = memory.messages.slice(); // every message received (plain objects)
  memory.messages = messages;
  let firstShown = 0; // index of the first message with a DOM row
  const get = (name) => model.get(name);

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
    memory.logOpen = log.open;
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

  /** A `log` delta from the kernel (items start…start+n−1); a gap asks again. True if it was
   * one. */
  function onMessage(msg) {
    if (!msg || msg.kind !== "log" || !Array.isArray(msg.items)) return false;
    const start = Number(msg.start) || 0;
    if (start > messages.length) { // a gap: ask again from what we have
      model.send({ action: "log", since: messages.length });
      return true;
    }
    const fresh = msg.items.slice(messages.length - start);
    if (!fresh.length) return true;
    const before = messages.length;
    for (const item of fresh) messages.push(item);
    appendRows(before);
    renderSummary();
    return true;
  }

  earlier.addEventListener("click", showEarlier);
  log.addEventListener("toggle", openLog);
  if (memory.logOpen) { // as the last view had it
    log.open = true;
    openLog();
  }
  return {
    el: log, onMessage, renderSummary,
    /** How many messages this view has: the kernel sends the ones after. */
    get count() { return messages.length; },
    cleanup() {
      earlier.removeEventListener("click", showEarlier);
      log.removeEventListener("toggle", openLog);
    },
  };
}
