import { LedgerError } from "../errors.js";
import type { CompiledEntry, CompiledPeriod, CompiledPrices, DerivedBucket } from "./compile-catalog.js";
import { formatPicoDollars } from "./decimal.js";
import { ratesFor } from "./price-rates.js";
import type { CostBreakdown, CostEstimate, ResolvedModel } from "./types.js";
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

function unpriced(resolved: ResolvedModel, reason: string): CostEstimate {
  const { model, catalogId, provider } = resolved;
  return { priced: false, costUsd: "0", model, catalogId, provider, reason };
}

/** Prices validated usage with a resolved entry at an instant (undefined: now). */
export function priceUsage(
  resolved: ResolvedModel,
  compiled: CompiledEntry,
  usage: ValidUsage,
  ms: number | undefined,
  pricingVersion: string,
): CostEstimate {
  if (compiled.periods.length === 0) {
    return unpriced(resolved, compiled.entry.unpriced ?? "the catalog has no price for this model");
  }
  const last = compiled.periods[compiled.periods.length - 1]!;
  const instant = ms ?? (last.fromMs === -Infinity ? -Infinity : Date.now());
  const period = periodAt(compiled.periods, instant);
  if (!period) {
    const first = compiled.entry.prices[0]?.from ?? "";
    return unpriced(
      resolved,
      `no price in force at ${new Date(instant).toISOString()}; the earliest known price starts ${first}`,
    );
  }
  const totalInput = usage.input + usage.cacheRead + usage.cacheWrite + usage.cacheWrite1h;
  let prices: CompiledPrices = period.prices;
  let tier = "base";
  for (const candidate of period.tiers) {
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
  const estimate: CostEstimate = {
    priced: true,
    costUsd,
    model: resolved.model,
    catalogId: resolved.catalogId,
    provider: resolved.provider,
    pricingVersion,
    tier,
    breakdown,
    matchedBy: resolved.matchedBy,
    rates: ratesFor(resolved, compiled, period, prices, tier, pricingVersion),
  };
  if (resolved.note !== undefined) estimate.note = resolved.note;
  if (period.derived.length > 0) {
    const rules = rulesUsed(period.derived, usage);
    if (rules.length > 0) estimate.rules = rules;
  }
  return estimate;
}
