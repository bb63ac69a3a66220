import { LedgerError } from "../errors.js";
import { quoteSchema } from "../store/schema-name.js";
import { canonicalDecimal, countValue } from "./decimal.js";
import { readerOf, type QueryStore } from "./store-handle.js";
import { checkTimeRange, type Instant } from "./time-range.js";
import { reconcileBills, type BillReconciliation, type ReconcileBillsOptions } from "./reconcile-bills.js";

/** Today's comparison: our estimate beside the SDK-reported cost. */
export interface ReconcileSdkOptions {
  against?: "sdk" | undefined;
  from?: Instant | undefined;
  to?: Instant | undefined;
}

/** One model's estimate beside what its provider or SDK reported. */
export interface ReconcileRow {
  /** The catalog's id (the raw id when unpriced). */
  model: string;
  events: number;
  /** Events that carry a provider-reported cost. */
  reportedEvents: number;
  /** Our estimate over the events that carry a provider-reported cost. */
  estimatedCostUsd: string;
  /** The provider-reported sum over the same events. */
  providerCostUsd: string;
  /** providerCostUsd − estimatedCostUsd, exact. */
  differenceUsd: string;
  /** Our estimate over every event of the model. */
  estimatedTotalUsd: string;
}

/**
 * Our estimate beside the provider-reported cost, per model, over events that carry both (raw
 * events: the rollup keeps no per-event pairing). Models whose provider never reports come last
 * with zeros, so the estimate total still shows. With `against: "bills"`, our estimate beside the
 * providers' imported bills instead (`reconcileBills`).
 *
 * @example
 * const { rows, totals } = await reconcileCosts(store, { against: "bills", from: "2026-11-01" })
 */
export function reconcileCosts(store: QueryStore, options?: ReconcileSdkOptions): Promise<ReconcileRow[]>;
export function reconcileCosts(
  store: QueryStore,
  options: ReconcileBillsOptions,
): Promise<BillReconciliation>;
export function reconcileCosts(
  store: QueryStore,
  options: ReconcileSdkOptions | ReconcileBillsOptions = {},
): Promise<ReconcileRow[] | BillReconciliation> {
  if (options.against === "bills") return reconcileBills(store, options);
  if (options.against !== undefined && options.against !== "sdk") {
    return Promise.reject(
      new LedgerError(
        "E_QUERY_OPTIONS",
        `against: expected "sdk" or "bills", got ${JSON.stringify(options.against)}`,
      ),
    );
  }
  return reconcileWithSdk(store, options);
}

async function reconcileWithSdk(store: QueryStore, options: ReconcileSdkOptions): Promise<ReconcileRow[]> {
  const { from, to } = checkTimeRange(options.from, options.to);
  const rows = await readerOf(store).query<Record<string, string | null>>(
    `SELECT COALESCE(resolved_model, model) AS model, count(*) AS events,
            count(provider_cost_usd) AS reported_events,
            COALESCE(sum(estimated_cost_usd) FILTER (WHERE provider_cost_usd IS NOT NULL), 0) AS estimated,
            COALESCE(sum(provider_cost_usd), 0) AS reported,
            COALESCE(sum(provider_cost_usd), 0)
              - COALESCE(sum(estimated_cost_usd) FILTER (WHERE provider_cost_usd IS NOT NULL), 0) AS difference,
            sum(estimated_cost_usd) AS estimated_total
       FROM ${quoteSchema(store.schema)}.llm_cost_events
      WHERE ($1::timestamptz IS NULL OR created_at >= $1::timestamptz)
        AND ($2::timestamptz IS NULL OR created_at < $2::timestamptz)
      GROUP BY 1
      ORDER BY count(provider_cost_usd) = 0, reported DESC, estimated_total DESC, model`,
    [from?.toISOString() ?? null, to?.toISOString() ?? null],
  );
  return rows.map((row) => ({
    model: row.model ?? "",
    events: countValue(row.events),
    reportedEvents: countValue(row.reported_events),
    estimatedCostUsd: canonicalDecimal(row.estimated),
    providerCostUsd: canonicalDecimal(row.reported),
    differenceUsd: canonicalDecimal(row.difference),
    estimatedTotalUsd: canonicalDecimal(row.estimated_total),
  }));
}
