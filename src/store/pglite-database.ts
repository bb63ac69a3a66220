import fs from "node:fs/promises";
import { PGlite, types, type Transaction } from "@electric-sql/pglite";
import { LedgerError } from "../errors.js";
import type { Database, Queryable } from "./database.js";
import { lockDirectory } from "./directory-lock.js";

// PGlite parses BIGINT to a JS number, which loses precision above 2^53: keep it a decimal string,
// as postgres.js does.
const queryOptions = { parsers: { [types.INT8]: (value: string) => value } };

type PgliteClient = Pick<PGlite, "query" | "exec"> | Pick<Transaction, "query" | "exec">;

/**
 * PGlite runs its WASM on the caller's thread and its promises settle without waiting for I/O, so a
 * transaction's statements would run back to back in one macrotask, stalling the event loop for their
 * sum. A turn of the event loop after each statement bounds a stall by one statement.
 */
const eventLoopTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function queryable(client: PgliteClient): Queryable {
  return {
    async query<Row extends object>(text: string, params: readonly unknown[] = []) {
      const result = await client.query<Row>(text, params as unknown[], queryOptions);
      await eventLoopTurn();
      return result.rows;
    },
    async exec(script: string) {
      await client.exec(script);
      await eventLoopTurn();
    },
    async copyFrom(table: string, columns: readonly string[], data: string) {
      // PGlite reads COPY input from the virtual file /dev/blob.
      await client.query(`COPY ${table} (${columns.join(", ")}) FROM '/dev/blob'`, [], {
        ...queryOptions,
        blob: new Blob([data]),
      });
      await eventLoopTurn();
    },
  };
}

/**
 * Wraps a PGlite instance. With `owned: false` (an instance the caller handed in), `close()` leaves
 * it open.
 */
export function pgliteDatabase(
  pglite: PGlite,
  options: { owned: boolean; description: string; onClose?: () => void },
): Database {
  let closed = false;
  return {
    engine: "pglite",
    description: options.description,
    ...queryable(pglite),
    transaction: (work) => pglite.transaction((transaction) => work(queryable(transaction))),
    async close() {
      if (closed) return;
      closed = true;
      try {
        if (options.owned) await pglite.close();
      } finally {
        options.onClose?.();
      }
    },
  };
}

/**
 * Opens embedded PGlite: in memory when `directory` is undefined, otherwise persisted in that
 * directory, which is created when missing and locked against a second process.
 */
export async function openPglite(directory: string | undefined): Promise<Database> {
  if (directory === undefined) {
    const pglite = await startPglite(undefined, "memory:");
    return pgliteDatabase(pglite, { owned: true, description: "memory:" });
  }
  try {
    await fs.mkdir(directory, { recursive: true });
    await fs.access(directory, fs.constants.W_OK);
  } catch (error) {
    throw new LedgerError(
      "E_DB_DIR",
      `cannot use database directory ${directory}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const lock = lockDirectory(directory);
  try {
    const pglite = await startPglite(directory, `pglite:${directory}`);
    return pgliteDatabase(pglite, { owned: true, description: `pglite:${directory}`, onClose: lock.release });
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function startPglite(directory: string | undefined, description: string): Promise<PGlite> {
  try {
    return await PGlite.create(directory);
  } catch (error) {
    throw new LedgerError("E_DB_OPEN", `cannot open ${description}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
