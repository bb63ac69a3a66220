/** How failed writes are retried. */
export interface RetryOptions {
  /** Attempts at one batch before it goes to the spool (with the spool off: attempts never stop). Default 3. */
  attempts?: number | undefined;
  /** First backoff delay; doubles per attempt. Default 100 ms. */
  baseDelayMs?: number | undefined;
  /** Longest backoff delay, also the longest wait between probes of a database that is down. Default 5 s. */
  maxDelayMs?: number | undefined;
}

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so retrying
 * processes spread out but never hammer the database with near-zero delays.
 */
export function backoffDelay(attempt: number, options: Required<RetryOptions>, random = Math.random): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(attempt, 30));
  return step / 2 + random() * (step / 2);
}

// Postgres error classes that say the data was refused, so the same rows can never succeed:
// 22 data exception, 23 integrity constraint violation (the store's StoreWriteError says the same).
const refusedClasses = new Set(["22", "23"]);

/**
 * Whether trying a failed write again may succeed. Errors that say so (`transient`, as the store's
 * StoreWriteError and the HTTP sink's errors do) are believed. A sink that throws the engine's own
 * error (`sqlState`, or postgres.js's and PGlite's `code`, here or on a `cause`) of class 22 or 23
 * is refused: retried, it would fail forever. Anything else — a network error, a closed connection,
 * an unknown failure — is treated as transient, so the events are kept rather than refused.
 */
export function isTransient(error: unknown): boolean {
  for (let current = error, depth = 0; depth < 5; depth++) {
    if (typeof current !== "object" || current === null) break;
    const { transient, sqlState, code, cause } = current as Record<string, unknown>;
    if (typeof transient === "boolean") return transient;
    const state = typeof sqlState === "string" ? sqlState : code;
    if (typeof state === "string" && /^[0-9A-Z]{5}$/.test(state) && refusedClasses.has(state.slice(0, 2))) {
      return false;
    }
    current = cause;
  }
  return true;
}

/** Waits `milliseconds`; an unref'd wait does not keep the process alive. */
export function sleep(milliseconds: number, keepAlive: boolean): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, milliseconds);
    if (!keepAlive) timer.unref();
  });
}
