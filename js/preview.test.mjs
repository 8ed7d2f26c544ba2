// Unit tests of the card's Results section (gpjob_widget/static/preview.js). The payloads have
// the shapes gpjob_widget/preview.py builds: features (coords uint16 + rings uint32, or a uint8
// density raster), table, value, file / raster (with the image's bytes), link, error, deferred.
import { after, afterEach, mock, test } from "node:test";
import assert from "node:assert/strict";
import { FakeModel, setupDom } from "./fake-model.mjs";

const dom = setupDom();
globalThis.getComputedStyle = dom.window.getComputedStyle.bind(dom.window); // a browser global
const mounted = [];
afterEach(() => {
  while (mounted.length) mounted.pop()();
  mock.restoreAll();
  delete globalThis.devicePixelRatio;
});
after(() => dom.window.close());
const card = (await import("../gpjob_widget/static/card.js")).default;
const { bytesOf, createPreview, drawFeatures, localDate, tableElement } =
  await import("../gpjob_widget/static/preview.js");

/** A model whose custom messages carry binary buffers, as ipywidgets delivers them. */
class BufferModel extends FakeModel {
  custom(content, buffers = []) {
    for (const fn of this.listeners.get("msg:custom") ?? []) fn(content, buffers);
  }
}

function mount(state = {}) {
  const model = new BufferModel({ status: "job-succeeded", outputs: ["out"], preview_state: "building",
    results_state: "available", ...state });
  const el = document.createElement("div");
  document.body.append(el);
  const cleanup = card.render({ model, el });
  mounted.push(cleanup);
  const section = el.querySelector("section.gpjob-preview");
  const row = (name) => [...section.querySelectorAll("[data-output]")].find((r) => r.dataset.output === name);
  const preview = (name, data, buffers = []) =>
    model.custom({ kind: "preview", name, data: { name, label: name, ...data } }, buffers);
  return { model, el, section, row, preview, buttons: (name) => [...row(name).querySelectorAll("button")] };
}

/** A canvas 2D context that records what is drawn (jsdom has none). */
function fakeContext(canvas) {
  const calls = [];
  const record = (name) => (...args) => { calls.push([name, ...args]); };
  let alpha = 1;
  return {
    canvas, calls, fillStyle: "#000000", strokeStyle: "#000000", lineWidth: 1, imageSmoothingEnabled: true,
    get globalAlpha() { return alpha; },
    set globalAlpha(v) { alpha = v; calls.push(["globalAlpha", v]); },
    setTransform: record("setTransform"), fillRect: record("fillRect"), beginPath: record("beginPath"),
    moveTo: record("moveTo"), lineTo: record("lineTo"), closePath: record("closePath"),
    fill: record("fill"), stroke: record("stroke"), putImageData: record("putImageData"),
    drawImage: record("drawImage"),
    createImageData(width, height) {
      calls.push(["createImageData", width, height]);
      return { width, height, data: new Uint8ClampedArray(width * height * 4) };
    },
  };
}

/** Give every canvas a recording context; returns canvas → context. */
function stubCanvas() {
  const contexts = new Map();
  mock.method(window.HTMLCanvasElement.prototype, "getContext", function getContext(kind) {
    assert.equal(kind, "2d");
    if (!contexts.has(this)) contexts.set(this, { ctx: fakeContext(this), connected: this.isConnected });
    return contexts.get(this).ctx;
  });
  return contexts;
}

const u16 = (...pairs) => new Uint16Array(pairs.flat());
const u32 = (...values) => new Uint32Array(values);
/** A DataView at an odd offset, as ipywidgets 8 hands buffers over (not aligned for uint16). */
function unaligned(typed) {
  const bytes = new Uint8Array(typed.byteLength + 1);
  bytes.set(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength), 1);
  return new DataView(bytes.buffer, 1, typed.byteLength);
}

const ATTRIBUTES = { kind: "table", rows: 2, columns: [{ name: "NAME", type: "text" }, { name: "POP", type: "integer" }],
  head: [["Ashford", "1200"], ["Bray", ""]], summary: "2 rows × 2 columns" };
