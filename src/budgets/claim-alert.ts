import type { QueryStore } from "../query/index.js";
import type { Queryable } from "../store/index.js";
import { quoteSchema } from "../store/schema-name.js";
import { resolveTargets } from "./alert-targets.js";

/** An alert to fire once: its claim key, its budget (none for spikes and the like), where it goes and its body. */
export interface AlertToClaim {
  key: string;
  /** The budget it belongs to; null for alerts of no budget. */
  budgetId: string | null;
  /** The budget's own targets (`KIND:URL`); none: its owner's default targets. */
  notify: readonly string[];
  /** The budget's owner; null: the organization (and every alert of no budget). */
  project: string | null;
  body: Record<string, unknown>;
}

/** What claiming a list of alerts did. */
export interface ClaimOutcome {
  /** The keys this call claimed (each fires once: another caller or an earlier cycle got the rest). */
  claimed: Set<string>;
  /** Deliveries queued in the outbox (one per claimed alert and target). */
  queued: number;
}

/** Alerts claimed per transaction: few round trips for a first cycle of thousands, short transactions. */
const claimBatchSize = 500;

/**
 * Claims alerts by key and queues each claimed one's body for its targets, a batch per transaction:
 * one multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING` of the claims, then the outbox rows of
 * the claims it returned. The claim's primary key makes each alert fire once across restarts and
 * replicas sharing the database; every caller inserts keys in the same (sorted) order, so replicas
 * claiming overlapping batches wait for each other rather than deadlock.
 */
export async function claimAlerts(
  store: QueryStore,
  alerts: readonly AlertToClaim[],
  batchSize = claimBatchSize,
): Promise<ClaimOutcome> {
  const byKey = new Map<string, AlertToClaim>();
  for (const alert of alerts) if (!byKey.has(alert.key)) byKey.set(alert.key, alert);
  const sorted = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const outcome: ClaimOutcome = { claimed: new Set(), queued: 0 };
  // Alerts with the same targets and owner resolve them once per call, whatever batch they are in.
  const targetsOf = new Map<string, Promise<string[]>>();
  for (let start = 0; start < sorted.length; start += batchSize) {
    const batch = sorted.slice(start, start + batchSize);
    const { claimed, queued } = await store.database.transaction((transaction) =>
      claimBatch(transaction, store, batch, targetsOf),
    );
    for (const key of claimed) outcome.claimed.add(key);
    outcome.queued += queued;
  }
  return outcome;
}

async function claimBatch(
  transaction: Queryable,
  store: QueryStore,
  batch: readonly AlertToClaim[],
  targetsOf: Map<string, Promise<string[]>>,
): Promise<{ claimed: string[]; queued: number }> {
  const schema = quoteSchema(store.schema);
  const rows = await transaction.query<{ alert_key: string }>(
    `INSERT INTO ${schema}.llm_ledger_alert_claims (alert_key, budget_id)
     SELECT claim.key, claim.budget::bigint FROM unnest($1::text[], $2::text[]) AS claim(key, budget)
      ORDER BY claim.key
     ON CONFLICT (alert_key) DO NOTHING RETURNING alert_key`,
    [batch.map((alert) => alert.key), batch.map((alert) => alert.budgetId)],
  );
  const claimed = new Set(rows.map((row) => row.alert_key));
  const keys: string[] = [];
  const targets: string[] = [];
  const bodies: string[] = [];
  for (const alert of batch) {
    if (!claimed.has(alert.key)) continue;
    const owner = JSON.stringify([alert.notify, alert.project]);
    if (!targetsOf.has(owner))
      targetsOf.set(owner, resolveTargets(transaction, store, alert.notify, alert.project));
    const body = JSON.stringify(alert.body);
    for (const target of await targetsOf.get(owner)!) {
      keys.push(alert.key);
      targets.push(target);
      bodies.push(body);
    }
  }
  if (keys.length > 0) {
    await transaction.query(
      `INSERT INTO ${schema}.llm_ledger_alert_outbox (idempotency_key, alert_key, target_id, body)
       SELECT delivery.key || '-' || delivery.target, delivery.key, delivery.target::bigint, delivery.body::jsonb
         FROM unnest($1::text[], $2::text[], $3::text[]) AS delivery(key, target, body)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [keys, targets, bodies],
    );
  }
  return { claimed: [...claimed], queued: keys.length };
}

/**
 * Claims an alert of no budget by its key and queues its body for every default target of the
 * organization, in one transaction (`claimAlerts` with one alert). Answers how many deliveries were
 * queued, or `undefined` when the key was claimed before.
 */
export async function claimAlert(
  store: QueryStore,
  alert: { key: string; body: Record<string, unknown> },
): Promise<number | undefined> {
  // An alert of no budget is the organization's: its default targets, never a project's.
  const outcome = await claimAlerts(store, [{ ...alert, budgetId: null, notify: [], project: null }]);
  return outcome.claimed.has(alert.key) ? outcome.queued : undefined;
}
