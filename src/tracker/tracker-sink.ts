// The tracker's sink, layer by layer: refused records isolated, transient failures retried, then
// (with a spool) spooled — and the one function that sends a priced batch through it and settles
// every event of the batch, whatever happened.
import { isLedgerError } from "../errors.js";
import type { NewLlmCostRecord } from "../store/cost-record.js";
import type { LedgerLogger } from "../logger.js";
import type { BatchWriter } from "./batch-writer.js";
import { logError } from "./default-logger.js";
import type { EventSink, SinkWriteResult } from "./event-sink.js";
import type { EventOutcomes, PricedItem } from "./event-outcomes.js";
import { createIsolatingSink } from "./isolating-sink.js";
import { isTransient, type RetryOptions } from "./retry-policy.js";
import { createRetryingSink } from "./retrying-sink.js";
import { createSpoolingSink, spoolWriteFailed, type SpoolingSink } from "./spooling-sink.js";

/** What the sink layers need to know of the batch writer that feeds them. */
export type WriterState = Pick<BatchWriter<unknown>, "closing" | "full" | "urgent" | "wake">;

/** The assembled sink: where batches go, and the spooling layer when there is a spool. */
export interface TrackerSink {
  /** Sends a priced batch through the layers and settles its events; never rejects. */
  deliver: (items: PricedItem[]) => Promise<void>;
  /** Sends a priced batch straight to the spool (the queue is full, or the store is down). */
  divert?: ((items: PricedItem[]) => Promise<void>) | undefined;
  spooling?: SpoolingSink | undefined;
}

/**
 * Wraps `store` for the tracker. Without a spool, retries stop only when close() runs out of time
 * (`deadline`); with one, after `retry.attempts` — or at once while the writer is closing or full —
 * and the batch goes to the spool. `writer` is read lazily: the writer is created after its sink.
 */
export function createTrackerSink(options: {
  store: EventSink;
  spoolDirectory: string | undefined;
  retry: Required<RetryOptions>;
  replayBatchSize: number;
  logger: LedgerLogger;
  outcomes: EventOutcomes;
  deadline: () => number;
  writer: () => WriterState;
}): TrackerSink {
  const { retry, logger, outcomes, writer } = options;
  const { counters } = outcomes;
  const isolated = createIsolatingSink(options.store);
  const retrying = createRetryingSink(isolated, {
    retry,
    giveUp:
      options.spoolDirectory === undefined
        ? () => Date.now() >= options.deadline()
        : (attempt) => attempt + 1 >= retry.attempts || writer().closing || writer().full,
    onFailure(error, attempt, events) {
      outcomes.reportError(error);
      if (attempt === 0) {
        logger.warn({ error: counters.lastError?.message, events }, "llm-ledger: write failed; retrying");
      }
    },
    onRetry: () => counters.retries++,
    keepAlive: () => writer().urgent,
  });
  const spooling =
    options.spoolDirectory === undefined
      ? undefined
      : createSpoolingSink({
          sink: retrying,
          replayTo: isolated,
          directory: options.spoolDirectory,
          logger,
          retry,
          replayBatchSize: options.replayBatchSize,
          mustDrop: () => writer().full || writer().closing,
          keepAlive: () => writer().urgent,
          wake: () => writer().wake(),
          onError: (error) => outcomes.reportError(error),
          onRetry: () => counters.retries++,
          onReplayed(result) {
            counters.replayed += result.inserted;
            counters.written += result.inserted;
            counters.duplicates += result.duplicates;
            counters.rejected += result.rejected?.length ?? 0;
          },
        });
  const sink = spooling ?? retrying;

  async function send(
    items: PricedItem[],
    write: (records: NewLlmCostRecord[]) => Promise<SinkWriteResult>,
  ): Promise<void> {
    try {
      outcomes.settleWrite(items, await write(items.map((item) => item.record)));
    } catch (error) {
      if (isLedgerError(error, spoolWriteFailed)) outcomes.dropAll(items, "spool write failed");
      else if (spooling === undefined && isTransient(error)) {
        outcomes.dropAll(items, "the store stayed unreachable until close() gave up");
      } else {
        // Unreachable by design (the layers settle every failure); never leave a promise unsettled.
        logError(logger, { error: String(error) }, "llm-ledger: tracker write failed unexpectedly");
        outcomes.dropAll(items, "tracker error");
      }
    }
  }

  return {
    deliver: (items) => send(items, (records) => sink.recordLlmCosts(records)),
    divert: spooling && ((items) => send(items, (records) => spooling.divert(records))),
    spooling,
  };
}