const POLYGONS = { kind: "features", count: 2, family: "polygon", crs: "EPSG:27700",
  summary: "2 polygons · EPSG:27700", table: ATTRIBUTES, width: 4, height: 3,
  bounds: [0, 0, 4, 3], mode: "vector", grid: 2 };

// -- the section -------------------------------------------------------------------------------
test("a succeeded job lists a row per output, asks for the previews, and hides when off", () => {
  const { model, section, row } = mount({ outputs: ["buffered", "count"] });
  assert.equal(section.hidden, true); // until the outputs are described: rows with their room
  model.set("output_info", { buffered: { label: "Buffered areas", shows: "features" },
                             count: { label: "Count", shows: "value" } });
  assert.equal(section.hidden, false);
  assert.equal(row("buffered").dataset.expect, "features");
  assert.equal(row("buffered").querySelector(".gpjob-preview-label").textContent, "Buffered areas");
  assert.equal(section.getAttribute("aria-label"), "Results");
  assert.deepEqual([...section.querySelectorAll("[data-output]")].map((r) => r.dataset.output), ["buffered", "count"]);
  assert.match(row("count").textContent, /Preparing a preview…/);
  assert.ok(model.sent.some((m) => m.action === "previews"));
  model.set("preview_state", "off");
  assert.equal(section.hidden, true);
  const running = mount({ status: "job-executing" });
  assert.equal(running.section.hidden, true);
});

// -- features ----------------------------------------------------------------------------------
test("polygons: a canvas drawn from the coords and rings buffers, holes and all", () => {
  const contexts = stubCanvas();
  const { row, preview } = mount({ outputs: ["zones"] });
  const coords = u16([0, 0], [8, 0], [8, 6], [0, 6], [2, 2], [2, 4], [4, 4], [4, 2]);
  preview("zones", { ...POLYGONS, label: "Output Zones" }, [unaligned(coords), unaligned(u32(0, 4))]);
  const r = row("zones");
  assert.equal(r.dataset.kind, "features");
  assert.equal(r.querySelector(".gpjob-preview-label").textContent, "Output Zones");
  assert.equal(r.querySelector("code.gpjob-preview-name").textContent, "zones");
  assert.equal(r.querySelector(".gpjob-preview-summary").textContent, "2 polygons · EPSG:27700");
  const canvas = r.querySelector("canvas");
  assert.equal(canvas.getAttribute("role"), "img");
  assert.equal(canvas.getAttribute("aria-label"), "Map of 2 polygons · EPSG:27700");
  assert.equal(canvas.width, 4);
  assert.equal(canvas.height, 3);
  assert.equal(canvas.style.width, "4px");
  const { ctx } = contexts.get(canvas);
  assert.deepEqual(ctx.calls, [
    ["setTransform", 0.5, 0, 0, 0.5, 0, 0], // grid cells → CSS pixels
    ["beginPath"],
    ["moveTo", 0, 0], ["lineTo", 8, 0], ["lineTo", 8, 6], ["lineTo", 0, 6], ["closePath"],
    ["moveTo", 2, 2], ["lineTo", 2, 4], ["lineTo", 4, 4], ["lineTo", 4, 2], ["closePath"],
    ["globalAlpha", 0.25], ["fill", "nonzero"], ["globalAlpha", 1], ["stroke"],
  ]);
  assert.equal(ctx.strokeStyle, "#1d70b8");
  assert.equal(ctx.lineWidth, 2);
  assert.match(r.dataset.drawMs, /^\d+\.\d$/);
  const attributes = r.querySelector("details.gpjob-preview-attributes");
  assert.equal(attributes.querySelector("summary").textContent, "Attributes: 2 rows × 2 columns");
  assert.ok(attributes.querySelector("table"));
});

