import { cliInvocation } from "../cli-invocation.js";
import type { CommandDefinition } from "../command.js";
import { databaseOptions, databaseUrlOf, openCliDatabase } from "../database-option.js";
import { booleanOption, stringOption } from "../option-values.js";
import { formatOptions, outputFormat } from "../output-format.js";
import { migrateUp, migrationStatus } from "../../store/migrator.js";
import { quoteSchema } from "../../store/schema-name.js";

/**
 * `llm-ledger status [--migrate]`: which database is in use, its migrations, what it holds, and what
 * to do next. `npm start` runs it with `--migrate` on the embedded database.
 */
export const statusCommand: CommandDefinition = {
  name: "status",
  summary: "show the database in use, its migrations and what it holds",
  options: {
    ...databaseOptions,
    schema: { type: "string", valueName: "NAME", description: "schema holding the tables (default public)" },
    migrate: { type: "boolean", description: "apply pending migrations first" },
    ...formatOptions,
  },
  async run(context) {
    const schema = stringOption(context, "schema") ?? "public";
    const database = await openCliDatabase(context);
    try {
      const applied = booleanOption(context, "migrate") ? (await migrateUp(database, { schema })).steps : [];
      const migrations = await migrationStatus(database, { schema });
      const ready = migrations.current > 0;
      const [summary] = ready
        ? await database.query<{ events: string; cost: string | null; last: Date | null }>(
            `SELECT count(*)::text AS events, sum(estimated_cost_usd)::text AS cost, max(created_at) AS last
               FROM ${quoteSchema(schema)}.llm_cost_events`,
          )
        : [];
      const result = {
        database: database.description,
        engine: database.engine,
        schema,
        migrations: { current: migrations.current, latest: migrations.latest, appliedNow: applied },
        events: summary?.events ?? "0",
        estimatedCostUsd: trimDecimal(summary?.cost ?? "0"),
        lastEventAt: summary?.last?.toISOString() ?? null,
      };
      if (outputFormat(context) === "json") {
        context.io.stdout.write(JSON.stringify(result) + "\n");
        return;
      }
      const lines = [
        `database    ${result.database} (${database.engine === "pglite" ? "embedded PGlite" : "Postgres server"})`,
        `schema      ${schema}`,
        `migrations  version ${migrations.current} of ${migrations.latest}${
          applied.length
            ? ` (applied now: ${applied.map((step) => `${String(step.version).padStart(4, "0")}-${step.name}`).join(", ")})`
            : ""
        }`,
        `events      ${result.events}${result.lastEventAt ? `, the last at ${result.lastEventAt}` : ""}`,
        `spend       $${result.estimatedCostUsd} (estimated, all time)`,
        "",
      ];
      // Hints the user can paste where they stand (`npx llm-ledger` in a clone or a local install).
      const cli = cliInvocation(context.io.env);
      if (migrations.current < migrations.latest) {
        lines.push(
          `Next: apply the migrations with '${cli} migrate up${databaseUrlOf(context) ? " --database-url …" : ""}'.`,
        );
      } else if (result.events === "0") {
        lines.push(
          "Next: record LLM calls from your application:",
          "  const tracker = createCostTracker({ telemetryStore: await createTelemetryStore({ databaseUrl }) });",
          "  tracker.trackAiSdkCall({ repo, taskType, model, provider, inputTokens, outputTokens, durationMs, usedFallback: false });",
          `See README.md for the AI SDK middleware and the Agent SDK integration; '${cli} --help' lists the commands.`,
        );
      } else {
        lines.push(`Next: '${cli} --help' lists the commands that report on these events.`);
      }
      context.io.stdout.write(lines.join("\n") + "\n");
    } finally {
      await database.close();
    }
  },
};

function trimDecimal(value: string): string {
  return value.includes(".") ? value.replace(/0+$/, "").replace(/\.$/, "") : value;
}
