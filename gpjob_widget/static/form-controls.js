// The form's controls: one per kind of input (the `control` of a field, which the data-type
// table chose), and the page's quick checks. Every control is a native input / select /
// textarea (or a row of them) and calls set(value) with a form value (JSON) on every change.

import { h } from "./dom.js";

const SOURCES = {
  features: [["variable", "Notebook variable"], ["url", "Layer URL"], ["item", "Item id"],
    ["json", "Paste JSON"]],
  records: [["variable", "Notebook variable"], ["url", "Table URL"], ["json", "Paste JSON"]],
  file: [["url", "URL"], ["item", "Item id"]],
  geometry: [["variable", "Notebook variable"], ["json", "Paste GeoJSON"]],
};
const LINEAR = ["esriMeters", "esriKilometers", "esriFeet", "esriMiles", "esriNauticalMiles",
  "esriYards", "esriInches", "esriCentimeters", "esriMillimeters", "esriDecimeters",
  "esriDecimalDegrees", "esriPoints", "esriUnknownUnits"];
const AREAL = ["esriSquareMeters", "esriSquareKilometers", "esriSquareFeet", "esriSquareMiles",
  "esriSquareYards", "esriAcres", "esriHectares", "esriAres", "esriSquareInches",
  "esriSquareCentimeters", "esriSquareMillimeters", "esriSquareDecimeters",
  "esriUnknownAreaUnits"];
const GEOMETRY_WORDS = { esriGeometryPoint: "points", esriGeometryMultipoint: "multipoints",
  esriGeometryPolyline: "lines", esriGeometryPolygon: "polygons" };
/** "esriSquareKilometers" → "Square Kilometers". */
export function unitLabel(unit) {
  return unit.replace(/^esri/, "").replace(/([a-z])([A-Z])/g, "$1 $2");
}

const blank = (v) => v === null || v === undefined || v === "" ||
  (Array.isArray(v) && v.length === 0);

/** What is obviously wrong with *value* for *field* ("" when nothing is). */
export function localProblem(field, value) {
  if (blank(value)) return field.required && field.control !== "checkbox" ? "is required" : "";
  if (field.control === "integer" || field.control === "number") {
    const n = Number(value);
    if (!Number.isFinite(n)) return "must be a number";
    if (field.control === "integer" && !Number.isInteger(n)) return "must be a whole number";
    const min = field.minimum ?? null;
    const max = field.maximum ?? null;
    if (min !== null && field.exclusive_minimum && n <= min) return `must be more than ${min}`;
    if (min !== null && n < min) return `must be ${min} or more`;
    if (max !== null && field.exclusive_maximum && n >= max) return `must be less than ${max}`;
    if (max !== null && n > max) return `must be ${max} or less`;
  }
  if (field.control === "json") {
    try { JSON.parse(value); } catch (_) { return "is not valid JSON"; }
  }
  if ((field.control === "linear" || field.control === "areal") && typeof value === "object") {
    const amount = field.control === "linear" ? value.distance : value.area;
    const n = amount === null || amount === undefined || amount === "" ? NaN : Number(amount);
    if (!Number.isFinite(n) || n < 0) return "must be a number (0 or more) and a unit";
  }
  if (["features", "records", "geometry"].includes(field.control)) {
    if (value.source === "json") {
      try { JSON.parse(value.text || ""); } catch (_) { return "is not valid JSON"; }
    }
    if (value.source === "variable" && !value.name) return "choose a variable";
  }
  return "";
}

/** "1 to 100", "100 or less": a number field's range as the page shows it ("" for none). */
export function rangeText(field) {
  const min = field.minimum ?? null;
  const max = field.maximum ?? null;
  const low = min === null ? "" : field.exclusive_minimum ? `more than ${min}` : `${min} or more`;
  const high = max === null ? "" : field.exclusive_maximum ? `less than ${max}` : `${max} or less`;
  if (min !== null && max !== null && !field.exclusive_minimum && !field.exclusive_maximum) {
    return `${min} to ${max}`;
  }
  return [low, high].filter(Boolean).join(" and ");
}

/** Local date-time text (for datetime-local) of an ISO string, and back to ISO (UTC). */
export function localInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:` +
    `${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
export const toIso = (local) => (local ? new Date(local).toISOString() : null);

function input(type, attrs = {}) {
  const node = h("input");
  node.type = type;
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) node[k] = v;
  return node;
}

function select(options, current, label) {
  const node = h("select");
  node.setAttribute("aria-label", label);
  return fill(node, options, current);
}

/** *node*'s options become *options* ([shown, value] pairs), *current* selected. */
function fill(node, options, current) {
  node.replaceChildren(...options.map(([text], i) => {
    const option = h("option", "", text);
    option.value = String(i);
    return option;
  }));
  const chosen = options.findIndex(([, value]) => JSON.stringify(value) === JSON.stringify(current));
  node.selectedIndex = Math.max(0, chosen);
  return node;
}

