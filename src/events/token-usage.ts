// The token buckets of one LLM call, named once. Every place that counts tokens (the tracker's
// `trackUsage`, the integrations' adapters, the parser, the pricer, the CSV export) derives from here.
import { MAX_TOKENS, type Usage } from "../pricing/index.js";

/**
 * Token usage of one call in llm-ledger's convention: `inputTokens` is uncached text input only;
 * `cacheWriteTokens` are 5-minute cache writes and `cacheWrite1hTokens` 1-hour writes; `outputTokens`
 * is all billed text output including reasoning; `reasoningTokens` is informational (already inside
 * `outputTokens`). Audio and image tokens a provider reports apart are carved out of the text
 * buckets into their own (`audioInputTokens`, …, cached audio `cacheReadAudioTokens` out of
 * `cacheReadTokens`), so no token is billed twice. Absent buckets count as 0.
 * It is the pricing module's `Usage` (one list of buckets) with the two main buckets required.
 */
export interface EventUsage extends Usage {
  inputTokens: number;
  outputTokens: number;
}

/** The per-unit counters of a usage (priced per unit from the catalog's fees, not per token). */
export const feeFields = ["webSearchRequests"] as const satisfies readonly (keyof EventUsage)[];

/** The name of one per-unit counter. */
export type FeeField = (typeof feeFields)[number];

/** The name of one token bucket. */
export type TokenField = Exclude<keyof EventUsage, FeeField>;

/** A key of a usage: a token bucket or a per-unit counter. */
export type UsageField = TokenField | FeeField;

/**
 * The buckets of tokens reported apart from text, each carved out of `inputTokens`, `outputTokens`
 * or (cached audio) `cacheReadTokens`: modalities priced apart from text (migration 0013), then
 * cached audio priced apart from cached text (migration 0016).
 */
export const modalityFields = [
  "audioInputTokens",
  "audioOutputTokens",
  "imageOutputTokens",
  "cacheReadAudioTokens",
] as const satisfies readonly TokenField[];

/** Every token bucket, in the order of the ledger's columns (the modalities after the text ones). */
export const tokenFields = [
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "cacheWrite1hTokens",
  "reasoningTokens",
  ...modalityFields,
] as const satisfies readonly TokenField[];

/**
 * The one limit on a bucket of one call, at every entry point (tracker, HTTP ingest, import). It is
 * the pricing module's own limit, so every stored event can be priced and repriced; an import once
 * allowed 10^12, which stored events that a reprice then refused. No single call comes near it.
 */
export const maxTokensPerCall: number = MAX_TOKENS;

// The list names every bucket: the compiler checks it.
type MissingBucket = Exclude<TokenField, (typeof tokenFields)[number]>;
const everyBucketListed: MissingBucket extends never ? true : never = true;
void everyBucketListed;
