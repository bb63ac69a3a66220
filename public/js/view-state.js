// The dashboard's view (range, chart stacking, filters) lives in the address, so a reload or a shared
// link shows the same view.
import { filterDimensions } from "./filters.js";

const ranges = [7, 30, 90];

/** Reads the view from the page's query string, with defaults for anything missing or unknown. */
export function readViewState(params) {
  const range = Number(params.get("range"));
  const filters = {};
  for (const { dimension } of filterDimensions) {
    const value = params.get(dimension);
    if (value) filters[dimension] = value;
  }
  return {
    range: ranges.includes(range) ? range : 30,
    stackBy: params.get("stack") === "model" ? "model" : "provider",
    filters,
  };
}

/** Writes the view into the address without adding a history entry. */
export function writeViewState(state) {
  const params = new URLSearchParams();
  if (state.range !== 30) params.set("range", String(state.range));
  if (state.stackBy !== "provider") params.set("stack", state.stackBy);
  for (const [dimension, value] of Object.entries(state.filters)) params.set(dimension, value);
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}
