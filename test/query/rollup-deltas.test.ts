// Writers append deltas; the merge (llm_cost_rollups_compact) folds them into the rollups. Answers
// must be exact before, during and after a merge, and no delta may be lost or applied twice.
import { beforeAll, beforeEach, expect, it } from "vitest";
import { queryCosts, queryCostsUsing } from "../../src/query/query-costs.js";
import type { QueryCostsOptions } from "../../src/query/index.js";
import { loadMigrations } from "../../src/store/migration-files.js";
import { migrateDown, migrateUp } from "../../src/store/migrator.js";
import { pgPoolDatabase } from "../../src/store/engines/index.js";
import { compactRollups, compactionDelayMs } from "../../src/store/rollup-compaction.js";
import { createTelemetryStore } from "../../src/store/telemetry-store.js";
import type { Queryable } from "../../src/store/database.js";
import {
  describeEachEngine,
  describeServer,
  engineDatabase,
  sharedServerPool,
  uniqueSchema,
} from "../support/databases.js";
import { insertEvents, randomEvents, seededRandom, testEvent } from "./support/cost-events.js";
import { emptyTables, rollupDrift } from "./support/rollup-drift.js";

const start = new Date("2024-03-01T00:00:00Z");

async function pendingDeltas(database: Queryable, schema: string): Promise<number> {
  const [row] = await database.query<{ count: string }>(
    `SELECT count(*) AS count FROM "${schema}".llm_cost_rollup_delta`,
  );
  return Number(row?.count);
}

const reports: QueryCostsOptions[] = [
  {},
  { groupBy: ["repo", "model"], grain: "day" },
  { groupBy: ["sdk", "environment"], grain: "hour" },
  { from: "2024-03-01T05:30:00Z", to: "2024-03-02T17:00:00Z", groupBy: ["taskType"] },
  { filters: { usedFallback: true, repo: ["api"] }, grain: "week" },
  { groupBy: ["provider"], grain: "day", timeZone: "Asia/Tokyo" },
];

