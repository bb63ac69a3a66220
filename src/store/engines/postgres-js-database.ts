import type { Database, Queryable } from "../database.js";
import type { PostgresDatabase } from "./postgres-database.js";

/**
 * A postgres.js `sql` client, typed by what llm-ledger calls, so that neither the package's users nor
 * its declaration files need postgres.js's types. The original design took this form (`{ sql }`);
 * llm-ledger's own connections use node-postgres.
 */
export interface PostgresJsSqlLike {
  unsafe(query: string, parameters?: never[]): PromiseLike<unknown>;
  begin(...work: never[]): PromiseLike<unknown>;
  readonly options?: { max?: unknown } | undefined;
}

interface UnsafeClient {
  unsafe(query: string, parameters?: readonly unknown[]): PromiseLike<unknown>;
}

function queryable(client: UnsafeClient): Queryable {
  // No `copyFrom`: records are written with one `unnest` insert. A COPY that postgres.js pipes fails
  // as a stream, and a failed one has been seen to leave the connection idle in an aborted transaction.
  return {
    async query<Row extends object>(text: string, params: readonly unknown[] = []) {
      return (await client.unsafe(text, params)) as Row[];
    },
    async exec(script: string) {
      // Without parameters postgres.js uses the simple protocol, which runs several statements.
      await client.unsafe(script);
    },
  };
}

/**
 * Wraps a postgres.js client the caller owns; `close()` leaves it open. The caller's driver is the
 * caller's choice: postgres.js 3.4.x can end the process when a connection drops with a write
 * buffered (docs/tracker.md), which node-postgres, the driver of `databaseUrl`, does not.
 */
export function postgresJsDatabase(sql: PostgresJsSqlLike, description: string): PostgresDatabase {
  const client = sql as unknown as UnsafeClient & {
    begin<T>(work: (transaction: UnsafeClient) => Promise<T>): Promise<T>;
  };
  const database: Database = {
    engine: "postgres",
    description,
    ...queryable(client),
    transaction: async (work) => client.begin((transaction) => work(queryable(transaction))),
    async close() {},
  };
  // postgres.js defaults `max` to 10; a caller's client says its own.
  return { ...database, maxConnections: Math.max(1, Number(sql.options?.max) || 1) };
}
