import type { NewLlmCostRecord } from "../store/cost-record.js";

/** Told of each event the tracker priced, with its record (cost, resolved model, dimensions). */
export type PricedListener = (record: NewLlmCostRecord) => void;

/** The tracker's priced-event listeners. */
export interface PricedListeners {
  /** Adds a listener; returns the function that removes it. */
  add(listener: PricedListener): () => void;
  /** Wraps the pricer so that every record it returns is shown to the listeners first. */
  wrap<Event>(pricer: (event: Event) => NewLlmCostRecord): (event: Event) => NewLlmCostRecord;
}

/**
 * Listeners of priced events (the budget guard counts this process's spend with one). They run on the
 * writer's turn, synchronously, before the record is written; a listener that throws is reported
 * once through `onError` and never affects the event or the other listeners. With none, pricing pays
 * one length check.
 */
export function createPricedListeners(onError: (error: unknown) => void): PricedListeners {
  let listeners: PricedListener[] = [];
  const failed = new WeakSet<PricedListener>();

  const notify = (record: NewLlmCostRecord) => {
    for (const listener of listeners) {
      try {
        listener(record);
      } catch (error) {
        if (failed.has(listener)) continue;
        failed.add(listener);
        onError(error);
      }
    }
  };

  return {
    add(listener) {
      // A new array each time: removing while notifying never skips a listener.
      listeners = [...listeners, listener];
      return () => {
        listeners = listeners.filter((candidate) => candidate !== listener);
      };
    },
    wrap(pricer) {
      return (event) => {
        const record = pricer(event);
        if (listeners.length > 0) notify(record);
        return record;
      };
    },
  };
}
