// The card's Results section: one row per output, drawn from the kernel's small summaries
// (preview.py): a canvas thumbnail of feature outputs (quantised coordinates in binary
// buffers), the first rows of tables, values inline, files with a download, images. Every
// server string is text, never HTML.

import { h, memoryOf } from "./dom.js";

const FAMILY_WORDS = { point: "points", line: "lines", polygon: "polygons", shape: "shapes" };

/** A binary buffer of a custom message as bytes (ipywidgets 8 gives DataViews, 7 buffers). */
export function bytesOf(buffer) {
  if (!buffer) return new Uint8Array(0);
  if (buffer instanceof Uint8Array) return buffer;
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  return new Uint8Array(buffer);
}

function typed(Kind, buffer) { // an aligned copy: a view may start at any byte
  const bytes = bytesOf(buffer);
  return new Kind(bytes.slice().buffer, 0, Math.floor(bytes.byteLength / Kind.BYTES_PER_ELEMENT));
}

function colour(el, name, fallback) {
  const value = getComputedStyle(el).getPropertyValue(name).trim();
  return value || fallback;
}

/** Draw a features summary into *canvas*; returns the milliseconds it took. */
export function drawFeatures(canvas, data, buffers) {
  const started = performance.now();
  const ratio = globalThis.devicePixelRatio || 1;
  canvas.width = Math.max(1, Math.round(data.width * ratio));
  canvas.height = Math.max(1, Math.round(data.height * ratio));
  canvas.style.width = `${data.width}px`;
  canvas.style.aspectRatio = `${data.width} / ${data.height}`; // a narrow cell shrinks it whole
  const ctx = canvas.getContext && canvas.getContext("2d");
  if (!ctx) return 0; // no canvas here (e.g. a test DOM): the row still says what it holds
  const stroke = colour(canvas, "--gpjob-active", "#1d70b8");
  if (data.mode === "density") {
    const cells = bytesOf(buffers[0]);
    const image = ctx.createImageData(data.width, data.height);
    const [r, g, b] = rgb(stroke);
    for (let i = 0; i < cells.length; i += 1) { // more vertices in a pixel: more opaque
      if (!cells[i]) continue;
      image.data.set([r, g, b, 70 + Math.round(cells[i] * 185 / 255)], i * 4);
    }
    const scratch = document.createElement("canvas");
    scratch.width = data.width;
    scratch.height = data.height;
    scratch.getContext("2d").putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(scratch, 0, 0, canvas.width, canvas.height);
    if (ctx.setLineDash) { // the extent's outline, as the static snapshot draws it
      ctx.setLineDash([3 * ratio, 2 * ratio]);
      ctx.strokeStyle = stroke;
      ctx.strokeRect(0.5, 0.5, canvas.width - 1, canvas.height - 1);
    }
    return performance.now() - started;
  }
  const coords = typed(Uint16Array, buffers[0]);
  const scale = ratio / (data.grid || 1);
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  ctx.strokeStyle = stroke;
  ctx.fillStyle = stroke;
  ctx.lineWidth = (data.grid || 1) * 1;
  if (data.family === "point") {
    const size = 2.5 * (data.grid || 1);
    for (let i = 0; i < coords.length; i += 2) ctx.fillRect(coords[i] - size / 2, coords[i + 1] - size / 2, size, size);
    return performance.now() - started;
  }
  const starts = typed(Uint32Array, buffers[1]);
  const points = coords.length / 2;
  ctx.beginPath();
  for (let r = 0; r < starts.length; r += 1) {
    const from = starts[r], to = r + 1 < starts.length ? starts[r + 1] : points;
    ctx.moveTo(coords[from * 2], coords[from * 2 + 1]);
    for (let p = from + 1; p < to; p += 1) ctx.lineTo(coords[p * 2], coords[p * 2 + 1]);
    if (to - from === 1) ctx.lineTo(coords[from * 2] + 0.5, coords[from * 2 + 1]);
    if (data.family === "polygon") ctx.closePath();
  }
  if (data.family === "polygon") {
    ctx.globalAlpha = 0.25;
    ctx.fill("nonzero");
    ctx.globalAlpha = 1;
  }
  ctx.stroke();
  return performance.now() - started;
}

