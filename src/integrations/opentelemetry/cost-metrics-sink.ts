import type { EventSink } from "../../tracker/index.js";
import type { CostMetrics } from "./cost-metrics.js";

/**
 * `sink` that adds what it newly stores to `metrics` (duplicates, refused and spooled events are not
 * counted; spooled ones are when a replay stores them, since the replay writes through this sink).
 * Without metrics (no `@opentelemetry/api`), `sink` itself.
 *
 * @example
 * const tracker = createCostTracker({ sink: withCostMetrics(store, createCostMetrics()) });
 */
export function withCostMetrics(sink: EventSink, metrics: CostMetrics | undefined): EventSink {
  if (metrics === undefined) return sink;
  return {
    maxBatchSize: sink.maxBatchSize,
    preferredBatchSize: sink.preferredBatchSize,
    maxConcurrentWrites: sink.maxConcurrentWrites,
    close: () => sink.close(),
    async recordLlmCosts(records) {
      const result = await sink.recordLlmCosts(records);
      if (result.spooled) return result;
      const skipped = new Set(result.duplicateEventIds ?? []);
      for (const rejection of result.rejected ?? []) skipped.add(rejection.eventId);
      metrics.record(skipped.size === 0 ? records : records.filter((record) => !skipped.has(record.eventId)));
      return result;
    },
  };
}
