import { LedgerError } from "../errors.js";
import { canonicalProvider } from "../events/index.js";
import type { CostEstimate, PriceRates, Pricing } from "../pricing/index.js";
import { updatePrices, type PriceUpdates } from "../store/ledger/index.js";
import { quoteSchema } from "../store/schema-name.js";
import type { QueryStore } from "./store-handle.js";
import { checkTimeRange, type Instant } from "./time-range.js";

/** The options of `repriceEvents`. */
export interface RepriceOptions {
  /** Only events created at or after this instant. */
  since?: Instant | undefined;
  /** Only events that had no price (a model added to the catalog or the overrides since). */
  onlyUnpriced?: boolean | undefined;
  /** Events per transaction (default 1,000). */
  batchSize?: number | undefined;
  /** Called after each committed batch (progress for the CLI). */
  onProgress?: ((progress: RepriceResult) => void) | undefined;
}

/** What a reprice did. */
export interface RepriceResult {
  /** Events read. */
  examined: number;
  /** Events whose cost, price status, cost source, resolved (canonical) model or provider changed. */
  updated: number;
  /** Events the catalog could not price (kept at the provider's figure, or 0). */
  unpriced: number;
  /** Events the pricing threw on (left as they were). */
  failed: number;
}

interface EventRow {
  id: string;
  created_at: Date;
  /** `created_at` as Postgres prints it: exact to the microsecond, for the next page and the update. */
  created_at_text: string;
  model: string;
  provider: string;
  input_tokens: string;
  output_tokens: string;
  cache_read_tokens: string;
  cache_write_tokens: string;
  cache_write_1h_tokens: string;
  reasoning_tokens: string;
  provider_cost_usd: string | null;
  /** The figure the provider reported, kept on purpose (the tracker's `agentCost: 'sdk'`). */
  provider_led: boolean;
  estimated_cost_usd: string;
  pricing_version: string | null;
  resolved_model: string | null;
  /** Charges beyond tokens (migration 0009): a reprice prices them again, never as standard. */
  service_tier: string | null;
  web_search_requests: string;
  /** Selects the project's negotiated discount. */
  project: string;
  /** Modality tokens (migration 0013), priced again at their own rates. */
  audio_input_tokens: string;
  audio_output_tokens: string;
  image_output_tokens: string;
  /** Cached audio (migration 0016), priced again at its own rate. */
  cache_read_audio_tokens: string;
}

/**
 * Recomputes `estimated_cost_usd` (and `priced`, `cost_source`, `pricing_version`, `resolved_model`,
 * `list_cost_usd`) with the current catalog and the current negotiated discounts (of each event's project), at each event's own time, after a price fix or a new override. It never
 * touches `provider_cost_usd`, and keeps the figure of events that deliberately carry the provider's
 * although priced (the tracker's `agentCost: 'sdk'`), correcting only their `resolved_model`.
 * `resolved_model` becomes the canonical model id, so rows recorded with a host's catalog key
 * (`regional.anthropic.claude-sonnet-4-5-20250929-v1:0`) move to `claude-sonnet-4-5`, and `provider`
 * becomes the canonical slug the event model stores today (`amazon-bedrock` → `aws-bedrock`). An event the catalog still cannot price keeps
 * the provider's figure when there is one, else 0. Only changed rows are updated, a batch per
 * transaction; the rollup trigger records their old and new figures as deltas, merged at the end, so
 * the rollups stay exact.
 *
 * @example
 * const pricing = createPricing({ overridesFile: "prices.json" });
 * const { updated } = await repriceEvents(store, pricing, { onlyUnpriced: true });
 */
