// Small DOM helpers shared by the card, the board, the form and the preview.

/** An element with a class and text (text is always text, never HTML). */
export function h(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const CONTROLS = "input, select, textarea, button, summary, a[href]";

/** Keys pressed in our controls are ours, not the notebook's: arrow keys move through a
 * select instead of to the next cell, Enter presses a button instead of editing the cell.
 * Lumino ignores its shortcuts under this attribute (`data-p-…` is its older spelling), and
 * the notebook's own key handlers (which cancel arrow keys) never hear them. */
export function ownKeys(node) {
  node.setAttribute("data-lm-suppress-shortcuts", "true");
  node.setAttribute("data-p-suppress-shortcuts", "true");
  node.addEventListener("keydown", (event) => {
    if (event.target instanceof Element && event.target.matches(CONTROLS)) event.stopPropagation();
  });
  return node;
}

/** True when drawn by marimo (inside its anywidget element's shadow root). */
export function inMarimo(el) {
  const host = el.getRootNode && el.getRootNode().host;
  return Boolean(host && host.tagName === "MARIMO-ANYWIDGET");
}
