// Who and what a call span is booked under: the ledger's dimensions from span or resource attributes.
// The default mapping follows what instrumentations already set (OpenTelemetry resource and GenAI
// conventions, the AI SDK's telemetry options) and our own `llm_ledger.*` attributes, which come first.
import type { OtlpSpan } from "./otlp-spans.js";
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

/** The dimensions of one call span. */
export interface SpanDimensions {
  repo: string;
  taskType: string;
  userId: string | undefined;
  sessionId: string | undefined;
  environment: string | undefined;
  metadata: Record<string, unknown> | undefined;
}

/** The dimensions of `span` under `attribution`. */
export function dimensionsOfSpan(span: OtlpSpan, attribution: SpanAttribution): SpanDimensions {
  const dimensionKeys = new Set([
    ...attribution.repo,
    ...attribution.taskType,
    ...attribution.userId,
    ...attribution.sessionId,
    ...attribution.environment,
  ]);
  const metadata: Record<string, unknown> = {};
  let hasMetadata = false;
  for (const attributes of [span.resource, span.attributes]) {
    for (const [key, value] of attributes) {
      // An attribute that names a dimension is not repeated in metadata.
      if (value === undefined || dimensionKeys.has(key)) continue;
      const prefix = attribution.metadataPrefixes.find((candidate) => key.startsWith(candidate));
      if (prefix === undefined || key.length === prefix.length) continue;
      metadata[key.slice(prefix.length)] = value;
      hasMetadata = true;
    }
  }
  return {
    repo: firstText(span, attribution.repo) ?? attribution.fallbackRepo,
    taskType:
      firstText(span, attribution.taskType) ??
      firstText(span, ["gen_ai.operation.name"]) ??
      attribution.fallbackTaskType,
    userId: firstText(span, attribution.userId),
    sessionId: firstText(span, attribution.sessionId),
    environment: firstText(span, attribution.environment),
    metadata: hasMetadata ? metadata : undefined,
  };
}
