// Turns NewLlmCostRecord values into the text Postgres parses (COPY lines, or text arrays for unnest),
// and stored rows back into LlmCostRecord. Every value crosses as text and is cast in SQL, which is
// exact for money and avoids two postgres.js traps (jsonb[] stored as JSON strings, bool[] binding).
import type { LlmCostRecord, NewLlmCostRecord } from "./cost-record.js";

/** The columns a write sets, in the order of COPY lines and unnest arrays, with their SQL types. */
export const writeColumns = [
  ["event_id", "uuid"],
  ["created_at", "timestamptz"],
  ["delivery_id", "text"],
  ["repo", "text"],
  ["task_type", "text"],
  ["model", "text"],
  ["resolved_model", "text"],
  ["provider", "text"],
  ["sdk", "text"],
  ["input_tokens", "bigint"],
  ["output_tokens", "bigint"],
  ["cache_read_tokens", "bigint"],
  ["cache_write_tokens", "bigint"],
  ["cache_write_1h_tokens", "bigint"],
  ["reasoning_tokens", "bigint"],
  ["estimated_cost_usd", "numeric"],
  ["provider_cost_usd", "numeric"],
  ["cost_source", "text"],
  ["priced", "boolean"],
  ["pricing_version", "text"],
  ["duration_ms", "integer"],
  ["used_fallback", "boolean"],
  ["fallback_reason", "text"],
  ["error", "text"],
  ["user_id", "text"],
  ["session_id", "text"],
  ["trace_id", "text"],
  ["environment", "text"],
  ["metadata", "jsonb"],
] as const;

export const writeColumnNames: readonly string[] = writeColumns.map(([name]) => name);

/** The values of one record as text (null for SQL NULL), in `writeColumns` order. */
export function recordValues(record: NewLlmCostRecord): (string | null)[] {
  return [
    record.eventId,
    record.createdAt instanceof Date ? record.createdAt.toISOString() : record.createdAt,
    record.deliveryId ?? null,
    record.repo,
    record.taskType,
    record.model,
    record.resolvedModel ?? null,
    record.provider,
    record.sdk,
    count(record.inputTokens),
    count(record.outputTokens),
    count(record.cacheReadTokens),
    count(record.cacheWriteTokens),
    count(record.cacheWrite1hTokens),
    count(record.reasoningTokens),
    decimalText(record.estimatedCostUsd),
    record.providerCostUsd === undefined || record.providerCostUsd === null
      ? null
      : decimalText(record.providerCostUsd),
    record.costSource ?? "catalog",
    record.priced === false ? "f" : "t",
    record.pricingVersion ?? null,
    record.durationMs === undefined || record.durationMs === null ? null : String(record.durationMs),
    record.usedFallback === true ? "t" : "f",
    record.fallbackReason ?? null,
    record.error ?? null,
    record.userId ?? null,
    record.sessionId ?? null,
    record.traceId ?? null,
    record.environment ?? null,
    record.metadata === undefined || record.metadata === null ? null : JSON.stringify(record.metadata),
  ];
}

function count(value: number | undefined): string {
  return value === undefined ? "0" : String(value);
}

/**
 * A money value as a plain decimal string. A number becomes its shortest round-trip decimal
 * (`0.1` stays "0.1", not 0.1000000000000000055…); tiny numbers printed with an exponent are
 * written out to 12 places, the column's scale.
 */
export function decimalText(value: string | number): string {
  if (typeof value === "string") return value;
  const text = String(value);
  if (!text.includes("e")) return text;
  return value.toFixed(12).replace(/\.?0+$/, "");
}

const copySpecial = /[\\\n\r\t]/;

/** Escapes one value for COPY's text format. */
function copyField(value: string | null): string {
  if (value === null) return "\\N";
  if (!copySpecial.test(value)) return value;
  return value
    .replaceAll("\\", "\\\\")
    .replaceAll("\n", "\\n")
    .replaceAll("\r", "\\r")
    .replaceAll("\t", "\\t");
}

/** The records as COPY text-format input: one line per record. */
export function copyText(records: readonly NewLlmCostRecord[]): string {
  let text = "";
  for (const record of records) {
    // Appended field by field (no per-row map/join arrays): this runs for every event written.
    const values = recordValues(record);
    text += copyField(values[0]!);
    for (let column = 1; column < values.length; column++) text += "\t" + copyField(values[column]!);
    text += "\n";
  }
  return text;
}

/** The records as one text array per column (for `unnest($1::text[], …)`). */
export function columnArrays(records: readonly NewLlmCostRecord[]): (string | null)[][] {
  const arrays: (string | null)[][] = writeColumns.map(() => new Array<string | null>(records.length));
  records.forEach((record, row) => {
    recordValues(record).forEach((value, column) => {
      arrays[column]![row] = value;
    });
  });
  return arrays;
}

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
  };
}
