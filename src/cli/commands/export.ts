import type { CommandDefinition } from "../command.js";
import { databaseOptions } from "../database-option.js";
import { stringOption } from "../option-values.js";
import { createProgress } from "../progress.js";
import { eventExportFields, eventsCsv, listEvents } from "../../query/index.js";
import {
  filterOption,
  parseFilters,
  schemaOption,
  timeWindow,
  windowOptions,
  withStore,
} from "../report-options.js";

/** Every field of an exported event, in file order (shared with `GET /v1/events` as CSV). */
export const exportFields = eventExportFields;

/**
 * `llm-ledger export`: events as JSONL (what `import` reads back, lossless) or CSV for spreadsheets
 * (text that would start a formula gets a leading `'`), newest first.
 */
export const exportCommand: CommandDefinition = {
  name: "export",
  summary: "write events as JSONL (re-importable) or CSV to standard output",
  description: "Example: llm-ledger export --since 30d > events.jsonl; llm-ledger import events.jsonl",
  options: {
    ...databaseOptions,
    ...schemaOption,
    format: {
      type: "string",
      valueName: "FORMAT",
      choices: ["jsonl", "csv"],
      description:
        "jsonl (default; one event per line, lossless, as import reads) or csv (for spreadsheets: text starting with = + - @ gets a leading ')",
    },
    ...windowOptions,
    ...filterOption,
  },
  async run(context) {
    const format = stringOption(context, "format") ?? "jsonl";
    const { from, to } = timeWindow(context, undefined);
    const filters = parseFilters(context);
    const progress = createProgress(context.io, "exporting");
    const out = context.io.stdout;
    let written = 0;
    await withStore(context, async (store) => {
      let cursor: string | undefined;
      do {
        const page = await listEvents(store, { from, to, filters, limit: 1000, cursor });
        if (format === "csv") {
          out.write(eventsCsv(page.events, written === 0));
        } else {
          out.write(page.events.map((event) => JSON.stringify(event) + "\n").join(""));
        }
        written += page.events.length;
        progress.update(written);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }).finally(() => progress.finish());
    if (written === 0 && format === "csv") out.write(eventsCsv([]));
    if (context.io.stderr.isTTY) context.io.stderr.write(`exported ${written} event(s)\n`);
  },
};
