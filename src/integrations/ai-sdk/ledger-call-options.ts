/**
 * What a call may set under `providerOptions.llmLedger` to override the middleware's defaults.
 * `usedFallback` / `fallbackReason` are set by the task router on a fallback model's call.
 *
 * @example
 * await generateText({ model, prompt, providerOptions: { llmLedger: { taskType: "title", deliveryId: id } } });
 */
export interface LedgerCallOptions {
  repo?: string;
  taskType?: string;
  deliveryId?: string;
  metadata?: Record<string, unknown>;
  userId?: string;
  sessionId?: string;
  traceId?: string;
  environment?: string;
  usedFallback?: boolean;
  fallbackReason?: string;
}

/** The key under `providerOptions` that llm-ledger reads. */
export const LEDGER_OPTIONS_KEY = "llmLedger";

// The key, inside `llmLedger`, naming the middleware instance that records the call (see the middleware).
export const TRACKED_BY_KEY = "trackedBy";

const STRING_KEYS = [
  "repo",
  "taskType",
  "deliveryId",
  "userId",
  "sessionId",
  "traceId",
  "environment",
  "fallbackReason",
] as const;

/**
 * Reads `providerOptions.llmLedger`. It never throws: a call must not fail because of its bookkeeping,
 * so a field of the wrong type is ignored and the default applies.
 */
export function readLedgerCallOptions(
  providerOptions: Record<string, unknown> | undefined,
): LedgerCallOptions {
  const raw = providerOptions?.[LEDGER_OPTIONS_KEY];
  if (!isPlainObject(raw)) return {};
  const options: LedgerCallOptions = {};
  for (const key of STRING_KEYS) {
    const value = raw[key];
    if (typeof value === "string" && value.length > 0) options[key] = value;
  }
  if (typeof raw.usedFallback === "boolean") options.usedFallback = raw.usedFallback;
  if (isPlainObject(raw.metadata)) options.metadata = raw.metadata;
  return options;
}

/** `providerOptions` with `llmLedger` merged with `additions` (later keys win). */
export function withLedgerOptions<Options extends Record<string, unknown> | undefined>(
  providerOptions: Options,
  additions: Record<string, unknown>,
): Record<string, unknown> {
  const current = providerOptions?.[LEDGER_OPTIONS_KEY];
  return {
    ...providerOptions,
    [LEDGER_OPTIONS_KEY]: { ...(isPlainObject(current) ? current : {}), ...additions },
  };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
