import { formatPicoDollars, priceToMicros } from "./decimal.js";
import type { BucketPrices, CostBreakdown, ModalityBucket } from "./types.js";
import type { ValidUsage } from "./validate-usage.js";

// Audio and image tokens a provider reports apart from text, priced at their own rates. They are
// never in the text buckets, so each token is billed once; a bucket the model has no price for makes
// the call unpriced, never billed at the text rate (as a service tier without a price is). Cached
// audio is one of them: a cache read, but OpenAI and Google price it apart from cached text (above
// it for gpt-realtime-mini and Gemini's Flash models), so the cached text price is no stand-in.

/** Compiled modality prices in integer micro-dollars per million tokens; -1 where none applies. */
export interface ModalityMicros {
  audioInput: number;
  audioOutput: number;
  imageOutput: number;
  cacheReadAudio: number;
}

/**
 * Each modality bucket in catalog order: its price's name, its usage counter (`ValidUsage` key) and
 * the usage field a caller sets.
 */
export const MODALITY_COUNTERS = [
  ["audio_input", "audioInput", "audioInputTokens"],
  ["audio_output", "audioOutput", "audioOutputTokens"],
  ["image_output", "imageOutput", "imageOutputTokens"],
  ["cache_read_audio", "cacheReadAudio", "cacheReadAudioTokens"],
] as const satisfies readonly (readonly [ModalityBucket, keyof ModalityMicros, string])[];

/** A price in micro-dollars per million tokens, -1 without one. */
export function micros(price: string | undefined): number {
  return price === undefined ? -1 : priceToMicros(price);
}

/** The modality prices of a set of prices, each its own or none (never the text price). */
export function compileModalities(prices: BucketPrices): ModalityMicros {
  return {
    audioInput: micros(prices.audio_input),
    audioOutput: micros(prices.audio_output),
    imageOutput: micros(prices.image_output),
    cacheReadAudio: micros(prices.cache_read_audio),
  };
}

/** True when the usage has tokens in any modality bucket (the estimator skips them otherwise). */
export function usesModalities(usage: ValidUsage): boolean {
  return usage.audioInput > 0 || usage.audioOutput > 0 || usage.imageOutput > 0 || usage.cacheReadAudio > 0;
}

/** The modality costs of a call, or the bucket the catalog has no price for. */
type ModalityOutcome =
  | {
      ok: true;
      totalPico: bigint;
      costs: Pick<CostBreakdown, "audioInput" | "audioOutput" | "imageOutput" | "cacheReadAudio">;
    }
  | { ok: false; bucket: ModalityBucket; tokens: number };

/** Prices the modality tokens of a call exactly (BigInt: these calls are rare beside text). */
export function priceModalities(prices: ModalityMicros, usage: ValidUsage): ModalityOutcome {
  let totalPico = 0n;
  const costs: Extract<ModalityOutcome, { ok: true }>["costs"] = {};
  for (const [bucket, counter] of MODALITY_COUNTERS) {
    const tokens = usage[counter];
    if (tokens === 0) continue;
    const price = prices[counter];
    if (price < 0) return { ok: false, bucket, tokens };
    // tokens × micro-dollars per million tokens = pico-dollars, the unit of every cost here.
    const pico = BigInt(tokens) * BigInt(price);
    totalPico += pico;
    costs[counter] = formatPicoDollars(pico);
  }
  return { ok: true, totalPico, costs };
}
