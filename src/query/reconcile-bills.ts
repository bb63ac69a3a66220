import { LedgerError } from "../errors.js";
import { quoteSchema } from "../store/schema-name.js";
import { checkRates, type CurrencyRates } from "./bill-rates.js";
import { canonicalDecimal, countValue } from "./decimal.js";
import { readerOf, type QueryStore } from "./store-handle.js";
import { checkTimeRange, type Instant } from "./time-range.js";

/** What a bill reconciliation can group by. */
export const billDimensions = ["day", "provider", "model"] as const;
export type BillDimension = (typeof billDimensions)[number];

export interface ReconcileBillsOptions {
  against: "bills";
  from?: Instant | undefined;
  to?: Instant | undefined;
  /** Grouping, default day, provider, model. */
  by?: readonly BillDimension[] | undefined;
  /** Dollars per unit of other currencies (`{ EUR: "1.08" }`); bills in a currency without one are left out. */
  rates?: CurrencyRates | undefined;
}

/** Why a row has only one side. */
export type BillMarker = "bill-without-events" | "events-without-bill";

/** One group: our estimate beside the provider's bill. Amounts are exact decimal strings in USD. */
export interface BillReconcileRow {
  day?: string;
  provider?: string;
  /** The canonical model; null for bill lines that name none (tools, support, fees). */
  model?: string | null;
  events: number;
  estimatedUsd: string;
  /** The SDK-reported cost of the events that carry one; null when none does. */
  sdkReportedUsd: string | null;
  /** The billed amount (other currencies converted at the given rates); null when nothing was billed. */
  billedUsd: string | null;
  /** billed − estimated (a missing side counts as 0). */
  differenceUsd: string;
  /** The difference as a percent of the estimate, 2 places; null when the estimate is 0. */
  differencePercent: string | null;
  marker: BillMarker | null;
}

export interface BillReconciliation {
  rows: BillReconcileRow[];
  totals: {
    estimatedUsd: string;
    billedUsd: string;
    differenceUsd: string;
    differencePercent: string | null;
  };
  /** Providers with a bill in the window: only their events are compared. */
  billedProviders: string[];
  /**
   * Providers with events in the window but no bill (Bedrock, Vertex, Azure calls are never compared
   * with the model vendor's own bill): their estimate is left out of the rows and totals.
   */
  missingBills: Array<{ provider: string; events: number; estimatedUsd: string }>;
  /** Billed amounts in currencies without a rate, left out (never mixed with dollars). */
  unconverted: Array<{ currency: string; amount: string }>;
}

const keyColumns: Record<BillDimension, { events: string; bills: string }> = {
  day: {
    events: "to_char((created_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD')",
    bills: "to_char(day, 'YYYY-MM-DD')",
  },
  provider: { events: "provider", bills: "provider" },
  // '' stands for "no model" so the join can hash it; it is null again in the answer.
  model: { events: "COALESCE(resolved_model, model)", bills: "COALESCE(model, '')" },
};

function checkBy(by: readonly BillDimension[] | undefined): BillDimension[] {
  const chosen = [...(by ?? billDimensions)];
  for (const dimension of chosen) {
    if (!(billDimensions as readonly string[]).includes(dimension)) {
      throw new LedgerError(
        "E_QUERY_DIMENSION",
        `by: a bill reconciliation groups by ${billDimensions.join(", ")}, got '${String(dimension)}'`,
      );
    }
  }
  if (new Set(chosen).size !== chosen.length)
    throw new LedgerError("E_QUERY_DIMENSION", "by: a dimension is named twice");
  return billDimensions.filter((dimension) => chosen.includes(dimension));
}

// Bills and events in the window: a bill's day counts when its UTC midnight is inside [from, to).
const inWindow = {
  events:
    "($1::timestamptz IS NULL OR created_at >= $1::timestamptz) AND ($2::timestamptz IS NULL OR created_at < $2::timestamptz)",
  bills:
    "($1::timestamptz IS NULL OR (day::timestamp AT TIME ZONE 'UTC') >= $1::timestamptz) AND ($2::timestamptz IS NULL OR (day::timestamp AT TIME ZONE 'UTC') < $2::timestamptz)",
};

/**
 * The ledger's estimate beside what the providers billed (`llm_ledger_bills`), per UTC day, provider
 * and model (or fewer), summed exactly in SQL NUMERIC. Only providers with a bill in the window are
 * compared; the others are listed in `missingBills`. Rows carry a marker where one side is missing.
 */
