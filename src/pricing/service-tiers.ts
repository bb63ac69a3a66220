import { SERVICE_TIERS, type ServiceTier } from "./types.js";

// Providers spell the tier that served a call in their own words: OpenAI answers `default` for the
// standard tier, OpenRouter accepts `fast` for priority. One reading of them, used by the event
// parser, the integrations and the estimator alike.

const CANONICAL = new Set<string>(SERVICE_TIERS);

const SPELLINGS: Readonly<Record<string, ServiceTier>> = {
  default: "standard",
  auto: "standard",
  standard_only: "standard",
  on_demand: "standard",
  fast: "priority",
};

/** The longest service tier name an event may carry. */
export const MAX_SERVICE_TIER_LENGTH = 32;

const WELL_FORMED = /^[a-z][a-z0-9_-]{0,31}$/;

/** True for `standard`, `batch`, `flex` and `priority`. */
export function isServiceTier(value: unknown): value is ServiceTier {
  return typeof value === "string" && CANONICAL.has(value);
}

/**
 * A provider's spelling of a service tier in canonical form: lower case, `default`/`auto` read as
 * `standard`, `fast` as `priority`. Another well-formed name (`scale`) is kept as it is, so an event
 * records what the provider said and the estimate can flag it; `undefined` when the text is no tier
 * name at all (empty, too long, or holding other characters).
 *
 * @example
 * normalizeServiceTier("DEFAULT"); // "standard"
 */
export function normalizeServiceTier(value: string): string | undefined {
  const lower = value.trim().toLowerCase();
  if (!WELL_FORMED.test(lower)) return undefined;
  return SPELLINGS[lower] ?? lower;
}
