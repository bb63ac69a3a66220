// Parse at the edge: whatever a caller hands to `track…` arrives as `unknown` and leaves as a
// ValidInput or a reason. Only own properties are read (a polluted prototype supplies nothing), keys
// that could pollute a prototype are refused, and every value is checked against what the
// llm_cost_events columns accept, so that one bad event can never make a whole batch fail.
import { costSdks, isEventId, type CostSdk } from "../store/cost-record.js";
import { parseCreatedAt } from "./parse-created-at.js";
import { validateMetadata } from "./validate-metadata.js";
import { cleanFreeText, unstorableText } from "./well-formed-text.js";

/** An input that passed validation, before it is stamped and priced. */
export interface ValidInput {
  eventId: string | undefined;
  /** Epoch milliseconds, when the caller gave a time. */
  createdAt: number | undefined;
  repo: string;
  taskType: string;
  model: string;
  provider: string | undefined;
  sdk: CostSdk;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
  reasoningTokens: number;
  durationMs: number | null;
  usedFallback: boolean;
  fallbackReason: string | null;
  deliveryId: string | null;
  error: string | null;
  providerCostUsd: string | null;
  userId: string | null;
  sessionId: string | null;
  traceId: string | null;
  environment: string | null;
  metadata: Record<string, unknown> | null;
}

/** Which tracking call the input came through: decides where tokens and money are read from. */
export type InputShape = "record" | "ai" | "agent" | "usage";

export type ParsedInput = { ok: true; input: ValidInput } | { ok: false; reason: string; eventId: string };

/** Largest token count of one bucket of one call (as the pricing module accepts). */
export const maxTokens = 1_000_000_000;
const maxNameLength = 512;
const maxErrorLength = 8_000;
/** The dollar ceiling of NUMERIC(20,12). */
const maxMoney = 1e8;
const maxDuration = 2_147_483_647;
const dangerousKeys = new Set(["__proto__", "constructor", "prototype"]);
const decimalPattern = /^\d{1,8}(\.\d{1,12})?$/;

class InvalidInput extends Error {}

function fail(reason: string): never {
  throw new InvalidInput(reason);
}

/** Validates one tracking call's argument. Never throws. */
export function parseTrackInput(value: unknown, shape: InputShape, defaultSdk: CostSdk): ParsedInput {
  let eventId = "";
  try {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      fail(`the event must be an object, got ${describe(value)}`);
    }
    const source = value as Record<string, unknown>;
    refuseDangerousKeys(source, "");
    const givenId = readOwn(source, "eventId");
    if (givenId !== undefined) {
      if (!isEventId(givenId)) fail("eventId must be a UUID string");
      eventId = givenId.toLowerCase();
    }
    const tokens = shape === "usage" ? usageObject(readOwn(source, "usage")) : source;
    const tokenPrefix = shape === "usage" ? "usage." : "";
    const outputTokens = tokenCount(readOwn(tokens, "outputTokens"), tokenPrefix, "outputTokens", true);
    const reasoningTokens = tokenCount(
      readOwn(tokens, "reasoningTokens"),
      tokenPrefix,
      "reasoningTokens",
      false,
    );
    if (reasoningTokens > outputTokens) {
      fail(`${tokenPrefix}reasoningTokens (${reasoningTokens}) cannot exceed outputTokens (${outputTokens})`);
    }
    const input: ValidInput = {
      eventId: eventId || undefined,
      createdAt: time(readOwn(source, "createdAt")),
      repo: name(readOwn(source, "repo"), "repo"),
      taskType: name(readOwn(source, "taskType"), "taskType"),
      model: name(readOwn(source, "model"), "model"),
      provider: optionalName(readOwn(source, "provider"), "provider") ?? undefined,
      sdk: sdk(readOwn(source, "sdk"), defaultSdk),
      inputTokens: tokenCount(readOwn(tokens, "inputTokens"), tokenPrefix, "inputTokens", true),
      outputTokens,
      cacheReadTokens: tokenCount(readOwn(tokens, "cacheReadTokens"), tokenPrefix, "cacheReadTokens", false),
      cacheWriteTokens: tokenCount(
        readOwn(tokens, "cacheWriteTokens"),
        tokenPrefix,
        "cacheWriteTokens",
        false,
      ),
      cacheWrite1hTokens: tokenCount(
        readOwn(tokens, "cacheWrite1hTokens"),
        tokenPrefix,
        "cacheWrite1hTokens",
        false,
      ),
      reasoningTokens,
      durationMs: duration(readOwn(source, "durationMs")),
      usedFallback: flag(readOwn(source, "usedFallback"), "usedFallback"),
      fallbackReason: optionalName(readOwn(source, "fallbackReason"), "fallbackReason"),
      deliveryId: optionalName(readOwn(source, "deliveryId"), "deliveryId"),
      error: errorText(readOwn(source, "error")),
      providerCostUsd: money(
        readOwn(
          source,
          shape === "agent" && readOwn(source, "costUsd") !== undefined ? "costUsd" : "providerCostUsd",
        ),
        shape === "agent" ? "costUsd" : "providerCostUsd",
      ),
      userId: optionalName(readOwn(source, "userId"), "userId"),
      sessionId: optionalName(readOwn(source, "sessionId"), "sessionId"),
      traceId: optionalName(readOwn(source, "traceId"), "traceId"),
      environment: optionalName(readOwn(source, "environment"), "environment"),
      metadata: metadata(readOwn(source, "metadata")),
    };
    return { ok: true, input };
  } catch (error) {
    const reason = error instanceof Error ? error.message : "unreadable input";
    return {
      ok: false,
      reason: error instanceof InvalidInput ? reason : `unreadable input: ${reason}`,
      eventId,
    };
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  return typeof value;
}

