// The part of the cost tracker that the integrations use, declared structurally so that they depend on
// its contract only (a `CostTracker` from `createCostTracker` satisfies it, and so does any test fake).

/** What happened to one tracked event (see the tracker): it never rejects. */
export interface TrackResult {
  eventId: string;
  outcome: "stored" | "duplicate" | "spooled" | "rejected" | "dropped";
  reason?: string;
}

/** Token usage in llm-ledger's convention (uncached input; all billed output; 5-minute and 1-hour cache writes). */
export interface TrackedUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  cacheWrite1hTokens?: number;
  reasoningTokens?: number;
}

/** One provider call as the integrations report it to `tracker.trackUsage`. */
export interface TrackUsageInput {
  provider?: string;
  model: string;
  usage: TrackedUsage;
  repo: string;
  taskType: string;
  sdk?: "ai" | "agent" | "raw" | "http";
  durationMs?: number;
  usedFallback?: boolean;
  fallbackReason?: string;
  deliveryId?: string;
  error?: string;
  eventId?: string;
  createdAt?: Date | string;
  userId?: string;
  sessionId?: string;
  traceId?: string;
  environment?: string;
  metadata?: Record<string, unknown>;
  providerCostUsd?: number | string;
}

/** Anything that records usage: the `CostTracker`. */
export interface UsageTracker {
  trackUsage(input: TrackUsageInput): Promise<TrackResult>;
}
