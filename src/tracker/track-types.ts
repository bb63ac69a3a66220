import type { EventUsage, UsageField } from "../events/index.js";
import type { LlmCostRecordInput } from "../store/cost-record.js";

/** What became of one tracked event. */
export type TrackOutcome = "stored" | "duplicate" | "spooled" | "rejected" | "dropped";

/**
 * The settled result of one `track…` call. It never rejects, and settles no later than `close()`:
 * - `rejected` — at once for invalid input; after the write for an event the store (or the service)
 *   refused for its content, with the reason; never retried or spooled;
 * - `stored` — committed; `duplicate` — its `eventId` was already stored;
 * - `spooled` — appended to a spool file and synced, written later (the store was unreachable, or
 *   the event came past `maxQueue` with the spool on: the spool is the overflow);
 * - `dropped` — only with the spool off and `maxQueue` events waiting, once `close()` gave up on an
 *   unreachable store with the spool off, when the disk refused the spool, or after `close()`.
 */
export interface TrackResult {
  /** The event's id (empty when the input was too broken to carry one). */
  eventId: string;
  outcome: TrackOutcome;
  /** Why, for `rejected` and `dropped`. */
  reason?: string;
}

/** Fields every tracking call may add to the original design's parameters. */
export interface TrackExtras {
  eventId?: string | undefined;
  /** The project (a slug); default the tracker's `project`, else the sink's (see CostTrackerSettings). */
  project?: string | undefined;
  /** The time of the call; default the time of the `track…` call. */
  createdAt?: Date | string | undefined;
  cacheWrite1hTokens?: number | undefined;
  reasoningTokens?: number | undefined;
  metadata?: Record<string, unknown> | null | undefined;
  userId?: string | null | undefined;
  sessionId?: string | null | undefined;
  traceId?: string | null | undefined;
  environment?: string | null | undefined;
  /** The service tier that served the call (`batch`, `flex`, `priority`; default standard). */
  serviceTier?: string | null | undefined;
  /** Web searches (or grounded prompts) the provider billed for the call. */
  webSearchRequests?: number | undefined;
  /** The span of the call within `traceId`: 16 hex digits. */
  spanId?: string | null | undefined;
  /** Audio input tokens reported apart from text (not inside `inputTokens`). */
  audioInputTokens?: number | undefined;
  /** Audio output tokens reported apart from text (not inside `outputTokens`). */
  audioOutputTokens?: number | undefined;
  /** Image output tokens reported apart from text (not inside `outputTokens`). */
  imageOutputTokens?: number | undefined;
  /** Cached audio input tokens reported apart from cached text (not inside `cacheReadTokens`). */
  cacheReadAudioTokens?: number | undefined;
}

/** The original design's `trackAiSdkCall` parameters (plus `TrackExtras`). */
export interface AiSdkCallParams extends TrackExtras {
  repo: string;
  taskType: string;
  model: string;
  provider: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number | undefined;
  cacheWriteTokens?: number | undefined;
  durationMs: number;
  usedFallback: boolean;
  fallbackReason?: string | undefined;
  deliveryId?: string | undefined;
  error?: string | undefined;
}

/**
 * The original design's `trackAgentSdkCall` parameters (plus `TrackExtras`): the provider is taken
 * from the model, and `costUsd` is the SDK's own `total_cost_usd`.
 */
export interface AgentSdkCallParams extends TrackExtras {
  repo: string;
  taskType: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number | undefined;
  cacheWriteTokens?: number | undefined;
  durationMs: number;
  costUsd?: number | string | undefined;
  deliveryId?: string | undefined;
  error?: string | undefined;
  usedFallback?: boolean | undefined;
  fallbackReason?: string | undefined;
}

/**
 * Token usage in the pricing convention: `inputTokens` uncached; `reasoningTokens` inside
 * `outputTokens`. The event model's usage type, under the name the tracker has always exported.
 */
export type TrackUsage = EventUsage;

/** `trackUsage` parameters: a usage object (as the raw-SDK adapters return) and the event's other fields. */
export type UsageCallParams = Omit<LlmCostRecordInput, UsageField> & { usage: TrackUsage };
