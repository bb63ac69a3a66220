import { LedgerError } from "../errors.js";
import type { Database } from "./database.js";
import { quoteSchema } from "./schema-name.js";

/** Options of `purgeOlderThan`. */
export interface PurgeOptions {
  /**
   * Also delete the rollups (migrations 0002 and 0004) of whole hours before the cutoff. By default
   * they stay, so periods whose raw events were purged remain answerable.
   */
  includeRollups?: boolean | undefined;
  /** Rows deleted per transaction (default 10,000): bounds how long any lock is held. */
  batchSize?: number | undefined;
  /** Called after each committed batch with the running total deleted (progress for the CLI). */
  onProgress?: ((deleted: number) => void) | undefined;
}

/**
 * Deletes events created more than `days` days before now (`0`: every event created before now), in
 * batches of one short transaction each, and returns how many it deleted. Each batch runs with
 * `llm_ledger.retention_purge` set, which tells the rollup trigger not to subtract the purged rows.
 */
export async function purgeEvents(
  database: Database,
  schema: string,
  days: number,
  options: PurgeOptions = {},
): Promise<number> {
  if (typeof days !== "number" || !Number.isSafeInteger(days) || days < 0) {
    throw new LedgerError(
      "E_PURGE_DAYS",
      `purgeOlderThan needs a whole number of days, 0 or more; got ${String(days)}`,
    );
  }
  const batchSize = options.batchSize ?? 10_000;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new LedgerError("E_PURGE_BATCH", `purge batch size must be a positive integer; got ${batchSize}`);
  }
  const table = `${quoteSchema(schema)}.llm_cost_events`;
  // One cutoff for every batch, from the database's clock.
  const [{ cutoff } = { cutoff: new Date() }] = await database.query<{ cutoff: Date }>(
    `SELECT now() - make_interval(days => $1::int) AS cutoff`,
    [days],
  );
  let deleted = 0;
  for (;;) {
    const count = await database.transaction(async (transaction) => {
      await transaction.query(`SELECT set_config('llm_ledger.retention_purge', 'on', true)`);
      const rows = await transaction.query<{ count: string }>(
        `WITH gone AS (
           DELETE FROM ${table} WHERE id = ANY(ARRAY(
             SELECT id FROM ${table} WHERE created_at < $1 ORDER BY created_at LIMIT $2))
           RETURNING 1)
         SELECT count(*) AS count FROM gone`,
        [cutoff, batchSize],
      );
      return Number(rows[0]?.count ?? 0);
    });
    deleted += count;
    if (count > 0) options.onProgress?.(deleted);
    if (count < batchSize) break;
  }
  if (options.includeRollups) await purgeRollups(database, schema, cutoff);
  return deleted;
}

/**
 * Deletes rollup rows of hours that ended at or before the cutoff (a trigger takes them out of the
 * daily and summary rollups), with the pending deltas of those hours: merged first, under the merge's
 * lock, so that no merge brings them back afterwards.
 */
async function purgeRollups(database: Database, schema: string, cutoff: Date): Promise<void> {
  const quoted = quoteSchema(schema);
  await database.transaction(async (transaction) => {
    await transaction.query(`SELECT set_config('llm_ledger.retention_purge', 'on', true)`);
    await transaction.query(`SELECT ${quoted}.llm_cost_rollups_compact(NULL, true)`);
    await transaction.query(
      `DELETE FROM ${quoted}.llm_cost_hourly WHERE hour_start + interval '1 hour' <= $1`,
      [cutoff],
    );
  });
}