test("lines keep a one-point path visible; a high-DPI screen gets a sharper canvas", () => {
  const contexts = stubCanvas();
  globalThis.devicePixelRatio = 2;
  const { row, preview } = mount({ outputs: ["roads"] });
  preview("roads", { kind: "features", family: "line", summary: "2 lines · EPSG:4326", width: 10, height: 5,
    mode: "vector", grid: 1 }, [u16([0, 0], [10, 5], [3, 3]).buffer, u32(0, 2).buffer]);
  const canvas = row("roads").querySelector("canvas");
  assert.equal(canvas.width, 20);
  assert.equal(canvas.style.width, "10px");
  const { calls } = contexts.get(canvas).ctx;
  assert.deepEqual(calls, [["setTransform", 2, 0, 0, 2, 0, 0], ["beginPath"],
    ["moveTo", 0, 0], ["lineTo", 10, 5], ["moveTo", 3, 3], ["lineTo", 3.5, 3], ["stroke"]]);
});

test("points are drawn as small squares centred on each grid cell", () => {
  const contexts = stubCanvas();
  const { row, preview } = mount({ outputs: ["stops"] });
  preview("stops", { kind: "features", family: "point", summary: "2 points · EPSG:4326", width: 20, height: 10,
    mode: "vector", grid: 2 }, [u16([10, 10], [20, 4]), new Uint8Array(0)]);
  const { calls } = contexts.get(row("stops").querySelector("canvas")).ctx;
  assert.deepEqual(calls, [["setTransform", 0.5, 0, 0, 0.5, 0, 0],
    ["fillRect", 7.5, 7.5, 5, 5], ["fillRect", 17.5, 1.5, 5, 5]]);
});

test("a density raster paints the occupied pixels and scales them up", () => {
  const contexts = stubCanvas();
  const { row, preview } = mount({ outputs: ["dense"] });
  preview("dense", { kind: "features", family: "shape", summary: "90,000 shapes · EPSG:3857", width: 3, height: 2,
    mode: "density" }, [new Uint8Array([0, 255, 0, 0, 0, 255])]);
  const canvas = row("dense").querySelector("canvas");
  const { ctx } = contexts.get(canvas);
  const [created, drawn] = [ctx.calls[0], ctx.calls.at(-1)];
  assert.deepEqual(created, ["createImageData", 3, 2]);
  assert.equal(drawn[0], "drawImage");
  assert.deepEqual(drawn.slice(2), [0, 0, 3, 2]);
  assert.equal(ctx.imageSmoothingEnabled, false);
  const scratch = drawn[1];
  assert.equal(scratch.width, 3);
  const put = contexts.get(scratch).ctx.calls.find((c) => c[0] === "putImageData");
  const pixels = [...put[1].data];
  assert.deepEqual(pixels.slice(4, 8), [29, 112, 184, 255]);  // cell 1: the stroke colour
  assert.deepEqual(pixels.slice(20, 24), [29, 112, 184, 255]); // cell 5
  assert.deepEqual(pixels.slice(0, 4), [0, 0, 0, 0]);         // empty cells stay clear
});

test("without a canvas context the row still says what it holds", () => {
  mock.method(window.HTMLCanvasElement.prototype, "getContext", () => null);
  const { row, preview } = mount({ outputs: ["zones"] });
  preview("zones", POLYGONS, [u16([0, 0], [8, 0], [8, 6]), u32(0)]);
  assert.ok(row("zones").querySelector("canvas"));
  assert.equal(row("zones").dataset.drawMs, "0.0");
  assert.equal(row("zones").querySelector(".gpjob-preview-summary").textContent, "2 polygons · EPSG:27700");
  assert.equal(drawFeatures(document.createElement("canvas"), { width: 0, height: 0 }, []), 0);
});

test("features with no geometry get no canvas, only their attributes", () => {
  const { row, preview } = mount({ outputs: ["empty"] });
  preview("empty", { kind: "features", family: "shape", summary: "0 shapes · no CRS", width: 0, height: 0,
    table: ATTRIBUTES });
  assert.equal(row("empty").querySelector("canvas"), null);
  assert.ok(row("empty").querySelector("table"));
});

