// What becomes of each event once it leaves the caller: every outcome is counted in the tracker's
// stats, logged when it is bad news, and answered through the event's own promise.
import type { NewLlmCostRecord } from "../store/cost-record.js";
import type { LedgerLogger } from "../logger.js";
import { logError } from "./default-logger.js";
import type { SinkWriteResult } from "./event-sink.js";
import type { TrackResult } from "./track-types.js";
import { emptyStats, type TrackerStats } from "./tracker-stats.js";

/** A priced event and its caller's promise, on its way to the sink. */
export interface PricedItem {
  record: NewLlmCostRecord;
  resolve: (result: TrackResult) => void;
}

/** The tracker's counters and the one place that settles events. */
export interface EventOutcomes {
  readonly counters: TrackerStats;
  /** Answers a queued event (one of those counted `pending`). */
  settle(resolve: (result: TrackResult) => void, result: TrackResult): void;
  /** Counts and logs a refused event; returns its answer. */
  reject(eventId: string, reason: string): TrackResult;
  /** Counts and logs a lost event; returns its answer. */
  drop(eventId: string, reason: string): TrackResult;
  /** Settles every item of a batch as dropped, with why. */
  dropAll(items: readonly PricedItem[], reason: string): void;
  /** Settles a batch from what the sink did with it: spooled, or stored / duplicate / rejected each. */
  settleWrite(items: readonly PricedItem[], result: SinkWriteResult): void;
  /** Remembers a write error as `lastError` and tells the caller's `onError`. */
  reportError(error: unknown): void;
}

/** Creates fresh counters and the functions that settle events against them. */
export function createEventOutcomes(
  logger: LedgerLogger,
  onError: ((error: unknown) => void) | undefined,
): EventOutcomes {
  const counters = emptyStats();
  const settle = (resolve: (result: TrackResult) => void, result: TrackResult) => {
    counters.pending--;
    resolve(result);
  };
  const drop = (eventId: string, reason: string): TrackResult => {
    counters.dropped++;
    logError(logger, { eventId, reason, dropped: counters.dropped }, `llm-ledger: EVENT DROPPED (${reason})`);
    return { eventId, outcome: "dropped", reason };
  };
  const reject = (eventId: string, reason: string): TrackResult => {
    counters.rejected++;
    logger.warn({ eventId: eventId || undefined, reason }, `llm-ledger: event rejected: ${reason}`);
    return { eventId, outcome: "rejected", reason };
  };

  return {
    counters,
    settle,
    reject,
    drop,
    dropAll(items, reason) {
      for (const { record, resolve } of items) settle(resolve, drop(record.eventId, reason));
    },
    settleWrite(items, result) {
      if (result.spooled === true) {
        counters.spooled += items.length;
        for (const { record, resolve } of items)
          settle(resolve, { eventId: record.eventId, outcome: "spooled" });
        return;
      }
      // Lookups only for a batch that has refused or duplicate events (ids in lower case).
      const refused =
        result.rejected && result.rejected.length > 0
          ? new Map(result.rejected.map(({ eventId, reason }) => [eventId.toLowerCase(), reason]))
          : undefined;
      const duplicates =
        result.duplicateEventIds && result.duplicateEventIds.length > 0
          ? new Set(result.duplicateEventIds.map((id) => id.toLowerCase()))
          : undefined;
      for (const { record, resolve } of items) {
        const reason = refused?.get(record.eventId);
        if (reason !== undefined) settle(resolve, reject(record.eventId, reason));
        else if (duplicates?.has(record.eventId) === true) {
          counters.duplicates++;
          settle(resolve, { eventId: record.eventId, outcome: "duplicate" });
        } else {
          counters.written++;
          settle(resolve, { eventId: record.eventId, outcome: "stored" });
        }
      }
    },
    reportError(error) {
      const message = error instanceof Error ? error.message : String(error);
      counters.lastError = { message, at: new Date().toISOString() };
      try {
        onError?.(error);
      } catch {
        // the caller's handler must not break the tracker
      }
    },
  };
}
