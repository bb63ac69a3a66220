import { LedgerError } from "../errors.js";
import type { Database } from "./database.js";
import { listPartitions, type MonthPartition } from "./ledger/partitions.js";
import { purgeRollups } from "./ledger/purge-rollups.js";
import { quoteSchema } from "./schema-name.js";

/** Options of `purgeOlderThan`. */
export interface PurgeOptions {
  /**
   * Also delete the rollups (migration 0003) of whole hours before the cutoff. By default they stay,
   * so periods whose raw events were purged remain answerable.
   */
  includeRollups?: boolean | undefined;
  /** Rows deleted per transaction (default 10,000): bounds how long any lock is held. */
  batchSize?: number | undefined;
  /** Called after each committed batch with the running total deleted (progress for the CLI). */
  onProgress?: ((deleted: number) => void) | undefined;
}

/**
 * Deletes events created more than `days` days before now (`0`: every event created before now) and
 * returns how many it deleted. Whole months before the cutoff go by dropping their partition (with
 * their id claims); the rest (the cutoff's own month, the default partition) in batches of one short
 * transaction each. The rollups keep the purged figures unless `includeRollups` is asked: a purge
 * changes what raw events remain, not what was spent.
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
  // One cutoff for every step, from the database's clock.
  const [{ cutoff } = { cutoff: new Date() }] = await database.query<{ cutoff: Date }>(
    `SELECT now() - make_interval(days => $1::int) AS cutoff`,
    [days],
  );
  let deleted = 0;
  const progress = (count: number) => {
    deleted += count;
    if (count > 0) options.onProgress?.(deleted);
  };
  for (const partition of await listPartitions(database, schema)) {
    if (partition.to.getTime() <= cutoff.getTime())
      progress(await dropPartition(database, schema, partition));
  }
  await deleteEventsInBatches(database, schema, cutoff, batchSize, progress);
  if (options.includeRollups) await purgeRollups(database, schema, cutoff);
  return deleted;
}

/** Drops a whole month: its id claims first (found by time), then the partition itself. */
async function dropPartition(database: Database, schema: string, partition: MonthPartition): Promise<number> {
  const q = quoteSchema(schema);
  return database.transaction(async (transaction) => {
    const [row] = await transaction.query<{ count: string }>(
      `SELECT count(*) AS count FROM ${q}.${partition.name}`,
    );
    await transaction.query(
      `DELETE FROM ${q}.llm_cost_event_ids WHERE created_at >= $1::timestamptz AND created_at < $2::timestamptz`,
      [partition.from, partition.to],
    );
    await transaction.exec(`DROP TABLE ${q}.${partition.name}`);
    return Number(row?.count ?? 0);
  });
}

/**
 * Deletes the events before the cutoff, with their id claims, in batches of one transaction each
 * (`progress` gets each batch's count): what a purge does with the rows no dropped partition took, and
 * the naive way the purge benchmark measures a partition drop against.
 */
export async function deleteEventsInBatches(
  database: Database,
  schema: string,
  cutoff: Date,
  batchSize: number,
  progress: (count: number) => void,
): Promise<void> {
  const q = quoteSchema(schema);
  for (;;) {
    const count = await database.transaction(async (transaction) => {
      const rows = await transaction.query<{ count: string }>(
        `WITH gone AS (
           DELETE FROM ${q}.llm_cost_events WHERE (created_at, id) IN (
             SELECT created_at, id FROM ${q}.llm_cost_events WHERE created_at < $1 ORDER BY created_at LIMIT $2)
           RETURNING project, event_id),
         claims AS (
           DELETE FROM ${q}.llm_cost_event_ids i USING gone
            WHERE i.event_id = gone.event_id AND i.project = gone.project)
         SELECT count(*) AS count FROM gone`,
        [cutoff, batchSize],
      );
      return Number(rows[0]?.count ?? 0);
    });
    progress(count);
    if (count < batchSize) break;
  }
}