// -- tables, values, files ---------------------------------------------------------------------
test("a table shows its column names and types and its first rows", () => {
  const { row, preview } = mount({ outputs: ["stats"] });
  preview("stats", ATTRIBUTES);
  const table = row("stats").querySelector("table.gpjob-preview-table");
  const heads = [...table.querySelectorAll("thead th")];
  assert.deepEqual(heads.map((th) => th.firstChild.textContent), ["NAME", "POP"]);
  assert.deepEqual(heads.map((th) => th.querySelector(".gpjob-preview-type").textContent), ["text", "integer"]);
  assert.deepEqual([...table.querySelectorAll("tbody tr")].map((tr) => [...tr.cells].map((td) => td.textContent)),
    [["Ashford", "1200"], ["Bray", ""]]);
  assert.equal(row("stats").querySelector(".gpjob-preview-summary").textContent, "2 rows × 2 columns");
});

test("values show inline", () => {
  const { row, preview } = mount({ outputs: ["distance", "items"] });
  preview("distance", { kind: "value", summary: "5 Miles" });
  assert.equal(row("distance").dataset.kind, "value");
  assert.equal(row("distance").querySelector(".gpjob-preview-summary").textContent, "5 Miles");
  assert.equal(row("distance").querySelector(".gpjob-preview-body").textContent, "");
  preview("items", { kind: "value", summary: "3 items: a, b, c" });
  assert.equal(row("items").querySelector(".gpjob-preview-summary").textContent, "3 items: a, b, c");
});

test("a failed output shows the server's reason, as text", () => {
  const { row, preview, el } = mount({ outputs: ["out"] });
  const reason = "Not Found <img src=x onerror=\"window.__xss=1\">";
  preview("out", { kind: "error", summary: reason });
  assert.ok(row("out").classList.contains("gpjob-preview-row--error"));
  assert.equal(row("out").querySelector(".gpjob-preview-summary").textContent, reason);
  assert.equal(el.querySelector("img"), null);
  assert.equal(window.__xss, undefined);
});

test("an output past the budget offers Preview and Load", () => {
  const { model, row, preview, buttons } = mount({ outputs: ["big"] });
  preview("big", { kind: "deferred", summary: "120.0 MB, more than the preview budget: not fetched automatically" });
  const [fetch, load] = buttons("big");
  assert.equal(fetch.textContent, "Preview");
  assert.equal(fetch.getAttribute("aria-label"), "Fetch and preview big");
  assert.equal(load.textContent, "Load");
  assert.equal(load.getAttribute("aria-label"), "Load big into a variable");
  load.click(); // a click like the card's own: with an id the kernel acknowledges
  const { id, ...loading } = model.sent.at(-1);
  assert.deepEqual(loading, { action: "load_results", names: ["big"] });
  assert.ok(id > 0);
  fetch.click();
  const { id: again, ...fetching } = model.sent.at(-1);
  assert.deepEqual(fetching, { action: "preview", name: "big" });
  assert.ok(again > id);
  assert.equal(row("big").querySelector(".gpjob-preview-body").textContent, "Fetching…");
  preview("big", ATTRIBUTES); // the kernel's answer replaces the row
  assert.ok(row("big").querySelector("table"));
});

