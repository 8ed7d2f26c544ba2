// Unit tests of the TaskForm view (gpjob_widget/static/form.js + form-controls.js).
// Fields have the shape of FormField.to_dict() (gpjob_widget/flavours/descriptions.py).
import { after, afterEach, mock, test } from "node:test";
import assert from "node:assert/strict";
import { FakeModel, setupDom } from "./fake-model.mjs";

const dom = setupDom();
const mounted = [];
afterEach(() => { while (mounted.length) mounted.pop()(); }); // clear every form's save timer
after(() => dom.window.close());
const form = (await import("../gpjob_widget/static/form.js")).default;
const { localInput, localProblem, rangeText, toIso, unitLabel } =
  await import("../gpjob_widget/static/form-controls.js");

/** A field dict exactly as FormField.to_dict() sends it (every key present). */
function field(name, control, extra = {}) {
  return {
    name, label: name[0].toUpperCase() + name.slice(1), data_type: "GPString", help: "",
    required: false, default: null, choices: [], minimum: null, maximum: null,
    exclusive_minimum: false, exclusive_maximum: false, category: "",
    geometry_types: [], extensions: [], min_items: null, max_items: null, protocol: "gp",
    output: false, control, columns: [], member: null, ...extra,
  };
}

function mount(fields, state = {}) {
  const model = new FakeModel({ title: "Buffer", description: "", fields, outputs: [],
    values: Object.fromEntries(fields.map((f) => [f.name, f.default])), problems: {},
    variables: [], code: "", phase: "editing", submit_error: "", ...state });
  const el = document.createElement("div");
  document.body.append(el);
  const cleanup = form.render({ model, el });
  mounted.push(cleanup);
  const q = (s) => el.querySelector(s);
  const wrap = (name) => q(`[data-param="${name}"]`);
  return {
    model, el, cleanup, q, wrap,
    value: (name) => model.get("values")[name],
    problem: (name) => { const p = wrap(name).querySelector(".gpjob-form-problem"); return p.hidden ? "" : p.textContent; },
    submit: () => [...el.querySelectorAll("button")].find((b) => b.textContent === "Submit"),
    button: (text) => [...el.querySelectorAll("button")].find((b) => b.textContent === text ||
      b.getAttribute("aria-label") === text),
  };
}

function type(node, text) {
  node.value = text;
  node.dispatchEvent(new window.Event("input", { bubbles: true }));
}
function change(node) { node.dispatchEvent(new window.Event("change", { bubbles: true })); }
function choose(select, shown) {
  const index = [...select.options].findIndex((o) => o.textContent === shown);
  assert.ok(index >= 0, `no option "${shown}" in ${[...select.options].map((o) => o.textContent)}`);
  select.value = String(index);
  change(select);
}
function tick(box, checked) { box.checked = checked; change(box); }
const optionTexts = (select) => [...select.options].map((o) => o.textContent);
const flush = () => new Promise((resolve) => setImmediate(resolve));

const VARIABLES = [
  { name: "df", rows: 9, geometry: "", kind: "DataFrame" },
  { name: "parcels", rows: 1200, geometry: "esriGeometryPolygon", kind: "GeoDataFrame" },
  { name: "stops", rows: 3, geometry: "esriGeometryPoint", kind: "GeoDataFrame" },
];

// One field per control kind, each with a value that gives it a native control to show.
const EVERY_KIND = [
  field("text", "text"),
  field("choice", "select", { choices: [["Miles", "esriMiles"], ["Kilometers", "esriKilometers"]] }),
  field("count", "integer", { data_type: "GPLong" }),
  field("ratio", "number", { data_type: "GPDouble" }),
  field("flag", "checkbox", { data_type: "GPBoolean", default: false }),
  field("when", "datetime", { data_type: "GPDate" }),
  field("distance", "linear", { data_type: "GPLinearUnit" }),
  field("area", "areal", { data_type: "GPArealUnit" }),
  field("raw", "json", { data_type: "GPFooBar" }),
  field("extent", "bbox", { data_type: "GPEnvelope" }),
  field("colours", "multiselect", { data_type: "GPMultiValue:GPString",
    member: field("colours", "select", { choices: [["Red", "r"], ["Blue", "b"]] }) }),
  field("numbers", "multi", { data_type: "GPMultiValue:GPLong", default: [1],
    member: field("numbers", "integer", { data_type: "GPLong" }) }),
  field("stats", "valuetable", { data_type: "GPValueTable", default: [["POP", "SUM"]],
    columns: [field("field", "text"), field("statistic", "select",
      { choices: [["Sum", "SUM"], ["Mean", "MEAN"]] })] }),
  field("features", "features", { data_type: "GPFeatureRecordSetLayer" }),
  field("table", "records", { data_type: "GPRecordSet" }),
  field("upload", "file", { data_type: "GPDataFile" }),
  field("shape", "geometry", { data_type: "OGC", protocol: "ogc" }),
];

