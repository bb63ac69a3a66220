/**
 * The one small database interface that every engine adapter implements. All SQL in llm-ledger is
 * written once, in Postgres dialect with `$1` placeholders, and runs on PGlite and on a Postgres server
 * alike through this interface.
 *
 * Values come back normalised across engines: BIGINT and NUMERIC as decimal strings (never a lossy
 * number), timestamps as `Date`, JSONB as parsed values.
 */
export interface Queryable {
  /** Runs one parameterised statement and returns its rows. */
  query<Row extends object = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<Row[]>;
  /** Runs a script of one or more statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  /**
   * Optional bulk load: `COPY table (columns) FROM STDIN` with `data` in COPY's text format (one line
   * per row, tab-separated, `\N` for NULL). The bulk path for large batches: rows stream as one
   * command, with no statement to parse and no parameter to bind per value. `table` and `columns` are
   * trusted SQL identifiers, never user input.
   */
  copyFrom?(table: string, columns: readonly string[], data: string): Promise<void>;
}

export type DatabaseEngine = "pglite" | "postgres";

/**
 * One database the store runs on, whatever the engine (PGlite, PGlite in a worker, a Postgres server,
 * a caller's postgres.js client): statements, transactions, and `close()`.
 */
export interface Database extends Queryable {
  readonly engine: DatabaseEngine;
  /** Where the data lives, safe to print: a server URL has its password replaced by `***`. */
  readonly description: string;
  /**
   * True when statements run on the caller's thread (a PGlite instance in this thread): a statement
   * then holds the event loop for as long as it runs, so writers keep batches small.
   */
  readonly onCallerThread?: boolean;
  /** Runs `work` in one transaction: commit when it resolves, roll back when it throws. */
  transaction<T>(work: (transaction: Queryable) => Promise<T>): Promise<T>;
  /**
   * Closes what this adapter opened. An adapter over a client the caller handed in leaves that
   * client open: its owner closes it.
   */
  close(): Promise<void>;
}
