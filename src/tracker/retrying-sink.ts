import type { EventSink } from "./event-sink.js";
import { backoffDelay, isTransient, sleep, type RetryOptions } from "./retry-policy.js";

/** When a retrying sink stops, and what it tells about each failure. */
export interface RetryingSinkOptions {
  /** Backoff of the retries (all three settings given). */
  retry: Required<RetryOptions>;
  /**
   * Whether to stop after the failed attempt numbered `attempt` (0 for the first) and throw its
   * error: asked after every transient failure. Without it, retries never stop.
   */
  giveUp?: ((attempt: number) => boolean) | undefined;
  /** Hears every transient failure, before the sink decides to retry or give up. */
  onFailure?: ((error: unknown, attempt: number, records: number) => void) | undefined;
  /** Hears each retry, before its backoff wait. */
  onRetry?: (() => void) | undefined;
  /** Whether the backoff wait keeps the process alive (someone waits for the write). */
  keepAlive?: (() => boolean) | undefined;
}

/**
 * Wraps a sink so that a transient failure is retried with exponential backoff and jitter until the
 * write succeeds or `giveUp` says stop (the last error is then thrown, for a layer above — the
 * spool — or the caller to deal with). A non-transient error is thrown at once: retrying it would
 * fail forever.
 */
export function createRetryingSink(sink: EventSink, options: RetryingSinkOptions): EventSink {
  return {
    maxBatchSize: sink.maxBatchSize,
    preferredBatchSize: sink.preferredBatchSize,
    maxConcurrentWrites: sink.maxConcurrentWrites,
    close: () => sink.close(),
    async recordLlmCosts(records) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await sink.recordLlmCosts(records);
        } catch (error) {
          if (!isTransient(error)) throw error;
          options.onFailure?.(error, attempt, records.length);
          if (options.giveUp?.(attempt) === true) throw error;
          options.onRetry?.();
          await sleep(backoffDelay(attempt, options.retry), options.keepAlive?.() === true);
        }
      }
    },
  };
}
