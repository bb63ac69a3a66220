// A call span as an event of the shared model: its fields are built from the span and then checked by
// the same parser as every other entry point, so an OTLP event is refused for the same reasons and
// priced by the same pricer as one POSTed to /v1/events.
import { parseEventInput, type ValidInput } from "../../events/index.js";
import { normalizeServiceTier } from "../../pricing/index.js";
import type { OtlpSpan } from "./otlp-spans.js";
import { firstText } from "./span-attributes.js";
import { dimensionsOfSpan, type SpanAttribution } from "./span-attribution.js";
import { spanEventId } from "./span-event-id.js";
import { providerOfSpan } from "./span-provider.js";
import { usageOfSpan } from "./span-usage.js";

/**
 * The model attributes, in order: the id the response reports first, else the one requested, as the
 * AI SDK middleware records it (a dated snapshot prices as its alias).
 */
const modelKeys = [
  "gen_ai.response.model",
  "ai.response.model",
  "gen_ai.request.model",
  "ai.model.id",
  "llm.model_name",
  "embedding.model_name",
];
const providerKeys = [
  "gen_ai.provider.name",
  "gen_ai.system",
  "ai.model.provider",
  "llm.provider",
  "llm.system",
];

/**
 * The service tier the response reported (OpenAI semantic conventions, old and new names): read in
 * canonical form, and left out, never refusing the span, when it is no tier name.
 */
const serviceTierKeys = [
  "llm_ledger.service_tier",
  "openai.response.service_tier",
  "gen_ai.openai.response.service_tier",
];

function serviceTierOfSpan(span: OtlpSpan): string | undefined {
  const text = firstText(span, serviceTierKeys);
  return text === undefined ? undefined : normalizeServiceTier(text);
}
const zeroTraceId = "0".repeat(32);
const zeroSpanId = "0".repeat(16);

/** A call span turned into a validated event, or why it cannot be one. */
export type SpanEvent =
  { ok: true; input: ValidInput; eventId: string; createdAt: number } | { ok: false; reason: string };

/**
 * The event of one call span (see select-call-spans.ts for which spans are calls): usage mapped to our
 * convention, dimensions by `attribution`, the time of the call its end, the trace and span ids kept
 * and the event id derived from them.
 */
export function eventOfSpan(span: OtlpSpan, attribution: SpanAttribution): SpanEvent {
  // Ids are lower-case hex (both decoders make them so): their length is their byte count.
  if (span.traceId.length !== 32 || span.traceId === zeroTraceId) {
    return { ok: false, reason: "the span has no valid traceId (16 bytes, not all zero)" };
  }
  if (span.spanId.length !== 16 || span.spanId === zeroSpanId) {
    return { ok: false, reason: "the span has no valid spanId (8 bytes, not all zero)" };
  }
  const ttl = span.attributes.get("llm_ledger.cache_write_ttl");
  const usage = usageOfSpan(span, typeof ttl === "string" ? ttl : undefined);
  const createdAt = span.endMs ?? span.startMs;
  if (usage === undefined || createdAt === undefined) {
    return { ok: false, reason: "the span has no usage or no time" };
  }
  const dimensions = dimensionsOfSpan(span, attribution);
  const durationMs =
    span.startMs !== undefined && span.endMs !== undefined && span.endMs >= span.startMs
      ? span.endMs - span.startMs
      : undefined;
  const parsed = parseEventInput(
    {
      createdAt,
      repo: dimensions.repo,
      taskType: dimensions.taskType,
      model: firstText(span, modelKeys),
      provider: providerOfSpan(firstText(span, providerKeys)),
      sdk: "otel",
      // Field by field: a spread into this literal copied through a slow generic path, per span.
      inputTokens: usage.usage.inputTokens,
      outputTokens: usage.usage.outputTokens,
      cacheReadTokens: usage.usage.cacheReadTokens,
      cacheWriteTokens: usage.usage.cacheWriteTokens,
      cacheWrite1hTokens: usage.usage.cacheWrite1hTokens,
      reasoningTokens: usage.usage.reasoningTokens,
      audioInputTokens: usage.usage.audioInputTokens,
      audioOutputTokens: usage.usage.audioOutputTokens,
      imageOutputTokens: usage.usage.imageOutputTokens,
      durationMs,
      error: span.statusCode === 2 ? span.statusMessage || "error" : undefined,
      userId: dimensions.userId,
      sessionId: dimensions.sessionId,
      traceId: span.traceId,
      spanId: span.spanId,
      environment: dimensions.environment,
      metadata: dimensions.metadata,
      serviceTier: serviceTierOfSpan(span),
    },
    "record",
    "otel",
  );
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  return { ok: true, input: parsed.input, eventId: spanEventId(span.traceId, span.spanId), createdAt };
}
