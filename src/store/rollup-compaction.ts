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
 * Deltas merged per statement (whole batches: a chunk may run over by one statement's deltas). A
 * merge's cost is mostly its upserts, one per distinct rollup key in the chunk (~12 µs each on
 * PGlite): a chunk of 1,000 deltas from 1,000-row batches holds ~800
 * distinct keys, so small chunks upsert nearly once per delta, while one merge of the ~10,000
 * deltas of 20,000 events upserts ~2,200 keys (PGlite, migration 0005: chunks of 1,000 take ~400 ms
 * for those deltas, one statement ~110 ms). A merge holds back every other statement meanwhile, and
 * on a caller's PGlite the event loop too, so chunks stay short there; in PGlite's worker thread a
 * chunk of 50,000 (~100,000 events) holds other statements back for ~200 ms at most (migration 0008:
 * the ~26,000 deltas of 50,000 events took ~110 ms). Chunks of 10,000 split one background merge into
 * up to three, each upserting mostly the same keys.
 */
function chunkRows(database: Database): number {
  if (database.onCallerThread) return 300;
  return database.engine === "pglite" ? 50_000 : 20_000;
}

/**
 * How long after a write the background merge runs, at least: writes meanwhile are merged together.
 * Under sustained writes the store waits longer, `mergeSpacing` times as long as the last merge took
 * (at most `maxCompactionDelayMs`), so that merging takes at most ~1/20 of the database's time. A
 * merge costs about the same whether it takes one second's deltas or three (one upsert per distinct
 * key: on PGlite ~100 ms for the deltas of 15,000 or of 50,000 events), and merging every second took
 * ~10% of PGlite's time at its full write rate. Queries add the deltas still pending, so answers stay
 * exact meanwhile, but they have more to add: on PGlite ~1 ms per 1,000 events pending, which is why
 * the wait stays short (2 s after a merge of 100 ms) rather than as long as ingest would like.
 */
export const compactionDelayMs = 1_000;
export const maxCompactionDelayMs = 5_000;
const mergeSpacing = 20;

/** How long to wait before the next background merge, after one that took `lastMergeMs`. */
export function backgroundMergeDelay(lastMergeMs: number): number {
  return Math.min(maxCompactionDelayMs, Math.max(compactionDelayMs, mergeSpacing * lastMergeMs));
}

/**
 * Merges every pending rollup delta into the rollups, in chunks of one transaction each, and returns
 * how many deltas it merged. Returns early (with what it merged) when another session is merging the
 * same schema: that session takes the rest.
 */
export async function compactRollups(
  database: Database,
  schema: string,
  options: { vacuumEveryDeltas?: number } = {},
): Promise<number> {
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
  if (total > 0)
    await vacuumDeltasNowAndThen(database, schema, total, options.vacuumEveryDeltas ?? vacuumEveryDeltas);
  return total;
}

/**
 * When the store vacuums the batch table: after 50,000 merged deltas, or at the first merge a minute
 * after the last vacuum. Every query scans the pending batches, and a table of many dead rows took
 * 20-30 ms to scan, so merged batches are reclaimed by the store rather than left to autovacuum
 * (which PGlite does not run). But a vacuum costs ~50 ms on PGlite however little it reclaims, and
 * one per merge was a fifth of what the rollups cost a sustained write. The ~100 dead rows of 50,000
 * deltas from busy writers (batches of ~500) take a few pages to scan past; the minute bounds the dead
 * rows that small writes (a few deltas each) leave meanwhile.
 */
export const vacuumEveryDeltas = 50_000;
export const vacuumEveryMs = 60_000;

const sinceVacuum = new WeakMap<Database, Map<string, { deltas: number; since: number }>>();

async function vacuumDeltasNowAndThen(
  database: Database,
  schema: string,
  merged: number,
  every: number,
): Promise<void> {
  let bySchema = sinceVacuum.get(database);
  if (!bySchema) sinceVacuum.set(database, (bySchema = new Map<string, { deltas: number; since: number }>()));
  const now = Date.now();
  const last = bySchema.get(schema) ?? { deltas: 0, since: now };
  const deltas = last.deltas + merged;
  if (deltas < every && now - last.since < vacuumEveryMs) {
    bySchema.set(schema, { deltas, since: last.since });
    return;
  }
  bySchema.set(schema, { deltas: 0, since: now });
  // Not worth failing over: the next vacuum reclaims what this one did not.
  await database.exec(`VACUUM ${quoteSchema(schema)}.llm_cost_rollup_delta_batch`).catch(() => {});
}

interface CompactionState {
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
  again: boolean;
  /** How long the last background merge took (ms). */
  lastMergeMs: number;
}

const scheduled = new WeakMap<Database, Map<string, CompactionState>>();

/**
 * Asks for a background merge of the rollup deltas `compactionDelayMs` from now (or later, after long
 * merges: see there), once however often it is asked meanwhile, and never two at a time per database
 * and schema. Failures are not reported: nothing is lost when a merge fails or never runs (the deltas
 * stay, queries add them, and the next merge takes them), and a database closed meanwhile is not an
 * error worth a log line.
 */
export function scheduleRollupCompaction(database: Database, schema: string): void {
  let bySchema = scheduled.get(database);
  if (!bySchema) scheduled.set(database, (bySchema = new Map<string, CompactionState>()));
  let state = bySchema.get(schema);
  if (!state) {
    state = { timer: undefined, running: undefined, again: false, lastMergeMs: 0 };
    bySchema.set(schema, state);
  }
  if (state.running) {
    state.again = true;
    return;
  }
  if (state.timer) return;
  const current = state;
  const delay = backgroundMergeDelay(current.lastMergeMs);
  current.timer = setTimeout(() => {
    current.timer = undefined;
    const started = performance.now();
    current.running = compactRollups(database, schema)
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        current.lastMergeMs = performance.now() - started;
        current.running = undefined;
        if (current.again) {
          current.again = false;
          scheduleRollupCompaction(database, schema);
        }
      });
  }, delay);
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
