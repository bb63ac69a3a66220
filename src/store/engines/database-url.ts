import path from "node:path";
import { LedgerError } from "../../errors.js";

/** Where a database lives, parsed from a URL of one of the three accepted forms. */
export type DatabaseLocation =
  { kind: "postgres"; url: string } | { kind: "pglite"; directory: string } | { kind: "memory" };

/** The default database: embedded PGlite under `LLM_LEDGER_HOME` or `.llm-ledger` in the current directory. */
export function defaultDatabaseUrl(options: { cwd: string; home?: string | undefined }): string {
  const home = options.home ? path.resolve(options.cwd, options.home) : path.join(options.cwd, ".llm-ledger");
  return `pglite:${path.join(home, "db")}`;
}

/**
 * Parses a database URL: `postgres://…` or `postgresql://…` (a Postgres server), `pglite:<dir>`
 * (embedded, persisted in that directory; relative to `cwd`), `memory:` (embedded, in memory).
 */
export function parseDatabaseUrl(url: string, options: { cwd: string }): DatabaseLocation {
  const trimmed = url.trim();
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    try {
      new URL(trimmed);
    } catch (cause) {
      throw new LedgerError("E_DB_URL", `malformed Postgres URL ${redactUrl(trimmed)}`, { cause });
    }
    return { kind: "postgres", url: trimmed };
  }
  if (/^pglite:/i.test(trimmed)) {
    const directory = trimmed.slice("pglite:".length).replace(/^\/\/(?=\/)/, "");
    if (directory === "") {
      throw new LedgerError("E_DB_URL", "pglite: needs a directory, for example pglite:.llm-ledger/db");
    }
    return { kind: "pglite", directory: path.resolve(options.cwd, directory) };
  }
  if (/^memory:$/i.test(trimmed)) return { kind: "memory" };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1];
  throw new LedgerError(
    "E_DB_URL",
    `unsupported database URL ${scheme ? `scheme '${scheme}:'` : redactUrl(trimmed)}; accepted: postgres://…, postgresql://…, pglite:<directory>, memory:`,
  );
}

/** The URL with any password replaced by `***`, safe for logs and messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, "$1:***@");
}
