// Who and what a call span is booked under: the ledger's dimensions from span or resource attributes.
// The default mapping follows what instrumentations already set (OpenTelemetry resource and GenAI
// conventions, the AI SDK's telemetry options) and our own `llm_ledger.*` attributes, which come first.
import type { Attributes, OtlpSpan } from "./otlp-spans.js";
import { firstText } from "./span-attributes.js";

/**
 * Which attributes give each dimension, in order of preference; each key is looked up on the span,
 * then on its resource. The server's config may replace any list.
 */
export interface SpanAttribution {
  repo: readonly string[];
  taskType: readonly string[];
  userId: readonly string[];
  sessionId: readonly string[];
  environment: readonly string[];
  /** Attributes under these prefixes become metadata (the key after the prefix). */
  metadataPrefixes: readonly string[];
  /** The repo and task type of a span that carries none of their attributes. */
  fallbackRepo: string;
  fallbackTaskType: string;
}

/** The documented default mapping (docs/opentelemetry.md). */
export const defaultSpanAttribution: SpanAttribution = {
  repo: ["llm_ledger.repo", "ai.telemetry.metadata.repo", "service.name"],
  taskType: ["llm_ledger.task_type", "ai.telemetry.metadata.taskType", "ai.telemetry.functionId"],
  userId: ["llm_ledger.user_id", "ai.telemetry.metadata.userId", "user.id"],
  sessionId: [
    "llm_ledger.session_id",
    "ai.telemetry.metadata.sessionId",
    "gen_ai.conversation.id",
    "session.id",
  ],
  environment: ["llm_ledger.environment", "deployment.environment.name", "deployment.environment"],
  metadataPrefixes: ["llm_ledger.metadata.", "ai.telemetry.metadata."],
  fallbackRepo: "unknown",
  fallbackTaskType: "unknown",
};

const operationKeys = ["gen_ai.operation.name"];

/** The dimensions of one call span. */
export interface SpanDimensions {
  repo: string;
  taskType: string;
  userId: string | undefined;
  sessionId: string | undefined;
  environment: string | undefined;
  metadata: Record<string, unknown> | undefined;
}

/** Whether `key` names one of the dimensions (checked only for the rare keys under a metadata prefix). */
function namesDimension(key: string, attribution: SpanAttribution): boolean {
  return (
    attribution.repo.includes(key) ||
    attribution.taskType.includes(key) ||
    attribution.userId.includes(key) ||
    attribution.sessionId.includes(key) ||
    attribution.environment.includes(key)
  );
}

/** The first of `prefixes` that `key` starts with, when the key goes beyond it. */
function metadataPrefixOf(key: string, prefixes: readonly string[]): string | undefined {
  for (let index = 0; index < prefixes.length; index++) {
    const prefix = prefixes[index]!;
    if (key.startsWith(prefix)) return key.length > prefix.length ? prefix : undefined;
  }
  return undefined;
}

function addMetadata(
  metadata: Record<string, unknown> | undefined,
  attributes: Attributes,
  attribution: SpanAttribution,
): Record<string, unknown> | undefined {
  let result = metadata;
  // Keys, then a lookup for the rare match: iterating entries made a [key, value] pair per attribute
  // of every call span (and its resource), most of what mapping a span allocated.
  for (const key of attributes.keys()) {
    const prefix = metadataPrefixOf(key, attribution.metadataPrefixes);
    // An attribute that names a dimension is not repeated in metadata.
    if (prefix === undefined || namesDimension(key, attribution)) continue;
    const value = attributes.get(key);
    if (value === undefined) continue;
    result ??= {};
    result[key.slice(prefix.length)] = value;
  }
  return result;
}

/** The dimensions of `span` under `attribution`. */
export function dimensionsOfSpan(span: OtlpSpan, attribution: SpanAttribution): SpanDimensions {
  // The span's own attributes are added last: they win over the resource's.
  const metadata = addMetadata(
    addMetadata(undefined, span.resource, attribution),
    span.attributes,
    attribution,
  );
  return {
    repo: firstText(span, attribution.repo) ?? attribution.fallbackRepo,
    taskType:
      firstText(span, attribution.taskType) ?? firstText(span, operationKeys) ?? attribution.fallbackTaskType,
    userId: firstText(span, attribution.userId),
    sessionId: firstText(span, attribution.sessionId),
    environment: firstText(span, attribution.environment),
    metadata,
  };
}
