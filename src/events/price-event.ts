// The one pricer: turns a validated, stamped event into the record the ledger stores. The tracker
// and HTTP ingest both price with it, so an event costs the same whichever way it arrives.
import type { CostEstimate, EstimateInput, PriceRates } from "../pricing/index.js";
import type { CostSource, NewLlmCostRecord } from "../store/cost-record.js";
import { defaultProject } from "../store/cost-record-encoding.js";
import type { LedgerLogger } from "../logger.js";
import type { ValidInput } from "./parse-event-input.js";

/** What the pricer (and so the tracker) needs of pricing: `createPricing()` returns it; so does a test double. */
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
  /** This event's policy, when its sender chose one (HTTP ingest); else the pricer's. */
  agentCost?: AgentCostPolicy | undefined;
  /**
   * The project the event will be stored in, when its writer decides it (HTTP ingest: the key's):
   * the record's project, and the one whose negotiated discounts apply. Else the input's, else
   * `default`.
   */
  project?: string | undefined;
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
  const stamps = createStampCache();
  // This runs for every event: the record is built as one object literal (no spread of a partial
  // record, no per-event closures), and the time's Date and ISO text are shared by the events
  // stamped in the same millisecond.
  return function priceEvent(event: StampedEvent): NewLlmCostRecord {
    const input = event.input;
    const provider = input.provider ?? pricing.extractProvider(input.model);
    const at = stamps.date(event.createdAt);
    const estimate = pricing.estimateCost({
      model: input.model,
      provider,
      at,
      serviceTier: input.serviceTier,
      project: event.project ?? input.project ?? defaultProject,
      usage: {
        inputTokens: input.inputTokens,
        outputTokens: input.outputTokens,
        cacheReadTokens: input.cacheReadTokens,
        cacheWriteTokens: input.cacheWriteTokens,
        cacheWrite1hTokens: input.cacheWrite1hTokens,
        reasoningTokens: input.reasoningTokens,
        webSearchRequests: input.webSearchRequests,
        audioInputTokens: input.audioInputTokens,
        audioOutputTokens: input.audioOutputTokens,
        imageOutputTokens: input.imageOutputTokens,
        cacheReadAudioTokens: input.cacheReadAudioTokens,
      },
    });
    const reported = input.providerCostUsd;
    let estimatedCostUsd: string;
    let costSource: CostSource;
    let resolvedModel: string | null;
    let pricingVersion: string | null;
    // The rates kept with the event (its explanation): also when the provider's figure leads, so
    // the catalog's figure can be shown beside it.
    let priceRates: PriceRates | null = null;
    // The catalog's list price before a negotiated discount, whoever's figure leads.
    let listCostUsd: string | null = null;
    if (estimate.priced) {
      const sdkLeads = (event.agentCost ?? agentCost) === "sdk" && input.sdk === "agent" && reported !== null;
      estimatedCostUsd = sdkLeads ? reported : estimate.costUsd;
      costSource = sdkLeads ? "provider" : "catalog";
      resolvedModel = estimate.model;
      pricingVersion = estimate.pricingVersion;
      priceRates = estimate.rates;
      listCostUsd = estimate.listCostUsd;
    } else {
      options.onUnpriced();
      warnUnpriced(input.model, provider, estimate.reason, reported);
      estimatedCostUsd = reported ?? "0";
      costSource = reported === null ? "none" : "provider";
      resolvedModel = null;
      pricingVersion = pricing.version ?? null;
    }
    return {
      project: event.project ?? input.project ?? undefined,
      eventId: event.eventId,
      createdAt: stamps.iso(event.createdAt),
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
      serviceTier: input.serviceTier,
      webSearchRequests: input.webSearchRequests,
      spanId: input.spanId,
      audioInputTokens: input.audioInputTokens,
      audioOutputTokens: input.audioOutputTokens,
      imageOutputTokens: input.imageOutputTokens,
      cacheReadAudioTokens: input.cacheReadAudioTokens,
      estimatedCostUsd,
      costSource,
      priced: estimate.priced,
      resolvedModel,
      pricingVersion,
      priceRates,
      listCostUsd,
    };
  };

  function warnUnpriced(model: string, provider: string, reason: string, reported: string | null): void {
    const key = model.toLowerCase();
    if (warned.has(key)) return;
    warned.add(key);
    logger.warn(
      { model, provider, reason },
      `llm-ledger: no price for model "${model}"; its events are recorded with priced=false and ${
        reported === null ? "cost 0" : "the provider's reported cost"
      } (warned once per model; add a pricing override to price them)`,
    );
  }
}

/**
 * The Date and ISO text of the last millisecond seen. Events tracked in a burst share their
 * millisecond, so this saves a Date and a string per event; the Date is only read (by pricing).
 */
function createStampCache() {
  let lastMs = Number.NaN;
  let lastDate = new Date(0);
  let lastIso = "";
  const refresh = (ms: number) => {
    lastMs = ms;
    lastDate = new Date(ms);
    lastIso = lastDate.toISOString();
  };
  return {
    date(ms: number): Date {
      if (ms !== lastMs) refresh(ms);
      return lastDate;
    },
    iso(ms: number): string {
      if (ms !== lastMs) refresh(ms);
      return lastIso;
    },
  };
}
