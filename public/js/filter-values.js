// Filter values travel to the API as one comma-separated parameter (`?repo=api,web`), so a comma
// inside a value is sent as `\,` and a backslash as `\\`: the server's splitFilterValues
// (src/query/filter-values.ts) reads them back whole. A repo named "acme, inc" is then one value.

/** Escapes one value: `\` → `\\`, `,` → `\,`. */
export function escapeFilterValue(value) {
  return String(value).replaceAll("\\", "\\\\").replaceAll(",", "\\,");
}

/**
 * The parameter text for one value or a list of values.
 * @param {string | string[]} values
 */
export function filterParameter(values) {
  return (Array.isArray(values) ? values : [values]).map(escapeFilterValue).join(",");
}
