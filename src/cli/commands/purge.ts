import type { CommandDefinition } from "../command.js";
import { databaseOptions } from "../database-option.js";
import { booleanOption, integerOption } from "../option-values.js";
import { formatOptions, outputFormat } from "../output-format.js";
import { createProgress } from "../progress.js";
import { UsageError } from "../usage-error.js";
import { quoteSchema } from "../../store/schema-name.js";
import { schemaOption, withStore } from "../report-options.js";

/** `llm-ledger purge`: retention. Raw events go; hourly rollups stay unless asked. */
export const purgeCommand: CommandDefinition = {
  name: "purge",
  summary: "delete events older than N days (hourly rollups stay unless --include-rollups)",
  description: [
    "Deletes, in short batches, the events created more than N×24 hours ago. Reports over those periods",
    "keep working from the hourly rollups, which only --include-rollups deletes (whole hours before the cutoff).",
  ].join("\n"),
  options: {
    ...databaseOptions,
    ...schemaOption,
    "older-than-days": {
      type: "string",
      valueName: "N",
      description: "age in days (0: everything before now)",
    },
    "dry-run": { type: "boolean", description: "count what would be deleted; delete nothing" },
    "include-rollups": { type: "boolean", description: "also delete the hourly rollups before the cutoff" },
    ...formatOptions,
  },
  async run(context) {
    const days = integerOption(context, "older-than-days", { min: 0, max: 1_000_000 });
    if (days === undefined)
      throw new UsageError("--older-than-days is required (a whole number of days, 0 or more)");
    const dryRun = booleanOption(context, "dry-run");
    const includeRollups = booleanOption(context, "include-rollups");
    const result = await withStore(context, async (store) => {
      if (dryRun) {
        const [row] = await store.database.query<{ events: string; cutoff: Date }>(
          `SELECT count(*)::text AS events, now() - make_interval(days => $1::int) AS cutoff
             FROM ${quoteSchema(store.schema)}.llm_cost_events WHERE created_at < now() - make_interval(days => $1::int)`,
          [days],
        );
        return { deleted: Number(row?.events ?? 0), cutoff: row?.cutoff ?? new Date() };
      }
      const progress = createProgress(context.io, "purging");
      try {
        const deleted = await store.purgeOlderThan(days, {
          includeRollups,
          onProgress: (done) => progress.update(done),
        });
        return { deleted, cutoff: new Date(Date.now() - days * 86_400_000) };
      } finally {
        progress.finish();
      }
    });
    if (outputFormat(context) === "json") {
      context.io.stdout.write(
        JSON.stringify({ dryRun, olderThanDays: days, events: result.deleted, includeRollups }) + "\n",
      );
      return;
    }
    const rollups = includeRollups ? "hourly rollups before the cutoff deleted too" : "hourly rollups kept";
    context.io.stdout.write(
      dryRun
        ? `would delete ${result.deleted} event(s) created before ${result.cutoff.toISOString()} (dry run; nothing deleted)\n`
        : `deleted ${result.deleted} event(s) older than ${days} day(s); ${rollups}\n`,
    );
  },
};
