import { LedgerError } from "../errors.js";

/**
 * A failed write to the store. `transient` says whether trying again later may succeed (the
 * database was unreachable, restarting, overloaded, or the connection dropped) or not (the data
 * itself was refused: a constraint, a bad value); the tracker retries the first kind and isolates
 * the refused records of the second. `sqlState` is Postgres's error code when the server gave one.
 */
export class StoreWriteError extends LedgerError {
  readonly transient: boolean;
  readonly sqlState: string | undefined;

  constructor(
    message: string,
    options: { transient: boolean; sqlState?: string | undefined; cause?: unknown },
  ) {
    super(options.transient ? "E_DB_UNAVAILABLE" : "E_DB_REFUSED", message, { cause: options.cause });
    this.name = "StoreWriteError";
    this.transient = options.transient;
    this.sqlState = options.sqlState;
  }
}

// Postgres error classes that say the data was refused: trying the same rows again cannot succeed.
// 22 data exception, 23 integrity constraint violation. Everything else (connection failures,
// shutdowns, overload, even a missing table) may be fixed by the operator, so the records are kept
// and retried rather than refused.
const refusedClasses = new Set(["22", "23"]);

/** Wraps an engine error as a StoreWriteError, deciding whether it is transient. */
export function storeWriteError(error: unknown, context: string): StoreWriteError {
  if (error instanceof StoreWriteError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const sqlState = typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  const transient = sqlState === undefined || !refusedClasses.has(sqlState.slice(0, 2));
  const detail = error instanceof Error ? error.message : String(error);
  return new StoreWriteError(`${context}: ${detail}`, { transient, sqlState, cause: error });
}
