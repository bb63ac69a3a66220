import type { CostEstimate, EstimateInput } from "../pricing/index.js";
import { toCostRecord } from "../store/cost-record-rows.js";
import type { LlmCostRecord } from "../store/cost-record.js";
import { readRates } from "../store/ledger/index.js";
import { explainCost, type CostExplanation, type TodayLine } from "./cost-explanation.js";
import { readEventRow, type GetEventOptions } from "./get-event.js";
import { keptRatesOf } from "./kept-rates-record.js";
import { readerOf, type QueryStore } from "./store-handle.js";

/** The options of `explainEventCost`. */
export interface ExplainEventCostOptions extends GetEventOptions {
  /**
   * The pricing in force, to add what the same usage would cost today (`today`); absent: no such line.
   * It never changes the explanation itself, which comes from the rates the event kept.
   */
  pricing?: { estimateCost(input: EstimateInput): CostEstimate; readonly version?: string } | undefined;
}

function todayOf(event: LlmCostRecord, pricing: ExplainEventCostOptions["pricing"]): TodayLine | null {
  if (!pricing) return null;
  const estimate = pricing.estimateCost({
    model: event.model,
    provider: event.provider,
    project: event.project,
    usage: {
      inputTokens: event.inputTokens,
      outputTokens: event.outputTokens,
      cacheReadTokens: event.cacheReadTokens,
      cacheWriteTokens: event.cacheWriteTokens,
      cacheWrite1hTokens: event.cacheWrite1hTokens,
      reasoningTokens: event.reasoningTokens,
      audioInputTokens: event.audioInputTokens,
      audioOutputTokens: event.audioOutputTokens,
      imageOutputTokens: event.imageOutputTokens,
      cacheReadAudioTokens: event.cacheReadAudioTokens,
    },
  });
  return estimate.priced
    ? { pricingVersion: estimate.pricingVersion, priced: true, costUsd: estimate.costUsd }
    : { pricingVersion: pricing.version ?? null, priced: false, costUsd: "0", reason: estimate.reason };
}

/**
 * Explains the cost of one stored event (docs/pricing.md, "Explain"): the catalog entry and how its
 * id matched, the period and tier, each bucket's tokens × rate, fees, the catalog version and
 * source, the provider's figure beside ours, from the rates kept with the event, so the lines add up
 * to the stored cost whatever catalog is in force now. `undefined` when no such event is stored; an
 * id that is not a UUID is `E_QUERY_EVENT_ID`.
 *
 * @example
 * const explanation = await explainEventCost(store, eventId, { pricing: createPricing() });
 */
export async function explainEventCost(
  store: QueryStore,
  eventId: string,
  options: ExplainEventCostOptions = {},
): Promise<CostExplanation | undefined> {
  const row = await readEventRow(store, eventId, options);
  if (!row) return undefined;
  const event = toCostRecord(row);
  const priceRef = typeof row.price_ref === "string" ? row.price_ref : null;
  const stored = priceRef === null ? undefined : await readRates(readerOf(store), store.schema, priceRef);
  const rates = stored ? keptRatesOf(stored) : undefined;
  return explainCost(event, priceRef, rates, todayOf(event, options.pricing));
}
