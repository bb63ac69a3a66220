import { feeMicros, serviceTierSources, type ServiceTierSource } from "./compile-charges.js";
import { entryVersions } from "./model-version.js";
import { compileModalities, micros, type ModalityMicros } from "./modality-prices.js";
import type { PriceRates, RateProvenance } from "./price-rates.js";
import { compileTimeOfDay, type CompiledTimeOfDay } from "./time-of-day.js";
import type {
  BucketPrices,
  FeeKind,
  ModelEntry,
  PriceBucket,
  PricePeriod,
  PriceTier,
  Provider,
  ProviderCharges,
  ProviderFile,
  ServiceTier,
} from "./types.js";

// The catalog as the hot path wants it: integer prices, exact-spelling maps and compiled patterns.

/** Each bucket may hold this many tokens before tokens × price could leave the safe-integer range (sum of 5 < 2^53). */
const SAFE_PRODUCT = 2 ** 50;

/**
 * Prices in integer micro-dollars per million tokens; -1 where the catalog has no price for the
 * bucket. The modality buckets (`ModalityMicros`) are priced apart from the token path's five.
 */
export interface CompiledPrices extends ModalityMicros {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cacheWrite1h: number;
  /** Tokens per bucket below which tokens × price stays exact as a Number (input, output, cacheRead, cacheWrite, cacheWrite1h). */
  safeTokens: readonly [number, number, number, number, number];
  /** The rate sets estimates with these prices used (`price-rates.ts`), filled on first use. */
  rates: RateCache;
}

/** The rate sets of one period and tier, by resolution; the last one used is kept at hand. */
export interface RateCache {
  lastResolved: object | undefined;
  lastRates: PriceRates | undefined;
  byResolution: WeakMap<object, PriceRates>;
}

/** A context tier in compiled form. */
export interface CompiledTier {
  above: number;
  label: string;
  prices: CompiledPrices;
}

/** The usage counters of the buckets, as `ValidUsage` names them. */
export type UsageBucket =
  | "input"
  | "output"
  | "cacheRead"
  | "cacheWrite"
  | "cacheWrite1h"
  | "audioInput"
  | "audioOutput"
  | "imageOutput"
  | "cacheReadAudio";

/** A bucket priced by a published rule, and the rule in words. */
export interface DerivedBucket {
  bucket: UsageBucket;
  rule: string;
}

/** A price period in compiled form. */
export interface CompiledPeriod {
  /** Start in ms since the epoch (00:00 UTC of its date), -Infinity for the first known price. */
  fromMs: number;
  prices: CompiledPrices;
  tiers: readonly CompiledTier[];
  /** Buckets priced by a rule (empty for almost every period, so the hot path skips it). */
  derived: readonly DerivedBucket[];
  /** The charges beyond standard prices, compiled on first need (`chargesOf`): few calls use them. */
  charges: PeriodCharges;
  /** Hours with prices of their own (`time-of-day.ts`); undefined for almost every period. */
  timeOfDay: CompiledTimeOfDay | undefined;
}

/** A period's service tiers and fees: the sources, and their compiled form once an estimate needed it. */
export interface PeriodCharges {
  period: PricePeriod;
  provider: EntryCharges | undefined;
  compiled:
    | {
        /** Prices at the other service tiers (undefined when the period and its provider publish none). */
        serviceTiers: ReadonlyMap<ServiceTier, CompiledServiceTier> | undefined;
        /** Per-unit fees in integer micro-dollars per unit (undefined when none is priced). */
        fees: ReadonlyMap<FeeKind, number> | undefined;
      }
    | undefined;
}

/** A service tier's prices in compiled form. */
export interface CompiledServiceTier {
  prices: CompiledPrices;
  tiers: readonly CompiledTier[];
  /** The rule that derived the prices, listed in the estimate's `rules`. */
  rule: string | undefined;
  /** Input tokens above which the tier has no price. */
  limit: number | undefined;
}

const USAGE_BUCKETS: Readonly<Record<PriceBucket, UsageBucket>> = {
  input: "input",
  output: "output",
  cache_read: "cacheRead",
  cache_write: "cacheWrite",
  cache_write_1h: "cacheWrite1h",
  audio_input: "audioInput",
  audio_output: "audioOutput",
  image_output: "imageOutput",
  cache_read_audio: "cacheReadAudio",
};
const NONE_DERIVED: readonly DerivedBucket[] = Object.freeze([]);

/** A catalog entry with its provider and compiled prices. */
export interface CompiledEntry {
  entry: ModelEntry;
  provider: Provider;
  periods: readonly CompiledPeriod[];
  /** The versions the entry's spellings name, computed on first need (see `versionsOf`). */
  versions: ReadonlySet<string> | undefined;
  /** The canonical model id (`canonical-model.ts`), computed on first resolution. */
  canonical: string | undefined;
  /** Where the entry's prices come from, kept in the rate sets of its estimates. */
  provenance?: RateProvenance | undefined;
  /** 00:00 UTC of the day the provider retired the id (ms since the epoch); undefined while served. */
  retiredMs: number | undefined;
  /**
   * True when the entry has one price for all time (one undated period, no end, no time-of-day
   * windows): an estimate without `at` then needs no clock.
   */
  undated: boolean;
}

