import { LedgerError } from "../../errors.js";
import type { Database } from "../database.js";
import { defaultDatabaseUrl, parseDatabaseUrl } from "./database-url.js";
import { openPglite, pgliteDatabase, type PgliteLike, type PgliteThread } from "./pglite-database.js";
import { openPostgres, pgPoolDatabase, type PgPoolLike } from "./postgres-database.js";
import { postgresJsDatabase, type PostgresJsSqlLike } from "./postgres-js-database.js";

/**
 * One of: a database URL, a node-postgres pool, a postgres.js `sql` or a PGlite instance the caller
 * owns.
 */
export interface OpenDatabaseOptions {
  /** `postgres://…`, `pglite:<dir>` or `memory:`; default `pglite:<home>/db`. */
  databaseUrl?: string | undefined;
  /** A node-postgres (`pg`) Pool the caller owns. */
  pool?: PgPoolLike | undefined;
  /** A postgres.js client the caller owns (written without COPY; see `postgresJsDatabase`). */
  sql?: PostgresJsSqlLike | undefined;
  pglite?: PgliteLike | undefined;
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
 * Opens the database named by the options. A client handed in (`pool`, `sql` or `pglite`) stays the caller's:
 * closing the returned database does not close it.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const given = [options.databaseUrl, options.pool, options.sql, options.pglite].filter(
    (value) => value !== undefined,
  );
  if (given.length > 1) {
    throw new LedgerError("E_OPTIONS", "pass only one of databaseUrl, pool, sql and pglite");
  }
  if (options.pool)
    return pgPoolDatabase(options.pool, { owned: false, description: "postgres (caller's pool)" });
  if (options.sql) return postgresJsDatabase(options.sql, "postgres (caller's client)");
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
