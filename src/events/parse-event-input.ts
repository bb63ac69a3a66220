// Parse at the edge: whatever a caller hands to `track…`, HTTP ingest or import arrives as `unknown`
// and leaves as a ValidInput or a reason. Only own properties are read (a polluted prototype supplies
// nothing), keys that could pollute a prototype are refused, and every value is checked against what
// the llm_cost_events columns accept, so that one bad event can never make a whole batch fail.
import { isEventId, type CostSdk } from "../store/cost-record.js";
import { canonicalProvider } from "./canonical-provider.js";
import {
  duration,
  errorText,
  fail,
  flag,
  InvalidEvent,
  metadata,
  money,
  name,
  optionalName,
  plainObject,
  projectSlug,
  readOwn,
  sdk,
  spanId,
  time,
  tokenCount,
  type BlankNames,
} from "./field-checks.js";
import { serviceTier, unitCount } from "./charge-fields.js";

/** An input that passed validation, before it is stamped and priced. */
export interface ValidInput {
  eventId: string | undefined;
  /** The project the event names; null: its writer's (the tracker's `project`, the key's, `default`). */
  project: string | null;
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
  /** The canonical service tier, or the provider's word for an unknown one; null when not said. */
  serviceTier: string | null;
  webSearchRequests: number;
  spanId: string | null;
  /** Audio and image tokens reported apart from text (not inside inputTokens/outputTokens). */
  audioInputTokens: number;
  audioOutputTokens: number;
  imageOutputTokens: number;
  /** Cached audio input tokens, a cache read apart from cached text (not inside cacheReadTokens). */
  cacheReadAudioTokens: number;
}

/**
 * Which call the input came through, which decides where tokens and money are read from: `record`
 * (flat fields: `tracker.track`, HTTP ingest, import), `ai`, `agent` (`costUsd` is the provider's
 * figure) or `usage` (tokens inside a `usage` object).
 */
export type InputShape = "record" | "ai" | "agent" | "usage";

/** How an entry point parses: the same checks everywhere but for what is already in a ledger. */
export interface ParseInputOptions {
  /** `keep` for an event read back from an export (import); default `refuse`. */
  blankNames?: BlankNames | undefined;
}

/** A parsed input, or why it was refused (with the event's id when it carried a valid one). */
export type ParsedInput = { ok: true; input: ValidInput } | { ok: false; reason: string; eventId: string };

/**
 * Validates one event as a caller sent it, with the limits every entry point shares. Never throws.
 *
 * @example
 * const parsed = parseEventInput(body, "record", "http");
 * if (!parsed.ok) refuse(parsed.reason);
 */
export function parseEventInput(
  value: unknown,
  shape: InputShape,
  defaultSdk: CostSdk,
  options?: ParseInputOptions,
): ParsedInput {
  const blank = options?.blankNames ?? "refuse";
  let eventId = "";
  try {
    const source = plainObject(value, "the event must be an object", "");
    const givenId = readOwn(source, "eventId");
    if (givenId !== undefined) {
      if (!isEventId(givenId)) fail("eventId must be a UUID string");
      eventId = givenId.toLowerCase();
    }
    const tokens =
      shape === "usage"
        ? plainObject(readOwn(source, "usage"), "usage must be an object of token counts", "usage.")
        : source;
    const prefix = shape === "usage" ? "usage." : "";
    const outputTokens = tokenCount(readOwn(tokens, "outputTokens"), prefix, "outputTokens", true);
    const reasoningTokens = tokenCount(readOwn(tokens, "reasoningTokens"), prefix, "reasoningTokens", false);
    if (reasoningTokens > outputTokens) {
      fail(`${prefix}reasoningTokens (${reasoningTokens}) cannot exceed outputTokens (${outputTokens})`);
    }
    // An Agent SDK call reports its figure as `costUsd`; `providerCostUsd` is read when that is absent.
    const reportedField =
      shape === "agent" && readOwn(source, "costUsd") !== undefined ? "costUsd" : "providerCostUsd";
    const input: ValidInput = {
      eventId: eventId || undefined,
      project: projectSlug(readOwn(source, "project")),
      createdAt: time(readOwn(source, "createdAt")),
      repo: name(readOwn(source, "repo"), "repo", blank),
      taskType: name(readOwn(source, "taskType"), "taskType", blank),
      model: name(readOwn(source, "model"), "model", blank),
      provider: providerOf(optionalName(readOwn(source, "provider"), "provider")),
      sdk: sdk(readOwn(source, "sdk"), defaultSdk),
      inputTokens: tokenCount(readOwn(tokens, "inputTokens"), prefix, "inputTokens", true),
      outputTokens,
      cacheReadTokens: tokenCount(readOwn(tokens, "cacheReadTokens"), prefix, "cacheReadTokens", false),
      cacheWriteTokens: tokenCount(readOwn(tokens, "cacheWriteTokens"), prefix, "cacheWriteTokens", false),
      cacheWrite1hTokens: tokenCount(
        readOwn(tokens, "cacheWrite1hTokens"),
        prefix,
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
        readOwn(source, reportedField),
        shape === "agent" ? "costUsd" : "providerCostUsd",
      ),
      userId: optionalName(readOwn(source, "userId"), "userId"),
      sessionId: optionalName(readOwn(source, "sessionId"), "sessionId"),
      traceId: optionalName(readOwn(source, "traceId"), "traceId"),
      environment: optionalName(readOwn(source, "environment"), "environment"),
      metadata: metadata(readOwn(source, "metadata")),
      serviceTier: serviceTier(readOwn(source, "serviceTier")),
      webSearchRequests: unitCount(readOwn(tokens, "webSearchRequests"), prefix, "webSearchRequests"),
      spanId: spanId(readOwn(source, "spanId")),
      audioInputTokens: tokenCount(readOwn(tokens, "audioInputTokens"), prefix, "audioInputTokens", false),
      audioOutputTokens: tokenCount(readOwn(tokens, "audioOutputTokens"), prefix, "audioOutputTokens", false),
      imageOutputTokens: tokenCount(readOwn(tokens, "imageOutputTokens"), prefix, "imageOutputTokens", false),
      cacheReadAudioTokens: tokenCount(
        readOwn(tokens, "cacheReadAudioTokens"),
        prefix,
        "cacheReadAudioTokens",
        false,
      ),
    };
    return { ok: true, input };
  } catch (error) {
    return { ok: false, reason: reasonOf(error), eventId };
  }
}

/** A provider as stored: its canonical slug (`amazon-bedrock` → `aws-bedrock`), or none given. */
function providerOf(given: string | null): string | undefined {
  return given === null ? undefined : canonicalProvider(given);
}

/** The reason for a refusal: an `InvalidEvent` says it; anything else (a throwing getter) is unreadable. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : "unreadable input";
  return error instanceof InvalidEvent ? message : `unreadable input: ${message}`;
}
