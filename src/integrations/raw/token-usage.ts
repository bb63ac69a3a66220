import { LedgerError } from "../../errors.js";
import type { TokenField, modalityFields } from "../../events/index.js";

type ModalityField = (typeof modalityFields)[number];

/**
 * Token usage in llm-ledger's convention, every text bucket present. `inputTokens` is uncached text
 * input only; `cacheWriteTokens` are 5-minute cache writes and `cacheWrite1hTokens` 1-hour writes;
 * `outputTokens` is all billed text output including reasoning; `reasoningTokens` is informational
 * (already inside `outputTokens`). Audio and image tokens the provider reports apart are carved out
 * of those into their own buckets, present when the call had any. It is what
 * `tracker.trackUsage({ usage })` and `estimateCost({ usage })` take.
 */
export type TokenUsage = { [Bucket in Exclude<TokenField, ModalityField>]-?: number } & {
  [Bucket in ModalityField]?: number;
} & {
  /** Web searches the provider billed for the call (Anthropic `server_tool_use.web_search_requests`), when it used any. */
  webSearchRequests?: number;
};

/** The audio and image buckets a reader carved out, each present only when the call had some. */
export function modalities(
  audioInput: number,
  audioOutput: number,
  imageOutput: number,
  cachedAudio: number,
): Partial<TokenUsage> {
  const buckets: Partial<TokenUsage> = {};
  if (audioInput > 0) buckets.audioInputTokens = audioInput;
  if (audioOutput > 0) buckets.audioOutputTokens = audioOutput;
  if (imageOutput > 0) buckets.imageOutputTokens = imageOutput;
  if (cachedAudio > 0) buckets.cacheReadAudioTokens = cachedAudio;
  return buckets;
}

/** A usage with every bucket at zero: what a call that failed before any token was counted used. */
export function emptyTokenUsage(): TokenUsage {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
  };
}

/**
 * Reads one token count from a provider payload: `null` and `undefined` (providers omit buckets
 * freely) count as 0; anything else must be a non-negative integer, or the payload is not a usage
 * object and the adapter says so with `E_USAGE_INVALID` rather than guess.
 */
export function tokenCount(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new LedgerError(
      "E_USAGE_INVALID",
      `${field} must be a non-negative integer token count, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** The value at `key` of `container` when it is a plain object, otherwise `undefined`. */
export function field(container: unknown, key: string): unknown {
  if (typeof container !== "object" || container === null || Array.isArray(container)) return undefined;
  return Object.prototype.hasOwnProperty.call(container, key)
    ? (container as Record<string, unknown>)[key]
    : undefined;
}

/** Throws `E_USAGE_INVALID` unless `usage` is a plain object. */
export function assertUsageObject(usage: unknown, name: string): asserts usage is Record<string, unknown> {
  if (typeof usage !== "object" || usage === null || Array.isArray(usage)) {
    throw new LedgerError("E_USAGE_INVALID", `${name} must be an object, got ${describeValue(usage)}`);
  }
}

/** `minuend - subtrahend`, but a payload whose parts exceed its total is an error, not a negative count. */
export function difference(minuend: number, subtrahend: number, what: string): number {
  if (subtrahend > minuend) {
    throw new LedgerError(
      "E_USAGE_INVALID",
      `${what}: the parts (${subtrahend}) exceed the total (${minuend})`,
    );
  }
  return minuend - subtrahend;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === "object") return "an object";
  return typeof value === "number" || typeof value === "boolean" ? String(value) : `a ${typeof value}`;
}