// -- shape -------------------------------------------------------------------------------------
test("every control kind renders a native input inside a data-param wrapper, labelled", () => {
  const { wrap, q } = mount(EVERY_KIND);
  for (const f of EVERY_KIND) {
    const w = wrap(f.name);
    assert.ok(w, `no wrapper for ${f.name}`);
    const native = w.querySelector("input, select, textarea");
    assert.ok(native, `${f.control}: no native input`);
    const label = w.querySelector("label.gpjob-form-label");
    assert.equal(label.textContent, f.label);
    assert.equal(q(`#${label.htmlFor}`), native, `${f.control}: the label is for its first input`);
  }
  assert.equal(q("form").getAttribute("aria-label"), "Run Buffer");
  assert.equal(q(".gpjob-title").textContent, "Buffer");
});

test("an unknown control falls back to a JSON textarea", () => {
  const { wrap, value } = mount([field("mystery", "geometry-of-the-future")]);
  const area = wrap("mystery").querySelector("textarea");
  type(area, "[1, 2]");
  assert.equal(value("mystery"), "[1, 2]");
});

// -- values each control sends -----------------------------------------------------------------
test("text and json send strings; json is checked locally", () => {
  const { wrap, value, problem } = mount([field("text", "text"), field("raw", "json")]);
  type(wrap("text").querySelector("input"), "hello");
  assert.equal(value("text"), "hello");
  const area = wrap("raw").querySelector("textarea");
  type(area, '{"a": 1}');
  assert.equal(value("raw"), '{"a": 1}');
  assert.equal(problem("raw"), "");
  type(area, "{not json");
  assert.equal(problem("raw"), "is not valid JSON");
});

test("select sends the code, not the shown name; an optional one can be emptied", () => {
  const f = field("units", "select", { choices: [["Miles", "esriMiles"], ["Kilometers", "esriKilometers"]] });
  const { wrap, value } = mount([f]);
  const select = wrap("units").querySelector("select");
  assert.deepEqual(optionTexts(select), ["", "Miles", "Kilometers"]);
  choose(select, "Kilometers");
  assert.equal(value("units"), "esriKilometers");
  choose(select, "");
  assert.equal(value("units"), null);
});

test("a select shows the value it was given; codes need not be strings", () => {
  const f = field("level", "select", { required: true, default: 2,
    choices: [["Low", 1], ["High", 2]] });
  const { wrap, value } = mount([f]);
  const select = wrap("level").querySelector("select");
  assert.deepEqual(optionTexts(select), ["Low", "High"]); // required: no blank choice
  assert.equal(select.options[select.selectedIndex].textContent, "High");
  choose(select, "Low");
  assert.equal(value("level"), 1);
});

test("integer and number send numbers; blank sends null", () => {
  const { wrap, value, problem } = mount([
    field("count", "integer", { data_type: "GPLong" }), field("ratio", "number", { data_type: "GPDouble" })]);
  const count = wrap("count").querySelector("input");
  assert.equal(count.type, "number");
  assert.equal(count.step, "1");
  type(count, "7");
  assert.equal(value("count"), 7);
  type(count, "2.5");
  assert.equal(problem("count"), "must be a whole number");
  type(count, "");
  assert.equal(value("count"), null);
  const ratio = wrap("ratio").querySelector("input");
  assert.equal(ratio.step, "any");
  type(ratio, "2.5");
  assert.equal(value("ratio"), 2.5);
});

test("checkbox sends true / false", () => {
  const { wrap, value } = mount([field("flag", "checkbox", { data_type: "GPBoolean", default: false })]);
  const box = wrap("flag").querySelector("input[type=checkbox]");
  assert.equal(box.checked, false);
  tick(box, true);
  assert.equal(value("flag"), true);
  tick(box, false);
  assert.equal(value("flag"), false);
});

