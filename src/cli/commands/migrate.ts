import type { CommandContext, CommandDefinition } from "../command.js";
import { databaseOptions, openCliDatabase } from "../database-option.js";
import { integerOption, stringOption } from "../option-values.js";
import { formatCsv, formatOptions, formatTable, outputFormat, type Column } from "../output-format.js";
import { migrateDown, migrateUp, migrationStatus, type MigrationReport } from "../../store/migrator.js";

const commonOptions = {
  ...databaseOptions,
  schema: { type: "string", valueName: "NAME", description: "schema holding the tables (default public)" },
  ...formatOptions,
} as const;

const toOption = { to: { type: "string", valueName: "N", description: "target version" } } as const;

function printReport(context: CommandContext, report: MigrationReport): void {
  if (outputFormat(context) === "json") {
    context.io.stdout.write(JSON.stringify(report) + "\n");
    return;
  }
  const verb = report.direction === "up" ? "applied" : "reverted";
  if (report.steps.length === 0)
    context.io.stdout.write(`nothing to do; at version ${report.current} of ${report.latest}\n`);
  for (const step of report.steps) {
    context.io.stdout.write(`${verb} ${String(step.version).padStart(4, "0")}-${step.name}\n`);
  }
  if (report.steps.length > 0)
    context.io.stdout.write(`now at version ${report.current} of ${report.latest}\n`);
}

async function withDatabase<T>(
  context: CommandContext,
  work: (database: Awaited<ReturnType<typeof openCliDatabase>>) => Promise<T>,
) {
  const database = await openCliDatabase(context);
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

/** `llm-ledger migrate up|down|status`. */
export const migrateCommand: CommandDefinition = {
  name: "migrate",
  summary: "apply, revert or list the database migrations",
  subcommands: [
    {
      name: "up",
      summary: "apply pending migrations (all, or up to --to N)",
      options: { ...commonOptions, ...toOption },
      async run(context) {
        const to = integerOption(context, "to", { min: 0, max: 9999 });
        const report = await withDatabase(context, (database) =>
          migrateUp(database, { schema: stringOption(context, "schema"), to }),
        );
        printReport(context, report);
      },
    },
    {
      name: "down",
      summary: "revert the last migration (or every one above --to N; --to 0 reverts all)",
      options: { ...commonOptions, ...toOption },
      async run(context) {
        const to = integerOption(context, "to", { min: 0, max: 9999 });
        const report = await withDatabase(context, (database) =>
          migrateDown(database, { schema: stringOption(context, "schema"), to }),
        );
        printReport(context, report);
      },
    },
    {
      name: "status",
      summary: "list migrations and whether each is applied",
      options: commonOptions,
      async run(context) {
        const status = await withDatabase(context, (database) =>
          migrationStatus(database, { schema: stringOption(context, "schema") }),
        );
        if (outputFormat(context) === "json") {
          context.io.stdout.write(JSON.stringify(status) + "\n");
          return;
        }
        const columns: Column<(typeof status.migrations)[number]>[] = [
          { header: "version", value: (row) => String(row.version).padStart(4, "0") },
          { header: "name", value: (row) => row.name },
          { header: "applied", value: (row) => (row.appliedAt ? row.appliedAt.toISOString() : "pending") },
        ];
        if (outputFormat(context) === "csv") {
          context.io.stdout.write(formatCsv(columns, status.migrations));
          return;
        }
        context.io.stdout.write(formatTable(columns, status.migrations));
        context.io.stdout.write(`at version ${status.current} of ${status.latest}\n`);
      },
    },
  ],
};
