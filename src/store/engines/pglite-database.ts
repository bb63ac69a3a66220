import fs from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { LedgerError } from "../../errors.js";
import type { Database, Queryable } from "../database.js";
import { lockDirectory } from "./directory-lock.js";
import { copyFromBlob, pgliteQueryOptions as queryOptions } from "./pglite-query-options.js";
import { openPgliteWorker } from "./pglite-worker-database.js";

/**
 * What llm-ledger calls on a PGlite instance or transaction, typed structurally so that the package's
 * declaration files never name PGlite's own types: those reach into its Emscripten declarations, which
 * do not compile in a consumer with `skipLibCheck: false`. A `PGlite` and its `Transaction` fit it.
 */
export interface PgliteClientLike {
  query<Row>(
    text: string,
    params?: unknown[],
    options?: { parsers?: Record<number, (value: string, typeId: number) => unknown>; blob?: Blob },
  ): Promise<{ rows: Row[] }>;
  exec(script: string): Promise<unknown>;
}

/** A PGlite instance (`new PGlite()` or `PGlite.create()`), typed by what llm-ledger calls. */
export interface PgliteLike extends PgliteClientLike {
  transaction<T>(work: (transaction: PgliteClientLike) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * PGlite runs its WASM on the caller's thread and its promises settle without waiting for I/O, so a
 * transaction's statements would run back to back in one macrotask, stalling the event loop for their
 * sum. A turn of the event loop after each statement bounds a stall by one statement.
 */
const eventLoopTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function queryable(client: PgliteClientLike): Queryable {
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
      await client.query(copyFromBlob(table, columns), [], {
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
  pglite: PgliteLike,
  options: { owned: boolean; description: string; onClose?: () => void },
): Database {
  let closed = false;
  return {
    engine: "pglite",
    description: options.description,
    onCallerThread: true,
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
 * Where an owned PGlite instance runs: in a worker thread (the default: the application's event loop
 * never waits for the database) or on the caller's thread.
 */
export type PgliteThread = "worker" | "caller";

/**
 * Opens embedded PGlite: in memory when `directory` is undefined, otherwise persisted in that
 * directory, which is created when missing and locked against a second process.
 */
export async function openPglite(
  directory: string | undefined,
  thread: PgliteThread = "worker",
): Promise<Database> {
  const description = directory === undefined ? "memory:" : `pglite:${directory}`;
  if (directory === undefined) return start(undefined, thread, description, undefined);
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
  const lock = await lockDirectory(directory);
  try {
    return await start(directory, thread, description, lock.release);
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function start(
  directory: string | undefined,
  thread: PgliteThread,
  description: string,
  onClose: (() => void) | undefined,
): Promise<Database> {
  if (thread === "worker") {
    try {
      return await openPgliteWorker(directory, { description, onClose });
    } catch (error) {
      if (!(error as { workerUnavailable?: boolean }).workerUnavailable) throw error;
      process.emitWarning(
        `llm-ledger: PGlite runs on the caller's thread: its worker thread could not start (${(error as Error).message})`,
      );
    }
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(directory);
  } catch (error) {
    throw new LedgerError("E_DB_OPEN", `cannot open ${description}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return pgliteDatabase(pglite, { owned: true, description, onClose });
}
