import type { CostEstimate, EstimateInput } from "../pricing/index.js";
import type { NewLlmCostRecord } from "../store/cost-record.js";
import type { LedgerLogger } from "../store/logger.js";
import type { ValidInput } from "./validate-input.js";

/** What the tracker needs of pricing: `createPricing()` returns it; so does a test double. */
export interface TrackerPricing {
  estimateCost(input: EstimateInput): CostEstimate;
  extractProvider(model: string): string;
  readonly version?: string | undefined;
}

/**
 * Whose figure leads for Agent SDK calls: `catalog` (default) — our estimate when the model is
 * priced, the SDK's when not; `sdk` — the SDK's `total_cost_usd` whenever it is given (the original
 * design's behaviour). The SDK's figure is always kept in `provider_cost_usd`.
 */
export type AgentCostPolicy = "catalog" | "sdk";

/** A validated event with its id and time stamped, waiting to be priced and written. */
export interface StampedEvent {
  input: ValidInput;
  eventId: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

/**
 * Creates the function that turns a stamped event into a priced record. An unknown model is
 * recorded with `priced = false` (cost 0, or the provider's own figure when one was reported) and
 * warned about once per model, not once per event.
 */
export function createEventPricer(options: {
  pricing: TrackerPricing;
  logger: LedgerLogger;
  agentCost: AgentCostPolicy;
  onUnpriced: () => void;
}): (event: StampedEvent) => NewLlmCostRecord {
  const { pricing, logger, agentCost } = options;
  const warned = new Set<string>();
  return ({ input, eventId, createdAt }) => {
    const provider = input.provider ?? pricing.extractProvider(input.model);
    const at = new Date(createdAt);
    const estimate = pricing.estimateCost({
      model: input.model,
      provider,
      at,
      usage: {
        inputTokens: input.inputTokens,
        outputTokens: input.outputTokens,
        cacheReadTokens: input.cacheReadTokens,
        cacheWriteTokens: input.cacheWriteTokens,
        cacheWrite1hTokens: input.cacheWrite1hTokens,
        reasoningTokens: input.reasoningTokens,
      },
    });
    const reported = input.providerCostUsd;
    let cost: Pick<
      NewLlmCostRecord,
      "estimatedCostUsd" | "costSource" | "priced" | "resolvedModel" | "pricingVersion"
    >;
    if (estimate.priced) {
      const sdkLeads = agentCost === "sdk" && input.sdk === "agent" && reported !== null;
      cost = {
        estimatedCostUsd: sdkLeads ? reported : estimate.costUsd,
        costSource: sdkLeads ? "provider" : "catalog",
        priced: true,
        resolvedModel: estimate.model,
        pricingVersion: estimate.pricingVersion,
      };
    } else {
      options.onUnpriced();
      const key = input.model.toLowerCase();
      if (!warned.has(key)) {
        warned.add(key);
        logger.warn(
          { model: input.model, provider, reason: estimate.reason },
          `llm-ledger: no price for model "${input.model}"; its events are recorded with priced=false and ${
            reported === null ? "cost 0" : "the provider's reported cost"
          } (warned once per model; add a pricing override to price them)`,
        );
      }
      cost = {
        estimatedCostUsd: reported ?? "0",
        costSource: reported === null ? "none" : "provider",
        priced: false,
        resolvedModel: null,
        pricingVersion: pricing.version ?? null,
      };
    }
    return {
      eventId,
      createdAt: at.toISOString(),
      repo: input.repo,
      taskType: input.taskType,
      model: input.model,
      provider,
      sdk: input.sdk,
      inputTokens: input.inputTokens,
      outputTokens: input.outputTokens,
      cacheReadTokens: input.cacheReadTokens,
      cacheWriteTokens: input.cacheWriteTokens,
      cacheWrite1hTokens: input.cacheWrite1hTokens,
      reasoningTokens: input.reasoningTokens,
      providerCostUsd: reported,
      durationMs: input.durationMs,
      usedFallback: input.usedFallback,
      fallbackReason: input.fallbackReason,
      deliveryId: input.deliveryId,
      error: input.error,
      userId: input.userId,
      sessionId: input.sessionId,
      traceId: input.traceId,
      environment: input.environment,
      metadata: input.metadata,
      ...cost,
    };
  };
}
