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

/**
 * Whether trying a failed write again may succeed. Errors that say so (`transient`, as the store's
 * StoreWriteError does) are believed; anything else — a network error, a closed connection, an
 * unknown failure — is treated as transient, so the events are kept rather than refused.
 */
export function isTransient(error: unknown): boolean {
  const transient = (error as { transient?: unknown } | null)?.transient;
  return typeof transient === "boolean" ? transient : true;
}

/** Waits `milliseconds`; an unref'd wait does not keep the process alive. */
export function sleep(milliseconds: number, keepAlive: boolean): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, milliseconds);
    if (!keepAlive) timer.unref();
  });
}
