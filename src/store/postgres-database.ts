import net from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import postgres, { type Sql, type TransactionSql } from "postgres";
import { LedgerError } from "../errors.js";
import type { Database, Queryable } from "./database.js";
import { redactUrl } from "./database-url.js";

function queryable(client: Sql | TransactionSql): Queryable {
  return {
    async query<Row extends object>(text: string, params: readonly unknown[] = []) {
      const rows = await client.unsafe(text, params as postgres.ParameterOrJSON<never>[]);
      return rows as unknown as Row[];
    },
    async exec(script: string) {
      // Without parameters postgres.js uses the simple protocol, which runs several statements.
      await client.unsafe(script);
    },
    async copyFrom(table: string, columns: readonly string[], data: string) {
      const writable = await client.unsafe(`COPY ${table} (${columns.join(", ")}) FROM STDIN`).writable();
      await pipeline(Readable.from([Buffer.from(data)]), writable);
    },
  };
}

/** A Database over postgres.js, which also says how many connections its pool may open at once. */
export interface PostgresDatabase extends Database {
  readonly maxConnections: number;
}

/**
 * Wraps a postgres.js `sql`. With `owned: false` (a client the caller handed in), `close()` leaves
 * it open.
 */
export function postgresDatabase(
  sql: Sql,
  options: { owned: boolean; description: string },
): PostgresDatabase {
  let closed = false;
  return {
    engine: "postgres",
    description: options.description,
    // postgres.js defaults `max` to 10; a caller's client says its own.
    maxConnections: Math.max(1, Number(sql.options?.max) || 1),
    ...queryable(sql),
    transaction: async (work) => (await sql.begin((transaction) => work(queryable(transaction)))) as never,
    async close() {
      if (closed) return;
      closed = true;
      if (options.owned) await sql.end({ timeout: 5 });
    },
  };
}

/**
 * Opens the TCP (or Unix) socket for postgres.js with Nagle's algorithm off. postgres.js leaves it on,
 * and then the small trailing messages of a COPY wait for the server's delayed ACK: about 40 ms per
 * batch, two round trips of it per write (measured: 98 ms for a one-row write, 3 ms with no delay).
 * The socket is returned while it connects, as postgres.js's own is: a failed connect then arrives as
 * the socket's `error` and `close`, which postgres.js handles (and reconnects after) as usual. A
 * factory that rejected instead would leave the pooled connection without a socket, never retried.
 */
export function connectWithoutDelay(options: {
  host: string[];
  port: number[];
  path?: string | false;
}): net.Socket {
  const socket = options.path
    ? net.connect(options.path)
    : net.connect(options.port[0] ?? 5432, options.host[0] ?? "localhost");
  socket.setNoDelay(true);
  return socket;
}

/**
 * How many statements a database can run at once: its pool size for postgres.js (a wrapper that does
 * not pass `maxConnections` on counts as one connection), 1 for PGlite (one WASM instance, one thread).
 */
export function connectionLimit(database: Database): number {
  if (database.engine !== "postgres") return 1;
  const limit = (database as Partial<PostgresDatabase>).maxConnections;
  return typeof limit === "number" && Number.isInteger(limit) && limit >= 1 ? limit : 1;
}

function singleHost(url: string): boolean {
  const authority = /^[a-z]+:\/\/([^/?#]*)/i.exec(url)?.[1] ?? "";
  return !authority.slice(authority.lastIndexOf("@") + 1).includes(",");
}

/** Connects to a Postgres server and checks the connection, so a bad URL fails here, precisely. */
export async function openPostgres(url: string, options: { max?: number } = {}): Promise<PostgresDatabase> {
  const description = redactUrl(url);
  const sql = postgres(url, {
    // Connections are opened lazily; the tracker keeps two writes in flight (TelemetryStore's
    // maxConcurrentWrites), and queries and purges may run beside them.
    max: options.max ?? 10,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: "llm-ledger" },
    // postgres.js types do not declare its `socket` option. A URL listing several hosts keeps the
    // driver's own connect, which fails over between them.
    ...((singleHost(url) ? { socket: connectWithoutDelay } : {}) as object),
  });
  try {
    await sql`select 1`;
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw connectionError(error, description);
  }
  // postgres.js fetches the array types again on every new connection, and a connection lost during
  // that fetch rejects a promise it never handles: an unhandled rejection, which ends a Node process
  // by default, in exactly the outages the tracker must survive (more connections reconnect now that
  // two writes run at once). The first connection (`select 1`) stored them in the client's shared
  // parsers and serializers, so later ones can skip the fetch (as postgres.js's own `listen` does).
  (sql.options as { fetch_types: boolean }).fetch_types = false;
  return postgresDatabase(sql, { owned: true, description });
}

function connectionError(error: unknown, description: string): LedgerError {
  const code = (error as { code?: string }).code;
  const detail =
    (error as Error).message?.replaceAll(/:\/\/([^:/@]*):[^@/]*@/g, "://$1:***@") ?? String(error);
  if (code === "28P01" || code === "28000") {
    return new LedgerError("E_DB_AUTH", `authentication failed for ${description}: ${detail}`, {
      cause: error,
    });
  }
  if (code === "3D000") {
    return new LedgerError("E_DB_NOT_FOUND", `database does not exist at ${description}: ${detail}`, {
      cause: error,
    });
  }
  if (
    code === "ECONNREFUSED" ||
    code === "ENOTFOUND" ||
    code === "CONNECT_TIMEOUT" ||
    code === "EHOSTUNREACH"
  ) {
    return new LedgerError("E_DB_UNREACHABLE", `cannot reach Postgres server at ${description}: ${detail}`, {
      cause: error,
    });
  }
  return new LedgerError("E_DB_CONNECT", `cannot connect to ${description}: ${detail}`, { cause: error });
}
