import { LedgerError } from "../errors.js";
import type { QueryStore } from "../query/index.js";
import { quoteSchema } from "../store/schema-name.js";

/** Days a bill drift claim is kept: its longest window (90 days) and the look-back for a billed day, twice over. */
const billDriftKeepDays = 240;

/** Options of `purgeAlertClaims`. */
export interface PurgeClaimsOptions {
  /** The moment to purge as of; default now. */
  now?: Date | undefined;
  /** Days kept past a claim's longest possible period (default 2: a month's 31 days, DST, zone offsets). */
  marginDays?: number | undefined;
}

/**
 * Deletes alert claims whose period is over: a claim is taken while its period is current (its
 * `claimed_at` falls in it), so once `claimed_at` is older than the budget's longest period (a day,
 * 7 days, 31 days, N days for `rolling:Nd`) plus the margin, no evaluation can ask for it again. A
 * spike's claim (one hour's) goes after the margin alone; an unpriced model's stays (it fires once
 * ever). A bill drift claim is keyed by the provider's last billed day, which stands still while no
 * bill is imported, so it is kept far longer than its window (`billDriftKeepDays`). Claims of deleted
 * budgets went with them. One statement; answers how many rows went.
 */
export async function purgeAlertClaims(store: QueryStore, options: PurgeClaimsOptions = {}): Promise<number> {
  const schema = quoteSchema(store.schema);
  const now = (options.now ?? new Date()).toISOString();
  const margin = options.marginDays ?? 2;
  if (!Number.isSafeInteger(margin) || margin < 0) {
    throw new LedgerError(
      "E_OPTIONS",
      `marginDays: expected a whole number of days, 0 or more, got ${margin}`,
    );
  }
  const rows = await store.database.query<{ purged: string }>(
    `WITH purged AS (
       DELETE FROM ${schema}.llm_ledger_alert_claims c
        WHERE (c.budget_id IS NOT NULL AND c.claimed_at < $1::timestamptz - make_interval(days => $2::int + (
                SELECT CASE b.period WHEN 'day' THEN 1 WHEN 'week' THEN 7 WHEN 'month' THEN 31
                                     ELSE substring(b.period FROM '^rolling:([0-9]+)d$')::int END
                  FROM ${schema}.llm_ledger_budgets b WHERE b.id = c.budget_id)))
           OR (c.alert_key LIKE 'spike-%' AND c.claimed_at < $1::timestamptz - make_interval(days => $2::int))
           OR (c.alert_key LIKE 'bill-drift-%'
               AND c.claimed_at < $1::timestamptz - make_interval(days => $2::int + ${billDriftKeepDays}))
       RETURNING 1
     )
     SELECT count(*) AS purged FROM purged`,
    [now, margin],
  );
  return Number(rows[0]?.purged ?? 0);
}
