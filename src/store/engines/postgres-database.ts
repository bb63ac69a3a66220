import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFromStdin } from "pg-copy-streams";
import type { Database, Queryable } from "../database.js";
import { redactUrl } from "./database-url.js";
import { connectionError } from "./postgres-errors.js";

/**
 * A node-postgres (`pg`) pool, typed by what llm-ledger calls, so that neither the package's users nor
 * its declaration files need `@types/pg`. A `pg.Pool` fits it.
 */
export interface PgPoolLike {
  connect(): Promise<PgClientLike>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
  readonly options?: { max?: number | undefined } | undefined;
}

/** A client checked out of a `PgPoolLike`. */
export interface PgClientLike {
  query(config: never): unknown;
  release(destroy?: Error | boolean): void;
  on(event: "error", listener: (error: Error) => void): unknown;
  removeListener(event: "error", listener: (error: Error) => void): unknown;
}

/** A Database over a Postgres server, which also says how many connections its pool may open at once. */
export interface PostgresDatabase extends Database {
  readonly maxConnections: number;
}

// Values come back as the other engines return them: BIGINT and NUMERIC as decimal strings (pg's
// default), DATE as UTC midnight like PGlite (pg's default is local midnight). Passed per query, so a
// caller's pool with its own global parsers reads the same values.
const dateOid = 1082;
const typeParsers = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === dateOid) return (value: string) => new Date(value);
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
  },
};

// How long a ROLLBACK may take before the connection is thrown away instead of reused: a frozen
// connection must not hold the failed write (and its pooled slot) forever.
const rollbackTimeoutMs = 5_000;

interface QueryResultLike {
  rows: object[];
}

function queryable(client: PgClientLike): Queryable {
  const run = (config: object) => (client.query as (config: object) => Promise<QueryResultLike>)(config);
  return {
    async query<Row extends object>(text: string, params: readonly unknown[] = []) {
      const result = await run({ text, values: params, types: typeParsers });
      return result.rows as Row[];
    },
    async exec(script: string) {
      // Without parameters pg uses the simple protocol, which runs several statements.
      await run({ text: script, types: typeParsers });
    },
    async copyFrom(table: string, columns: readonly string[], data: string) {
      const stream = copyFromStdin(`COPY ${table} (${columns.join(", ")}) FROM STDIN`);
      const writable = (client.query as (stream: unknown) => NodeJS.WritableStream)(stream);
      await pipeline(Readable.from([Buffer.from(data)]), writable);
    },
  };
}

/**
 * Runs `work` in a transaction on one pooled connection. Whatever fails, the connection goes back to
 * the pool: rolled back, or destroyed when the rollback fails, times out, or the connection reported
 * an error of its own meanwhile (a dropped connection never returns to the pool).
 */
async function inTransaction<T>(pool: PgPoolLike, work: (transaction: Queryable) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client that loses its connection between statements emits `error`; unheard, that
  // event would end the process.
  const onError = (error: Error) => {
    broken ??= error;
  };
  client.on("error", onError);
  const transaction = queryable(client);
  try {
    await transaction.exec("BEGIN");
    const result = await work(transaction);
    await transaction.exec("COMMIT");
    return result;
  } catch (error) {
    broken ??= await rollback(transaction);
    throw error;
  } finally {
    client.removeListener("error", onError);
    client.release(broken ?? false);
  }
}

/** Rolls back; resolves to an error when the connection should not be reused. */
async function rollback(transaction: Queryable): Promise<Error | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Error>((resolve) => {
    timer = setTimeout(() => resolve(new Error("ROLLBACK timed out")), rollbackTimeoutMs);
  });
  try {
    return await Promise.race([transaction.exec("ROLLBACK").then(() => undefined), timeout]);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Wraps a node-postgres pool. With `owned: false` (a pool the caller handed in), `close()` leaves it
 * open.
 */
export function pgPoolDatabase(
  pool: PgPoolLike,
  options: { owned: boolean; description: string },
): PostgresDatabase {
  let closed = false;
  const single = async <T>(work: (client: Queryable) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken ??= error;
    };
    client.on("error", onError);
    try {
      return await work(queryable(client));
    } finally {
      client.removeListener("error", onError);
      client.release(broken ?? false);
    }
  };
  return {
    engine: "postgres",
    description: options.description,
    // pg's pool defaults `max` to 10.
    maxConnections: Math.max(1, Number(pool.options?.max) || 10),
    query: (text, params) => single((client) => client.query(text, params)),
    exec: (script) => single((client) => client.exec(script)),
    copyFrom: (table, columns, data) => single((client) => client.copyFrom!(table, columns, data)),
    transaction: (work) => inTransaction(pool, work),
    async close() {
      if (closed) return;
      closed = true;
      if (options.owned) await pool.end();
    },
  };
}

/**
 * How many statements a database can run at once: its pool size on a Postgres server (a wrapper that
 * does not pass `maxConnections` on counts as one connection), 1 for PGlite (one WASM instance).
 */
export function connectionLimit(database: Database): number {
  if (database.engine !== "postgres") return 1;
  const limit = (database as Partial<PostgresDatabase>).maxConnections;
  return typeof limit === "number" && Number.isInteger(limit) && limit >= 1 ? limit : 1;
}

// A transaction left idle by a client that vanished mid-write is ended by the server after this long,
// so a lost client never holds locks or a connection slot indefinitely.
const idleInTransactionTimeout = "60s";

/** Connects to a Postgres server and checks the connection, so a bad URL fails here, precisely. */
export async function openPostgres(url: string, options: { max?: number } = {}): Promise<PostgresDatabase> {
  const description = redactUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    // Connections are opened lazily; the tracker keeps two writes in flight (TelemetryStore's
    // maxConcurrentWrites), and queries and purges may run beside them.
    max: options.max ?? 10,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    application_name: "llm-ledger",
    options: `-c idle_in_transaction_session_timeout=${idleInTransactionTimeout}`,
  });
  // An idle pooled connection that drops (a restart, pg_terminate_backend) is reported here and
  // replaced on the next checkout; unheard, the pool's `error` event would end the process.
  pool.on("error", () => {});
  // A connection killed just as the pool hands it out emits `error` before a checkout's own listener
  // (inTransaction's) is on it: pg-pool has taken its idle listener off by then. One listener for the
  // connection's whole life closes that gap; the checkout's listener still marks the connection broken.
  pool.on("connect", (client) => void client.on("error", () => {}));
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => {});
    throw connectionError(error, description);
  }
  return pgPoolDatabase(pool, { owned: true, description });
}
