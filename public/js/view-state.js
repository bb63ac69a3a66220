// The dashboard's view (range, chart stacking, filters) lives in the address, so a reload or a shared
// link shows the same view: `?range=7`, or typed days `?from=2026-11-01&to=2026-11-15` (both included,
// UTC), then one parameter per filter (`repo=acme/api`, `userId=u-7`, `metadata.team=growth`).
import { filterDimensions } from "./filters.js";
import { isDay } from "./periods.js";

const ranges = [7, 30, 90];

/** Whether a query parameter names a filter: a known dimension, or `metadata.<key>`. */
function isFilterName(name) {
  return (
    filterDimensions.some((entry) => entry.dimension === name) ||
    (name.startsWith("metadata.") && name.length > "metadata.".length)
  );
}

/** Reads the view from the page's query string, with defaults for anything missing or unknown. */
export function readViewState(params) {
  const filters = {};
  for (const [name, value] of params) if (value && isFilterName(name)) filters[name] = value;
  const from = params.get("from");
  const to = params.get("to");
  const typed = isDay(from) && isDay(to) && from <= to;
  const range = Number(params.get("range"));
  return {
    range: typed ? "custom" : ranges.includes(range) ? range : 30,
    custom: typed ? { from, to } : undefined,
    stackBy: params.get("stack") === "model" ? "model" : "provider",
    filters,
  };
}

/** Writes the view into the address without adding a history entry. */
export function writeViewState(state) {
  const params = new URLSearchParams();
  if (state.range === "custom") {
    params.set("from", state.custom.from);
    params.set("to", state.custom.to);
  } else if (state.range !== 30) params.set("range", String(state.range));
  if (state.stackBy !== "provider") params.set("stack", state.stackBy);
  for (const [dimension, value] of Object.entries(state.filters)) params.set(dimension, value);
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}
