import type { LlmCostRecord } from "../store/index.js";
import { formatCsvTable, type CsvColumn } from "./csv-cell.js";

/**
 * Every field of an exported event, in file order: the columns of `llm-ledger export --format csv` and
 * of `GET /v1/events` with `Accept: text/csv` (the JSONL objects carry the same keys).
 */
export const eventExportFields: ReadonlyArray<keyof LlmCostRecord> = [
  "eventId",
  "createdAt",
  "ingestedAt",
  "repo",
  "taskType",
  "model",
  "resolvedModel",
  "provider",
  "sdk",
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "cacheWrite1hTokens",
  "reasoningTokens",
  "estimatedCostUsd",
  "providerCostUsd",
  "costSource",
  "priced",
  "pricingVersion",
  "durationMs",
  "usedFallback",
  "fallbackReason",
  "error",
  "deliveryId",
  "userId",
  "sessionId",
  "traceId",
  "environment",
  "metadata",
];

/** The figures among the fields: CSV keeps them as they are; every other cell is text, neutralised. */
const numberFields = new Set<keyof LlmCostRecord>([
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "cacheWrite1hTokens",
  "reasoningTokens",
  "estimatedCostUsd",
  "providerCostUsd",
  "durationMs",
]);

const eventCsvColumns: CsvColumn<LlmCostRecord>[] = eventExportFields.map((field) => ({
  header: field,
  value: (record) => {
    const value = record[field];
    if (value === null || value === undefined) return "";
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  },
  kind: numberFields.has(field) ? "number" : "text",
}));

/**
 * Events as CSV lines for a spreadsheet (text that would start a formula gets a leading `'`), with the
 * header line first unless `header` is false (the pages after the first of one file).
 */
export function eventsCsv(events: readonly LlmCostRecord[], header = true): string {
  const text = formatCsvTable(eventCsvColumns, events);
  return header ? text : text.slice(text.indexOf("\n") + 1);
}
