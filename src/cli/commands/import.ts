import path from "node:path";
import type { CommandDefinition } from "../command.js";
import { databaseOptions } from "../database-option.js";
import { formatOptions, outputFormat } from "../output-format.js";
import { createProgress } from "../progress.js";
import { parseStoredEvent } from "../../events/index.js";
import type { NewLlmCostRecord, TelemetryStore } from "../../store/index.js";
import { readLines } from "../read-lines.js";
import { LedgerError } from "../../errors.js";
import { schemaOption, withStore } from "../report-options.js";

/** Parses one exported line into a record to store, or returns why it cannot be. */
export function parseEventLine(line: string): NewLlmCostRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  const parsed = parseStoredEvent(value);
  return parsed.ok ? parsed.record : parsed.reason;
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
