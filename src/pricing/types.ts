import type { DiscountRule } from "./discount-rules.js";

/** Canonical slugs naming the platform that bills you. */
export const PROVIDERS = [
  "anthropic",
  "openai",
  "google",
  "google-vertex",
  "aws-bedrock",
  "azure",
  "mistral",
  "deepseek",
  "xai",
  "groq",
  "together",
  "fireworks",
  "cohere",
  "openrouter",
  "perplexity",
  "meta",
  "unknown",
] as const;

/** A canonical provider slug. */
export type Provider = (typeof PROVIDERS)[number];

/**
 * The buckets of tokens a provider reports apart from text, each billed only at its own price: a
 * model without one is not priced for such tokens, never at the text rate. Where a provider charges
 * one price for every modality, the entry states that price for the bucket too.
 */
export const MODALITY_BUCKETS = ["audio_input", "audio_output", "image_output", "cache_read_audio"] as const;

/** One modality bucket, as spelled in the catalog files. */
export type ModalityBucket = (typeof MODALITY_BUCKETS)[number];

/** The priced token buckets, as spelled in the catalog files: text first, then the modalities. */
export const PRICE_BUCKETS = [
  ...(["input", "output", "cache_read", "cache_write", "cache_write_1h"] as const),
  ...MODALITY_BUCKETS,
] as const;

/** One priced token bucket, as spelled in the catalog files. */
export type PriceBucket = (typeof PRICE_BUCKETS)[number];

/** Prices in US dollars per million tokens, as decimal strings with at most 6 decimal places. */
export interface BucketPrices {
  input: string;
  output?: string;
  cache_read?: string;
  cache_write?: string;
  cache_write_1h?: string;
  /** Uncached audio input, audio output, image output: absent, such tokens are not priced. */
  audio_input?: string;
  audio_output?: string;
  image_output?: string;
  /** Cached audio input (a cache read apart from cached text): absent, cached audio is not priced. */
  cache_read_audio?: string;
}

/** A context tier: when all input (uncached + cache read + cache writes) exceeds `above`, these prices apply to every bucket. */
export interface PriceTier extends BucketPrices {
  above: number;
}

/** The prices in force from `from` (00:00 UTC of that date; absent for the first known price) until the next period. */
export interface PricePeriod extends BucketPrices {
  from?: string;
  tiers?: PriceTier[];
  /**
   * Buckets priced by a provider's published rule rather than a price the host publishes, each with
   * the rule in words (`cache_write_1h = 2 × input …`). An estimate that bills such a bucket lists
   * the rule in `rules`, so a derived price is never mistaken for a published one.
   */
  derived?: Partial<Record<PriceBucket, string>>;
  /**
   * Prices of the service tiers this model publishes for the period (`batch`, `flex`, `priority`):
   * a set of prices of its own, or a multiplier of the standard prices as a decimal string ("0.5").
   * Overrides the provider file's `charges.service_tiers` for this model.
   */
  service_tiers?: Partial<Record<ServiceTier, ServiceTierPrices | string>>;
  /** Per-unit fees of this model (US dollars per unit), over the provider file's `charges.fees`. */
  fees?: Partial<Record<FeeKind, string>>;
  /**
   * Hours of the week billed at other prices than the period's own (DeepSeek's weekday peak hours),
   * each window with its full set of prices. Outside every window the period's own prices apply.
   */
  time_of_day?: TimeOfDayWindow[];
}

/** The days of the week as the catalog spells them, Monday first. */
export const WEEK_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** One day of the week, as spelled in the catalog files. */
export type WeekDay = (typeof WEEK_DAYS)[number];

/**
 * A window of the week with prices of its own: on `days`, from `from` (inclusive) to `to`
 * (exclusive), "HH:MM" on the clock of `time_zone` (an IANA name, or "UTC"). A window does not cross
 * midnight ("24:00" ends a day); the windows of a period share one time zone and never overlap.
 */