describeEachEngine("rollup deltas and their merge", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });
  const events = () => `"${context.schema}".llm_cost_events`;

  async function expectRollupsEqualRaw(): Promise<void> {
    for (const options of reports) {
      const automatic = await queryCostsUsing(store(), options, "auto");
      const raw = await queryCostsUsing(store(), options, "raw");
      expect(automatic.source, JSON.stringify(options)).not.toBe("raw");
      expect(automatic.rows, JSON.stringify(options)).toEqual(raw.rows);
      expect(automatic.totals, JSON.stringify(options)).toEqual(raw.totals);
    }
  }

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
  });

  it("answers exactly from pending deltas, added, updated and deleted, before and after the merge", async () => {
    const database = context.database();
    await insertEvents(database, context.schema, randomEvents(seededRandom(11), 600, { start, hours: 48 }));
    await database.query(
      `UPDATE ${events()} SET estimated_cost_usd = estimated_cost_usd * 3 WHERE id % 4 = 0`,
    );
    await database.query(
      `UPDATE ${events()} SET created_at = created_at + interval '5 hours' WHERE id % 9 = 0`,
    );
    await database.query(`DELETE FROM ${events()} WHERE id % 6 = 0`);
    expect(await pendingDeltas(database, context.schema)).toBeGreaterThan(0);
    await expectRollupsEqualRaw();

    expect(await compactRollups(database, context.schema)).toBeGreaterThan(0);
    expect(await pendingDeltas(database, context.schema)).toBe(0);
    await expectRollupsEqualRaw();
    expect(await rollupDrift(database, context.schema)).toBe(0);

    // New deltas on top of merged rollups, including the removal of every event of one repo.
    await insertEvents(database, context.schema, randomEvents(seededRandom(12), 200, { start, hours: 48 }));
    await database.query(`DELETE FROM ${events()} WHERE repo = 'api'`);
    await expectRollupsEqualRaw();
    expect(await rollupDrift(database, context.schema)).toBe(0);
    const [left] = await database.query<{ count: string }>(
      `SELECT count(*) AS count FROM "${context.schema}".llm_cost_hourly_summary WHERE repo = 'api'`,
    );
    expect(left?.count).toBe("0");
  });

  it("merges in chunks without losing or repeating a delta", async () => {
    const database = context.database();
    for (let batch = 0; batch < 6; batch += 1) {
      await insertEvents(
        database,
        context.schema,
        randomEvents(seededRandom(20 + batch), 50, { start, hours: 6 }),
      );
    }
    const pending = await pendingDeltas(database, context.schema);
    let merged = 0;
    for (;;) {
      const [row] = await database.query<{ merged: string }>(
        `SELECT "${context.schema}".llm_cost_rollups_compact(7)::text AS merged`,
      );
      merged += Number(row?.merged);
      if (Number(row?.merged) < 7) break;
    }
    expect(merged).toBe(pending);
    expect(await rollupDrift(database, context.schema)).toBe(0);
  });

  it("empties every rollup and the pending deltas when the events are truncated", async () => {
    const database = context.database();
    await insertEvents(database, context.schema, randomEvents(seededRandom(13), 100, { start, hours: 10 }));
    await compactRollups(database, context.schema);
    await insertEvents(database, context.schema, [testEvent({ createdAt: start })]);
    await database.exec(`TRUNCATE ${events()}`);
    const [row] = await database.query<{ rows: string }>(
      `SELECT ((SELECT count(*) FROM "${context.schema}".llm_cost_hourly) + (SELECT count(*) FROM "${context.schema}".llm_cost_daily)
             + (SELECT count(*) FROM "${context.schema}".llm_cost_hourly_summary)
             + (SELECT count(*) FROM "${context.schema}".llm_cost_daily_summary)
             + (SELECT count(*) FROM "${context.schema}".llm_cost_rollup_delta))::text AS rows`,
    );
    expect(row?.rows).toBe("0");
    expect((await queryCosts(store(), {})).totals.events).toBe(0);
  });

  it("merges in the background after the store writes", async () => {
    const database = context.database();
    const telemetry = await createTelemetryStore({ database, schema: context.schema, migrate: false });
    const records = randomEvents(seededRandom(14), 40, { start, hours: 3 }).map((event) => ({
      ...event,
      sdk: "raw" as const,
    }));
    expect((await telemetry.recordLlmCosts(records)).inserted).toBe(40);
    expect(await pendingDeltas(database, context.schema)).toBeGreaterThan(0);
    const deadline = Date.now() + compactionDelayMs + 10_000;
    while ((await pendingDeltas(database, context.schema)) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await pendingDeltas(database, context.schema)).toBe(0);
    expect(await rollupDrift(database, context.schema)).toBe(0);
  });

  it("folds pending deltas into the 0002 rollups when 0004 is rolled back, and rebuilds the summaries on the way up", async () => {
    const database = context.database();
    const schema = uniqueSchema("delta");
    try {
      await migrateUp(database, { schema });
      await insertEvents(database, schema, randomEvents(seededRandom(15), 300, { start, hours: 30 }));
      expect(await pendingDeltas(database, schema)).toBeGreaterThan(0);
      await migrateDown(database, { schema, to: 3 });
      const [down] = await database.query<{ hourly: string; daily: string; events: string }>(
        `SELECT (SELECT sum(events) FROM "${schema}".llm_cost_hourly)::text AS hourly,
                (SELECT sum(events) FROM "${schema}".llm_cost_daily)::text AS daily,
                (SELECT count(*) FROM "${schema}".llm_cost_events)::text AS events`,
      );
      expect(down).toEqual({ hourly: "300", daily: "300", events: "300" });
      // 0002's triggers are back: a write now updates the rollups directly.
      await insertEvents(database, schema, [testEvent({ createdAt: start })]);
      await migrateUp(database, { schema });
      expect(await rollupDrift(database, schema)).toBe(0);
      const [up] = await database.query<{ events: string }>(
        `SELECT sum(events)::text AS events FROM "${schema}".llm_cost_daily_summary`,
      );
      expect(up?.events).toBe("301");
    } finally {
      await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  it("keeps deltas pending across 0005 rolled back and reapplied, and merges them exactly with either merge", async () => {
    const database = context.database();
    const schema = uniqueSchema("delta");
    const migrations = await loadMigrations();
    const cheaper = migrations.find((migration) => migration.version === 5)!;
    const summaryRollups = migrations.find((migration) => migration.version === 4)!;
    const mergeSource = async () => {
      const [row] = await database.query<{ source: string }>(
        `SELECT prosrc AS source FROM pg_proc
          WHERE proname = 'llm_cost_rollups_compact' AND pronamespace = $1::regnamespace`,
        [schema],
      );
      return row?.source;
    };
    try {
      await migrateUp(database, { schema });
      await insertEvents(database, schema, randomEvents(seededRandom(17), 300, { start, hours: 30 }));
      const pending = await pendingDeltas(database, schema);
      expect(pending).toBeGreaterThan(0);

      const down = await migrateDown(database, { schema, to: 4 });
      const above = (version: number) =>
        migrations
          .map((migration) => migration.version)
          .filter((v) => v > version)
          .sort((a, b) => b - a);
      expect(down.steps.map((step) => step.version)).toEqual(above(4));
      // The down migration merges nothing, and restores 0004's merge exactly.
      expect(await pendingDeltas(database, schema)).toBe(pending);
      expect(summaryRollups.up).toContain((await mergeSource())!);
      expect(cheaper.up).not.toContain((await mergeSource())!);
      // 0004's merge, in chunks, takes deltas written while 0005 was applied and since.
      await database.query(
        `UPDATE "${schema}".llm_cost_events SET created_at = created_at + interval '3 hours' WHERE id % 5 = 0`,
      );
      await database.query(`DELETE FROM "${schema}".llm_cost_events WHERE id % 7 = 0`);
      const [first] = await database.query<{ merged: string }>(
        `SELECT "${schema}".llm_cost_rollups_compact(100)::text AS merged`,
      );
      expect(first?.merged).toBe("100");
      expect(await pendingDeltas(database, schema)).toBeGreaterThan(0);

      // 0005's merge takes the rest, including deltas 0004 wrote, and the rollups come out exact.
      await migrateUp(database, { schema, to: 5 });
      expect(cheaper.up).toContain((await mergeSource())!);
      await insertEvents(database, schema, randomEvents(seededRandom(18), 200, { start, hours: 30 }));
      await database.query(`DELETE FROM "${schema}".llm_cost_events WHERE repo = 'api'`);
      expect(await pendingDeltas(database, schema)).toBeGreaterThan(0);
      expect(await rollupDrift(database, schema)).toBe(0);
      const [row] = await database.query<{ raw: string; summary: string; dimension: string }>(
        `SELECT (SELECT count(*) FROM "${schema}".llm_cost_events)::text AS raw,
                (SELECT sum(events) FROM "${schema}".llm_cost_daily_summary)::text AS summary,
                (SELECT sum(events) FROM "${schema}".llm_cost_rollup_by_dimension
                  WHERE span = 'day' AND dimension = 'taskType')::text AS dimension`,
      );
      expect(row?.summary).toBe(row?.raw);
      expect(row?.dimension).toBe(row?.raw);
      const [api] = await database.query<{ count: string }>(
        `SELECT count(*)::text AS count FROM "${schema}".llm_cost_rollup_by_dimension WHERE value = 'api'`,
      );
      expect(api?.count).toBe("0");
    } finally {
      await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  it("plans the merge afresh on every call (0006), and rolls that back", async () => {
    const database = context.database();
    const schema = uniqueSchema("delta");
    const mergeConfig = async () => {
      const [row] = await database.query<{ config: string[] | null }>(
        `SELECT proconfig AS config FROM pg_proc
          WHERE proname = 'llm_cost_rollups_compact' AND pronamespace = $1::regnamespace`,
        [schema],
      );
      return row?.config ?? [];
    };
    try {
      await migrateUp(database, { schema });
      expect(await mergeConfig()).toContain("plan_cache_mode=force_custom_plan");
      // More calls than PL/pgSQL makes custom plans for by default, over growing rollups: exact throughout.
      for (let round = 0; round < 8; round += 1) {
        await insertEvents(
          database,
          schema,
          randomEvents(seededRandom(40 + round), 60, { start, hours: 30 }),
        );
        await database.query(`SELECT "${schema}".llm_cost_rollups_compact(25)`);
      }
      expect(await rollupDrift(database, schema)).toBe(0);
      const down = await migrateDown(database, { schema, to: 5 });
      expect(down.steps.map((step) => step.version)).toContain(6);
      expect(await mergeConfig()).not.toContain("plan_cache_mode=force_custom_plan");
      await migrateUp(database, { schema });
      expect(await mergeConfig()).toContain("plan_cache_mode=force_custom_plan");
    } finally {
      await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  it("packs each statement's deltas into one batch (0007), and moves pending deltas across 0007 down and up", async () => {
    const database = context.database();
    const schema = uniqueSchema("delta");
    const batches = async () => {
      const [row] = await database.query<{ batches: string; rows: string | null }>(
        `SELECT count(*)::text AS batches, sum(delta_rows)::text AS rows FROM "${schema}".llm_cost_rollup_delta_batch`,
      );
      return { batches: Number(row?.batches), rows: Number(row?.rows ?? 0) };
    };
    const deltaRows = `SELECT * FROM "${schema}".llm_cost_rollup_delta`;
    const sameDeltas = async (rows: readonly Record<string, unknown>[]) => {
      const now = await database.query<Record<string, unknown>>(deltaRows);
      const key = (row: Record<string, unknown>) => JSON.stringify(row);
      expect(now.map(key).sort()).toEqual(rows.map(key).sort());
    };
    try {
      await migrateUp(database, { schema });
      const first = randomEvents(seededRandom(30), 400, { start, hours: 30 });
      // Two statements (insertEvents writes 500 rows per statement), then one of duplicates only.
      await insertEvents(database, schema, first.slice(0, 300));
      await insertEvents(database, schema, first.slice(300));
      expect(await insertEvents(database, schema, first.slice(0, 50))).toBe(0);
      const written = await batches();
      expect(written.batches).toBe(2);
      // The view unpacks every batch: as many rows as the batches hold, one per key and statement.
      expect(await pendingDeltas(database, schema)).toBe(written.rows);
      const [keys] = await database.query<{ keys: string }>(
        `SELECT count(*)::text AS keys FROM (SELECT DISTINCT hour_start, repo, task_type, model, provider, sdk,
           environment, used_fallback, priced, errored FROM "${schema}".llm_cost_rollup_delta) AS distinct_keys`,
      );
      expect(written.rows).toBeGreaterThanOrEqual(Number(keys?.keys));
      // An UPDATE appends two batches (old rows subtracted, new rows added), a DELETE one.
      await database.query(
        `UPDATE "${schema}".llm_cost_events SET created_at = created_at + interval '2 hours' WHERE id % 3 = 0`,
      );
      await database.query(`DELETE FROM "${schema}".llm_cost_events WHERE id % 5 = 0`);
      expect((await batches()).batches).toBe(5);
      await expectTotalsExact(schema);

      const before = await database.query<Record<string, unknown>>(deltaRows);
      const down = await migrateDown(database, { schema, to: 6 });
      expect(down.steps.map((step) => step.version)).toContain(7);
      // Back to 0004's table, holding the very same deltas, unmerged; 0006's merge takes them.
      const [kind] = await database.query<{ kind: string }>(
        `SELECT relkind::text AS kind FROM pg_class WHERE oid = $1::regclass`,
        [`"${schema}".llm_cost_rollup_delta`],
      );
      expect(kind?.kind).toBe("r");
      await sameDeltas(before);
      await database.query(`DELETE FROM "${schema}".llm_cost_events WHERE id % 7 = 0`);
      const afterDown = await database.query<Record<string, unknown>>(deltaRows);

      await migrateUp(database, { schema });
      await sameDeltas(afterDown);
      expect((await batches()).rows).toBe(afterDown.length);
      await expectTotalsExact(schema);
      expect(await rollupDrift(database, schema)).toBe(0);
      expect(await batches()).toEqual({ batches: 0, rows: 0 });
    } finally {
      await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }

    async function expectTotalsExact(name: string) {
      const options: QueryCostsOptions = { groupBy: ["repo"], grain: "day" };
      const fast = await queryCostsUsing({ database, schema: name }, options, "auto");
      const raw = await queryCostsUsing({ database, schema: name }, options, "raw");
      expect(fast.source).toBe("rollup");
      expect(fast.rows).toEqual(raw.rows);
      expect(fast.totals).toEqual(raw.totals);
    }
  });
});

describeServer("rollup merges under concurrent writers", () => {
  it("merges while other sessions write and merge, exactly", async () => {
    const database = await engineDatabase("postgres");
    const schema = uniqueSchema("delta");
    const pool = pgPoolDatabase(sharedServerPool(), { owned: false, description: "pool" });
    try {
      await migrateUp(database, { schema });
      const random = seededRandom(16);
      const writes = Array.from({ length: 16 }, () =>
        randomEvents(random, 150, { start, hours: 3 }).map((event) => ({ ...event, repo: "api" })),
      );
      const results = await Promise.all([
        ...writes.map((batch) => pool.transaction((transaction) => insertEvents(transaction, schema, batch))),
        ...Array.from({ length: 8 }, () => compactRollups(pool, schema)),
      ]);
      expect(results.slice(0, 16).reduce((sum, count) => sum + count, 0)).toBe(2400);
      expect(await rollupDrift(database, schema)).toBe(0);
      const report = await queryCosts({ database, schema }, { groupBy: ["repo"] });
      expect(report.rows).toMatchObject([{ repo: "api", events: 2400 }]);
    } finally {
      await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});
