// Small DOM helpers shared by the card, the board, the form and the preview.

/** An element with a class and text (text is always text, never HTML). */
export function h(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
