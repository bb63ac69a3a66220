import { nextTurn } from "./next-turn.js";
import type { EventOutcomes, PricedItem } from "./event-outcomes.js";
import type { StampedEvent } from "../events/index.js";
import type { TrackResult } from "./track-types.js";

/** A stamped event and its caller's promise: one object per queued event (it lives until written). */
export interface QueuedEvent extends StampedEvent {
  resolve: (result: TrackResult) => void;
}

/**
 * Events priced in one event-loop turn: about a millisecond of work, so that pricing adds little to
 * the longest stall (which GC pauses and the store's encoding of a batch also take part in).
 */
const priceSlice = 250;

/**
 * Creates the function that prices a batch taken from the queue. Events pricing refuses are settled
 * as rejected, repeated ids as duplicates. Priced `priceSlice` events at a time with an event-loop
 * turn between slices, so that a batch (or a whole queue diverted to the spool) never holds the loop
 * for long.
 */
export function createBatchPricer(
  priceEvent: (event: StampedEvent) => PricedItem["record"],
  outcomes: EventOutcomes,
): (batch: QueuedEvent[]) => Promise<PricedItem[]> {
  function priceSliceOf(
    batch: QueuedEvent[],
    start: number,
    end: number,
    items: PricedItem[],
    seen: Set<string>,
  ): void {
    for (let index = start; index < end; index++) {
      const event = batch[index]!;
      if (seen.has(event.eventId)) {
        outcomes.counters.duplicates++;
        outcomes.settle(event.resolve, { eventId: event.eventId, outcome: "duplicate" });
        continue;
      }
      seen.add(event.eventId);
      try {
        items.push({ record: priceEvent(event), resolve: event.resolve });
      } catch (error) {
        outcomes.settle(
          event.resolve,
          outcomes.reject(event.eventId, `cannot price: ${(error as Error).message}`),
        );
      }
    }
  }

  return async (batch) => {
    const items: PricedItem[] = [];
    const seen = new Set<string>();
    for (let start = 0; start < batch.length; start += priceSlice) {
      if (start > 0) await nextTurn();
      priceSliceOf(batch, start, Math.min(batch.length, start + priceSlice), items, seen);
    }
    return items;
  };
}
