import type { Database } from "./database.js";
import { quoteSchema } from "./schema-name.js";

/**
 * Writers append each statement's aggregate to the pending deltas (migration 0004), packed as one row
 * of `llm_cost_rollup_delta_batch` per statement (0007; the view `llm_cost_rollup_delta` unpacks them);
 * queries add those pending deltas to the rollups, so answers are exact whether or not they were
 * merged. Merging them (`llm_cost_rollups_compact`) keeps the deltas few and the rollups small and
 * current: the deltas of many writes to one hour become one update per rollup row.
 */

/**
 * Deltas merged per statement (whole batches: a chunk may run over by one statement's deltas). A merge's cost is mostly its upserts, one per distinct rollup key in
 * the chunk (~12 µs each on PGlite): a chunk of 1,000 deltas from 1,000-row batches holds ~800
 * distinct keys, so small chunks upsert nearly once per delta, while one merge of the ~10,000
 * deltas of 20,000 events upserts ~2,200 keys (PGlite, migration 0005: chunks of 1,000 take ~400 ms
 * for those deltas, one statement ~110 ms). A merge holds back every other statement meanwhile, and
 * on a caller's PGlite the event loop too, so chunks stay short there; in PGlite's worker thread a
 * chunk of 10,000 holds other statements back for ~100 ms at most.
 */
function chunkRows(database: Database): number {
  if (database.onCallerThread) return 300;
  return database.engine === "pglite" ? 10_000 : 20_000;
}

/** How long after a write the background merge runs: writes meanwhile are merged together. */
export const compactionDelayMs = 1_000;

/**
 * Merges every pending rollup delta into the rollups, in chunks of one transaction each, and returns
 * how many deltas it merged. Returns early (with what it merged) when another session is merging the
 * same schema: that session takes the rest.
 */
export async function compactRollups(database: Database, schema: string): Promise<number> {
  const chunk = chunkRows(database);
  const statement = `SELECT ${quoteSchema(schema)}.llm_cost_rollups_compact($1::int) AS merged`;
  let total = 0;
  for (;;) {
    const [row] = await database.query<{ merged: string | number }>(statement, [chunk]);
    const merged = Number(row?.merged ?? 0);
    total += merged;
    if (merged < chunk) break;
    // Let timers and I/O run between chunks (PGlite's WASM holds the thread while it works).
    await new Promise((resolve) => setImmediate(resolve));
  }
  // Every query scans the deltas: reclaim the batches just merged now rather than when autovacuum
  // gets to them (a table of dead rows took 20-30 ms to scan). Not worth failing over.
  if (total > 0)
    await database.exec(`VACUUM ${quoteSchema(schema)}.llm_cost_rollup_delta_batch`).catch(() => {});
  return total;
}

interface CompactionState {
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  again: boolean;
}

const scheduled = new WeakMap<Database, Map<string, CompactionState>>();

/**
 * Asks for a background merge of the rollup deltas about `compactionDelayMs` from now, once however
 * often it is asked meanwhile, and never two at a time per database and schema. Failures are not
 * reported: nothing is lost when a merge fails or never runs (the deltas stay, queries add them, and
 * the next merge takes them), and a database closed meanwhile is not an error worth a log line.
 */
export function scheduleRollupCompaction(database: Database, schema: string): void {
  let bySchema = scheduled.get(database);
  if (!bySchema) scheduled.set(database, (bySchema = new Map<string, CompactionState>()));
  let state = bySchema.get(schema);
  if (!state) bySchema.set(schema, (state = { timer: undefined, running: undefined, again: false }));
  if (state.running) {
    state.again = true;
    return;
  }
  if (state.timer) return;
  const current = state;
  current.timer = setTimeout(() => {
    current.timer = undefined;
    current.running = compactRollups(database, schema)
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        current.running = undefined;
        if (current.again) {
          current.again = false;
          scheduleRollupCompaction(database, schema);
        }
      });
  }, compactionDelayMs);
  current.timer.unref();
}

/** Cancels a scheduled merge and waits for one that is running (before closing the database). */
export async function settleRollupCompaction(database: Database): Promise<void> {
  const bySchema = scheduled.get(database);
  if (!bySchema) return;
  for (const state of bySchema.values()) {
    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
    state.again = false;
    await state.running;
  }
  scheduled.delete(database);
}
