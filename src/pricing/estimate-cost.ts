import { LedgerError } from "../errors.js";
import {
  chargesOf,
  type CompiledEntry,
  type CompiledPeriod,
  type CompiledPrices,
  type CompiledTier,
  type DerivedBucket,
} from "./compile-catalog.js";
import { decimalToPico, formatPicoDollars } from "./decimal.js";
import { priceFees, usesFees } from "./price-fees.js";
import { priceModalities, usesModalities } from "./modality-prices.js";
import { isServiceTier, normalizeServiceTier } from "./service-tiers.js";
import {
  SERVICE_TIERS,
  type CostBreakdown,
  type CostEstimate,
  type ResolvedModel,
  type ServiceTier,
} from "./types.js";
import { ratesFor } from "./price-rates.js";
import { windowAt } from "./time-of-day.js";
import type { ValidUsage } from "./validate-usage.js";

// The pure core: (price, usage) → exact cost. Tokens × micro-dollars per million tokens is a cost in
// integer units of 10^-12 dollars; Numbers while provably below 2^53, BigInt beyond.

type Bucket = "output" | "cacheRead" | "cacheWrite" | "cacheWrite1h";
const NO_FALLBACK: readonly Bucket[] = Object.freeze([]);

function fallbackBuckets(prices: CompiledPrices, usage: ValidUsage): readonly Bucket[] {
  const buckets: Bucket[] = [];
  if (prices.output < 0 && usage.output > 0) buckets.push("output");
  if (prices.cacheRead < 0 && usage.cacheRead > 0) buckets.push("cacheRead");
  if (prices.cacheWrite < 0 && usage.cacheWrite > 0) buckets.push("cacheWrite");
  if (prices.cacheWrite1h < 0 && usage.cacheWrite1h > 0) buckets.push("cacheWrite1h");
  return buckets;
}

/** Milliseconds since the epoch of `at`, or undefined for "now". */
export function instantOf(at: Date | string | undefined): number | undefined {
  if (at === undefined) return undefined;
  const ms = at instanceof Date ? at.getTime() : typeof at === "string" ? Date.parse(at) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new LedgerError(
      "E_PRICING_ARGUMENT",
      `at must be a valid Date or ISO 8601 string, got ${String(at)}`,
    );
  }
  return ms;
}

// Without an instant, the price in force now: a published period that starts in the future (a
// price change announced ahead) must not apply to today's calls. The clock is read only when the
// entry has a dated period, so the common single-price entry costs nothing extra.
function periodAt(periods: readonly CompiledPeriod[], ms: number): CompiledPeriod | undefined {
  for (let index = periods.length - 1; index >= 0; index--) {
    const period = periods[index]!;
    if (period.fromMs <= ms) return period;
  }
  return undefined;
}

// The rules behind the buckets this call billed: a price derived by rule is said, never silent.
function rulesUsed(derived: readonly DerivedBucket[], usage: ValidUsage): string[] {
  const rules: string[] = [];
  for (const { bucket, rule } of derived) if (usage[bucket] > 0) rules.push(rule);
  return rules;
}

// The provider refuses calls to a retired id, so a call recorded at or after its end date was not
// served by it (a gateway's alias, a wrong clock, a mislabelled event): flagged, never priced as if.
function retiredEstimate(resolved: ResolvedModel, compiled: CompiledEntry, instant: number): CostEstimate {
  const retired = compiled.entry.retired!;
  const source = compiled.entry.source === undefined ? "" : ` (${compiled.entry.source})`;
  const estimate = unpriced(
    resolved,
    `${resolved.model} was retired by ${resolved.provider} on ${retired}${source}; a call on ${new Date(instant).toISOString().slice(0, 10)} cannot have been served by it, so it is not priced (price it with an override if it was)`,
  );
  return { ...estimate, retired } as CostEstimate;
}

function unpriced(resolved: ResolvedModel, reason: string): CostEstimate {
  const { model, catalogId, provider } = resolved;
  return { priced: false, costUsd: "0", model, catalogId, provider, reason };
}

