import { PRICE_BUCKETS } from "./types.js";
import { isRecord } from "./json-checks.js";

// Checks of where a price comes from: a bucket priced by a published rule names that rule, and a
// provider file says either when it was compared with its source or which package it came from.

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const BUCKETS = new Set<string>(PRICE_BUCKETS);

function isText(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

/** Problems with a period's `derived`: each key a bucket the period prices, each value the rule in words. */
export function derivedProblems(period: Record<string, unknown>, path: string): string[] {
  const derived = period.derived;
  if (derived === undefined) return [];
  if (!isRecord(derived)) return [`${path}.derived: expected an object of bucket → rule`];
  const problems: string[] = [];
  for (const [bucket, rule] of Object.entries(derived)) {
    if (!BUCKETS.has(bucket)) problems.push(`${path}.derived.${bucket}: not a price bucket`);
    else if (period[bucket] === undefined)
      problems.push(`${path}.derived.${bucket}: the period has no ${bucket} price to derive`);
    if (!isText(rule)) problems.push(`${path}.derived.${bucket}: expected the rule in words`);
  }
  return problems;
}

/** Problems with a provider file's `checked` and `imported`: at least one says where its prices come from. */
export function provenanceProblems(file: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const { checked, imported } = file;
  if (checked !== undefined && !(typeof checked === "string" && DATE_PATTERN.test(checked)))
    problems.push(`$.checked: expected a date YYYY-MM-DD`);
  if (imported !== undefined) {
    if (!isRecord(imported)) {
      problems.push(`$.imported: expected { package, version, published }`);
    } else {
      if (!isText(imported.package)) problems.push(`$.imported.package: expected the package name`);
      if (!isText(imported.version)) problems.push(`$.imported.version: expected the package version`);
      if (!(typeof imported.published === "string" && DATE_PATTERN.test(imported.published)))
        problems.push(`$.imported.published: expected the version's publish date YYYY-MM-DD`);
      const extra = Object.keys(imported).filter((key) => !["package", "version", "published"].includes(key));
      for (const key of extra) problems.push(`$.imported.${key}: unknown key`);
    }
  }
  if (checked === undefined && imported === undefined)
    problems.push(`$: give "checked" (when the prices were compared with the source) or "imported"`);
  return problems;
}
