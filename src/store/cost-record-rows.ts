// Stored rows back into records: the reading half of cost-record-encoding.ts, which writes them.
import { defaultProject } from "./cost-record-encoding.js";
import type { LlmCostRecord } from "./cost-record.js";

/** A raw `llm_cost_events` row as both engines return it. */
export type CostEventRow = Record<string, unknown>;

/** Maps a stored row (snake_case, BIGINT/NUMERIC as strings) to an LlmCostRecord. */
export function toCostRecord(row: CostEventRow): LlmCostRecord {
  const text = (key: string) => {
    const value = row[key];
    if (value === null || value === undefined) return null;
    return typeof value === "string" ? value : JSON.stringify(value);
  };
  const integer = (key: string) => Number(row[key] ?? 0);
  const time = (key: string) => {
    const value = row[key];
    return value instanceof Date ? value.toISOString() : new Date(value as string).toISOString();
  };
  return {
    id: String(row.id),
    project: text("project") ?? defaultProject,
    eventId: String(row.event_id),
    createdAt: time("created_at"),
    ingestedAt: time("ingested_at"),
    deliveryId: text("delivery_id"),
    repo: String(row.repo),
    taskType: String(row.task_type),
    model: String(row.model),
    resolvedModel: text("resolved_model"),
    provider: String(row.provider),
    sdk: String(row.sdk) as LlmCostRecord["sdk"],
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    cacheReadTokens: integer("cache_read_tokens"),
    cacheWriteTokens: integer("cache_write_tokens"),
    cacheWrite1hTokens: integer("cache_write_1h_tokens"),
    reasoningTokens: integer("reasoning_tokens"),
    estimatedCostUsd: String(row.estimated_cost_usd),
    providerCostUsd: text("provider_cost_usd"),
    costSource: String(row.cost_source) as LlmCostRecord["costSource"],
    priced: row.priced === true,
    pricingVersion: text("pricing_version"),
    durationMs: row.duration_ms === null || row.duration_ms === undefined ? null : Number(row.duration_ms),
    usedFallback: row.used_fallback === true,
    fallbackReason: text("fallback_reason"),
    error: text("error"),
    userId: text("user_id"),
    sessionId: text("session_id"),
    traceId: text("trace_id"),
    environment: text("environment"),
    metadata: (row.metadata as Record<string, unknown> | null | undefined) ?? null,
    serviceTier: text("service_tier"),
    webSearchRequests: integer("web_search_requests"),
    spanId: text("span_id"),
    audioInputTokens: integer("audio_input_tokens"),
    audioOutputTokens: integer("audio_output_tokens"),
    imageOutputTokens: integer("image_output_tokens"),
    listCostUsd: text("list_cost_usd"),
    cacheReadAudioTokens: integer("cache_read_audio_tokens"),
  };
}