export async function reconcileBills(
  store: QueryStore,
  options: ReconcileBillsOptions,
): Promise<BillReconciliation> {
  const { from, to } = checkTimeRange(options.from, options.to);
  const by = checkBy(options.by);
  const { currencies, rates } = checkRates(options.rates);
  const schema = quoteSchema(store.schema);
  const reader = readerOf(store);
  const params = [from?.toISOString() ?? null, to?.toISOString() ?? null, currencies, rates];
  const keys = by.map((dimension, index) => `k${index + 1}`);
  const select = (side: "events" | "bills") =>
    ["1 AS k0", ...by.map((dimension, index) => `${keyColumns[dimension][side]} AS k${index + 1}`)].join(
      ", ",
    );
  const groupBy = ["k0", ...keys].join(", ");
  const rows = await reader.query<Record<string, string | null>>(
    `WITH billed AS (
       SELECT DISTINCT provider FROM ${schema}.llm_ledger_bills WHERE ${inWindow.bills}
     ), bills AS (
       SELECT ${select("bills")}, sum(amount * rate.dollars) AS billed
         FROM ${schema}.llm_ledger_bills
         JOIN unnest($3::text[], $4::numeric[]) AS rate(currency, dollars) USING (currency)
        WHERE ${inWindow.bills}
        GROUP BY ${groupBy}
     ), events AS (
       SELECT ${select("events")}, count(*) AS events, sum(estimated_cost_usd) AS estimated,
              sum(provider_cost_usd) AS reported
         FROM ${schema}.llm_cost_events
        WHERE ${inWindow.events} AND provider IN (SELECT provider FROM billed)
        GROUP BY ${groupBy}
     ), joined AS (
       SELECT ${keys
         .map((key) => `COALESCE(events.${key}, bills.${key}) AS ${key}`)
         .concat("0 AS total")
         .join(", ")},
              COALESCE(events.events, 0) AS events, COALESCE(events.estimated, 0) AS estimated,
              events.reported, bills.billed
         FROM events FULL JOIN bills ON ${["k0", ...keys].map((key) => `events.${key} = bills.${key}`).join(" AND ")}
     ), answer AS (
       SELECT * FROM joined
       UNION ALL
       SELECT ${keys
         .map((key) => `NULL AS ${key}`)
         .concat("1 AS total")
         .join(", ")},
              COALESCE(sum(events), 0), COALESCE(sum(estimated), 0), sum(reported), COALESCE(sum(billed), 0)
         FROM joined
     )
     SELECT ${keys.length > 0 ? `${keys.join(", ")}, ` : ""}total, events, estimated, reported, billed,
            COALESCE(billed, 0) - estimated AS difference,
            round((COALESCE(billed, 0) - estimated) * 100 / NULLIF(estimated, 0), 2) AS percent
       FROM answer
      ORDER BY total${keys.map((key) => `, ${key} COLLATE "C"`).join("")}`,
    params,
  );
  const totalRow = rows.pop()!;
  const missing = await reader.query<Record<string, string>>(
    `SELECT provider, count(*) AS events, sum(estimated_cost_usd) AS estimated
       FROM ${schema}.llm_cost_events
      WHERE ${inWindow.events}
        AND provider NOT IN (SELECT provider FROM ${schema}.llm_ledger_bills WHERE ${inWindow.bills})
      GROUP BY provider ORDER BY provider COLLATE "C"`,
    params.slice(0, 2),
  );
  const unconverted = await reader.query<Record<string, string>>(
    `SELECT currency, sum(amount) AS amount FROM ${schema}.llm_ledger_bills
      WHERE ${inWindow.bills} AND currency <> ALL($3::text[])
      GROUP BY currency ORDER BY currency`,
    params.slice(0, 3),
  );
  const billedProviders = await reader.query<{ provider: string }>(
    `SELECT DISTINCT provider FROM ${schema}.llm_ledger_bills WHERE ${inWindow.bills} ORDER BY provider`,
    params.slice(0, 2),
  );
  return {
    rows: rows.map((row) => toRow(row, by)),
    totals: {
      estimatedUsd: canonicalDecimal(totalRow.estimated),
      billedUsd: canonicalDecimal(totalRow.billed),
      differenceUsd: canonicalDecimal(totalRow.difference),
      differencePercent: totalRow.percent === null ? null : canonicalDecimal(totalRow.percent),
    },
    billedProviders: billedProviders.map((row) => row.provider),
    missingBills: missing.map((row) => ({
      provider: row.provider!,
      events: countValue(row.events),
      estimatedUsd: canonicalDecimal(row.estimated),
    })),
    unconverted: unconverted.map((row) => ({
      currency: row.currency!,
      amount: canonicalDecimal(row.amount),
    })),
  };
}

function toRow(row: Record<string, string | null>, by: readonly BillDimension[]): BillReconcileRow {
  const keys: Partial<Record<BillDimension, string | null>> = {};
  by.forEach((dimension, index) => {
    const value = row[`k${index + 1}`] ?? null;
    keys[dimension] = dimension === "model" && value === "" ? null : value;
  });
  const events = countValue(row.events);
  return {
    ...keys,
    events,
    estimatedUsd: canonicalDecimal(row.estimated),
    sdkReportedUsd: row.reported === null ? null : canonicalDecimal(row.reported),
    billedUsd: row.billed === null ? null : canonicalDecimal(row.billed),
    differenceUsd: canonicalDecimal(row.difference),
    differencePercent: row.percent === null ? null : canonicalDecimal(row.percent),
    marker: row.billed === null ? "events-without-bill" : events === 0 ? "bill-without-events" : null,
  } as BillReconcileRow;
}
