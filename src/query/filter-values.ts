import { LedgerError } from "../errors.js";

// Filter values travel as one comma-separated text (`?repo=api,web`, `--filter repo=api,web`), yet a
// value may itself hold a comma. So a comma inside a value is written `\,` and a backslash `\\`; any
// other backslash is an error rather than a guess. The dashboard mirrors this in
// public/js/filter-values.js.

/**
 * Splits `api,web\,mobile` into `["api", "web,mobile"]`. Values are taken exactly (no trimming:
 * a stored value may start or end with a space); empty items are skipped. Throws `E_QUERY_FILTER`
 * naming `name` for a backslash that escapes neither `,` nor `\`.
 *
 * @example
 * splitFilterValues("repo", "acme\\,inc,web") // ["acme,inc", "web"]
 */
export function splitFilterValues(name: string, text: string): string[] {
  const values: string[] = [];
  let current = "";
  for (let index = 0; index < text.length; index++) {
    const character = text[index]!;
    if (character === ",") {
      values.push(current);
      current = "";
    } else if (character === "\\") {
      const next = text[index + 1];
      if (next !== "," && next !== "\\") {
        throw new LedgerError(
          "E_QUERY_FILTER",
          `${name}: a backslash in a filter value must be followed by ',' (a literal comma) or '\\' (a literal backslash), at character ${index + 1} of ${JSON.stringify(text)}`,
        );
      }
      current += next;
      index++;
    } else {
      current += character;
    }
  }
  values.push(current);
  return values.filter((value) => value !== "");
}

/** Escapes one value so `splitFilterValues` gives it back whole: `\` → `\\`, `,` → `\,`. */
export function escapeFilterValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll(",", "\\,");
}

/** Joins values into the text `splitFilterValues` reads: `["a,b", "c"]` → `a\,b,c`. */
export function joinFilterValues(values: readonly string[]): string {
  return values.map(escapeFilterValue).join(",");
}
