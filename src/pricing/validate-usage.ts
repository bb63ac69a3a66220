import { LedgerError } from "../errors.js";

/** Largest token count accepted in one bucket of one call. */
export const MAX_TOKENS = 1_000_000_000;

/** Usage checked and with absent buckets as 0. */
export interface ValidUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cacheWrite1h: number;
  reasoning: number;
  /** Web searches (or grounded prompts) billed per unit. */
  webSearch: number;
  /** Audio and image tokens reported apart from text (not inside `input` or `output`). */
  audioInput: number;
  audioOutput: number;
  imageOutput: number;
  /** Cached audio input tokens, a cache read apart from `cacheRead` (which is cached text). */
  cacheReadAudio: number;
}

function tokens(value: unknown, key: string, unit = "tokens"): number {
  if (value === undefined) return 0;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_TOKENS) return value;
  throw new LedgerError("E_USAGE", `usage.${key} ${problem(value, unit)}`);
}

function problem(value: unknown, unit: string): string {
  if (typeof value !== "number")
    return `must be a number of ${unit}, got ${value === null ? "null" : typeof value}`;
  if (Number.isNaN(value)) return `must be a number of ${unit}, got NaN`;
  if (!Number.isFinite(value)) return `must be finite, got ${value}`;
  if (value < 0) return `must not be negative, got ${value}`;
  if (!Number.isInteger(value)) return `must be a whole number of ${unit}, got ${value}`;
  return `must be at most ${MAX_TOKENS} ${unit} per call, got ${value}`;
}

const KNOWN_KEYS = [
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "cacheWrite1hTokens",
  "reasoningTokens",
  "webSearchRequests",
  "audioInputTokens",
  "audioOutputTokens",
  "imageOutputTokens",
  "cacheReadAudioTokens",
];

function isUsageKey(key: string): boolean {
  switch (key) {
    case "inputTokens":
    case "outputTokens":
    case "cacheReadTokens":
    case "cacheWriteTokens":
    case "cacheWrite1hTokens":
    case "reasoningTokens":
    case "webSearchRequests":
    case "audioInputTokens":
    case "audioOutputTokens":
    case "imageOutputTokens":
    case "cacheReadAudioTokens":
      return true;
    default:
      return false;
  }
}

/**
 * Checks a usage object against the usage convention and returns its counts. Throws `LedgerError`
 * `E_USAGE` naming the key and the problem: not an object, unknown key, negative, NaN, fractional,
 * above 10^9, or reasoning above output. `undefined` values count as absent.
 */
export function validateUsage(usage: unknown): ValidUsage {
  if (typeof usage !== "object" || usage === null || Array.isArray(usage)) {
    throw new LedgerError(
      "E_USAGE",
      `usage must be an object of token counts, got ${usage === null ? "null" : typeof usage}`,
    );
  }
  const record = usage as Record<string, unknown>;
  for (const key in record) {
    if (!isUsageKey(key)) {
      throw new LedgerError("E_USAGE", `usage.${key} is not a usage key (expected ${KNOWN_KEYS.join(", ")})`);
    }
  }
  const valid: ValidUsage = {
    input: tokens(record.inputTokens, "inputTokens"),
    output: tokens(record.outputTokens, "outputTokens"),
    cacheRead: tokens(record.cacheReadTokens, "cacheReadTokens"),
    cacheWrite: tokens(record.cacheWriteTokens, "cacheWriteTokens"),
    cacheWrite1h: tokens(record.cacheWrite1hTokens, "cacheWrite1hTokens"),
    reasoning: tokens(record.reasoningTokens, "reasoningTokens"),
    webSearch: tokens(record.webSearchRequests, "webSearchRequests", "requests"),
    audioInput: tokens(record.audioInputTokens, "audioInputTokens"),
    audioOutput: tokens(record.audioOutputTokens, "audioOutputTokens"),
    imageOutput: tokens(record.imageOutputTokens, "imageOutputTokens"),
    cacheReadAudio: tokens(record.cacheReadAudioTokens, "cacheReadAudioTokens"),
  };
  if (valid.reasoning > valid.output) {
    throw new LedgerError(
      "E_USAGE",
      `usage.reasoningTokens (${valid.reasoning}) exceeds usage.outputTokens (${valid.output}); outputTokens must include reasoning`,
    );
  }
  return valid;
}
