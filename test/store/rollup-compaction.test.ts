// The store's merges of the rollup deltas: how often the batch table is vacuumed, and how long the
// background merge waits after a long merge.
import { afterEach, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { migrateUp } from "../../src/store/migrator.js";
import {
  backgroundMergeDelay,
  compactRollups,
  compactionDelayMs,
  maxCompactionDelayMs,
  vacuumEveryMs,
} from "../../src/store/rollup-compaction.js";
import { describeEachEngine } from "../support/databases.js";
import { insertEvents, randomEvents, seededRandom } from "../query/support/cost-events.js";
import { emptyTables, rollupDrift } from "../query/support/rollup-drift.js";

const start = new Date("2024-05-01T00:00:00Z");

it("waits 1 s after a write, longer after a long merge (20 times as long), and 5 s at most", () => {
  expect(backgroundMergeDelay(0)).toBe(compactionDelayMs);
  expect(backgroundMergeDelay(30)).toBe(1_000);
  expect(backgroundMergeDelay(100)).toBe(2_000);
  expect(backgroundMergeDelay(180)).toBe(3_600);
  expect(backgroundMergeDelay(60_000)).toBe(maxCompactionDelayMs);
  expect(maxCompactionDelayMs).toBe(5_000);
});

describeEachEngine("merging the rollup deltas", (context) => {
  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function vacuums(): Promise<number> {
    const [row] = await context.database().query<{ count: string }>(
      `SELECT vacuum_count::text AS count FROM pg_stat_user_tables
        WHERE schemaname = $1 AND relname = 'llm_cost_rollup_delta_batch'`,
      [context.schema],
    );
    return Number(row?.count);
  }

  it("vacuums the batch table once enough deltas were merged since the last vacuum, not after every merge", async () => {
    const database = context.database();
    // A first merge past the threshold leaves the count since the last vacuum at zero.
    await insertEvents(database, context.schema, randomEvents(seededRandom(59), 200, { start, hours: 5 }));
    expect(await compactRollups(database, context.schema, { vacuumEveryDeltas: 1 })).toBeGreaterThan(0);
    const first = await vacuums();
    expect(first).toBeGreaterThanOrEqual(1);
    let merged = 0;
    let rounds = 0;
    while (merged < 300) {
      await insertEvents(
        database,
        context.schema,
        randomEvents(seededRandom(60 + rounds), 40, { start, hours: 5 }),
      );
      const count = await compactRollups(database, context.schema, { vacuumEveryDeltas: 300 });
      expect(count).toBeGreaterThan(0);
      merged += count;
      rounds += 1;
      // Below the threshold, merges leave the dead batches to a later vacuum.
      expect(await vacuums()).toBe(merged < 300 ? first : first + 1);
    }
    expect(rounds).toBeGreaterThan(1);
    expect(await rollupDrift(database, context.schema)).toBe(0);
  });

  it("vacuums at the first merge a minute after the last vacuum, however few deltas were merged", async () => {
    const database = context.database();
    const merge = async (seed: number) => {
      await insertEvents(database, context.schema, randomEvents(seededRandom(seed), 10, { start, hours: 2 }));
      expect(await compactRollups(database, context.schema, { vacuumEveryDeltas: 1e9 })).toBeGreaterThan(0);
    };
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2030-01-01T00:00:00Z") });
    await merge(80);
    const before = await vacuums();
    vi.setSystemTime(new Date(Date.now() + vacuumEveryMs / 2));
    await merge(81);
    expect(await vacuums()).toBe(before);
    vi.setSystemTime(new Date(Date.now() + vacuumEveryMs / 2 + 1_000));
    await merge(82);
    expect(await vacuums()).toBe(before + 1);
    await merge(83);
    expect(await vacuums()).toBe(before + 1);
  });
});
