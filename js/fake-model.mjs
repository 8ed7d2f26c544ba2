// A DOM (jsdom) and a fake anywidget model for unit tests of the card's render function.
import { JSDOM } from "jsdom";

export function setupDom() {
  const dom = new JSDOM("<!DOCTYPE html><body></body>", { url: "http://localhost/" });
  for (const key of ["window", "document", "Node", "HTMLElement", "DocumentFragment",
    "MutationObserver"]) {
    globalThis[key] = key === "window" ? dom.window : dom.window[key];
  }
  return dom;
}

export class FakeModel {
  constructor(state = {}) {
    this.state = { status: "job-new", percent: null, watching: true, cancellable: false,
      message_count: 0, warning_count: 0, error_count: 0, loaded: [], download: {}, ...state };
    this.listeners = new Map();
    this.sent = [];
  }
  get(name) { return this.state[name]; }
  set(name, value) {
    this.state[name] = value;
    this.emit(`change:${name}`, value);
    this.emit("change", this);
  }
  on(event, fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(fn);
  }
  off(event, fn) { this.listeners.get(event)?.delete(fn); }
  emit(event, payload) { for (const fn of this.listeners.get(event) ?? []) fn(payload); }
  send(content) { this.sent.push(content); }
  save_changes() {}
  custom(content) { this.emit("msg:custom", content); }
  listenerCount() { let n = 0; for (const s of this.listeners.values()) n += s.size; return n; }
}