// One control per kind; each returns its element and calls set(value) on every change.
const CONTROLS = {
  text(field, value, set) {
    const node = input("text", { value: value ?? "" });
    node.addEventListener("input", () => set(node.value));
    return node;
  },
  select(field, value, set) {
    // a blank first choice: optional inputs may be left blank, and a required one with no
    // value yet must not look chosen (its first choice would show but send nothing)
    const known = field.choices.some(([, code]) => JSON.stringify(code) === JSON.stringify(value));
    const options = field.required && known ? field.choices :
      [[field.required ? "Choose…" : "", null], ...field.choices];
    const node = select(options, value, field.label);
    node.addEventListener("change", () => set(options[Number(node.value)][1]));
    return node;
  },
  integer(field, value, set) { return number(field, value, set, "1"); },
  number(field, value, set) { return number(field, value, set, "any"); },
  checkbox(field, value, set) {
    const node = input("checkbox", { checked: Boolean(value) });
    node.addEventListener("change", () => set(node.checked));
    return node;
  },
  datetime(field, value, set) {
    const node = input("datetime-local", { value: localInput(value), step: "1" });
    node.addEventListener("change", () => set(toIso(node.value)));
    return node;
  },
  linear(field, value, set) { return quantity(field, value, set, "distance", LINEAR); },
  areal(field, value, set) { return quantity(field, value, set, "area", AREAL); },
  json(field, value, set) {
    const node = h("textarea");
    node.rows = 3;
    node.value = value ?? "";
    node.spellcheck = false;
    node.addEventListener("input", () => set(node.value));
    return node;
  },
  bbox(field, value, set) {
    const corners = Array.isArray(value) ? [...value] : [null, null, null, null];
    const box = h("span", "gpjob-form-row");
    ["West", "South", "East", "North"].forEach((word, i) => {
      const node = input("number", { step: "any", value: corners[i] ?? "", placeholder: word });
      node.setAttribute("aria-label", `${field.label}: ${word}`);
      node.addEventListener("input", () => {
        corners[i] = node.value === "" ? null : Number(node.value);
        set(corners.every((c) => c === null) ? null : [...corners]);
      });
      box.append(node);
    });
    return box;
  },
  multiselect(field, value, set) {
    const chosen = new Set((value || []).map((v) => JSON.stringify(v)));
    const box = h("span", "gpjob-form-choices");
    for (const [text, code] of field.member.choices) {
      const label = h("label", "gpjob-form-choice");
      const node = input("checkbox", { checked: chosen.has(JSON.stringify(code)) });
      node.addEventListener("change", () => {
        if (node.checked) chosen.add(JSON.stringify(code)); else chosen.delete(JSON.stringify(code));
        set(field.member.choices.map(([, c]) => c).filter((c) => chosen.has(JSON.stringify(c))));
      });
      label.append(node, document.createTextNode(` ${text}`));
      box.append(label);
    }
    return box;
  },
  multi(field, value, set, ctx) {
    const items = Array.isArray(value) ? [...value] : [];
    const box = h("div", "gpjob-form-list");
    const draw = () => {
      box.replaceChildren();
      items.forEach((item, i) => {
        const row = h("div", "gpjob-form-row");
        const member = { ...field.member, label: `${field.label} ${i + 1}`, required: false };
        const control = make(member, item, (v) => { items[i] = v; set([...items]); }, ctx);
        control.setAttribute?.("aria-label", member.label);
        row.append(control, removeButton(`Remove item ${i + 1}`, () => {
          items.splice(i, 1); set([...items]); draw();
        }));
        box.append(row);
      });
      box.append(addButton("Add item", () => { items.push(null); set([...items]); draw(); }));
    };
    draw();
    return box;
  },
  valuetable(field, value, set, ctx) {
    const rows = Array.isArray(value) ? value.map((r) => [...r]) : [];
    const table = h("table", "gpjob-form-table");
    const wrap = h("div", "gpjob-form-list");
    const draw = () => {
      const head = h("tr");
      for (const column of field.columns) head.append(h("th", "", column.label));
      head.append(h("th", "", ""));
      const body = rows.map((row, r) => {
        const tr = h("tr");
        field.columns.forEach((column, c) => {
          const td = h("td");
          const cell = { ...column, label: `${column.label}, row ${r + 1}`, required: false };
          const control = make(cell, row[c] ?? null,
            (v) => { rows[r][c] = v; set(rows.map((x) => [...x])); }, ctx);
          control.setAttribute?.("aria-label", cell.label);
          td.append(control);
          tr.append(td);
        });
        const td = h("td");
        td.append(removeButton(`Remove row ${r + 1}`, () => {
          rows.splice(r, 1); set(rows.map((x) => [...x])); draw();
        }));
        tr.append(td);
        return tr;
      });
      table.replaceChildren(head, ...body);
    };
    draw();
    wrap.append(table, addButton("Add row", () => {
      rows.push(field.columns.map((c) => c.default ?? null)); set(rows.map((x) => [...x])); draw();
    }));
    return wrap;
  },
  features(field, value, set, ctx) { return sourced(field, value, set, ctx, SOURCES.features); },
  records(field, value, set, ctx) { return sourced(field, value, set, ctx, SOURCES.records); },
  file(field, value, set, ctx) { return sourced(field, value, set, ctx, SOURCES.file); },
  geometry(field, value, set, ctx) { return sourced(field, value, set, ctx, SOURCES.geometry); },
};