test("datetime shows local time and sends an ISO string", () => {
  const iso = "2024-05-01T10:00:00.000Z";
  const { wrap, value } = mount([field("when", "datetime", { data_type: "GPDate", default: iso })]);
  const node = wrap("when").querySelector("input");
  assert.equal(node.type, "datetime-local");
  assert.equal(toIso(node.value), iso); // shown in local time, the same instant
  node.value = "2024-06-02T13:45:30";
  change(node);
  assert.equal(value("when"), new Date("2024-06-02T13:45:30").toISOString());
  assert.match(value("when"), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  node.value = "";
  change(node);
  assert.equal(value("when"), null);
  assert.equal(localInput(iso).length, "2024-05-01T10:00:00".length);
  assert.equal(localInput("not a date"), "");
});

test("linear sends {distance, units}; areal sends {area, units}", () => {
  const { wrap, value, problem } = mount([field("distance", "linear", { data_type: "GPLinearUnit" }),
    field("area", "areal", { data_type: "GPArealUnit" })]);
  const [amount, unit] = wrap("distance").querySelectorAll("input, select");
  assert.equal(amount.getAttribute("aria-label"), "Distance: amount");
  assert.ok(optionTexts(unit).includes("Nautical Miles")); // unitLabel: words, not esri names
  type(amount, "5");
  choose(unit, "Miles");
  assert.deepEqual(value("distance"), { distance: 5, units: "esriMiles" });
  type(amount, "-1");
  assert.equal(problem("distance"), "must be a number (0 or more) and a unit");
  const [area, areaUnit] = wrap("area").querySelectorAll("input, select");
  type(area, "2");
  choose(areaUnit, "Acres");
  assert.deepEqual(value("area"), { area: 2, units: "esriAcres" });
  assert.equal(unitLabel("esriSquareKilometers"), "Square Kilometers");
});

test("linear shows a value it was given", () => {
  const { wrap } = mount([field("distance", "linear",
    { data_type: "GPLinearUnit", default: { distance: 3, units: "esriKilometers" } })]);
  const [amount, unit] = wrap("distance").querySelectorAll("input, select");
  assert.equal(amount.value, "3");
  assert.equal(unit.options[unit.selectedIndex].textContent, "Kilometers");
});

test("bbox sends [west, south, east, north]; all blank is null", () => {
  const { wrap, value } = mount([field("extent", "bbox", { data_type: "GPEnvelope" })]);
  const corners = [...wrap("extent").querySelectorAll("input")];
  assert.deepEqual(corners.map((c) => c.placeholder), ["West", "South", "East", "North"]);
  assert.equal(corners[0].getAttribute("aria-label"), "Extent: West");
  ["-10", "40.5", "5", "52"].forEach((v, i) => type(corners[i], v));
  assert.deepEqual(value("extent"), [-10, 40.5, 5, 52]);
  for (const c of corners) type(c, "");
  assert.equal(value("extent"), null);
});

test("multiselect sends the list of codes, in the choices' order", () => {
  const member = field("colours", "select", { choices: [["Red", "r"], ["Green", "g"], ["Blue", "b"]] });
  const { wrap, value } = mount([field("colours", "multiselect", { data_type: "GPMultiValue:GPString",
    member, default: [] })]);
  const boxes = [...wrap("colours").querySelectorAll("input[type=checkbox]")];
  assert.deepEqual([...wrap("colours").querySelectorAll("label")].slice(1).map((l) => l.textContent.trim()),
    ["Red", "Green", "Blue"]);
  tick(boxes[2], true);
  tick(boxes[0], true);
  assert.deepEqual(value("colours"), ["r", "b"]);
  tick(boxes[2], false);
  assert.deepEqual(value("colours"), ["r"]);
});

test("multi is a growable list: Add item, edit, Remove item N", () => {
  const member = field("numbers", "integer", { data_type: "GPLong" });
  const { wrap, value, button } = mount([field("numbers", "multi", { data_type: "GPMultiValue:GPLong",
    member, default: [1] })]);
  const list = wrap("numbers");
  assert.equal(list.querySelectorAll("input").length, 1);
  assert.equal(list.querySelector("input").value, "1");
  assert.equal(list.querySelector("input").getAttribute("aria-label"), "Numbers 1");
  button("+ Add item").click();
  assert.deepEqual(value("numbers"), [1, null]);
  const inputs = list.querySelectorAll("input");
  assert.equal(inputs.length, 2);
  type(inputs[1], "3");
  assert.deepEqual(value("numbers"), [1, 3]);
  button("Remove item 1").click();
  assert.deepEqual(value("numbers"), [3]);
  assert.deepEqual([...list.querySelectorAll("input")].map((i) => i.value), ["3"]);
  assert.equal(button("Remove item 2"), undefined);
});

test("valuetable: column headers, Add row, cells, Remove row", () => {
  const columns = [field("field", "text", { label: "Field", default: "POP" }),
    field("statistic", "select", { label: "Statistic", choices: [["Sum", "SUM"], ["Mean", "MEAN"]] })];
  const { wrap, value, button } = mount([field("stats", "valuetable",
    { data_type: "GPValueTable", columns, default: [] })]);
  const table = wrap("stats").querySelector("table");
  assert.deepEqual([...table.querySelectorAll("th")].map((t) => t.textContent), ["Field", "Statistic", ""]);
  button("+ Add row").click();
  assert.deepEqual(value("stats"), [["POP", null]]); // a column's default fills a new row
  const select = table.querySelector("select");
  assert.equal(select.getAttribute("aria-label"), "Statistic, row 1");
  choose(select, "Mean");
  assert.deepEqual(value("stats"), [["POP", "MEAN"]]);
  button("+ Add row").click();
  type(table.querySelectorAll("input")[1], "AREA");
  assert.deepEqual(value("stats"), [["POP", "MEAN"], ["AREA", null]]);
  button("Remove row 1").click();
  assert.deepEqual(value("stats"), [["AREA", null]]);
  assert.equal(table.querySelectorAll("tr").length, 2);
});

test("features: a variable, a layer URL, an item id or pasted JSON", () => {
  const { model, wrap, value, problem } = mount([field("inputs", "features",
    { data_type: "GPFeatureRecordSetLayer", required: true })], { variables: VARIABLES });
  const from = wrap("inputs").querySelector("select");
  assert.deepEqual(optionTexts(from), ["Notebook variable", "Layer URL", "Item id", "Paste JSON"]);
  const variable = () => wrap("inputs").querySelector(".gpjob-form-slot select");
  choose(variable(), "parcels (1,200 polygons)");
  assert.deepEqual(value("inputs"), { source: "variable", name: "parcels" });
  choose(variable(), "Choose a variable…");
  assert.equal(value("inputs"), null);
  assert.equal(problem("inputs"), "is required");
  choose(from, "Layer URL");
  const url = wrap("inputs").querySelector(".gpjob-form-slot input");
  assert.equal(url.placeholder, "https://…");
  type(url, "https://h/arcgis/rest/services/S/FeatureServer/0");
  assert.deepEqual(value("inputs"), { source: "url", url: "https://h/arcgis/rest/services/S/FeatureServer/0" });
  choose(from, "Item id");
  type(wrap("inputs").querySelector(".gpjob-form-slot input"), "0123456789abcdef0123456789abcdef");
  assert.deepEqual(value("inputs"), { source: "item", itemID: "0123456789abcdef0123456789abcdef" });
  choose(from, "Paste JSON");
  const text = wrap("inputs").querySelector(".gpjob-form-slot textarea");
  type(text, "{bad");
  assert.equal(problem("inputs"), "is not valid JSON");
  type(text, '{"features": []}');
  assert.deepEqual(value("inputs"), { source: "json", text: '{"features": []}' });
  assert.equal(problem("inputs"), "");
  assert.equal(model.sent.length, 0);
});

test("records list every frame; a file input takes a URL or an item id", () => {
  const { wrap, value } = mount([field("table", "records", { data_type: "GPRecordSet" }),
    field("upload", "file", { data_type: "GPDataFile", extensions: ["csv"] })], { variables: VARIABLES });
  assert.deepEqual(optionTexts(wrap("table").querySelector(".gpjob-form-slot select")),
    ["Choose a variable…", "df (9 rows)", "parcels (1,200 polygons)", "stops (3 points)"]);
  const from = wrap("upload").querySelector("select");
  assert.deepEqual(optionTexts(from), ["URL", "Item id"]);
  type(wrap("upload").querySelector(".gpjob-form-slot input"), "https://h/data.csv");
  assert.deepEqual(value("upload"), { source: "url", url: "https://h/data.csv" });
});

test("a geometry input takes a notebook GeoDataFrame or pasted GeoJSON", () => {
  const { wrap, value, problem } = mount([field("area", "geometry", { data_type: "OGC", protocol: "ogc" })],
    { variables: VARIABLES });
  const from = wrap("area").querySelector("select");
  assert.deepEqual(optionTexts(from), ["Notebook variable", "Paste GeoJSON"]);
  const variable = wrap("area").querySelector(".gpjob-form-slot select");
  assert.deepEqual(optionTexts(variable), ["Choose a variable…", "parcels (1,200 polygons)", "stops (3 points)"]);
  choose(variable, "stops (3 points)");
  assert.deepEqual(value("area"), { source: "variable", name: "stops" });
  choose(from, "Paste GeoJSON");
  const text = wrap("area").querySelector(".gpjob-form-slot textarea");
  type(text, '{"type": "Point"');
  assert.equal(problem("area"), "is not valid JSON");
  type(text, '{"type": "Point", "coordinates": [1, 2]}');
  assert.deepEqual(value("area"), { source: "json", text: '{"type": "Point", "coordinates": [1, 2]}' });
  assert.equal(problem("area"), "");
});

test("a multi of features and a value table with a features column add items without throwing", () => {
  const polygons = { data_type: "GPFeatureRecordSetLayer", geometry_types: ["esriGeometryPolygon"] };
  const { wrap, value, button } = mount([
    field("layers", "multi", { data_type: "GPMultiValue:GPFeatureRecordSetLayer", default: [],
      member: field("layers", "features", polygons) }),
    field("pairs", "valuetable", { data_type: "GPValueTable", default: [],
      columns: [field("layer", "features", { label: "Layer", ...polygons }), field("weight", "number")] }),
  ], { variables: VARIABLES });
  assert.doesNotThrow(() => button("+ Add item").click());
  assert.deepEqual(value("layers"), [null]);
  const itemVariable = wrap("layers").querySelector(".gpjob-form-slot select");
  assert.deepEqual(optionTexts(itemVariable), ["Choose a variable…", "parcels (1,200 polygons)"]);
  choose(itemVariable, "parcels (1,200 polygons)");
  assert.deepEqual(value("layers"), [{ source: "variable", name: "parcels" }]);
  assert.doesNotThrow(() => button("+ Add row").click());
  assert.deepEqual(value("pairs"), [[null, null]]);
  const cell = wrap("pairs").querySelector("td .gpjob-form-slot select");
  choose(cell, "parcels (1,200 polygons)");
  type(wrap("pairs").querySelector("td input[type=number]"), "0.5");
  assert.deepEqual(value("pairs"), [[{ source: "variable", name: "parcels" }, 0.5]]);
});

// -- checks, problems, Submit -----------------------------------------------------------------
test("required fields say so, and Submit stays disabled until the form is valid", () => {
  const { wrap, problem, submit, q } = mount([field("name", "text", { required: true }),
    field("note", "text")]);
  assert.equal(wrap("name").querySelector(".gpjob-form-required").textContent, " *");
  assert.equal(problem("name"), "is required");
  assert.equal(problem("note"), "");
  assert.ok(wrap("name").classList.contains("gpjob-form-field--invalid"));
  assert.equal(submit().disabled, true);
  assert.equal(q(".gpjob-form-note").textContent, "Fill in the marked fields to submit.");
  type(wrap("name").querySelector("input"), "x");
  assert.equal(problem("name"), "");
  assert.ok(!wrap("name").classList.contains("gpjob-form-field--invalid"));
  assert.equal(submit().disabled, false);
  assert.equal(q(".gpjob-form-note").textContent, "");
  type(wrap("name").querySelector("input"), "");
  assert.equal(submit().disabled, true);
});

test("a required checkbox left false is not missing", () => {
  const { problem, submit } = mount([field("flag", "checkbox", { required: true, default: false })]);
  assert.equal(problem("flag"), "");
  assert.equal(submit().disabled, false);
});

test("Submit keeps its name in every phase; submitting disables it and says so", () => {
  const { model, submit, q } = mount([field("name", "text", { default: "x" })]);
  const button = submit();
  assert.equal(button.type, "submit");
  for (const phase of ["editing", "submitting", "submitted", "editing"]) {
    model.set("phase", phase);
    assert.equal(submit(), button);
    assert.equal(button.textContent, "Submit", phase);
    assert.equal(button.disabled, phase === "submitting", phase);
    assert.equal(button.getAttribute("aria-busy"), String(phase === "submitting"));
  }
  model.set("phase", "submitting");
  assert.equal(q(".gpjob-form-note").textContent, "Submitting…");
  model.set("phase", "submitted");
  assert.match(q(".gpjob-form-note").textContent, /^Submitted: the job's card is below/);
});

test("a number's range is shown and checked locally", () => {
  const { wrap, problem, submit } = mount([field("count", "integer",
    { data_type: "GPLong", minimum: 1, maximum: 100, default: 10, help: "How many copies." })]);
  const w = wrap("count");
  const input = w.querySelector("input");
  const help = w.querySelector(".gpjob-form-help");
  assert.equal(help.textContent, "Allowed: 1 to 100. How many copies.");
  assert.equal(input.getAttribute("aria-describedby"), help.id);
  assert.equal(input.min, "1");
  assert.equal(input.max, "100");
  type(input, "101");
  assert.equal(problem("count"), "must be 100 or less");
  assert.equal(submit().disabled, true);
  type(input, "0");
  assert.equal(problem("count"), "must be 1 or more");
  type(input, "100");
  assert.equal(problem("count"), "");
  assert.equal(submit().disabled, false);
  assert.equal(rangeText({ minimum: 0, maximum: null }), "0 or more");
  assert.equal(rangeText({ minimum: null, maximum: 5 }), "5 or less");
  assert.equal(rangeText({ minimum: null, maximum: null }), "");
  assert.equal(localProblem(field("n", "number", { maximum: 5 }), "abc"), "must be a number");
});

test("exclusive bounds (JSON Schema) say more than / less than", () => {
  const { wrap, problem } = mount([
    field("rate", "number", { minimum: 0, exclusive_minimum: true, maximum: 10 }),
    field("share", "number", { minimum: 0, maximum: 1, exclusive_maximum: true })]);
  assert.equal(wrap("rate").querySelector(".gpjob-form-range").textContent, "Allowed: more than 0 and 10 or less. ");
  assert.equal(wrap("share").querySelector(".gpjob-form-range").textContent, "Allowed: 0 or more and less than 1. ");
  type(wrap("rate").querySelector("input"), "0");
  assert.equal(problem("rate"), "must be more than 0");
  type(wrap("rate").querySelector("input"), "0.1");
  assert.equal(problem("rate"), "");
  type(wrap("share").querySelector("input"), "1");
  assert.equal(problem("share"), "must be less than 1");
  type(wrap("share").querySelector("input"), "0");
  assert.equal(problem("share"), "");
});

test("Python's problems show next to their field, without the label; local ones come first", () => {
  const { model, problem, submit, q } = mount([field("count", "integer", { default: 5 }),
    field("name", "text", { default: "a" })]);
  assert.equal(submit().disabled, false);
  model.set("problems", { count: "Count: must be a multiple of 10", name: "the server wants more" });
  assert.equal(problem("count"), "must be a multiple of 10");
  assert.equal(problem("name"), "the server wants more");
  assert.equal(submit().disabled, true);
  type(q('[data-param="count"] input'), "2.5");
  assert.equal(problem("count"), "must be a whole number");
  model.set("problems", {});
  type(q('[data-param="count"] input'), "20");
  assert.equal(problem("count"), "");
  assert.equal(problem("name"), "");
  assert.equal(submit().disabled, false);
});

test("submit_error is shown as text, HTML and all", () => {
  const { model, q, el } = mount([field("name", "text", { default: "x" })]);
  const error = q(".gpjob-form-refused");
  assert.equal(error.hidden, true);
  const words = '<b>ERROR 000735</b><img src=x onerror="window.__xss=1">: Input Features: Value is required';
  model.set("submit_error", words);
  assert.equal(error.hidden, false);
  assert.equal(error.getAttribute("role"), "alert");
  assert.equal(error.textContent, `The server refused the job: ${words}`);
  assert.equal(el.querySelector("b"), null);
  assert.equal(el.querySelector("img"), null);
  assert.equal(window.__xss, undefined);
  model.set("submit_error", "");
  assert.equal(error.hidden, true);
});

test("categories are <details> groups, open when they hold a required field or a problem", () => {
  const { model, q, el } = mount([
    field("input", "text", { default: "x" }),
    field("distance", "number", { category: "Buffer", required: true, default: 1 }),
    field("dissolve", "checkbox", { category: "Advanced", default: false }),
    field("side", "text", { category: "Advanced" }),
  ]);
  const groups = [...el.querySelectorAll("details.gpjob-form-group")];
  assert.deepEqual(groups.map((g) => g.querySelector("summary").textContent), ["Buffer", "Advanced"]);
  assert.equal(q('[data-param="input"]').closest("details"), null); // uncategorised: no group
  assert.equal(groups[0].open, true);
  assert.equal(groups[1].open, false);
  assert.deepEqual([...groups[1].querySelectorAll("[data-param]")].map((w) => w.dataset.param),
    ["dissolve", "side"]);
  model.set("problems", { side: "Side: not a side" });
  assert.equal(groups[1].open, true);
});

test("outputs are listed with what they are", () => {
  const { q } = mount([field("name", "text")], { outputs: [
    field("out", "features", { label: "Output Features", data_type: "GPFeatureRecordSetLayer", output: true }),
    field("counts", "multi", { label: "Counts", data_type: "GPMultiValue:GPLong", output: true }),
    field("blob", "json", { label: "Blob", data_type: "GPSomethingNew", output: true }),
  ] });
  assert.equal(q(".gpjob-form-outputs").textContent,
    "Outputs: Output Features (features) · Counts (list of whole number) · Blob (SomethingNew)");
});

test("variables fill the features select, filtered by geometry type, with row counts", () => {
  const { model, wrap } = mount([field("zones", "features",
    { data_type: "GPFeatureRecordSetLayer", geometry_types: ["esriGeometryPolygon"] }),
  field("any", "features", { data_type: "GPFeatureRecordSetLayer" })]);
  const slot = (name) => wrap(name).querySelector(".gpjob-form-slot select");
  assert.deepEqual(optionTexts(slot("zones")), ["Choose a variable…"]);
  slot("zones").dispatchEvent(new window.FocusEvent("focus"));
  assert.deepEqual(model.sent.at(-1), { action: "variables" });
  model.set("variables", VARIABLES);
  assert.deepEqual(optionTexts(slot("zones")), ["Choose a variable…", "parcels (1,200 polygons)"]);
  assert.deepEqual(optionTexts(slot("any")),   // a plain DataFrame is no feature input
    ["Choose a variable…", "parcels (1,200 polygons)", "stops (3 points)"]);
});

test("Python setting values redraws the controls; the page's own edits do not", () => {
  const { model, wrap } = mount([field("count", "integer", { default: 5 }),
    field("distance", "linear", { default: { distance: 1, units: "esriMeters" } })]);
  const input = wrap("count").querySelector("input");
  type(input, "6");
  assert.equal(wrap("count").querySelector("input"), input); // no redraw: focus stays
  const before = wrap("distance");
  model.set("values", { ...model.get("values"), count: 42, distance: { distance: 2, units: "esriMiles" } });
  assert.equal(wrap("count").querySelector("input").value, "42");
  assert.notEqual(wrap("count").querySelector("input"), input);
  const [amount, unit] = wrap("distance").querySelectorAll("input, select");
  assert.notEqual(wrap("distance"), before);
  assert.equal(amount.value, "2");
  assert.equal(unit.options[unit.selectedIndex].textContent, "Miles");
});

test("Submit sends {action: submit} with the values shown; a disabled Submit sends nothing", () => {
  const { model, wrap, submit, q } = mount([field("name", "text", { required: true })]);
  const saves = mock.method(model, "save_changes");
  submit().click();
  q("form").dispatchEvent(new window.Event("submit", { cancelable: true })); // Enter in a field
  assert.equal(model.sent.filter((m) => m.action === "submit").length, 0);
  type(wrap("name").querySelector("input"), "Alice");
  submit().click();
  assert.deepEqual(model.sent.at(-1), { action: "submit", values: { name: "Alice" } });
  assert.ok(saves.mock.callCount() >= 1);
  const event = new window.Event("submit", { cancelable: true });
  q("form").dispatchEvent(event);
  assert.equal(event.defaultPrevented, true); // the page never navigates
  assert.equal(model.sent.filter((m) => m.action === "submit").length, 2);
});

test("every edit is saved at once (an edit held back is lost to the kernel's echo)", () => {
  const { model, wrap } = mount([field("name", "text")]);
  const saved = [];
  model.save_changes = () => saved.push(model.get("values").name);
  const input = wrap("name").querySelector("input");
  for (const text of ["a", "ab", "abc"]) type(input, text);
  assert.deepEqual(saved, ["a", "ab", "abc"]);
});

test("Copy as code opens the code when there is no clipboard", async () => {
  assert.equal(globalThis.navigator?.clipboard, undefined);
  const { model, button, q } = mount([field("name", "text")], { code: "w = JobWidget.submit(...)" });
  const box = q("details.gpjob-form-code");
  assert.equal(box.open, false);
  assert.equal(box.querySelector("pre").textContent, "w = JobWidget.submit(...)");
  button("Copy as code").click();
  await flush();
  assert.equal(box.open, true);
  assert.equal(q(".gpjob-form-note").textContent, "Select the code below to copy it.");
  model.set("code", "w = 2");
  assert.equal(box.querySelector("pre").textContent, "w = 2");
});

test("Copy as code writes to the clipboard when there is one", async () => {
  const copied = [];
  const had = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  Object.defineProperty(globalThis, "navigator", { configurable: true, writable: true,
    value: { clipboard: { writeText: async (text) => { copied.push(text); } } } });
  try {
    const { button, q } = mount([field("name", "text")], { code: "print(1)" });
    button("Copy as code").click();
    await flush();
    assert.deepEqual(copied, ["print(1)"]);
    assert.equal(q(".gpjob-form-note").textContent, "Code copied.");
    assert.equal(q("details.gpjob-form-code").open, false);
  } finally {
    if (had) Object.defineProperty(globalThis, "navigator", had); else delete globalThis.navigator;
  }
});

test("cleanup removes every listener", () => {
  const { model, cleanup } = mount([field("name", "text")]);
  assert.ok(model.listenerCount() > 0);
  cleanup();
  assert.equal(model.listenerCount(), 0);
});

test("Python changing fields redraws the form", () => {
  const { model, wrap } = mount([field("a", "text")]);
  model.set("fields", [field("b", "integer", { required: true })]);
  assert.equal(wrap("a"), null);
  assert.equal(wrap("b").querySelector("input").type, "number");
});

// -- regressions: these failed at commit 8be58bb and pass with the working tree's form.js /
// form-controls.js (onVariables refills every .gpjob-form-sourced box, nested ones included;
// sourced() refills its variable select in place).

// At 8be58bb form.js onVariables called redraw() only on each field's top-level control, so
// the feature selects inside a multi / valuetable never got new notebook variables.
test("new notebook variables reach the feature selects inside a multi and a value table", () => {
  const { model, wrap } = mount([field("layers", "multi", { default: [null],
    member: field("layers", "features", { data_type: "GPFeatureRecordSetLayer" }) }),
  field("pairs", "valuetable", { default: [[null]],
    columns: [field("layer", "features", { data_type: "GPFeatureRecordSetLayer" })] })]);
  const select = (name) => wrap(name).querySelector(".gpjob-form-slot select");
  select("layers").dispatchEvent(new window.FocusEvent("focus"));
  assert.deepEqual(model.sent.at(-1), { action: "variables" });
  model.set("variables", VARIABLES);
  for (const name of ["layers", "pairs"]) {
    assert.deepEqual(optionTexts(select(name)),
      ["Choose a variable…", "parcels (1,200 polygons)", "stops (3 points)"], name);
  }
});

// At 8be58bb form-controls.js sourced() asked for the variables on focus and the answer
// redrew the slot (box.redraw = draw), replacing the very <select> the user had just focused
// (in a browser its open drop-down closed).
test("the variable select the user focused survives the variables it asked for", () => {
  const { model, wrap, value } = mount([field("zones", "features", { data_type: "GPFeatureRecordSetLayer" })],
    { variables: VARIABLES.slice(0, 2) });
  const select = wrap("zones").querySelector(".gpjob-form-slot select");
  choose(select, "parcels (1,200 polygons)");
  select.focus();
  select.dispatchEvent(new window.FocusEvent("focus"));
  model.set("variables", VARIABLES);
  assert.equal(wrap("zones").querySelector(".gpjob-form-slot select"), select);
  assert.equal(document.activeElement, select);
  assert.deepEqual(optionTexts(select), ["Choose a variable…", "parcels (1,200 polygons)", "stops (3 points)"]);
  choose(select, "stops (3 points)");
  assert.deepEqual(value("zones"), { source: "variable", name: "stops" });
});

// An intermediate working-tree version of sourced() refilled the select by moving options out
// of a scratch <select> (`variables.replaceChildren(...fresh.children)`): each removal ran the
// scratch select's selectedness algorithm, so every option got selected in turn and the live
// select showed the LAST variable whatever `values` held. fill() (set selectedIndex after
// building bare options) fixed it.
test("refreshing the variables keeps the shown choice (or none) as it was", () => {
  const { model, wrap, value } = mount([field("zones", "features", { data_type: "GPFeatureRecordSetLayer" }),
    field("other", "features", { data_type: "GPFeatureRecordSetLayer" })], { variables: VARIABLES.slice(0, 2) });
  const shown = (name) => {
    const select = wrap(name).querySelector(".gpjob-form-slot select");
    return select.options[select.selectedIndex].textContent;
  };
  choose(wrap("zones").querySelector(".gpjob-form-slot select"), "parcels (1,200 polygons)");
  model.set("variables", VARIABLES);
  assert.deepEqual(value("zones"), { source: "variable", name: "parcels" });
  assert.equal(shown("other"), "Choose a variable…");
  assert.equal(shown("zones"), "parcels (1,200 polygons)");
});

// -- bugs found: these fail today (see the report / comments) ------------------------------------

// A regression test: a bug these tests found, now fixed.
test("a value Python sets that fails the local check shows its problem", () => {
  const { model, problem, wrap, submit } = mount([field("count", "integer", { minimum: 1, maximum: 100, default: 5 })]);
  model.set("values", { count: 101 });
  assert.equal(submit().disabled, true);
  assert.equal(problem("count"), "must be 100 or less");
  assert.ok(wrap("count").classList.contains("gpjob-form-field--invalid"));
});

// A regression test: a bug these tests found, now fixed.
test("a required select with no value does not pretend its first choice is chosen", () => {
  const { wrap, value, problem } = mount([field("units", "select", { required: true,
    choices: [["Miles", "esriMiles"], ["Kilometers", "esriKilometers"]] })]);
  const select = wrap("units").querySelector("select");
  assert.equal(value("units"), null);
  assert.equal(problem("units"), "is required");
  const shown = select.options[select.selectedIndex]?.textContent ?? "";
  assert.equal(shown, "Choose…", `the select shows "${shown}" chosen while its value is null`);
  select.selectedIndex = 1; // the first real choice can be chosen at once
  select.dispatchEvent(new window.Event("change"));
  assert.equal(value("units"), "esriMiles");
});

// A regression test: a bug these tests found, now fixed.
test("two forms on one page do not share element ids", () => {
  const one = mount([field("distance", "number", { minimum: 0 })]);
  const two = mount([field("distance", "number", { minimum: 0 })]);
  const label = two.wrap("distance").querySelector("label");
  assert.equal(document.getElementById(label.htmlFor), two.wrap("distance").querySelector("input"));
  assert.notEqual(one.wrap("distance").querySelector("input").id, two.wrap("distance").querySelector("input").id);
});

// A regression test: a bug these tests found, now fixed.
test("a blank area is caught like a blank distance", () => {
  assert.notEqual(localProblem(field("d", "linear", { required: true }), { distance: null, units: "esriMeters" }), "");
  assert.notEqual(localProblem(field("a", "areal", { required: true }), { area: null, units: "esriAcres" }), "");
});

