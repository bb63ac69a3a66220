import path from "node:path";
import type { CommandDefinition } from "../command.js";
import { databaseOptions } from "../database-option.js";
import { formatOptions, outputFormat } from "../output-format.js";
import { createProgress } from "../progress.js";
import {
  costSdks,
  isEventId,
  type NewLlmCostRecord,
  type TelemetryStore,
} from "../../store/index.js";
import { readLines } from "../read-lines.js";
import { LedgerError } from "../../errors.js";
import { schemaOption, withStore } from "../report-options.js";
import { parseCreatedAt } from "../../tracker/parse-created-at.js";
import { validateMetadata } from "../../tracker/validate-metadata.js";
import { cleanFreeText, unstorableText } from "../../tracker/well-formed-text.js";

const moneyPattern = /^\d{1,8}(\.\d{1,12})?$/;
const maxTokens = 1e12;
// The tracker keeps error messages up to this length (validate-input.ts), and so does an import.
const maxErrorLength = 8_000;

/** Parses one exported line into a record to store, or returns why it cannot be. */
export function parseEventLine(line: string): NewLlmCostRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "expected a JSON object";
  const event = value as Record<string, unknown>;
  const problems: string[] = [];
  const text = (key: string, required: boolean): string | null => {
    const field = event[key];
    if (field === undefined || field === null) {
      if (required) problems.push(`${key} is required`);
      return null;
    }
    if (typeof field !== "string" || (required && field === "")) problems.push(`${key} must be a string`);
    const unstorable = typeof field === "string" ? unstorableText(field) : undefined;
    if (unstorable !== undefined) problems.push(`${key} ${unstorable}`);
    return typeof field === "string" ? field : null;
  };
  const tokens = (key: string, required: boolean): number => {
    const field = event[key] ?? (required ? undefined : 0);
    if (typeof field !== "number" || !Number.isInteger(field) || field < 0 || field > maxTokens) {
      problems.push(`${key} must be a whole number from 0 to ${maxTokens}`);
      return 0;
    }
    return field;
  };
  // Free text is kept, cleaned (as the tracker keeps an error message), not refused.
  const freeText = (key: string): string | null => {
    const field = event[key];
    if (field === undefined || field === null) return null;
    if (typeof field !== "string") problems.push(`${key} must be a string`);
    return typeof field === "string" ? cleanFreeText(field, maxErrorLength) : null;
  };
  const money = (key: string, required: boolean): string | null => {
    const field = event[key];
    if ((field === undefined || field === null) && !required) return null;
    const decimal = typeof field === "number" ? String(field) : field;
    if (typeof decimal !== "string" || !moneyPattern.test(decimal)) {
      problems.push(`${key} must be a decimal string such as "0.0042" (at most 12 decimals)`);
      return null;
    }
    return decimal;
  };
  const flag = (key: string, fallback: boolean): boolean => {
    const field = event[key] ?? fallback;
    if (typeof field !== "boolean") problems.push(`${key} must be true or false`);
    return field === true;
  };

  const eventId = text("eventId", true);
  if (eventId !== null && !isEventId(eventId)) problems.push("eventId must be a UUID");
  const createdAt = text("createdAt", true);
  const instant = createdAt === null ? undefined : parseCreatedAt(createdAt);
  if (instant !== undefined && typeof instant !== "number") problems.push(instant.reason);
  const sdk = text("sdk", true);
  if (sdk !== null && !(costSdks as readonly string[]).includes(sdk))
    problems.push(`sdk must be one of ${costSdks.join(", ")}`);
  const costSource = text("costSource", false) ?? "catalog";
  if (!["catalog", "provider", "none"].includes(costSource))
    problems.push("costSource must be catalog, provider or none");
  const outputTokens = tokens("outputTokens", true);
  const reasoningTokens = tokens("reasoningTokens", false);
  if (reasoningTokens > outputTokens) problems.push("reasoningTokens cannot exceed outputTokens");
  const durationMs = event.durationMs ?? null;
  if (
    durationMs !== null &&
    (typeof durationMs !== "number" ||
      !Number.isInteger(durationMs) ||
      durationMs < 0 ||
      durationMs > 2_147_483_647)
  ) {
    problems.push("durationMs must be a whole number of milliseconds");
  }
  let metadata: Record<string, unknown> | null = null;
  try {
    metadata = validateMetadata(event.metadata);
  } catch (error) {
    problems.push((error as Error).message);
  }

  const record: NewLlmCostRecord = {
    eventId: eventId ?? "",
    createdAt: createdAt ?? "",
    repo: text("repo", true) ?? "",
    taskType: text("taskType", true) ?? "",
    model: text("model", true) ?? "",
    resolvedModel: text("resolvedModel", false),
    provider: text("provider", true) ?? "",
    sdk: (sdk ?? "raw") as NewLlmCostRecord["sdk"],
    inputTokens: tokens("inputTokens", true),
    outputTokens,
    cacheReadTokens: tokens("cacheReadTokens", false),
    cacheWriteTokens: tokens("cacheWriteTokens", false),
    cacheWrite1hTokens: tokens("cacheWrite1hTokens", false),
    reasoningTokens,
    estimatedCostUsd: money("estimatedCostUsd", true) ?? "0",
    providerCostUsd: money("providerCostUsd", false),
    costSource: costSource as NewLlmCostRecord["costSource"],
    priced: flag("priced", true),
    pricingVersion: text("pricingVersion", false),
    durationMs: durationMs as number | null,
    usedFallback: flag("usedFallback", false),
    fallbackReason: text("fallbackReason", false),
    error: freeText("error"),
    deliveryId: text("deliveryId", false),
    userId: text("userId", false),
    sessionId: text("sessionId", false),
    traceId: text("traceId", false),
    environment: text("environment", false),
    metadata,
  };
  return problems.length > 0 ? problems.join("; ") : record;
}

