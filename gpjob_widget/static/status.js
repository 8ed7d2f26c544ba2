// What the card and the board share: THE status table (shared with Python's text and HTML
// views: label, icon, tone per status), the badge icon, the progress bar, times and text.

import { h } from "./dom.js";
import TABLE from "./states.json" with { type: "json" };

// THE status table (shared with Python's text and HTML views): label, icon, tone per status.
export const STATES = TABLE.states;
export const ICONS = TABLE.icons;
export const TERMINAL = new Set([
  "job-succeeded", "job-failed", "job-timed-out", "job-cancelled", "job-deleted",
]);
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

export function formatBytes(n) {
  const units = ["bytes", "kB", "MB", "GB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i += 1; }
  return i ? `${n.toFixed(1)} ${units[i]}` : `${n} bytes`;
}