export async function repriceEvents(
  store: QueryStore,
  pricing: Pick<Pricing, "estimateCost">,
  options: RepriceOptions = {},
): Promise<RepriceResult> {
  const { from: since } = checkTimeRange(options.since, undefined);
  if (options.onlyUnpriced !== undefined && typeof options.onlyUnpriced !== "boolean") {
    throw new LedgerError("E_QUERY_OPTIONS", "onlyUnpriced: expected true or false");
  }
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
    throw new LedgerError(
      "E_QUERY_OPTIONS",
      `batchSize: expected a whole number from 1 to 100000, got ${batchSize}`,
    );
  }
  const table = `${quoteSchema(store.schema)}.llm_cost_events`;
  const result: RepriceResult = { examined: 0, updated: 0, unpriced: 0, failed: 0 };
  // Pages in (created_at, id) order: the events index, whatever month partitions hold them.
  let after: { createdAt: string; id: string } = { createdAt: "-infinity", id: "0" };
  for (;;) {
    const rows = await store.database.query<EventRow>(
      `SELECT id, created_at, created_at::text AS created_at_text, model, provider, input_tokens, output_tokens, cache_read_tokens,
              cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, provider_cost_usd::text AS provider_cost_usd,
              (cost_source = 'provider' AND priced) AS provider_led, estimated_cost_usd::text AS estimated_cost_usd,
              pricing_version, resolved_model, service_tier, web_search_requests, project,
              audio_input_tokens, audio_output_tokens, image_output_tokens, cache_read_audio_tokens
         FROM ${table}
        WHERE (created_at, id) > ($1::timestamptz, $2::bigint)
          AND ($3::timestamptz IS NULL OR created_at >= $3::timestamptz)
          AND ($4::boolean IS FALSE OR NOT priced)
        ORDER BY created_at, id LIMIT $5::bigint`,
      [after.createdAt, after.id, since?.toISOString() ?? null, options.onlyUnpriced === true, batchSize],
    );
    if (rows.length === 0) break;
    const last = rows.at(-1)!;
    after = { createdAt: last.created_at_text, id: last.id };
    const columns: PriceUpdates = {
      createdAt: [],
      id: [],
      cost: [],
      priced: [],
      source: [],
      version: [],
      resolved: [],
      provider: [],
      ref: [],
      rates: [],
      list: [],
    };
    const rateSets = new Map<string, PriceRates>();
    for (const row of rows) {
      const repriced = row.provider_led ? renamed(pricing, row) : reprice(pricing, row);
      if (!repriced) {
        result.failed += 1;
        continue;
      }
      if (repriced.priced === "false") result.unpriced += 1;
      columns.createdAt.push(row.created_at_text);
      columns.id.push(row.id);
      columns.cost.push(repriced.cost);
      columns.priced.push(repriced.priced);
      columns.source.push(repriced.source);
      columns.version.push(repriced.version);
      columns.resolved.push(repriced.resolved);
      columns.provider.push(canonicalProvider(row.provider));
      columns.ref.push(repriced.rates?.ref ?? null);
      columns.list.push(repriced.list);
      if (repriced.rates) rateSets.set(repriced.rates.ref, repriced.rates);
    }
    columns.rates = [...rateSets.values()];
    result.examined += rows.length;
    // Booleans travel as text: postgres.js cannot bind a JS boolean array as boolean[].
    const updated = await store.database.transaction((transaction) =>
      updatePrices(transaction, store.schema, columns),
    );
    result.updated += updated;
    options.onProgress?.({ ...result });
    if (rows.length < batchSize) break;
  }
  return result;
}

interface Repriced {
  cost: string;
  priced: string;
  source: string;
  version: string | null;
  resolved: string | null;
  rates: PriceRates | null;
  /** The list price before a negotiated discount; null when the catalog did not price the event. */
  list: string | null;
}

// An event whose figure is the provider's on purpose keeps it; only its model is named canonically.
function renamed(pricing: Pick<Pricing, "estimateCost">, row: EventRow): Repriced {
  const estimate = estimateOf(pricing, row);
  return {
    cost: row.estimated_cost_usd,
    priced: "true",
    source: "provider",
    version: row.pricing_version,
    resolved: estimate?.priced ? estimate.model : row.resolved_model,
    rates: estimate?.priced ? estimate.rates : null,
    list: estimate?.priced ? estimate.listCostUsd : null,
  };
}

function reprice(pricing: Pick<Pricing, "estimateCost">, row: EventRow): Repriced | undefined {
  const estimate = estimateOf(pricing, row);
  if (!estimate) return undefined;
  if (estimate.priced) {
    return {
      cost: estimate.costUsd,
      priced: "true",
      source: "catalog",
      version: estimate.pricingVersion,
      resolved: estimate.model,
      rates: estimate.rates,
      list: estimate.listCostUsd,
    };
  }
  return row.provider_cost_usd === null
    ? { cost: "0", priced: "false", source: "none", version: null, resolved: null, rates: null, list: null }
    : {
        cost: row.provider_cost_usd,
        priced: "false",
        source: "provider",
        version: null,
        resolved: null,
        rates: null,
        list: null,
      };
}

function estimateOf(pricing: Pick<Pricing, "estimateCost">, row: EventRow): CostEstimate | undefined {
  try {
    return pricing.estimateCost({
      model: row.model,
      provider: row.provider,
      at: row.created_at,
      serviceTier: row.service_tier,
      project: row.project,
      usage: {
        inputTokens: Number(row.input_tokens),
        outputTokens: Number(row.output_tokens),
        cacheReadTokens: Number(row.cache_read_tokens),
        cacheWriteTokens: Number(row.cache_write_tokens),
        cacheWrite1hTokens: Number(row.cache_write_1h_tokens),
        reasoningTokens: Number(row.reasoning_tokens),
        webSearchRequests: Number(row.web_search_requests),
        audioInputTokens: Number(row.audio_input_tokens),
        audioOutputTokens: Number(row.audio_output_tokens),
        imageOutputTokens: Number(row.image_output_tokens),
        cacheReadAudioTokens: Number(row.cache_read_audio_tokens),
      },
    });
  } catch {
    return undefined;
  }
}