/**
 * Fails on an own enumerable key that could pollute a prototype, naming the first in key order.
 * Three own-property checks decide the common case without listing the keys (this runs per event).
 */
function refuseDangerousKeys(source: Record<string, unknown>, prefix: string): void {
  const suspect =
    Object.hasOwn(source, "__proto__") ||
    Object.hasOwn(source, "constructor") ||
    Object.hasOwn(source, "prototype");
  if (!suspect) return;
  for (const key of Object.keys(source)) {
    if (dangerousKeys.has(key)) fail(`key "${prefix}${key}" is not allowed (prototype pollution)`);
  }
}

/** An own property of `source` (a polluted prototype supplies nothing). */
function readOwn(source: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(source, key) ? source[key] : undefined;
}

function usageObject(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(`usage must be an object of token counts, got ${describe(value)}`);
  }
  const usage = value as Record<string, unknown>;
  refuseDangerousKeys(usage, "usage.");
  return usage;
}

function name(value: unknown, field: string): string {
  if (typeof value !== "string" || value.trim() === "") {
    fail(`${field} must be a non-empty string, got ${describe(value)}`);
  }
  return checkedText(value, field);
}

function optionalName(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") fail(`${field} must be a string, got ${describe(value)}`);
  return checkedText(value, field);
}

/** A dimension: refused, never rewritten, when it cannot be stored as given (it is a grouping key). */
function checkedText(value: string, field: string): string {
  if (value.length > maxNameLength) fail(`${field} is longer than ${maxNameLength} characters`);
  const problem = unstorableText(value);
  if (problem !== undefined) fail(`${field} ${problem}`);
  return value;
}

/** Error messages come from anywhere: kept (truncated, NULs and lone surrogates replaced). */
function errorText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") fail(`error must be a string, got ${describe(value)}`);
  return cleanFreeText(value, maxErrorLength);
}

/** A token count; `prefix + key` names it in a failure (built only then: this runs per event). */
function tokenCount(value: unknown, prefix: string, key: string, required: boolean): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= maxTokens) return value;
  const field = `${prefix}${key}`;
  if (value === undefined || value === null) {
    if (required) fail(`${field} is required`);
    return 0;
  }
  if (typeof value !== "number") fail(`${field} must be a number of tokens, got ${describe(value)}`);
  if (!Number.isInteger(value)) fail(`${field} must be a whole number of tokens, got ${value}`);
  if (value < 0) fail(`${field} must not be negative, got ${value}`);
  if (value > maxTokens) fail(`${field} must be at most ${maxTokens} tokens per call, got ${value}`);
  return value;
}

/** Metadata's own checks name the path of the problem: their reason is precise as it is. */
function metadata(value: unknown): Record<string, unknown> | null {
  try {
    return validateMetadata(value);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

function duration(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    fail(`durationMs must be a finite number, got ${describe(value)}`);
  }
  if (value < 0) fail(`durationMs must not be negative, got ${value}`);
  if (value > maxDuration) fail(`durationMs must be at most ${maxDuration}, got ${value}`);
  return Math.round(value);
}

function flag(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") fail(`${field} must be a boolean, got ${describe(value)}`);
  return value;
}

function sdk(value: unknown, defaultSdk: CostSdk): CostSdk {
  if (value === undefined || value === null) return defaultSdk;
  if (typeof value !== "string" || !(costSdks as readonly string[]).includes(value)) {
    fail(`sdk must be one of ${costSdks.join(", ")}`);
  }
  return value as CostSdk;
}

function time(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = parseCreatedAt(value);
  if (typeof parsed !== "number") fail(parsed.reason);
  return parsed;
}

function money(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0 || value >= maxMoney) {
      fail(`${field} must be a dollar amount from 0 to ${maxMoney}, got ${value}`);
    }
    const text = String(value);
    return text.includes("e") ? value.toFixed(12).replace(/\.?0+$/, "") : text;
  }
  if (typeof value === "string" && decimalPattern.test(value)) return value;
  fail(`${field} must be a number or a decimal string such as "0.0123", got ${describe(value)}`);
}
