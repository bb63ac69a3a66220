import { createHash } from "node:crypto";
import {
  chargesOf,
  type CompiledEntry,
  type CompiledPeriod,
  type CompiledPrices,
  type UsageBucket,
} from "./compile-catalog.js";
import { microsToPrice } from "./decimal.js";
import { MODALITY_COUNTERS } from "./modality-prices.js";
import type { KeptDiscount } from "./negotiated-discounts.js";
import type { CompiledWindow, TimeOfDayRecord } from "./time-of-day.js";
import type {
  FeeKind,
  ImportedFrom,
  MatchRule,
  PriceBucket,
  Provider,
  ProviderFile,
  ResolvedModel,
  ServiceTier,
} from "./types.js";

// The rates an estimate used, as a record an event can keep (docs/pricing.md, "Explain"): the
// explanation of a stored cost is computed from these, never by pricing the event again, so it adds
// up to the stored figure whatever catalog or overrides are in force later.

/**
 * One priced line of a rate set: a usage counter times a price. Token buckets are priced per million
 * tokens; other charges (fees) name their own unit, so an explanation iterates lines without knowing
 * which kinds exist.
 */
export interface PriceRateLine {
  kind: "tokens" | "fee";
  /** The bucket as the catalog spells it (`input`, `cache_write_1h`, …). */
  bucket: string;
  /** The event's counter this line multiplies (`inputTokens`, …). */
  usage: string;
  /** US dollars per `per` units, as an exact decimal string. */
  price: string;
  /** How many units `price` buys: 1,000,000 for tokens; a power of ten. */
  per: number;
  /** Set when the host publishes no price for the bucket, so the input price applied. */
  billedAs?: "input";
  /** The provider's published rule that priced the bucket (a price the host does not list). */
  rule?: string;
}

/** Where the prices came from: the catalog version, the entry's source and its date. */
export interface RateProvenance {
  /** The source URL the entry's prices were compared with or imported from. */
  source: string | null;
  /** When the prices were compared with `source` (YYYY-MM-DD). */
  checked: string | null;
  /** The package the prices were imported from, when they were. */
  imported: ImportedFrom | null;
  /** True when the entry comes from the user's overrides. */
  override: boolean;
}

/** The rates an estimate used, identified by `ref`, a hash of everything else in the record. */
export interface PriceRates extends RateProvenance {
  ref: string;
  model: string;
  catalogId: string;
  provider: Provider;
  pricingVersion: string;
  matchedBy: readonly MatchRule[];
  matchedSpelling: string;
  note: string | null;
  /** The first day of the price period (YYYY-MM-DD), null for the first known price. */
  periodFrom: string | null;
  /** `"base"`, or `"above-N"` when a context tier applied. */
  tier: string;
  /** The service tier whose prices applied (`standard` unless the call named another). */
  serviceTier: ServiceTier;
  lines: readonly PriceRateLine[];
  /**
   * The negotiated discount taken off the sum of `lines` (absent when none applied, so the sets of
   * undiscounted estimates keep the refs they had before discounts existed).
   */
  discount?: KeptDiscount;
  /** The time-of-day window whose prices are `lines` (absent outside every window). */
  timeOfDay?: TimeOfDayRecord;
}

/** The event counter each fee multiplies (the record's field name). */
const FEE_COUNTERS: Readonly<Record<FeeKind, string>> = { web_search: "webSearchRequests" };

const TOKEN_LINES: readonly [PriceBucket, UsageBucket, string][] = [
  ["input", "input", "inputTokens"],
  ["output", "output", "outputTokens"],
  ["cache_read", "cacheRead", "cacheReadTokens"],
  ["cache_write", "cacheWrite", "cacheWriteTokens"],
  ["cache_write_1h", "cacheWrite1h", "cacheWrite1hTokens"],
];

