// A fake tracker for the unit layer: it records what the integrations hand to `trackUsage` and answers
// as the real tracker does. The end-to-end suites use the real tracker and database instead.
import { randomUUID } from "node:crypto";
import type { TrackResult, TrackUsageInput, UsageTracker } from "../../src/integrations/usage-tracker.js";

export interface RecordingTracker extends UsageTracker {
  readonly calls: TrackUsageInput[];
}

export function createRecordingTracker(): RecordingTracker {
  const calls: TrackUsageInput[] = [];
  const seen = new Set<string>();
  return {
    calls,
    trackUsage(input) {
      calls.push(input);
      const eventId = input.eventId ?? randomUUID();
      const outcome: TrackResult["outcome"] = seen.has(eventId) ? "duplicate" : "stored";
      seen.add(eventId);
      return Promise.resolve({ eventId, outcome });
    },
  };
}
