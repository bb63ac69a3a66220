// A plain in-memory EventSink for the tests of the tracker's parts: idempotent by eventId like the
// store, with a switch that makes it unreachable, and a log of every write it was asked for.
import { randomUUID } from "node:crypto";
import type { NewLlmCostRecord } from "../../src/store/cost-record.js";
import type { EventSink } from "../../src/tracker/event-sink.js";

/** A priced record with a fresh eventId; `overrides` change any field. */
export function newRecord(overrides: Partial<NewLlmCostRecord> = {}): NewLlmCostRecord {
  return {
    eventId: randomUUID(),
    createdAt: new Date().toISOString(),
    repo: "acme/api",
    taskType: "review",
    model: "claude-sonnet-4-5",
    provider: "anthropic",
    sdk: "raw",
    inputTokens: 1000,
    outputTokens: 200,
    estimatedCostUsd: "0.006",
    costSource: "catalog",
    priced: true,
    ...overrides,
  };
}

/** The in-memory sink, with what it stored and what it was asked. */
export interface MemorySink extends EventSink {
  /** Event ids in the order they were first stored. */
  readonly stored: string[];
  /** Every write attempted, as its event ids, failed ones included. */
  readonly attempts: string[][];
  /** While true, every write fails as an unreachable database would. */
  down: boolean;
  /** Writes at once right now, and the most seen. */
  readonly active: number;
  readonly mostAtOnce: number;
}

/** Creates an empty in-memory sink; `delayMs` makes each write wait (so writes overlap). */
export function memorySink(delayMs = 0): MemorySink {
  const stored: string[] = [];
  const attempts: string[][] = [];
  const seen = new Set<string>();
  let active = 0;
  let mostAtOnce = 0;
  const sink: MemorySink = {
    stored,
    attempts,
    down: false,
    get active() {
      return active;
    },
    get mostAtOnce() {
      return mostAtOnce;
    },
    close: async () => {},
    async recordLlmCosts(records) {
      attempts.push(records.map((record) => record.eventId));
      active++;
      mostAtOnce = Math.max(mostAtOnce, active);
      try {
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        else await Promise.resolve();
        if (sink.down) throw Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" });
        const duplicateEventIds: string[] = [];
        for (const { eventId } of records) {
          if (seen.has(eventId)) duplicateEventIds.push(eventId);
          else {
            seen.add(eventId);
            stored.push(eventId);
          }
        }
        return {
          inserted: records.length - duplicateEventIds.length,
          duplicates: duplicateEventIds.length,
          duplicateEventIds,
        };
      } finally {
        active--;
      }
    },
  };
  return sink;
}
