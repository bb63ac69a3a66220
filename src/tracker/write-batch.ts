import type { NewLlmCostRecord } from "../store/cost-record.js";
import type { EventSink } from "./event-sink.js";
import { isTransient } from "./retry-policy.js";

/** What became of each record of a batch that reached the store. */
export interface BatchOutcome {
  /** Records committed now. */
  written: number;
  /** Event ids that were already stored. */
  duplicates: Set<string>;
  /** Event ids (lower case) refused for their content, with why: the sink's words when it listed them. */
  refused: Map<string, string>;
}

/**
 * Writes one batch. A transient failure is thrown (the caller retries or spools the whole batch).
 * Records the sink lists as `rejected` are refused (it stored the others). When the sink refuses the
 * batch as a whole with a non-transient error, the batch is split in halves until the refused
 * records are isolated, so one bad record never costs its neighbours: log2(n) extra writes on such a
 * batch only, and every write ends (a single record refused is refused, never retried).
 */
export async function writeBatch(
  sink: EventSink,
  records: readonly NewLlmCostRecord[],
): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { written: 0, duplicates: new Set(), refused: new Map() };
  await writeIsolating(sink, records, outcome);
  return outcome;
}

async function writeIsolating(
  sink: EventSink,
  records: readonly NewLlmCostRecord[],
  outcome: BatchOutcome,
): Promise<void> {
  try {
    const result = await sink.recordLlmCosts(records);
    outcome.written += result.inserted;
    for (const { eventId, reason } of result.rejected ?? [])
      outcome.refused.set(eventId.toLowerCase(), reason);
    if (result.duplicates > 0) {
      // Without ids from the sink, only an all-duplicate batch can be attributed.
      const ids =
        result.duplicateEventIds ?? (result.inserted === 0 ? records.map((record) => record.eventId) : []);
      for (const id of ids) outcome.duplicates.add(id.toLowerCase());
    }
  } catch (error) {
    if (isTransient(error)) throw error;
    if (records.length === 1) {
      outcome.refused.set(
        records[0]!.eventId.toLowerCase(),
        `refused by the store: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    const middle = Math.ceil(records.length / 2);
    await writeIsolating(sink, records.slice(0, middle), outcome);
    await writeIsolating(sink, records.slice(middle), outcome);
  }
}