/** The control of *field* (chosen by its `control`, from the data-type table): an element that
 * calls set(value) on every change. *ctx* gives the notebook's variables to feature inputs. */
export function make(field, value, set, ctx) {
  return (CONTROLS[field.control] || CONTROLS.json)(field, value, set, ctx);
}

function number(field, value, set, step) {
  const node = input("number", { value: value ?? "", step, min: field.minimum, max: field.maximum });
  node.addEventListener("input", () => set(node.value === "" ? null : Number(node.value)));
  return node;
}

function quantity(field, value, set, key, units) {
  const current = value && typeof value === "object" ? value : { [key]: null, units: units[0] };
  const box = h("span", "gpjob-form-row");
  const amount = input("number", { step: "any", min: 0, value: current[key] ?? "" });
  amount.setAttribute("aria-label", `${field.label}: amount`);
  const unit = select(units.map((u) => [unitLabel(u), u]), current.units, `${field.label}: unit`);
  const send = () => set({ [key]: amount.value === "" ? null : Number(amount.value),
    units: units[Number(unit.value)] });
  amount.addEventListener("input", send);
  unit.addEventListener("change", send);
  box.append(amount, unit);
  return box;
}

// Feature / table / file inputs: where the data come from, then that source's own control.
function sourced(field, value, set, ctx, sources) {
  let state = value && typeof value === "object" ? { ...value } : { source: sources[0][0] };
  const box = h("span", "gpjob-form-sourced");
  const which = select(sources.map(([s, text]) => [text, s]), state.source, `${field.label}: from`);
  const slot = h("span", "gpjob-form-slot");
  const emit = () => set(state.source === "variable" && !state.name ? null : { ...state });
  let variables = null; // the variable select, refilled in place when the list changes
  let options = [];
  const refill = () => {
    const usable = ctx.variables().filter((v) => field.control === "records" ||
      (v.geometry && (!field.geometry_types.length || field.geometry_types.includes(v.geometry))));
    options = [["Choose a variable…", ""], ...usable.map((v) =>
      [`${v.name} (${v.rows.toLocaleString()} ${GEOMETRY_WORDS[v.geometry] || "rows"})`, v.name])];
    fill(variables, options, state.name || ""); // the same element: it keeps the focus
  };
  const draw = () => {
    let node;
    variables = null;
    if (state.source === "variable") {
      node = variables = select([], null, `${field.label}: variable`);
      refill();
      node.addEventListener("focus", ctx.askVariables);
      node.addEventListener("change", () => {
        state = { source: "variable", name: options[Number(node.value)][1] };
        emit();
      });
    } else if (state.source === "json") {
      node = h("textarea");
      node.rows = 3;
      node.spellcheck = false;
      node.value = state.text || "";
      node.setAttribute("aria-label", `${field.label}: JSON`);
      node.addEventListener("input", () => { state = { source: "json", text: node.value }; emit(); });
    } else {
      const key = state.source === "item" ? "itemID" : "url";
      node = input("text", { value: state[key] || "", placeholder: key === "url" ? "https://…" : "32-character item id" });
      node.setAttribute("aria-label", `${field.label}: ${key === "url" ? "URL" : "item id"}`);
      node.addEventListener("input", () => { state = { source: state.source, [key]: node.value }; emit(); });
    }
    slot.replaceChildren(node);
  };
  which.addEventListener("change", () => { state = { source: sources[Number(which.value)][0] }; draw(); emit(); });
  draw();
  box.append(which, slot);
  box.redraw = () => { if (variables) refill(); }; // the notebook's variables changed
  return box;
}

function addButton(text, onClick) {
  const b = h("button", "gpjob-button gpjob-form-add", `+ ${text}`);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

function removeButton(label, onClick) {
  const b = h("button", "gpjob-button gpjob-form-remove", "×");
  b.type = "button";
  b.setAttribute("aria-label", label);
  b.addEventListener("click", onClick);
  return b;
}
