// Small DOM helpers shared by the card, the board, the form and the preview.

/** An element with a class and text (text is always text, never HTML). */
export function h(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const CONTROLS = "input, select, textarea, button, summary, a[href]";
let guarding = false;

/** A key pressed in one of our controls: not the page's business. */
function ours(event) {
  const target = event.composedPath ? event.composedPath()[0] : event.target;
  return target instanceof Element && target.matches(CONTROLS) &&
    Boolean(target.closest("[data-gpjob-keys]"));
}

/** Keys pressed in our controls are ours, not the notebook's: arrow keys move through a
 * select instead of to the next cell, Enter presses a button instead of editing the cell.
 * Lumino ignores its shortcuts under `data-lm-suppress-shortcuts` (`data-p-…` is its older
 * spelling); the notebook's own key handlers, some listening before anyone else (Notebook 7
 * moves to the next cell on an arrow key), never hear them: one listener at the very start
 * of the page's capture stops them there (the key still does what it does in the control). */
export function ownKeys(node) {
  node.setAttribute("data-lm-suppress-shortcuts", "true");
  node.setAttribute("data-p-suppress-shortcuts", "true");
  node.dataset.gpjobKeys = "true";
  node.addEventListener("keydown", (event) => { if (ours(event)) event.stopPropagation(); });
  if (!guarding && typeof window !== "undefined") {
    guarding = true;
    window.addEventListener("keydown", (event) => { if (ours(event)) event.stopPropagation(); },
      true);
  }
  return node;
}

/** True when drawn by marimo (inside its anywidget element's shadow root). */
export function inMarimo(el) {
  const host = el.getRootNode && el.getRootNode().host;
  return Boolean(host && host.tagName === "MARIMO-ANYWIDGET");
}

const memories = new WeakMap();

/** What the views of *model* remember between them (the log's messages and whether it is
 * open, the previews received): a view made again — the kernel refreshed the output's saved
 * snapshot, or the same widget is shown twice — starts where the last one was, without asking
 * the kernel for everything again. Each view keeps its own copies; this is where they start. */
export function memoryOf(model) {
  if (!memories.has(model)) memories.set(model, { messages: [], logOpen: false, previews: new Map() });
  return memories.get(model);
}
