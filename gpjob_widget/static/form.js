// TaskForm: a task's own description as a form (anywidget ES module; no bundler).
// Fields arrive as the `fields` trait; what the user enters goes back as `values` (form values,
// JSON; Python turns them into Python values with the data-type table). Python's `problems`
// are authoritative; quick checks here only make the page answer at once. Every server
// string is text, never HTML.

import { h, inMarimo, ownKeys } from "./dom.js";
import { localProblem, make, rangeText } from "./form-controls.js";

const TYPE_WORDS = { GPFeatureRecordSetLayer: "features", GPRecordSet: "table",
  GPRasterDataLayer: "raster", GPRasterData: "raster", GPDataFile: "file", GPString: "text",
  GPLong: "whole number", GPDouble: "number", GPBoolean: "true / false", GPDate: "date",
  GPLinearUnit: "distance", GPArealUnit: "area", GPValueTable: "table" };

function describe(field) {
  const base = field.data_type.replace(/^GPMultiValue:/, "");
  const word = TYPE_WORDS[base] || base.replace(/^GP/, "");
  return field.data_type.startsWith("GPMultiValue:") ? `list of ${word}` : word;
}

let forms = 0; // each rendered form's ids are its own (two forms on a page, or two views)

function render({ model, el }) {
  const formNumber = ++forms;
  const form = ownKeys(h("form", "gpjob-form"));
  form.noValidate = true;
  form.setAttribute("aria-label", `Run ${model.get("title")}`);
  const header = h("div", "gpjob-header");
  header.append(h("span", "gpjob-title", model.get("title")));
  const about = h("div", "gpjob-form-about", model.get("description") || "");
  const groups = h("div", "gpjob-form-groups");
  const outputs = h("div", "gpjob-form-outputs");
  const error = h("div", "gpjob-error gpjob-form-refused");
  error.setAttribute("role", "alert");
  const actions = h("div", "gpjob-actions");
  const submit = h("button", "gpjob-button gpjob-form-submit", "Submit");
  submit.type = "submit";
  const copy = h("button", "gpjob-button gpjob-form-copy", "Copy as code");
  copy.type = "button";
  const note = h("span", "gpjob-form-note");
  note.setAttribute("role", "status");
  actions.append(submit, copy, note);
  const codeBox = h("details", "gpjob-form-code");
  const code = h("pre");
  codeBox.append(h("summary", "", "Code"), code);
  form.append(header, about, groups, outputs, error, actions, codeBox);
  el.append(form);

  const local = {}; // name → what this page sees wrong
  const shown = {}; // name → JSON of the value the controls show
  const wrappers = {}; // name → { el, problem, control }
  const ctx = {
    variables: () => model.get("variables") || [],
    askVariables: () => model.send({ action: "variables" }),
  };
  // Every edit is saved at once: ipywidgets coalesces what it sends while a message is in
  // flight, and drops the kernel's echo of an older save only for changes it was given. An
  // edit held back here (a debounce) was overwritten by such an echo: a field typed just
  // before the echo came back showed, and submitted, its earlier value.
  function setValue(field, value) {
    shown[field.name] = JSON.stringify(value);
    local[field.name] = localProblem(field, value);
    renderProblem(field);
    const values = { ...model.get("values"), [field.name]: value };
    model.set("values", values);
    model.save_changes();
    renderActions();
  }

  function fieldElement(field) {
    const wrap = h("div", "gpjob-form-field");
    wrap.dataset.param = field.name;
    const id = `gpjob-form${formNumber}-${field.name}`;
    const label = h("label", "gpjob-form-label", field.label);
    label.htmlFor = id;
    if (field.required) {
      label.append(h("span", "gpjob-form-required", " *"));
      label.title = "Required";
    }
    const value = (model.get("values") || {})[field.name];
    shown[field.name] = JSON.stringify(value ?? null);
    const control = make(field, value ?? null, (v) => setValue(field, v), ctx);
    const first = control.matches?.("input, select, textarea") ? control :
      control.querySelector?.("input, select, textarea");
    if (first) first.id = id;
    const range = rangeText(field);
    const help = h("div", "gpjob-form-help", field.help || "");
    if (range) help.prepend(h("span", "gpjob-form-range", `Allowed: ${range}. `));
    help.id = `${id}-help`;
    if (first && (field.help || range)) first.setAttribute("aria-describedby", help.id);
    const problem = h("div", "gpjob-form-problem");
    problem.setAttribute("role", "alert");
    wrap.append(label, control, help, problem);
    wrappers[field.name] = { el: wrap, problem, control };
    local[field.name] = localProblem(field, value);
    return wrap;
  }

  function renderFields() {
    const fields = model.get("fields") || [];
    const byCategory = new Map();
    for (const f of fields) {
      if (!byCategory.has(f.category)) byCategory.set(f.category, []);
      byCategory.get(f.category).push(f);
    }
    groups.replaceChildren();
    for (const [category, members] of byCategory) {
      const nodes = members.map(fieldElement);
      if (!category) { groups.append(...nodes); continue; }
      const group = h("details", "gpjob-form-group");
      group.open = members.some((f) => f.required);
      group.append(h("summary", "gpjob-form-group-title", category), ...nodes);
      groups.append(group);
    }
    const outs = model.get("outputs") || [];
    outputs.replaceChildren();
    if (outs.length) {
      outputs.append(h("span", "gpjob-form-label", "Outputs: "));
      outs.forEach((o, i) => outputs.append(document.createTextNode(
        `${i ? " · " : ""}${o.label} (${describe(o)})`)));
    }
    for (const f of fields) renderProblem(f);
  }

  function problemOf(field) {
    const words = (model.get("problems") || {})[field.name] || "";
    return local[field.name] || words.replace(new RegExp(`^${escape(field.label)}: `), "");
  }

  function renderProblem(field) {
    const w = wrappers[field.name];
    if (!w) return;
    const text = problemOf(field);
    w.problem.textContent = text;
    w.problem.hidden = !text;
    w.el.classList.toggle("gpjob-form-field--invalid", Boolean(text));
    if (text) w.el.closest("details.gpjob-form-group")?.setAttribute("open", "");
  }

  function renderActions() {
    const fields = model.get("fields") || [];
    const invalid = fields.some((f) => problemOf(f));
    const phase = model.get("phase");
    submit.disabled = invalid || phase === "submitting";  // its name stays "Submit"
    submit.setAttribute("aria-busy", String(phase === "submitting"));
    note.textContent = phase === "submitting" ? "Submitting…" :
      phase === "submitted" ? (inMarimo(el) ?
        "Submitted: show form.job in a cell to watch its card (Submit runs another)." :
        "Submitted: the job's card is below (Submit runs another).") :
      invalid ? "Fill in the marked fields to submit." : "";
    const refused = model.get("submit_error") || "";
    const by = model.get("submit_failed_here") ? "The job could not be submitted" :
      "The server refused the job";
    error.textContent = refused ? `${by}: ${refused}` : "";
    error.hidden = !refused;
    code.textContent = model.get("code") || "";
  }

  function onValues() { // Python changed values (form.values = …): redraw what differs
    const values = model.get("values") || {};
    for (const field of model.get("fields") || []) {
      const json = JSON.stringify(values[field.name] ?? null);
      if (json === shown[field.name]) continue;
      const old = wrappers[field.name];
      if (old) {
        old.el.replaceWith(fieldElement(field));
        renderProblem(field);
      }
    }
    renderActions();
  }

  function onVariables() {
    for (const box of form.querySelectorAll(".gpjob-form-sourced")) box.redraw?.();
  }

  function onProblems() {
    for (const f of model.get("fields") || []) renderProblem(f);
    renderActions();
  }

  async function onCopy() {
    const text = model.get("code") || "";
    try {
      await navigator.clipboard.writeText(text);
      note.textContent = "Code copied.";
    } catch (_) { // no clipboard here (insecure context, old browser): show it to copy by hand
      codeBox.open = true;
      note.textContent = "Select the code below to copy it.";
    }
  }

  function onSubmit(event) {
    event.preventDefault();
    if (submit.disabled) return;
    // the values go with the click: a host may deliver a custom message before the state
    // saved just before it (marimo did, on a loaded machine: the last keys typed were missing)
    model.send({ action: "submit", values: model.get("values") || {} });
  }

  const handlers = [["change:values", onValues], ["change:problems", onProblems],
    ["change:variables", onVariables],
    ["change:phase change:submit_error change:submit_failed_here change:code", renderActions],
    ["change:fields change:outputs", renderFields]];
  for (const [events, fn] of handlers) for (const e of events.split(" ")) model.on(e, fn);
  form.addEventListener("submit", onSubmit);
  copy.addEventListener("click", onCopy);
  renderFields();
  renderActions();
  return () => {
    for (const [events, fn] of handlers) for (const e of events.split(" ")) model.off(e, fn);
  };
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export default { render };
