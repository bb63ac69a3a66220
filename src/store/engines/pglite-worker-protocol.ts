/**
 * Messages between the main thread and the worker thread that owns a PGlite instance
 * (see pglite-worker-database.ts). Every request carries an `id` its reply repeats; `tx` names a
 * transaction the worker holds open between requests.
 */
export type WorkerRequest =
  | { id: number; kind: "query"; text: string; params: readonly unknown[]; tx?: number; copyData?: string }
  | { id: number; kind: "exec"; script: string; tx?: number }
  | { id: number; kind: "begin" }
  | { id: number; kind: "end"; tx: number; commit: boolean }
  | { id: number; kind: "close" };

/** A database error as plain data: its message and Postgres' fields (`code`, `detail`, …). */
export interface WorkerError {
  message: string;
  fields: Record<string, string | number | boolean>;
}

/** The worker's answer to the request with the same `id`: rows, a transaction opened, done, or an error. */
export type WorkerReply =
  | { id: number; rows: unknown[] }
  | { id: number; tx: number }
  | { id: number; done: true }
  | { id: number; error: WorkerError };

/** The worker's first message: the database is open, or why it could not be. */
export type WorkerStartup = { kind: "ready" } | { kind: "failed"; error: WorkerError };

/** What the worker is started with. */
export interface WorkerInit {
  /** PGlite's data directory; undefined for an in-memory database. */
  dataDir: string | undefined;
}

/** An error (from PGlite or anywhere) as plain data that survives `postMessage`. */
export function toWorkerError(error: unknown): WorkerError {
  if (!(error instanceof Error)) return { message: String(error), fields: {} };
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      fields[key] = value;
    }
  }
  return { message: error.message, fields };
}

/** Rebuilds an error from its plain form: an `Error` with the database's fields (`code` first). */
export function fromWorkerError(error: WorkerError): Error {
  return Object.assign(new Error(error.message), error.fields);
}
