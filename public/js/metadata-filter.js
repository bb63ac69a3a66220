// The metadata filter: a key chosen from the keys present in the range's calls, then one of that
// key's values; together they filter by `metadata.<key>`. The chosen key also names the dashboard's
// metadata breakdown.
import { el, replaceChildren } from "./dom.js";
import { compareDecimals } from "./decimal.js";

/**
 * @param {{ initial: Record<string, string>, onKey: (key: string) => void, onChange: () => void }} options
 */
export function createMetadataFilter({ initial, onKey, onChange }) {
  const initialName = Object.keys(initial).find((name) => name.startsWith("metadata."));
  let key = initialName ? initialName.slice("metadata.".length) : "";
  let value = initialName ? initial[initialName] : "";
  const keySelect = el(
    "select",
    {
      id: "filter-metadata-key",
      "data-testid": "filter-metadata-key",
      "aria-label": "Metadata key",
      onChange: () => {
        key = keySelect.value;
        value = "";
        fillValues([]);
        onKey(key);
        onChange();
      },
    },
    el("option", { value: "" }, "Any key"),
  );
  const valueSelect = el(
    "select",
    {
      id: "filter-metadata-value",
      "data-testid": "filter-metadata-value",
      "aria-label": "Metadata value",
      onChange: () => {
        value = valueSelect.value;
        onChange();
      },
    },
    el("option", { value: "" }, "All values"),
  );
  const element = el(
    "div",
    { className: "filter filter-metadata" },
    el("label", { className: "filter-label", for: "filter-metadata-key" }, "Metadata"),
    el("div", { className: "filter-pair" }, keySelect, valueSelect),
  );

  function fillValues(values) {
    const shown = value && !values.includes(value) ? [value, ...values] : values;
    replaceChildren(
      valueSelect,
      el("option", { value: "" }, key ? `All ${key}` : "All values"),
      shown.map((item) => el("option", { value: item }, item)),
    );
    valueSelect.value = value;
    valueSelect.disabled = !key;
  }
  fillValues([]);

  return {
    element,
    /** The chosen key ("" for none). */
    get key() {
      return key;
    },
    /** `{ "metadata.<key>": value }` when a value is chosen, else `{}`. */
    filters() {
      return key && value ? { [`metadata.${key}`]: value } : {};
    },
    /** Sets the filter from outside (a click in the metadata table, the reset button). */
    set(filters) {
      const name = Object.keys(filters).find((item) => item.startsWith("metadata."));
      if (name) key = name.slice("metadata.".length);
      value = name ? filters[name] : "";
      keySelect.value = key;
      valueSelect.value = value;
      valueSelect.classList.toggle("is-set", Boolean(value));
    },
    /** Refills the keys (those present in the range's calls), keeping the chosen one. */
    setKeys(keys) {
      const shown = key && !keys.includes(key) ? [key, ...keys] : keys;
      replaceChildren(
        keySelect,
        el("option", { value: "" }, "Any key"),
        shown.map((item) => el("option", { value: item }, item)),
      );
      keySelect.value = key;
    },
    /** Refills the chosen key's values from a `groupBy=metadata.<key>` report, most spend first. */
    setValues(report) {
      const name = `metadata.${key}`;
      fillValues(
        report.rows
          .filter((row) => row[name] !== null && row[name] !== undefined)
          .sort((left, right) => compareDecimals(right.costUsd, left.costUsd))
          .map((row) => String(row[name])),
      );
      valueSelect.classList.toggle("is-set", Boolean(value));
    },
  };
}
