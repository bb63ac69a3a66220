import type { Database } from "../store/database.js";

/**
 * Runs one read statement with JIT compilation off, on a Postgres server (PGlite has no JIT). The
 * budget cycle's grouped statements are large plans over modest row counts: their estimated cost
 * passes Postgres's JIT thresholds, and compiling them took longer than running them (seconds against
 * a fraction of one, docs/budgets.md). Only these statements: a report over millions of raw events
 * gains from JIT, so the connections keep the server's setting.
 */
export async function queryWithoutJit<Row extends object>(
  database: Database,
  sql: string,
  values: readonly unknown[],
): Promise<Row[]> {
  if (database.engine !== "postgres") return database.query<Row>(sql, values);
  return database.transaction(async (transaction) => {
    // Local to this transaction: the pooled connection goes back with the server's setting.
    await transaction.query("SELECT set_config('jit', 'off', true)");
    return transaction.query<Row>(sql, values);
  });
}
