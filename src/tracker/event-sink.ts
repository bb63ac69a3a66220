import type { NewLlmCostRecord } from "../store/cost-record.js";
import type { RecordCostsResult } from "../store/record-costs.js";

/**
 * Where the tracker writes: the `TelemetryStore`, or anything else that stores priced events
 * idempotently by `eventId` (the HTTP sink of the service). A failed write should throw an error
 * with `transient: false` when the records themselves were refused (the tracker then isolates the
 * refused ones) and anything else when trying again later may succeed.
 */
export interface EventSink {
  recordLlmCosts(records: readonly NewLlmCostRecord[]): Promise<RecordCostsResult>;
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
