// What the two ingest routes (`POST /v1/events`, `POST /v1/traces`) share once a request is read:
// how the service prices what it receives, how far ahead of its clock an event may be, and the
// commit of a request's records with its bookkeeping (pending events, results, the alerts' nudge).
// Each route keeps only what its body format needs: parsing, refusal wording and the answer's shape.
import { createEventPricer } from "../events/index.js";
import type { Pricing } from "../pricing/index.js";
import type { NewLlmCostRecord } from "../store/index.js";
import type { IngestWriter, IngestWriteResult } from "./ingest-writer.js";
import type { ServerLogger } from "./server-logger.js";
import type { ServerMetrics } from "./server-metrics.js";

/** How far an event's time may run ahead of the service's clock (a sender's clock skew). */
export const maxFutureMs = 5 * 60 * 1000;

/**
 * How the service prices what it receives (`POST /v1/events`, `POST /v1/traces`): with the catalog,
 * an Agent SDK cost only when the event asks for it, unpriced models stored and flagged (no callback).
 */
export function createServerPricer(pricing: Pricing, logger: ServerLogger) {
  return createEventPricer({ pricing, logger, agentCost: "catalog", onUnpriced: () => {} });
}

/** What committing needs: the writer both routes share, the service's counters, the alerts' nudge. */
export interface IngestCommitDependencies {
  writer: IngestWriter;
  metrics: ServerMetrics;
  /** Told after a request stored something new (the budget alerts evaluate soon after). */
  onIngested?: (() => void) | undefined;
}

/**
 * Commits one request's priced records and keeps the books the same way for every ingest route:
 * the records count as pending in `/metrics` while their group commit is in flight; then what was
 * inserted, already stored and refused is counted, refusals made before the write (`refusedEarlier`:
 * the route's own validation) together with those of the store; and the alerts are nudged when
 * anything new was stored. Resolves with the writer's result for the route to answer from; a failed
 * write rejects (the route's error table turns it into 503) and counts nothing.
 */
export function createIngestCommitter(dependencies: IngestCommitDependencies) {
  const { writer, metrics } = dependencies;
  return async function commitIngest(
    records: readonly NewLlmCostRecord[],
    refusedEarlier: number,
  ): Promise<IngestWriteResult> {
    metrics.ingestStarted(records.length);
    let result: IngestWriteResult;
    try {
      result = await writer.write(records);
    } finally {
      metrics.ingestFinished(records.length);
    }
    metrics.recordIngest({ ...result, rejected: refusedEarlier + (result.rejected?.length ?? 0) });
    if (result.inserted > 0) dependencies.onIngested?.();
    return result;
  };
}
