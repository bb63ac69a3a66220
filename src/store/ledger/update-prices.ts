import type { KeptPriceRates } from "../cost-record.js";
import type { Queryable } from "../database.js";
import { keepRates } from "./kept-rates.js";
import { advisoryLockKey } from "../advisory-lock.js";
import { quoteSchema } from "../schema-name.js";
import { rollupUpserts, signedRowColumns, upsertCtes } from "./rollup-upserts.js";
import { weekStartSql } from "./week-rollups.js";

/** New pricing figures for stored events, one array per column (text: see cost-record-encoding.ts). */
export interface PriceUpdates {
  createdAt: string[];
  id: string[];
  cost: Array<string | null>;
  priced: Array<string | null>;
  source: Array<string | null>;
  version: Array<string | null>;
  resolved: Array<string | null>;
  /** The canonical provider (`aws-bedrock` for a row stored as `amazon-bedrock`). */
  provider: string[];
  /** The rate set each new figure was priced with (migration 0010), or null. */
  ref: Array<string | null>;
  /** The distinct rate sets `ref` names, stored in the same transaction when not yet stored. */
  rates: readonly KeptPriceRates[];
  /** The list price before a negotiated discount (migration 0014), or null when unpriced. */
  list: Array<string | null>;
}

function updateStatement(schema: string): string {
  const q = quoteSchema(schema);
  const changed = `(e.estimated_cost_usd <> v.v_cost::numeric(20, 12) OR e.priced <> v.v_priced::boolean
                 OR e.cost_source <> v.v_source OR e.resolved_model IS DISTINCT FROM v.v_resolved
                 OR e.provider <> v.v_provider
                 OR e.list_cost_usd IS DISTINCT FROM v.v_list::numeric(20, 12))`;
  const match = `e.created_at = v.v_created_at::timestamptz AND e.id = v.v_id::bigint`;
  const upserts = upsertCtes(
    rollupUpserts(q, "changes", `(SELECT daily_through FROM ${q}.llm_cost_rollup_state)`),
  );
  // The rows before (sign -1) and after (+1) the update: the rollups take the difference, which moves
  // an event between keys when its model's canonical id, its provider's spelling or its priced flag changed.
  return `WITH v AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                           $8::text[], $9::text[], $10::text[])
        AS v(v_created_at, v_id, v_cost, v_priced, v_source, v_version, v_resolved, v_provider, v_ref, v_list)
    ), old AS MATERIALIZED (
      SELECT -1 AS sign, ${signedRowColumns.replace(/\n\s*/g, " ")}
        FROM ${q}.llm_cost_events e JOIN v ON ${match} WHERE ${changed}
    ), updated AS (
      UPDATE ${q}.llm_cost_events AS e
         SET estimated_cost_usd = v.v_cost::numeric(20, 12), priced = v.v_priced::boolean,
             cost_source = v.v_source, pricing_version = v.v_version, resolved_model = v.v_resolved,
             provider = v.v_provider,
             price_ref = v.v_ref, list_cost_usd = v.v_list::numeric(20, 12)
        FROM v WHERE ${match} AND ${changed}
      RETURNING 1 AS sign, ${signedRowColumns}
    ), changes AS (SELECT * FROM old UNION ALL SELECT * FROM updated),
    ${upserts.ctes}
    SELECT (SELECT count(*) FROM updated) AS updated, ${upserts.touched} AS rollup_rows`;
}

const statements = new Map<string, string>();

/**
 * Sets new pricing figures on stored events (only where something changed) and moves the rollups by
 * the difference, in the caller's transaction; returns how many events changed.
 */
export async function updatePrices(
  transaction: Queryable,
  schema: string,
  updates: PriceUpdates,
): Promise<number> {
  let statement = statements.get(schema);
  if (!statement) statements.set(schema, (statement = updateStatement(schema)));
  await transaction.query(
    `SELECT pg_advisory_xact_lock_shared($1::int, $2::int)`,
    advisoryLockKey("rollupDays", schema),
  );
  // A changed figure takes the ref of the rates that priced it; an unchanged one keeps its own,
  // whose rates still multiply out to it.
  await keepRates(transaction, schema, updates.rates);
  const [row] = await transaction.query<{ updated: string }>(statement, [
    updates.createdAt,
    updates.id,
    updates.cost,
    updates.priced,
    updates.source,
    updates.version,
    updates.resolved,
    updates.provider,
    updates.ref,
    updates.list,
  ]);
  const updated = Number(row?.updated ?? 0);
  if (updated > 0) await dropEmptiedRows(transaction, schema, updates.createdAt);
  return updated;
}

/**
 * Deletes the rollup rows of the touched hours, days and weeks that an event left (events 0: every sum is 0
 * too, since what left is exactly what had come), so a reprice that moves events between keys leaves
 * no empty rows behind.
 */
async function dropEmptiedRows(transaction: Queryable, schema: string, createdAt: string[]): Promise<void> {
  const q = quoteSchema(schema);
  const hours = `SELECT DISTINCT date_trunc('hour', at::timestamptz, 'UTC') FROM unnest($1::text[]) AS at`;
  const days = `SELECT DISTINCT date_trunc('day', at::timestamptz, 'UTC') FROM unnest($1::text[]) AS at`;
  const weeks = `SELECT DISTINCT ${weekStartSql("at::timestamptz")} FROM unnest($1::text[]) AS at`;
  const deletions = [
    `DELETE FROM ${q}.llm_cost_hourly WHERE events = 0 AND hour_start IN (${hours})`,
    `DELETE FROM ${q}.llm_cost_hourly_summary WHERE events = 0 AND hour_start IN (${hours})`,
    `DELETE FROM ${q}.llm_cost_daily WHERE events = 0 AND day_start IN (${days})`,
    `DELETE FROM ${q}.llm_cost_daily_summary WHERE events = 0 AND day_start IN (${days})`,
    `DELETE FROM ${q}.llm_cost_rollup_by_dimension WHERE events = 0 AND period_start IN (${hours} UNION ${days} UNION ${weeks})`,
  ];
  for (const deletion of deletions) await transaction.query(deletion, [createdAt]);
}