/** The prices of a period at a service tier, or why there are none. */
interface TierPrices {
  serviceTier: ServiceTier;
  prices: CompiledPrices;
  tiers: readonly CompiledTier[];
  rule: string | undefined;
  limit: number | undefined;
}

// The prices at the call's tier: undefined for standard (the period's own, read without allocating:
// this runs for every estimate), or why the tier has none.
function tierPrices(period: CompiledPeriod, given: unknown, model: string): TierPrices | string | undefined {
  if (given === undefined || given === null) return undefined;
  if (typeof given !== "string") {
    throw new LedgerError("E_PRICING_ARGUMENT", `serviceTier must be a string, got ${typeof given}`);
  }
  const name = normalizeServiceTier(given);
  if (name === "standard") return undefined;
  if (!isServiceTier(name)) {
    return `unknown service tier ${JSON.stringify(name ?? given)} (known: ${SERVICE_TIERS.join(", ")}); not priced as standard`;
  }
  const chosen = chargesOf(period).serviceTiers?.get(name);
  if (!chosen) {
    return `the catalog has no ${name} price for ${model} (published prices or a provider rule); not priced as standard`;
  }
  return { serviceTier: name, ...chosen };
}

/** Prices validated usage with a resolved entry at an instant (undefined: now) and a service tier. */
export function priceUsage(
  resolved: ResolvedModel,
  compiled: CompiledEntry,
  usage: ValidUsage,
  ms: number | undefined,
  pricingVersion: string,
  serviceTier?: unknown,
): CostEstimate {
  if (compiled.periods.length === 0) {
    return unpriced(resolved, compiled.entry.unpriced ?? "the catalog has no price for this model");
  }
  const retiredMs = compiled.retiredMs;
  const instant = ms ?? (compiled.undated ? -Infinity : Date.now());
  if (retiredMs !== undefined && instant >= retiredMs) return retiredEstimate(resolved, compiled, instant);
  const period = periodAt(compiled.periods, instant);
  if (!period) {
    const first = compiled.entry.prices[0]?.from ?? "";
    return unpriced(
      resolved,
      `no price in force at ${new Date(instant).toISOString()}; the earliest known price starts ${first}`,
    );
  }
  const atTier = tierPrices(period, serviceTier, resolved.model);
  if (typeof atTier === "string") return unpriced(resolved, atTier);
  const window = period.timeOfDay ? windowAt(period.timeOfDay, instant) : undefined;
  // A window's prices are the standard tier's; another tier's price in those hours is not published.
  if (window && atTier) {
    return unpriced(
      resolved,
      `the catalog has no ${atTier.serviceTier} price for ${resolved.model} during ${window.record.label}; not priced at the off-window price`,
    );
  }
  const totalInput = usage.input + usage.cacheRead + usage.cacheWrite + usage.cacheWrite1h;
  if (atTier?.limit !== undefined && totalInput > atTier.limit) {
    return unpriced(
      resolved,
      `the catalog has no ${atTier.serviceTier} price for ${resolved.model} above ${atTier.limit} input tokens; not priced as standard`,
    );
  }
  let prices: CompiledPrices = atTier ? atTier.prices : (window?.prices ?? period.prices);
  let tier = "base";
  for (const candidate of atTier ? atTier.tiers : period.tiers) {
    if (totalInput > candidate.above) {
      prices = candidate.prices;
      tier = candidate.label;
    }
  }
  const input = prices.input;
  const outputPrice = prices.output < 0 ? input : prices.output;
  const cacheReadPrice = prices.cacheRead < 0 ? input : prices.cacheRead;
  const cacheWritePrice = prices.cacheWrite < 0 ? input : prices.cacheWrite;
  const cacheWrite1hPrice = prices.cacheWrite1h < 0 ? input : prices.cacheWrite1h;
  const billedAsInput =
    (prices.output < 0 && usage.output > 0) ||
    (prices.cacheRead < 0 && usage.cacheRead > 0) ||
    (prices.cacheWrite < 0 && usage.cacheWrite > 0) ||
    (prices.cacheWrite1h < 0 && usage.cacheWrite1h > 0)
      ? fallbackBuckets(prices, usage)
      : NO_FALLBACK;
  const safe = prices.safeTokens;
  let breakdown: CostBreakdown;
  let costUsd: string;
  if (
    usage.input <= safe[0] &&
    usage.output <= safe[1] &&
    usage.cacheRead <= safe[2] &&
    usage.cacheWrite <= safe[3] &&
    usage.cacheWrite1h <= safe[4]
  ) {
    const inputCost = usage.input * input;
    const outputCost = usage.output * outputPrice;
    const cacheReadCost = usage.cacheRead * cacheReadPrice;
    const cacheWriteCost = usage.cacheWrite * cacheWritePrice;
    const cacheWrite1hCost = usage.cacheWrite1h * cacheWrite1hPrice;
    costUsd = formatPicoDollars(inputCost + outputCost + cacheReadCost + cacheWriteCost + cacheWrite1hCost);
    breakdown = {
      input: formatPicoDollars(inputCost),
      output: formatPicoDollars(outputCost),
      cacheRead: formatPicoDollars(cacheReadCost),
      cacheWrite: formatPicoDollars(cacheWriteCost),
      cacheWrite1h: formatPicoDollars(cacheWrite1hCost),
      billedAsInput,
    };
  } else {
    const inputCost = BigInt(usage.input) * BigInt(input);
    const outputCost = BigInt(usage.output) * BigInt(outputPrice);
    const cacheReadCost = BigInt(usage.cacheRead) * BigInt(cacheReadPrice);
    const cacheWriteCost = BigInt(usage.cacheWrite) * BigInt(cacheWritePrice);
    const cacheWrite1hCost = BigInt(usage.cacheWrite1h) * BigInt(cacheWrite1hPrice);
    costUsd = formatPicoDollars(inputCost + outputCost + cacheReadCost + cacheWriteCost + cacheWrite1hCost);
    breakdown = {
      input: formatPicoDollars(inputCost),
      output: formatPicoDollars(outputCost),
      cacheRead: formatPicoDollars(cacheReadCost),
      cacheWrite: formatPicoDollars(cacheWriteCost),
      cacheWrite1h: formatPicoDollars(cacheWrite1hCost),
      billedAsInput,
    };
  }
  if (usesModalities(usage)) {
    const modalities = priceModalities(prices, usage);
    if (!modalities.ok) {
      // Cached audio is a cache read, so the rate it is not priced at is the cached text one.
      const text = modalities.bucket === "cache_read_audio" ? "cached text" : "text";
      return unpriced(
        resolved,
        `the catalog has no ${modalities.bucket} price for ${resolved.model} (${modalities.tokens} tokens); not priced at the ${text} rate`,
      );
    }
    Object.assign(breakdown, modalities.costs);
    costUsd = formatPicoDollars(decimalToPico(costUsd) + modalities.totalPico);
  }
  const estimate: CostEstimate = {
    priced: true,
    costUsd,
    listCostUsd: costUsd,
    model: resolved.model,
    catalogId: resolved.catalogId,
    provider: resolved.provider,
    pricingVersion,
    tier,
    serviceTier: atTier ? atTier.serviceTier : "standard",
    breakdown,
    matchedBy: resolved.matchedBy,
    rates: ratesFor(resolved, compiled, period, prices, tier, pricingVersion, atTier?.serviceTier, window),
  };
  if (resolved.note !== undefined) estimate.note = resolved.note;
  if (window) estimate.timeOfDay = window.record.label;
  if (period.derived.length > 0 || atTier?.rule !== undefined) {
    const rules = rulesUsed(period.derived, usage);
    if (atTier?.rule !== undefined) rules.push(atTier.rule);
    if (rules.length > 0) estimate.rules = rules;
  }
  if (usesFees(usage)) {
    const fees = priceFees(chargesOf(period).fees, usage);
    if (!fees.ok) {
      return unpriced(
        resolved,
        `the catalog has no ${fees.fee} price for ${resolved.model} (${fees.units} billed); not priced without it`,
      );
    }
    estimate.fees = fees.charges;
    breakdown.fees = formatPicoDollars(fees.totalPico);
    estimate.costUsd = formatPicoDollars(decimalToPico(costUsd) + fees.totalPico);
    estimate.listCostUsd = estimate.costUsd;
  }
  return estimate;
}
