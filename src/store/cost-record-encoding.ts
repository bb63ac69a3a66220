// Turns NewLlmCostRecord values into the text Postgres parses (COPY lines, or text arrays for unnest);
// cost-record-rows.ts reads stored rows back. Every value crosses as text and is cast in SQL, which is
// exact for money and avoids two postgres.js traps (jsonb[] stored as JSON strings, bool[] binding).
import type { NewLlmCostRecord } from "./cost-record.js";

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
  ["project", "text"],
  ["ingested_at", "timestamptz"],
  // Charges beyond tokens (migration 0009).
  ["service_tier", "text"],
  ["web_search_requests", "bigint"],
  // The rate set the cost was priced with (migration 0010).
  ["price_ref", "text"],
  ["span_id", "text"],
  // Modality tokens priced apart from text (migration 0013).
  ["audio_input_tokens", "bigint"],
  ["audio_output_tokens", "bigint"],
  ["image_output_tokens", "bigint"],
  // The list price before a negotiated discount (migration 0014).
  ["list_cost_usd", "numeric"],
  // Cached audio priced apart from cached text (migration 0016).
  ["cache_read_audio_tokens", "bigint"],
] as const;

/** The project of an event that names none (migration 0001's column default). */
export const defaultProject = "default";

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
    record.project ?? defaultProject,
    timeText(record.ingestedAt),
    record.serviceTier ?? null,
    count(record.webSearchRequests),
    record.priceRates?.ref ?? null,
    record.spanId ?? null,
    count(record.audioInputTokens),
    count(record.audioOutputTokens),
    count(record.imageOutputTokens),
    record.listCostUsd === undefined || record.listCostUsd === null ? null : decimalText(record.listCostUsd),
    count(record.cacheReadAudioTokens),
  ];
}

/** A time as Postgres reads it, or null (the store's own insert time) when absent. */
function timeText(value: string | Date | undefined): string | null {
  if (value === undefined) return null;
  return value instanceof Date ? value.toISOString() : value;
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

/** Escapes one text value for COPY's text format (`\N` for SQL NULL). */
export function copyField(value: string | null | undefined): string {
  if (value === null || value === undefined) return "\\N";
  if (!copySpecial.test(value)) return value;
  return value
    .replaceAll("\\", "\\\\")
    .replaceAll("\n", "\\n")
    .replaceAll("\r", "\\r")
    .replaceAll("\t", "\\t");
}

/**
 * One record as a COPY text-format line (with its newline): the same values as `recordValues`, in
 * `writeColumns` order. Built field by field without an intermediate array, since it runs for every
 * event written. The text of a number, a boolean or a Date cannot hold a character COPY escapes, so
 * only other values pass through `copyField` (including a string where the type says number: the
 * store takes records from JavaScript callers too, and one must never shift a column or add a row).
 */
export function copyLine(record: NewLlmCostRecord): string {
  const createdAt = record.createdAt;
  const providerCost = record.providerCostUsd;
  const duration = record.durationMs;
  const metadata = record.metadata;
  const listCost = record.listCostUsd;
  return (
    copyField(record.eventId) +
    "\t" +
    (createdAt instanceof Date ? createdAt.toISOString() : copyField(createdAt)) +
    "\t" +
    copyField(record.deliveryId) +
    "\t" +
    copyField(record.repo) +
    "\t" +
    copyField(record.taskType) +
    "\t" +
    copyField(record.model) +
    "\t" +
    copyField(record.resolvedModel) +
    "\t" +
    copyField(record.provider) +
    "\t" +
    copyField(record.sdk) +
    "\t" +
    countField(record.inputTokens) +
    "\t" +
    countField(record.outputTokens) +
    "\t" +
    countField(record.cacheReadTokens) +
    "\t" +
    countField(record.cacheWriteTokens) +
    "\t" +
    countField(record.cacheWrite1hTokens) +
    "\t" +
    countField(record.reasoningTokens) +
    "\t" +
    copyField(decimalText(record.estimatedCostUsd)) +
    "\t" +
    (providerCost === undefined || providerCost === null ? "\\N" : copyField(decimalText(providerCost))) +
    "\t" +
    copyField(record.costSource ?? "catalog") +
    (record.priced === false ? "\tf\t" : "\tt\t") +
    copyField(record.pricingVersion) +
    "\t" +
    (duration === undefined || duration === null
      ? "\\N"
      : typeof duration === "number"
        ? String(duration)
        : copyField(String(duration))) +
    (record.usedFallback === true ? "\tt\t" : "\tf\t") +
    copyField(record.fallbackReason) +
    "\t" +
    copyField(record.error) +
    "\t" +
    copyField(record.userId) +
    "\t" +
    copyField(record.sessionId) +
    "\t" +
    copyField(record.traceId) +
    "\t" +
    copyField(record.environment) +
    "\t" +
    (metadata === undefined || metadata === null ? "\\N" : copyField(JSON.stringify(metadata))) +
    "\t" +
    copyField(record.project ?? defaultProject) +
    "\t" +
    copyField(timeText(record.ingestedAt)) +
    "\t" +
    copyField(record.serviceTier) +
    "\t" +
    countField(record.webSearchRequests) +
    "\t" +
    copyField(record.priceRates?.ref) +
    "\t" +
    copyField(record.spanId) +
    "\t" +
    countField(record.audioInputTokens) +
    "\t" +
    countField(record.audioOutputTokens) +
    "\t" +
    countField(record.imageOutputTokens) +
    "\t" +
    (listCost === undefined || listCost === null ? "\\N" : copyField(decimalText(listCost))) +
    "\t" +
    countField(record.cacheReadAudioTokens) +
    "\n"
  );
}

/** A token count's COPY text ("0" when absent). */
function countField(value: number | undefined): string {
  return typeof value === "number" ? String(value) : copyField(count(value));
}

/** The records as COPY text-format input: one line per record. */
export function copyText(records: readonly NewLlmCostRecord[]): string {
  let text = "";
  for (let index = 0; index < records.length; index++) text += copyLine(records[index]!);
  return text;
}

/** The records as one text array per column (for `unnest($1::text[], …)`). */
export function columnArrays(records: readonly NewLlmCostRecord[]): (string | null)[][] {
  const arrays: (string | null)[][] = [];
  for (let column = 0; column < writeColumns.length; column++) {
    arrays.push(new Array<string | null>(records.length));
  }
  for (let row = 0; row < records.length; row++) {
    const values = recordValues(records[row]!);
    for (let column = 0; column < values.length; column++) arrays[column]![row] = values[column]!;
  }
  return arrays;
}
