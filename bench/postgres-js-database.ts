// The Postgres server adapter that llm-ledger used before node-postgres: postgres.js with COPY through
// its writable and a no-delay socket. Kept for the benches only, so that one run measures the old
// driver beside the new one on the same machine at the same time.
import net from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import postgres, { type Sql, type TransactionSql } from "postgres";
import type { Queryable } from "../src/store/database.js";
import type { PostgresDatabase } from "../src/store/engines/index.js";

function queryable(client: Sql | TransactionSql): Queryable {
  return {
    async query<Row extends object>(text: string, params: readonly unknown[] = []) {
      return (await client.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as Row[];
    },
    async exec(script: string) {
      await client.unsafe(script);
    },
    async copyFrom(table: string, columns: readonly string[], data: string) {
      const writable = await client.unsafe(`COPY ${table} (${columns.join(", ")}) FROM STDIN`).writable();
      await pipeline(Readable.from([Buffer.from(data)]), writable);
    },
  };
}

/** Opens the old adapter on `url`: postgres.js, max 10 connections, Nagle off as the old store set it. */
export function openPostgresJs(url: string): PostgresDatabase {
  const { hostname, port } = new URL(url);
  const sql = postgres(url, {
    max: 10,
    onnotice: () => {},
    ...({
      socket: () => net.connect({ host: hostname, port: Number(port || 5432), noDelay: true }),
    } as object),
  });
  return {
    engine: "postgres",
    description: "postgres.js (the adapter before node-postgres)",
    maxConnections: 10,
    ...queryable(sql),
    transaction: async (work) => (await sql.begin((transaction) => work(queryable(transaction)))) as never,
    close: () => sql.end({ timeout: 5 }),
  };
}
