// The tracker's public surface: createCostTracker and the types its callers and sinks use.
export { createCostTracker } from "./cost-tracker.js";
export type { CostTracker, CostTrackerOptions } from "./cost-tracker.js";
export type { CostTrackerSettings, CostTrackerSinkOption } from "./tracker-options.js";
export type { EventSink, SinkRejection, SinkWriteResult } from "./event-sink.js";
export type { AgentCostPolicy, TrackerPricing } from "../events/index.js";
export type { RetryOptions } from "./retry-policy.js";
export type {
  AgentSdkCallParams,
  AiSdkCallParams,
  TrackExtras,
  TrackOutcome,
  TrackResult,
  TrackUsage,
  UsageCallParams,
} from "./track-types.js";
export type { TrackerStats } from "./tracker-stats.js";
export type { PricedListener } from "./priced-listeners.js";
export type { LlmCostRecord, LlmCostRecordInput, NewLlmCostRecord } from "../store/cost-record.js";
