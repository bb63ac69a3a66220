import type { NewLlmCostRecord } from "../store/cost-record.js";
import type { EventSink, SinkWriteResult } from "./event-sink.js";
import { isTransient } from "./retry-policy.js";

/** What became of the records of a batch, gathered across the writes that isolate refused ones. */
interface Tally {
  inserted: number;
  /** Event ids (lower case) that were already stored. */
  duplicates: Set<string>;
  /** Event ids (lower case) refused for their content, with why: the sink's words when it listed them. */
  refused: Map<string, string>;
}

/**
 * Wraps a sink so that one bad record never costs its neighbours. A transient failure is thrown
 * (a layer above retries or spools the whole batch). When the sink refuses a batch as a whole with
 * a non-transient error, the batch is split in halves until the refused records are isolated:
 * log2(n) extra writes on such a batch only, and every write ends (a single record refused is
 * refused, never retried). The result lists every refused record in `rejected` and every duplicate
 * it can attribute in `duplicateEventIds` (ids in lower case); `duplicates` counts those.
 */
export function createIsolatingSink(sink: EventSink): EventSink {
  return {
    maxBatchSize: sink.maxBatchSize,
    preferredBatchSize: sink.preferredBatchSize,
    maxConcurrentWrites: sink.maxConcurrentWrites,
    close: () => sink.close(),
    async recordLlmCosts(records): Promise<SinkWriteResult> {
      const tally: Tally = { inserted: 0, duplicates: new Set(), refused: new Map() };
      await writeIsolating(sink, records, tally);
      return {
        inserted: tally.inserted,
        duplicates: tally.duplicates.size,
        duplicateEventIds: tally.duplicates.size === 0 ? [] : [...tally.duplicates],
        rejected:
          tally.refused.size === 0
            ? []
            : Array.from(tally.refused, ([eventId, reason]) => ({ eventId, reason })),
      };
    },
  };
}

async function writeIsolating(
  sink: EventSink,
  records: readonly NewLlmCostRecord[],
  tally: Tally,
): Promise<void> {
  try {
    const result = await sink.recordLlmCosts(records);
    tally.inserted += result.inserted;
    for (const { eventId, reason } of result.rejected ?? []) tally.refused.set(eventId.toLowerCase(), reason);
    if (result.duplicates > 0) {
      // Without ids from the sink, only an all-duplicate batch can be attributed.
      const ids =
        result.duplicateEventIds ?? (result.inserted === 0 ? records.map((record) => record.eventId) : []);
      for (const id of ids) tally.duplicates.add(id.toLowerCase());
    }
  } catch (error) {
    if (isTransient(error)) throw error;
    if (records.length === 1) {
      tally.refused.set(
        records[0]!.eventId.toLowerCase(),
        `refused by the store: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    const middle = Math.ceil(records.length / 2);
    await writeIsolating(sink, records.slice(0, middle), tally);
    await writeIsolating(sink, records.slice(middle), tally);
  }
}
