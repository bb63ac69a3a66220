import type { CommandContext, OptionDefinition } from "./command.js";
import { stringOption } from "./option-values.js";
import { openDatabase } from "../store/index.js";
import type { Database } from "../store/database.js";

/** The `--database-url` flag of every command that touches the database. */
export const databaseOptions = {
  "database-url": {
    type: "string",
    valueName: "URL",
    description:
      "postgres://…, pglite:<dir> or memory: (default: $DATABASE_URL, else pglite:$LLM_LEDGER_HOME/db)",
  },
} as const satisfies Record<string, OptionDefinition>;

/** The `--read-database-url` flag of the commands that only read (report, top, reconcile). */
export const readDatabaseOptions = {
  "read-database-url": {
    type: "string",
    valueName: "URL",
    description:
      "postgres://… of a read replica to read the figures from (migrations still run on --database-url)",
  },
} as const satisfies Record<string, OptionDefinition>;

/** The database URL from `--database-url`, else `DATABASE_URL`; undefined means the embedded default. */
export function databaseUrlOf(context: CommandContext): string | undefined {
  return stringOption(context, "database-url") ?? (context.io.env.DATABASE_URL || undefined);
}

/** Opens the database the command line names (the embedded default under LLM_LEDGER_HOME otherwise). */
export function openCliDatabase(context: CommandContext): Promise<Database> {
  return openDatabase({
    databaseUrl: databaseUrlOf(context),
    cwd: context.io.cwd,
    home: context.io.env.LLM_LEDGER_HOME || undefined,
  });
}
