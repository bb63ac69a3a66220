// What an estimate takes and gives: a call's token usage, how its model id was resolved, and the
// priced or unpriced outcome. The catalog's own shapes are in types.ts, which re-exports these.
import type { AppliedDiscount } from "./discount-rules.js";
import type { PriceRates } from "./price-rates.js";
import type { FeeKind, ModelEntry, Provider, ServiceTier } from "./types.js";

/**
 * Token usage of one call. `inputTokens` counts uncached text input only; `cacheWriteTokens` are 5-minute
 * cache writes; `outputTokens` is all billed text output including reasoning; `reasoningTokens` is
 * informational (already inside `outputTokens`). Audio and image tokens a provider reports apart are
 * in their own buckets, never also in `inputTokens`/`outputTokens`. A key whose value is `undefined`
 * counts as absent (0).
 */
export interface Usage {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  cacheReadTokens?: number | undefined;
  cacheWriteTokens?: number | undefined;
  cacheWrite1hTokens?: number | undefined;
  reasoningTokens?: number | undefined;
  /** Web searches (or grounded prompts) the provider billed for the call: priced per unit, not a token bucket. */
  webSearchRequests?: number | undefined;
  /** Uncached audio input tokens (not inside `inputTokens`). */
  audioInputTokens?: number | undefined;
  /** Audio output tokens (not inside `outputTokens`). */
  audioOutputTokens?: number | undefined;
  /** Image output tokens, generated images (not inside `outputTokens`). */
  imageOutputTokens?: number | undefined;
  /** Cached audio input tokens, a cache read apart from cached text (not inside `cacheReadTokens`). */
  cacheReadAudioTokens?: number | undefined;
}

/** How `resolveModel` found an entry. */
export type MatchRule =
  | "exact"
  | "alias"
  | "pattern"
  | "provider-prefix"
  | "agent-sdk-suffix"
  | "bedrock-id"
  | "vertex-version"
  | "dated-snapshot"
  | "version-suffix"
  | "dotted-version"
  | "override";

/** A resolved catalog entry. */
export interface ResolvedModel {
  /**
   * The canonical model id: the vendor's own id (`claude-sonnet-4-5`), also for a host's entry
   * (`regional.anthropic.claude-sonnet-4-5-20250929-v1:0` on Bedrock). Never a host's catalog key.
   */
  model: string;
  /** The catalog key of the entry (a host's spelling, `regional.…` on Bedrock); equals `model` for vendors. */
  catalogId: string;
  /** The provider whose catalog holds the entry. */
  provider: Provider;
  /** The rules that led from the spelling to the entry, first applied first. */
  matchedBy: MatchRule[];
  /** The spelling that finally matched (lower case). */
  matchedSpelling: string;
  /** Set when the caller's provider was not recognised and the entry was found by model id alone. */
  note?: string;
  entry: ModelEntry;
}

/** Cost per bucket as exact decimal strings in US dollars. */
export interface CostBreakdown {
  input: string;
  output: string;
  cacheRead: string;
  cacheWrite: string;
  cacheWrite1h: string;
  /** Buckets with tokens but no price of their own, billed at the input price. */
  billedAsInput: readonly ("output" | "cacheRead" | "cacheWrite" | "cacheWrite1h")[];
  /** The sum of `fees` (present only when the call has a fee): the rest is the token buckets. */
  fees?: string;
  /** The cost of each modality bucket, present only when the call had such tokens. */
  audioInput?: string;
  audioOutput?: string;
  imageOutput?: string;
  cacheReadAudio?: string;
}

/** One per-unit fee of an estimate: the units billed, the price of one, and their cost. */
export interface FeeCharge {
  fee: FeeKind;
  units: number;
  unitPriceUsd: string;
  costUsd: string;
}

/** A priced estimate. */
export interface PricedEstimate {
  /**
   * The rates this estimate used, with where they came from and `ref`, their hash: what an event
   * keeps so that its cost can be explained later without pricing it again (shared, frozen).
   */
  rates: PriceRates;
  priced: true;
  costUsd: string;
  /** The canonical model id (see `ResolvedModel.model`): what reports group by. */
  model: string;
  /** The catalog key of the entry that priced the call (see `ResolvedModel.catalogId`). */
  catalogId: string;
  provider: Provider;
  pricingVersion: string;
  /** `"base"`, or `"above-N"` when a context tier applied. */
  tier: string;
  breakdown: CostBreakdown;
  matchedBy: readonly MatchRule[];
  note?: string;
  /** The published rules that priced buckets the host lists no price for (see `PricePeriod.derived`). */
  rules?: readonly string[];
  /** The service tier that priced the call (`standard` when none was given). */
  serviceTier: ServiceTier;
  /** The time-of-day window that priced the call (`peak, weekdays 01:00-04:00 UTC`); absent outside one. */
  timeOfDay?: string;
  /** The per-unit fees billed (absent when the call used none); their sum is `breakdown.fees`. */
  fees?: readonly FeeCharge[];
  /**
   * The list price: the catalog's figure before a negotiated discount, the sum of `breakdown`. Equal
   * to `costUsd` when no discount applied.
   */
  listCostUsd: string;
  /** The negotiated discount that made `costUsd` lower than `listCostUsd`, when one applied. */
  discount?: AppliedDiscount;
}

/** An estimate that could not be priced: never a $0 posing as a price. */
export interface UnpricedEstimate {
  priced: false;
  costUsd: "0";
  /** The canonical model id of the entry found, else the id as given. */
  model: string;
  /** The catalog key of the entry found without a price in force; absent when no entry matched. */
  catalogId?: string;
  provider: Provider;
  reason: string;
  /** Set when the id names a version the catalog lacks: the entry of another version it resembles. */
  nearest?: { model: string; provider: Provider };
  /** Set when the call is dated at or after the day the provider retired the model (YYYY-MM-DD). */
  retired?: string;
}

/** The outcome of `estimateCost`. */
export type CostEstimate = PricedEstimate | UnpricedEstimate;

/** Arguments of `estimateCost`. */
export interface EstimateInput {
  model: string;
  provider?: string | undefined;
  usage: Usage;
  /** The time of the call (Date or ISO string): selects the price in force then. Default: now (never a period that starts later). */
  at?: Date | string | undefined;
  /**
   * The service tier that served the call (`standard`, `batch`, `flex`, `priority`; provider spellings
   * such as OpenAI's `default` are read as `standard`). Default `standard`. A tier the model has no
   * published price or rule for is `priced: false`, never priced as standard.
   */
  serviceTier?: string | null | undefined;
  /**
   * The project the call belongs to: selects a negotiated discount made for that project (overrides'
   * `discounts`). Absent: only discounts for every project apply.
   */
  project?: string | null | undefined;
}