/**
 * Stops at the first line when the file is not JSONL at all (a CSV export, say): one message saying
 * what import reads, instead of a "not JSON" line for every row.
 */
function refuseIfNotJsonl(file: string, firstLine: string): void {
  try {
    JSON.parse(firstLine);
    return;
  } catch {
    const csv =
      /^\W?eventId,/.test(firstLine) || (firstLine.includes(",") && !firstLine.trimStart().startsWith("{"));
    throw new LedgerError(
      "E_IMPORT_FORMAT",
      `${path.basename(file)} is not JSONL: its first line is not JSON${csv ? " (it looks like CSV)" : ""}. ` +
        "import reads one JSON event per line, as 'llm-ledger export' writes by default (--format jsonl); " +
        "a CSV export cannot be imported. Nothing was imported.",
    );
  }
}

interface ImportTally {
  lines: number;
  inserted: number;
  duplicates: number;
  bad: number;
}

/**
 * Writes a batch. The store commits every record but those the database refuses for their content,
 * which are reported by line; a failure to reach the database ends the import (run it again: it is
 * idempotent).
 */
async function writeBatch(
  store: TelemetryStore,
  batch: Array<{ record: NewLlmCostRecord; line: number }>,
  tally: ImportTally,
  report: (line: number, reason: string) => void,
): Promise<void> {
  const result = await store.recordLlmCosts(batch.map((item) => item.record));
  tally.inserted += result.inserted;
  tally.duplicates += result.duplicates;
  const lineOf = new Map(batch.map((item) => [item.record.eventId, item.line]));
  for (const rejection of result.rejected ?? []) {
    tally.bad += 1;
    report(lineOf.get(rejection.eventId) ?? 0, rejection.reason);
  }
}

/** `llm-ledger import FILE`: reads JSONL as `export` writes it; idempotent by event id. */
export const importCommand: CommandDefinition = {
  name: "import",
  summary: "import events from a JSONL file written by export (idempotent by event id)",
  usage: "FILE",
  description: [
    "Each line is one event as 'llm-ledger export' writes it. Events already stored (same eventId) are",
    "skipped, so importing a file twice changes nothing. A bad line is reported with its line number and",
    "skipped; the good lines are kept; the exit code is then 1. A file whose first line is not JSON (a CSV",
    "export) is refused as a whole with one message.",
  ].join("\n"),
  positionals: { min: 1, max: 1 },
  options: { ...databaseOptions, ...schemaOption, ...formatOptions },
  async run(context) {
    const file = path.resolve(context.io.cwd, context.positionals[0]!);
    const tally: ImportTally = { lines: 0, inserted: 0, duplicates: 0, bad: 0 };
    const report = (line: number, reason: string) => {
      context.io.stderr.write(`${path.basename(file)}:${line}: ${reason}\n`);
    };
    const progress = createProgress(context.io, "importing");
    await withStore(context, async (store) => {
      const lines = readLines(file);
      let batch: Array<{ record: NewLlmCostRecord; line: number }> = [];
      let number = 0;
      for await (const line of lines) {
        number += 1;
        if (line.trim() === "") continue;
        tally.lines += 1;
        if (tally.lines === 1) refuseIfNotJsonl(file, line);
        const parsed = parseEventLine(line);
        if (typeof parsed === "string") {
          tally.bad += 1;
          report(number, parsed);
          continue;
        }
        batch.push({ record: parsed, line: number });
        if (batch.length >= store.maxBatchSize) {
          await writeBatch(store, batch, tally, report);
          batch = [];
          progress.update(tally.lines);
        }
      }
      if (batch.length > 0) await writeBatch(store, batch, tally, report);
    }).finally(() => progress.finish());
    if (outputFormat(context) === "json") context.io.stdout.write(JSON.stringify(tally) + "\n");
    else {
      context.io.stdout.write(
        `imported ${tally.inserted} event(s); ${tally.duplicates} already stored; ${tally.bad} bad line(s) of ${tally.lines}\n`,
      );
    }
    return tally.bad > 0 ? 1 : 0;
  },
};