test("a file downloads through the kernel, and its bytes are offered to the browser", () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  const clicked = [];
  const onClick = (event) => { clicked.push(event.target); event.preventDefault(); }; // no navigation
  document.addEventListener("click", onClick);
  try {
    const blobs = [];
    const revoked = [];
    mock.method(URL, "createObjectURL", (blob) => { blobs.push(blob); return `blob:test/${blobs.length}`; });
    mock.method(URL, "revokeObjectURL", (url) => revoked.push(url));
    const { model, row, preview, buttons } = mount({ outputs: ["report"] });
    preview("report", { kind: "file", file: "report.csv", size: 2048, downloadable: true, type: "CSV",
      summary: "report.csv · 2.0 kB" });
    assert.match(row("report").querySelector(".gpjob-preview-file").textContent, /^CSV /);
    const [download] = buttons("report");
    assert.equal(download.textContent, "Download");
    assert.equal(download.getAttribute("aria-label"), "Download report.csv");
    download.click();
    const { id, ...asked } = model.sent.at(-1);
    assert.deepEqual(asked, { action: "file", name: "report" });
    assert.ok(id > 0);
    model.custom({ kind: "file", name: "report", file: "report.csv" }, [new TextEncoder().encode("a,b\n1,2\n")]);
    const link = clicked.find((a) => a.tagName === "A");
    assert.equal(link.download, "report.csv");
    assert.equal(link.getAttribute("href"), "blob:test/1");
    assert.equal(link.isConnected, false); // clicked, then removed
    assert.equal(blobs[0].size, 8);
    mock.timers.tick(60_000);
    assert.deepEqual(revoked, ["blob:test/1"]);
    model.custom({ kind: "file", name: "report", error: "HTTP 403: <b>Forbidden</b>" });
    assert.match(row("report").querySelector(".gpjob-preview-file .gpjob-error").textContent, /HTTP 403: <b>Forbidden<\/b>/);
  } finally {
    document.removeEventListener("click", onClick);
    mock.timers.reset();
  }
});

test("a file with a plain href is a link, not a kernel download", () => {
  const { row, preview } = mount({ outputs: ["report"] });
  preview("report", { kind: "file", file: "report.csv", downloadable: true, type: "CSV",
    href: "https://h/arcgis/rest/directories/arcgisjobs/j1/report.csv", summary: "report.csv · 2.0 kB" });
  const a = row("report").querySelector("a");
  assert.equal(a.textContent, "Download");
  assert.equal(a.href, "https://h/arcgis/rest/directories/arcgisjobs/j1/report.csv");
  assert.equal(a.target, "_blank");
  assert.equal(a.rel, "noopener noreferrer");
  assert.equal(row("report").querySelector("button"), null);
});

test("a small image is shown from its bytes, and its blob URL revoked on cleanup", async () => {
  const blobs = [];
  const revoked = [];
  mock.method(URL, "createObjectURL", (blob) => { blobs.push(blob); return "blob:test/img"; });
  mock.method(URL, "revokeObjectURL", (url) => revoked.push(url));
  const { row, preview } = mount({ outputs: ["map"] });
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
  preview("map", { kind: "raster", file: "map.png", image: "image/png", type: "map image", downloadable: false,
    summary: "map image drawn by the server" }, [new DataView(png.buffer)]);
  const img = row("map").querySelector("img.gpjob-preview-image");
  assert.equal(img.getAttribute("src"), "blob:test/img");
  assert.equal(img.alt, "map.png");
  assert.equal(blobs[0].type, "image/png");
  assert.deepEqual([...new Uint8Array(await blobs[0].arrayBuffer())], [...png]);
  assert.equal(row("map").querySelector("button"), null); // not downloadable: no button
  mounted.pop()();
  assert.deepEqual(revoked, ["blob:test/img"]);
});

test("a reference is a link only when it is http(s)", () => {
  const { row, preview } = mount({ outputs: ["layer", "bad"] });
  preview("layer", { kind: "link", url: "https://h/arcgis/rest/services/S/MapServer/0", summary: "layer: https://h/…" });
  const a = row("layer").querySelector("a");
  assert.equal(a.href, "https://h/arcgis/rest/services/S/MapServer/0");
  assert.equal(a.rel, "noopener noreferrer");
  preview("bad", { kind: "link", url: "javascript:alert(1)", summary: "layer: javascript:alert(1)" });
  assert.equal(row("bad").querySelector("a"), null);
  assert.equal(row("bad").querySelector(".gpjob-preview-summary").textContent, "layer: javascript:alert(1)");
});

