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
}
