import type { NewLlmCostRecord } from "../store/cost-record.js";
import type { RecordCostsResult } from "../store/record-costs.js";

/** An event the sink could not store because of its content (the rest of its batch was stored). */
export interface SinkRejection {
  eventId: string;
  reason: string;
}

/**
 * What a sink's write did: the store's counts, plus the events it refused for their content. A
 * sink that lists `rejected` has stored (or found already stored) every other record of the batch;
 * the tracker answers the listed ones `rejected` and never retries or spools them.
 */
export type SinkWriteResult = RecordCostsResult & {
  rejected?: readonly SinkRejection[] | undefined;
  /**
   * True when the batch was not stored but appended, synced, to a spool file for a later replay
   * (the spooling sink's answer while the store is unreachable): its events are durable, not stored.
   */
  spooled?: boolean | undefined;
};

/**
 * Where the tracker writes: the `TelemetryStore`, or anything else that stores priced events
 * idempotently by `eventId` (the HTTP sink of the service). Events refused for their content are
 * best listed in the result's `rejected`. A failed write should throw an error with
 * `transient: false` when the records themselves were refused (the tracker then splits the batch to
 * isolate the refused ones; an error carrying a Postgres `sqlState` or `code` of class 22 or 23 counts
 * as such) and anything else when trying again later may succeed.
 */
export interface EventSink {
  recordLlmCosts(records: readonly NewLlmCostRecord[]): Promise<SinkWriteResult>;
  close(): Promise<void>;
  /** The largest batch the sink wants in one call (PGlite keeps it small; see the store). */
  readonly maxBatchSize?: number | undefined;
  /** The batch size the sink writes fastest: the tracker's default `batchSize` (else 1,000). */
  readonly preferredBatchSize?: number | undefined;
  /**
   * How many `recordLlmCosts` calls the sink can usefully serve at once (default 1): the tracker's
   * default `writeConcurrency`. A sink that says more than 1 must accept concurrent calls, whose
   * batches may commit in any order (each is idempotent by `eventId`).
   */
  readonly maxConcurrentWrites?: number | undefined;
}
