import { eventExportFields, tokenFields } from "../events/index.js";
import type { LlmCostRecord } from "../store/index.js";
import { formatCsvTable, type CsvColumn } from "./csv-cell.js";

/** The figures among the fields: CSV keeps them as they are; every other cell is text, neutralised. */
const numberFields = new Set<keyof LlmCostRecord>([
  ...tokenFields,
  "webSearchRequests",
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
