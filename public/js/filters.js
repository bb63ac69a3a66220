// The filter bar: one select per dimension, filled from the data of the selected range (values with
// the most spend first), a metadata key and value, and a reset button. The first is the project
// switcher, shown only to a key that sees several projects ("All projects" is every project's totals).
import { el, replaceChildren } from "./dom.js";
import { compareDecimals } from "./decimal.js";
import { createMetadataFilter } from "./metadata-filter.js";

/** The dimensions the dashboard filters by, with their labels. */
export const filterDimensions = [
  { dimension: "project", label: "Project", all: "All projects", onlyWhenSeveral: true },
  { dimension: "repo", label: "Repo", all: "All repos" },
  { dimension: "taskType", label: "Task type", all: "All task types" },
  { dimension: "model", label: "Model", all: "All models" },
  { dimension: "provider", label: "Provider", all: "All providers" },
  { dimension: "userId", label: "User", all: "All users" },
  { dimension: "environment", label: "Environment", all: "All environments" },
  { dimension: "sessionId", label: "Session", all: "All sessions" },
];

/**
 * Creates the filter bar. `onChange(filters)` gets `{ repo: "acme/api", "metadata.team": "core", … }`
 * (nothing for "all"); `onMetadataKey(key)` when another metadata key is chosen.
 * @param {{ initial: Record<string, string>, onChange: (filters: Record<string, string>) => void, onMetadataKey: (key: string) => void }} options
 */
export function createFilterBar({ initial, onChange, onMetadataKey }) {
  const selects = new Map();
  const metadata = createMetadataFilter({ initial, onKey: onMetadataKey, onChange: () => changed() });
  const reset = el(
    "button",
    { type: "button", className: "button-link", "data-testid": "filters-reset", onClick: () => set({}) },
    "Clear filters",
  );
  const fields = filterDimensions.map(({ dimension, label, all, onlyWhenSeveral }) => {
    const select = el(
      "select",
      {
        id: `filter-${dimension}`,
        name: dimension,
        "data-testid": `filter-${dimension}`,
        onChange: () => changed(),
      },
      el("option", { value: "" }, all),
    );
    const field = el(
      "label",
      { className: "filter", for: `filter-${dimension}` },
      el("span", { className: "filter-label" }, label),
      select,
    );
    // Hidden until the options are known: a key of one project never sees a switcher.
    if (onlyWhenSeveral) field.hidden = true;
    selects.set(dimension, { select, all, field, onlyWhenSeveral });
    return field;
  });
  const element = el(
    "section",
    { className: "filter-bar", "aria-label": "Filters", "data-testid": "filters" },
    fields,
    metadata.element,
    reset,
  );

  let current = { ...initial };

  function read() {
    const filters = {};
    for (const [dimension, { select }] of selects) if (select.value) filters[dimension] = select.value;
    return { ...filters, ...metadata.filters() };
  }

  function changed() {
    current = read();
    refreshReset();
    onChange(current);
  }

  function refreshReset() {
    reset.hidden = Object.keys(current).length === 0;
    for (const [dimension, { select }] of selects)
      select.classList.toggle("is-set", Boolean(current[dimension]));
  }

  /** Sets the filters from outside (a click on a table name, the reset button) and reports them. */
  function set(filters) {
    current = { ...filters };
    for (const [dimension, { select }] of selects) select.value = current[dimension] ?? "";
    metadata.set(current);
    refreshReset();
    onChange(current);
  }

  refreshReset();
  return {
    element,
    set,
    metadata,
    /** Refills one select's options from a `groupBy=<dimension>` report, keeping the selection. */
    setOptions(dimension, report) {
      const entry = selects.get(dimension);
      if (!entry) return;
      const values = report.rows
        .filter((row) => row[dimension] !== null && row[dimension] !== undefined)
        .sort((left, right) => compareDecimals(right.costUsd, left.costUsd))
        .map((row) => String(row[dimension]));
      const selected = current[dimension];
      if (selected && !values.includes(selected)) values.unshift(selected);
      replaceChildren(
        entry.select,
        el("option", { value: "" }, entry.all),
        values.map((value) => el("option", { value }, value)),
      );
      entry.select.value = selected ?? "";
      if (entry.onlyWhenSeveral) entry.field.hidden = values.length < 2;
    },
  };
}