/** One provider's lookup structures. */
export interface ProviderIndex {
  provider: Provider;
  exact: Map<string, { compiled: CompiledEntry; byId: boolean }>;
  patterns: { regex: RegExp; compiled: CompiledEntry }[];
  fallback: readonly Provider[];
  file: ProviderFile | undefined;
}

function safeTokens(price: number): number {
  return price <= 0 ? Number.MAX_SAFE_INTEGER : Math.floor(SAFE_PRODUCT / price);
}

/** Compiles a set of bucket prices. */
export function compilePrices(prices: BucketPrices): CompiledPrices {
  const input = micros(prices.input);
  const output = micros(prices.output);
  const cacheRead = micros(prices.cache_read);
  const cacheWrite = micros(prices.cache_write);
  const cacheWrite1h = micros(prices.cache_write_1h);
  // A missing bucket is billed at the input price, so its safe limit is the input's.
  const limit = (price: number) => safeTokens(price < 0 ? input : price);
  return {
    input,
    output,
    cacheRead,
    cacheWrite,
    cacheWrite1h,
    ...compileModalities(prices),
    safeTokens: [limit(input), limit(output), limit(cacheRead), limit(cacheWrite), limit(cacheWrite1h)],
    rates: { lastResolved: undefined, lastRates: undefined, byResolution: new WeakMap() },
  };
}

function compileTiers(tiers: readonly PriceTier[] | undefined): CompiledTier[] {
  return (tiers ?? []).map((tier) => ({
    above: tier.above,
    label: `above-${tier.above}`,
    prices: compilePrices(tier),
  }));
}

function compileServiceTier(source: ServiceTierSource): CompiledServiceTier {
  return {
    prices: compilePrices(source.prices),
    tiers: compileTiers(source.tiers),
    rule: source.rule,
    limit: source.limit,
  };
}

/** The provider-wide charges of an entry's file, and the provider's name for the rules they state. */
export interface EntryCharges {
  charges: ProviderCharges | undefined;
  providerName: string;
}

/** A period's service tiers and fees in compiled form, compiled the first time an estimate asks. */
export function chargesOf(period: CompiledPeriod): NonNullable<PeriodCharges["compiled"]> {
  const charges = period.charges;
  if (charges.compiled) return charges.compiled;
  const provider = charges.provider;
  const tierSources = serviceTierSources(charges.period, provider?.charges, provider?.providerName ?? "");
  charges.compiled = {
    serviceTiers: tierSources
      ? new Map([...tierSources].map(([tier, source]) => [tier, compileServiceTier(source)] as const))
      : undefined,
    fees: feeMicros(charges.period, provider?.charges),
  };
  return charges.compiled;
}

function compilePeriod(period: PricePeriod, charges: EntryCharges | undefined): CompiledPeriod {
  return {
    fromMs: period.from === undefined ? -Infinity : Date.parse(`${period.from}T00:00:00Z`),
    prices: compilePrices(period),
    tiers: compileTiers(period.tiers),
    charges: { period, provider: charges, compiled: undefined },
    derived: period.derived
      ? Object.entries(period.derived).map(([bucket, rule]) => ({
          bucket: USAGE_BUCKETS[bucket as PriceBucket],
          rule,
        }))
      : NONE_DERIVED,
    timeOfDay: period.time_of_day ? compileTimeOfDay(period.time_of_day, compilePrices) : undefined,
  };
}

/** Compiles one model entry, with its provider file's charges (service tiers, fees) when it has any. */
export function compileEntry(entry: ModelEntry, provider: Provider, charges?: EntryCharges): CompiledEntry {
  const periods = entry.prices.map((period) => compilePeriod(period, charges));
  return {
    entry,
    provider,
    periods,
    versions: undefined,
    canonical: undefined,
    retiredMs: entry.retired === undefined ? undefined : Date.parse(`${entry.retired}T00:00:00Z`),
    undated:
      periods.length === 1 &&
      periods[0]!.fromMs === -Infinity &&
      entry.retired === undefined &&
      periods[0]!.timeOfDay === undefined,
  };
}

/**
 * The versions an entry's spellings name: a pattern match naming another version is refused. Read
 * only when a pattern or a stripped spelling matched, so loading the catalog stays cheap.
 */
export function versionsOf(compiled: CompiledEntry): ReadonlySet<string> {
  const { entry } = compiled;
  compiled.versions ??= entryVersions(entry.id, entry.aliases ?? [], entry.patterns ?? []);
  return compiled.versions;
}

/** Creates an empty index for a provider. */
export function emptyIndex(provider: Provider, file?: ProviderFile): ProviderIndex {
  return { provider, exact: new Map(), patterns: [], fallback: file?.fallback ?? [], file };
}

/** Adds an entry's id, aliases and patterns to an index; earlier claims on a spelling win. */
export function addToIndex(index: ProviderIndex, compiled: CompiledEntry): void {
  const { entry } = compiled;
  const id = entry.id.toLowerCase();
  if (!index.exact.has(id)) index.exact.set(id, { compiled, byId: true });
  for (const alias of entry.aliases ?? []) {
    const key = alias.toLowerCase();
    if (!index.exact.has(key)) index.exact.set(key, { compiled, byId: false });
  }
  for (const pattern of entry.patterns ?? [])
    index.patterns.push({ regex: new RegExp(pattern, "i"), compiled });
}
