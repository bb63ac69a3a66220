// The checks of the fields that price a call beyond its tokens: the service tier that served it and
// the per-unit counters (web searches). Like every field check, each returns the stored value or
// refuses the event with a reason naming the field.
import { MAX_SERVICE_TIER_LENGTH, normalizeServiceTier } from "../pricing/index.js";
import { fail } from "./field-checks.js";
import { maxTokensPerCall } from "./token-usage.js";

/**
 * A service tier in canonical form (`default` → `standard`), or null when absent. A well-formed name
 * the catalog does not know is kept: the event is stored and its estimate says the tier is unknown.
 */
export function serviceTier(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string")
    fail(`serviceTier must be a string, got ${value === null ? "null" : typeof value}`);
  const tier = normalizeServiceTier(value);
  if (tier === undefined) {
    fail(
      `serviceTier must be a tier name of 1 to ${MAX_SERVICE_TIER_LENGTH} letters, digits, "-" or "_" (such as "batch"), got ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return tier;
}

/** A per-unit counter (`webSearchRequests`): a whole number, at most the per-call limit; absent is 0. */
export function unitCount(value: unknown, prefix: string, key: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= maxTokensPerCall) {
    return value;
  }
  fail(
    `${prefix}${key} must be a whole number from 0 to ${maxTokensPerCall}, got ${typeof value === "number" ? value : typeof value}`,
  );
}
