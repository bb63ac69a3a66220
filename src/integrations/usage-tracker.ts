// The part of the cost tracker that the integrations use: its `trackUsage` call, typed with the
// tracker's own public types (a `CostTracker` from `createCostTracker` satisfies it, and so does any
// test fake), so an integration can never drift from what the tracker accepts.
import type { TrackResult, TrackUsage, UsageCallParams } from "../tracker/index.js";

export type { TrackResult };

/** Token usage in llm-ledger's convention: the tracker's `TrackUsage`, under the integrations' name. */
export type TrackedUsage = TrackUsage;

/** One provider call as the integrations report it to `tracker.trackUsage`: its `UsageCallParams`. */
export type TrackUsageInput = UsageCallParams;

/** Anything that records usage: the `CostTracker`. */
export interface UsageTracker {
  trackUsage(input: TrackUsageInput): Promise<TrackResult>;
}