test("every server string stays text", () => {
  const evil = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
  const { el, row, preview } = mount({ outputs: [evil] });
  preview(evil, { label: evil, kind: "table", summary: evil, rows: 1,
    columns: [{ name: evil, type: evil }], head: [[evil]] });
  preview(evil, { label: `${evil}!`, kind: "file", type: evil, file: evil, downloadable: true, summary: evil });
  assert.equal(el.querySelector("img"), null);
  assert.equal(el.querySelector("script"), null);
  assert.equal(row(evil).querySelector(".gpjob-preview-label").textContent, `${evil}!`);
  assert.equal(row(evil).querySelector("code").textContent, evil);
  assert.equal(window.__xss, undefined);
  const table = tableElement({ columns: [{ name: evil, type: "text" }], head: [[evil]] });
  assert.equal(table.querySelector("td").textContent, evil);
  assert.equal(table.querySelector("img"), null);
});

// -- the module on its own ---------------------------------------------------------------------
test("createPreview answers only its own messages", () => {
  const model = new BufferModel();
  const preview = createPreview(model);
  assert.equal(preview.el.hidden, true);
  assert.equal(preview.onMessage({ kind: "log", start: 0, items: [] }), false);
  assert.equal(preview.onMessage({ kind: "preview", name: "x", data: { kind: "value", summary: "3" } }), true);
  assert.equal(preview.el.hidden, false); // a preview shows the section even before outputs
  assert.equal(preview.el.querySelector('[data-output="x"] .gpjob-preview-summary').textContent, "3");
  preview.setOutputs(["x", "y"], "ready");
  assert.equal(preview.el.querySelectorAll("[data-output]").length, 2);
  preview.cleanup();
});

test("bytesOf reads Uint8Arrays, DataViews and ArrayBuffers alike", () => {
  const raw = new Uint8Array([9, 1, 2, 3]);
  assert.deepEqual([...bytesOf(raw)], [9, 1, 2, 3]);
  assert.deepEqual([...bytesOf(new DataView(raw.buffer, 1, 2))], [1, 2]);
  assert.deepEqual([...bytesOf(raw.buffer)], [9, 1, 2, 3]);
  assert.equal(bytesOf(undefined).length, 0);
});

// -- bugs found: these fail today (see the report / comments) ------------------------------------

// A regression test: a bug these tests found, now fixed.
test("a row refilled after an error loses its error styling", () => {
  const { row, preview } = mount({ outputs: ["out"] });
  preview("out", { kind: "error", summary: "timed out" });
  preview("out", { kind: "value", summary: "42" });
  assert.equal(row("out").classList.contains("gpjob-preview-row--error"), false);
});

// A regression test: a bug these tests found, now fixed.
test("the thumbnail is drawn once its canvas is in the page, so the theme colour applies", async () => {
  const contexts = stubCanvas();
  const { row, preview } = mount({ outputs: ["zones"] });
  preview("zones", POLYGONS, [u16([0, 0], [8, 0], [8, 6]), u32(0)]);
  const { connected, ctx } = contexts.get(row("zones").querySelector("canvas"));
  assert.equal(connected, true);
  const strokes = () => ctx.calls.filter(([name]) => name === "stroke" || name === "fill").length;
  const before = strokes();
  document.body.setAttribute("data-jp-theme-light", "false"); // JupyterLab switches theme
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.ok(strokes() > before, "the thumbnail is drawn again in the new theme's colours");
  document.body.removeAttribute("data-jp-theme-light");
});

// A regression test: a bug these tests found, now fixed.
test("a date value shows in local time", () => {
  const { row, preview } = mount({ outputs: ["when"] });
  const ms = Date.UTC(2024, 4, 1, 12, 0, 0);
  assert.doesNotThrow(() => preview("when", { kind: "value", date_ms: ms, summary: "2024-05-01 12:00:00 UTC" }));
  const shown = row("when").querySelector(".gpjob-preview-summary")?.textContent ?? "";
  assert.match(shown, /2024/);
  assert.doesNotThrow(() => localDate(ms));
});