/** The provenance of an entry of a provider file, or of an override. */
export function provenanceOf(
  entry: CompiledEntry["entry"],
  file: ProviderFile | undefined,
  override: boolean,
): RateProvenance {
  return {
    source: entry.source ?? (override ? null : (file?.source ?? null)),
    checked: entry.checked ?? (override ? null : (file?.checked ?? null)),
    imported: override ? null : (file?.imported ?? null),
    override,
  };
}

function buildRates(
  resolved: ResolvedModel,
  compiled: CompiledEntry,
  period: CompiledPeriod,
  prices: CompiledPrices,
  tier: string,
  pricingVersion: string,
  serviceTier: ServiceTier,
  window: CompiledWindow | undefined,
): PriceRates {
  const periodIndex = compiled.periods.indexOf(period);
  const lines = TOKEN_LINES.map(([bucket, key, usage]): PriceRateLine => {
    const own = prices[key];
    const line: PriceRateLine = {
      kind: "tokens",
      bucket,
      usage,
      price: microsToPrice(own < 0 ? prices.input : own),
      per: 1_000_000,
    };
    if (own < 0) line.billedAs = "input";
    const rule = period.derived.find((derived) => derived.bucket === key)?.rule;
    if (rule !== undefined) line.rule = rule;
    return line;
  });
  // Modality lines only where the prices have one: without it such tokens leave a call unpriced
  // (never billed at the input price), and text-only rate sets keep the lines (and refs) they had.
  for (const [bucket, key, usage] of MODALITY_COUNTERS) {
    const own = prices[key];
    if (own < 0) continue;
    const line: PriceRateLine = { kind: "tokens", bucket, usage, price: microsToPrice(own), per: 1_000_000 };
    const rule = period.derived.find((derived) => derived.bucket === key)?.rule;
    if (rule !== undefined) line.rule = rule;
    lines.push(line);
  }
  // Every fee the period prices, whether this call billed it or not: the set then does not depend on
  // the call's counters, and a call's fee charge is its counter times the line's price.
  for (const [fee, micros] of chargesOf(period).fees ?? []) {
    lines.push({ kind: "fee", bucket: fee, usage: FEE_COUNTERS[fee], price: microsToPrice(micros), per: 1 });
  }
  const content = {
    model: resolved.model,
    catalogId: resolved.catalogId,
    provider: resolved.provider,
    pricingVersion,
    matchedBy: [...resolved.matchedBy],
    matchedSpelling: resolved.matchedSpelling,
    note: resolved.note ?? null,
    periodFrom: compiled.entry.prices[periodIndex]?.from ?? null,
    tier,
    serviceTier,
    lines,
    // Only where a window applied, so every other rate set keeps the ref it had.
    ...(window ? { timeOfDay: window.record } : {}),
    ...(compiled.provenance ?? provenanceOf(compiled.entry, undefined, false)),
  };
  const ref = createHash("sha256").update(JSON.stringify(content)).digest("hex").slice(0, 32);
  return Object.freeze({ ref, ...content });
}

/**
 * The rate set of an estimate, built and hashed once per resolution, period and tier and then
 * reused: the hot path pays a property read and a comparison (a WeakMap lookup when several
 * spellings share a period), never a hash.
 */
export function ratesFor(
  resolved: ResolvedModel,
  compiled: CompiledEntry,
  period: CompiledPeriod,
  prices: CompiledPrices,
  tier: string,
  pricingVersion: string,
  serviceTier: ServiceTier = "standard",
  window?: CompiledWindow,
): PriceRates {
  // Tier and window prices are compiled objects of their own, so their cache never holds another's set.
  const cache = prices.rates;
  if (cache.lastResolved === resolved && cache.lastRates) return cache.lastRates;
  let rates = cache.byResolution.get(resolved);
  if (!rates) {
    rates = buildRates(resolved, compiled, period, prices, tier, pricingVersion, serviceTier, window);
    cache.byResolution.set(resolved, rates);
  }
  cache.lastResolved = resolved;
  cache.lastRates = rates;
  return rates;
}
