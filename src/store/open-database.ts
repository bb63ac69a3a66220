import type { PGlite } from "@electric-sql/pglite";
import type { Sql } from "postgres";
import { LedgerError } from "../errors.js";
import type { Database } from "./database.js";
import { defaultDatabaseUrl, parseDatabaseUrl } from "./database-url.js";
import { openPglite, pgliteDatabase, type PgliteThread } from "./pglite-database.js";
import { openPostgres, postgresDatabase } from "./postgres-database.js";

/** One of: a database URL, a postgres.js `sql` the caller owns, or a PGlite instance the caller owns. */
export interface OpenDatabaseOptions {
  /** `postgres://…`, `pglite:<dir>` or `memory:`; default `pglite:<home>/db`. */
  databaseUrl?: string | undefined;
  sql?: Sql | undefined;
  pglite?: PGlite | undefined;
  /** Base for relative `pglite:` paths and the default home; default `process.cwd()`. */
  cwd?: string | undefined;
  /** The llm-ledger home directory (the CLI passes `LLM_LEDGER_HOME`); default `<cwd>/.llm-ledger`. */
  home?: string | undefined;
  /**
   * Where PGlite that llm-ledger opens runs: `"worker"` (default; a worker thread, so its WASM never
   * holds the application's event loop) or `"caller"` (this thread, with short batches).
   */
  pgliteThread?: PgliteThread | undefined;
}

/**
 * Opens the database named by the options. A client handed in (`sql` or `pglite`) stays the caller's:
 * closing the returned database does not close it.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const given = [options.databaseUrl, options.sql, options.pglite].filter((value) => value !== undefined);
  if (given.length > 1) {
    throw new LedgerError("E_OPTIONS", "pass only one of databaseUrl, sql and pglite");
  }
  if (options.sql)
    return postgresDatabase(options.sql, { owned: false, description: "postgres (caller's client)" });
  if (options.pglite)
    return pgliteDatabase(options.pglite, { owned: false, description: "pglite (caller's instance)" });
  const cwd = options.cwd ?? process.cwd();
  const url = options.databaseUrl ?? defaultDatabaseUrl({ cwd, home: options.home });
  const location = parseDatabaseUrl(url, { cwd });
  switch (location.kind) {
    case "postgres":
      return openPostgres(location.url);
    case "pglite":
      return openPglite(location.directory, options.pgliteThread);
    case "memory":
      return openPglite(undefined, options.pgliteThread);
  }
}