function rgb(css) {
  const probe = document.createElement("canvas").getContext?.("2d");
  if (!probe) return [29, 112, 184];
  probe.fillStyle = css;
  const hex = probe.fillStyle; // normalised to #rrggbb
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(hex);
  return m ? [1, 2, 3].map((i) => parseInt(m[i], 16)) : [29, 112, 184];
}

/** A table summary ({columns, head, summary}) as an HTML table. */
export function tableElement(data) {
  const table = h("table", "gpjob-preview-table");
  const head = h("tr");
  for (const column of data.columns) {
    const th = h("th", "", column.name);
    th.append(h("span", "gpjob-preview-type", column.type));
    head.append(th);
  }
  const thead = h("thead");
  thead.append(head);
  const tbody = h("tbody");
  for (const row of data.head) {
    const tr = h("tr");
    for (const cell of row) tr.append(h("td", "", cell));
    tbody.append(tr);
  }
  table.append(thead, tbody);
  return table;
}

/** A moment in the user's local time, with its zone ("Jan 2, 2024, 3:04:05 AM MST"). */
export function localDate(ms) {
  return new Date(ms).toLocaleString([], { dateStyle: "medium", timeStyle: "long" });
}

/** The Results section of a card: placeholder rows first, filled as summaries arrive. */
export function createPreview(model, send = (action, extra) => model.send({ action, ...extra })) {
  const section = h("section", "gpjob-preview");
  section.setAttribute("aria-label", "Results");
  section.hidden = true;
  const title = h("div", "gpjob-preview-title", "Results");
  const list = h("div", "gpjob-preview-rows");
  section.append(title, list);
  const memory = memoryOf(model);
  const rows = new Map(); // output name → row element
  const images = []; // blob URLs to revoke
  const drawings = new Map(); // output name → redraw its thumbnail
  // JupyterLab's theme switch: thumbnails take the new colours
  const redrawAll = () => { for (const draw of drawings.values()) draw(); };
  const themes = new MutationObserver(redrawAll);
  themes.observe(document.body, { attributes: true,
    attributeFilter: ["data-jp-theme-name", "data-jp-theme-light"] });

  // A row waits with its label and, when the task says what the output is, the room its
  // preview will take (a thumbnail, a few table rows): nothing jumps when it arrives.
  function row(name, info = {}) {
    if (!rows.has(name)) {
      const el = h("div", "gpjob-preview-row");
      el.dataset.output = name;
      const head = h("div", "gpjob-preview-head");
      head.append(h("span", "gpjob-preview-label", info.label || name),
        h("span", "gpjob-preview-summary", "Preparing a preview…"));
      el.append(head, h("div", "gpjob-preview-body"));
      rows.set(name, el);
      list.append(el);
    }
    const el = rows.get(name);
    if (info.shows && !el.dataset.kind) el.dataset.expect = info.shows;
    if (info.label && !el.dataset.kind) el.querySelector(".gpjob-preview-label").textContent = info.label;
    return el;
  }

  // The section shows once the outputs are described (or a preview came), so its rows
  // appear with the room they need.
  function setOutputs(names, state, info = {}) {
    for (const name of names || []) row(name, info[name] || {});
    const described = Object.keys(info).length > 0 || [...rows.values()].some((r) => r.dataset.kind);
    section.hidden = !(names || []).length || state === "off" || !described;
  }

  function link(url, text = url) { // http(s) only: a new tab, no opener
    const a = h("a", "gpjob-link", text);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function button(text, label, onClick) {
    const b = h("button", "gpjob-button gpjob-preview-action", text);
    b.type = "button";
    b.setAttribute("aria-label", label);
    b.addEventListener("click", onClick);
    return b;
  }

  function fill(name, data, buffers) {
    memory.previews.set(name, { data, buffers });
    const el = row(name);
    el.dataset.kind = data.kind;
    if (el.dataset.expect && (el.dataset.expect !== data.kind ||
        (data.kind === "raster" && !data.image))) delete el.dataset.expect;
    const head = h("div", "gpjob-preview-head");
    head.append(h("span", "gpjob-preview-label", data.label || name));
    if (data.label && data.label !== name) head.append(h("code", "gpjob-preview-name", name));
    const summary = h("span", "gpjob-preview-summary",
      data.date_ms ? localDate(data.date_ms) : data.summary || "");
    head.append(summary);
    const body = h("div", "gpjob-preview-body");
    let canvas = null;
    if (data.kind === "features") {
      if (data.width) {
        canvas = h("canvas", "gpjob-preview-map");
        canvas.setAttribute("role", "img");
        canvas.setAttribute("aria-label", `Map of ${data.summary}`);
        body.append(canvas);
      }
      if (data.table && data.table.columns.length) {
        const details = h("details", "gpjob-preview-attributes");
        details.append(h("summary", "", `Attributes: ${data.table.summary}`), tableElement(data.table));
        body.append(details);
      }
    } else if (data.kind === "table") {
      body.append(tableElement(data));
    } else if (data.kind === "file" || data.kind === "raster") {
      if (data.image && buffers.length) {
        const url = URL.createObjectURL(new Blob([bytesOf(buffers[0])], { type: data.image }));
        images.push(url);
        const img = h("img", "gpjob-preview-image");
        img.src = url;
        img.alt = `${data.file || name}`;
        body.append(img);
      }
      const line = h("div", "gpjob-preview-file");
      line.append(document.createTextNode(`${data.type || "file"} `));
      if (data.href) {
        line.append(link(data.href, "Download"));
      } else if (data.type === "image service" && /^https?:\/\//.test(data.url || "")) {
        line.append(link(data.url, "Open the service"));
      } else if (data.downloadable) { // through the kernel: the URL may need a token
        line.append(button("Download", `Download ${data.file || name}`, () =>
          send("file", { name })));
      }
      body.append(line);
    } else if (data.kind === "link") {
      if (/^https?:\/\//.test(data.url || "")) body.append(link(data.url));
    } else if (data.kind === "deferred") {
      body.append(button("Preview", `Fetch and preview ${name}`, () => {
        body.replaceChildren(h("span", "", "Fetching…"));
        send("preview", { name });
      }), button("Load", `Load ${name} into a variable`, () =>
        send("load_results", { names: [name] })));
    }
    if (["features", "table"].includes(data.kind) && /^https?:\/\//.test(data.url || "")) {
      body.append(link(data.url)); // a hosted layer: where it lives
    }
    el.classList.toggle("gpjob-preview-row--error", data.kind === "error");
    el.replaceChildren(head, body);
    // drawn in the page, where the theme's colours apply to it (and again when it changes)
    drawings.delete(name);
    if (canvas) {
      const draw = () => drawFeatures(canvas, data, buffers);
      drawings.set(name, draw);
      el.dataset.drawMs = String(draw().toFixed(1));
    }
  }

  function onFile(msg, buffers) { // a downloaded output's bytes: offer them to the browser
    const el = row(msg.name);
    if (msg.error) {
      el.querySelector(".gpjob-preview-file")?.append(h("span", "gpjob-error", ` ${msg.error}`));
      return;
    }
    const url = URL.createObjectURL(new Blob([bytesOf(buffers[0])]));
    const a = h("a");
    a.href = url;
    a.download = msg.file || msg.name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  function onMessage(msg, buffers) {
    if (msg.kind === "preview") { section.hidden = false; fill(msg.name, msg.data, buffers || []); return true; }
    if (msg.kind === "file") { onFile(msg, buffers || []); return true; }
    return false;
  }

  for (const [name, { data, buffers }] of memory.previews) { // what an earlier view showed
    section.hidden = false;
    fill(name, data, buffers);
  }
  // those were drawn before this view joined the page: draw them again in its colours
  const redrawWhenShown = (frames) => {
    if (section.isConnected) redrawAll();
    else if (frames > 0) globalThis.requestAnimationFrame?.(() => redrawWhenShown(frames - 1));
  };
  if (drawings.size) globalThis.requestAnimationFrame?.(() => redrawWhenShown(600));
  return {
    el: section, setOutputs, onMessage,
    /** True when every one of *names* was previewed already (in this view or an earlier one). */
    has: (names) => (names || []).every((name) => memory.previews.has(name)),
    cleanup() {
      themes.disconnect();
      for (const url of images) URL.revokeObjectURL(url);
    },
  };
}