export interface TimeOfDayWindow extends BucketPrices {
  /** What the provider calls these hours ("peak"). */
  name: string;
  days: WeekDay[];
  from: string;
  to: string;
  time_zone: string;
}

/** The canonical service tiers: how fast a provider serves a call, and at what price. */
export const SERVICE_TIERS = ["standard", "batch", "flex", "priority"] as const;

/** A canonical service tier; `standard` is the list price every period states. */
export type ServiceTier = (typeof SERVICE_TIERS)[number];

/** A service tier's own prices: the buckets and, optionally, its own context tiers. */
export interface ServiceTierPrices extends BucketPrices {
  tiers?: PriceTier[];
}

/** The per-unit fees the catalog prices, as spelled in the catalog files. */
export const FEE_KINDS = ["web_search"] as const;

/** One per-unit fee: `web_search` is one search (or grounded prompt) the provider bills. */
export type FeeKind = (typeof FEE_KINDS)[number];

/**
 * A provider's charges beyond the tokens of one model: service tier multipliers of the standard
 * prices and per-unit fees, for every model of the file unless a period says otherwise.
 */
export interface ProviderCharges {
  /** Multipliers of the standard prices by tier, as decimal strings ("0.5": half price). */
  service_tiers?: Partial<Record<ServiceTier, string>>;
  /** US dollars per unit, as decimal strings with at most 6 decimal places ("0.01" per search). */
  fees?: Partial<Record<FeeKind, string>>;
  /** Where the charges are published. */
  source: string;
  /** When they were compared with `source` (YYYY-MM-DD). */
  checked: string;
}

/** One model of the catalog as written in a data file. */
export interface ModelEntry {
  id: string;
  name?: string;
  /** Exact spellings (case-insensitive) that resolve to this entry. */
  aliases?: string[];
  /** Regular expressions (case-insensitive) that resolve to this entry when no exact spelling matches. */
  patterns?: string[];
  /** Price history, oldest first. Empty only when `unpriced` says why. */
  prices: PricePeriod[];
  /** Why the model has no price (for example a free preview without a published list price). */
  unpriced?: string;
  source?: string;
  checked?: string;
  notes?: string;
  /**
   * The day (YYYY-MM-DD, from 00:00 UTC) the provider stopped serving this id. A call at or after it
   * is `priced: false` with a reason naming the date: the provider refuses such a call, so one that
   * was recorded is mislabelled, and a plausible price would hide that.
   */
  retired?: string;
}

/** Where imported price data came from: a package, its version and the day it was published. */
export interface ImportedFrom {
  package: string;
  version: string;
  /** The package version's publish date (YYYY-MM-DD): the newest its data can be. */
  published: string;
}

/** One provider's data file, `data/pricing/<provider>.json`. */
export interface ProviderFile {
  provider: Provider;
  name: string;
  source: string;
  /** When the prices were compared with `source` (YYYY-MM-DD); absent when nobody compared them. */
  checked?: string;
  /** Set when the prices were imported from a package instead of compared with `source`. */
  imported?: ImportedFrom;
  notes?: string;
  /** Providers whose list prices this one charges for models it does not list itself (Azure → OpenAI). */
  fallback?: Provider[];
  /** Service tiers and per-unit fees of every model of the file (see `ProviderCharges`). */
  charges?: ProviderCharges;
  models: ModelEntry[];
}

/** `data/pricing/catalog.json`: the catalog's own date and the files it is made of. */
export interface CatalogManifest {
  date: string;
  providers: Provider[];
  generatedFrom?: string;
}

/** A user overrides file: models that add to or replace catalog entries, and negotiated discounts. */
export interface OverridesFile {
  models: (ModelEntry & { provider: Provider })[];
  /** Negotiated percentage discounts off the list price (docs/pricing.md, "Negotiated rates"). */
  discounts?: DiscountRule[];
}

export type * from "./estimate-types.js";
