import type { QueryStore } from "../query/index.js";
import { quoteSchema } from "../store/schema-name.js";
import { resolveTargets } from "./alert-targets.js";

/**
 * Claims an alert of no budget by its key and queues its body for every default target, in one
 * transaction: the claim's primary key makes it fire once across restarts and replicas sharing the
 * database. Answers how many deliveries were queued, or `undefined` when the key was claimed before.
 */
export async function claimAlert(
  store: QueryStore,
  alert: { key: string; body: Record<string, unknown> },
): Promise<number | undefined> {
  const schema = quoteSchema(store.schema);
  return store.database.transaction(async (transaction) => {
    const claim = await transaction.query(
      `INSERT INTO ${schema}.llm_ledger_alert_claims (alert_key) VALUES ($1)
       ON CONFLICT (alert_key) DO NOTHING RETURNING alert_key`,
      [alert.key],
    );
    if (claim.length === 0) return undefined;
    // An alert of no budget is the organization's: its default targets, never a project's.
    const targets = await resolveTargets(transaction, store, [], null);
    if (targets.length > 0) {
      await transaction.query(
        `INSERT INTO ${schema}.llm_ledger_alert_outbox (idempotency_key, alert_key, target_id, body)
         SELECT $1 || '-' || target, $1, target::bigint, $2::jsonb FROM unnest($3::text[]) AS target
         ON CONFLICT (idempotency_key) DO NOTHING`,
        [alert.key, JSON.stringify(alert.body), targets],
      );
    }
    return targets.length;
  });
}
