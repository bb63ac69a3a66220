import { beforeAll, beforeEach, expect, it } from "vitest";
import { migrateUp } from "../../src/store/migrator.js";
import { purgeEvents } from "../../src/store/purge-events.js";
import { pgPoolDatabase } from "../../src/store/engines/index.js";
import {
  describeEachEngine,
  describeServer,
  engineDatabase,
  sharedServerPool,
  uniqueSchema,
} from "../support/databases.js";
import { insertEvents, randomEvents, seededRandom, testEvent } from "./support/cost-events.js";
import type { Queryable } from "../../src/store/database.js";
import { compactAll, emptyTables, rollupDrift, summaryDrift } from "./support/rollup-drift.js";

/** Reads the rollup tables as the background merge leaves them: after merging the pending deltas. */
async function read<T extends object = Record<string, unknown>>(
  database: Queryable,
  schema: string,
  sql: string,
): Promise<T[]> {
  await compactAll(database, schema);
  return database.query<T>(sql);
}

describeEachEngine("hourly rollups", (context) => {
  const hourly = () => `"${context.schema}".llm_cost_hourly`;
  const events = () => `"${context.schema}".llm_cost_events`;

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
  });

  it("adds inserted events to their UTC hour, one row per model's catalog id", async () => {
    const database = context.database();
    await insertEvents(database, context.schema, [
      testEvent({ createdAt: new Date("2024-03-04T10:00:00Z"), estimatedCostUsd: "0.000000000001" }),
      testEvent({
        createdAt: new Date("2024-03-04T10:59:59.999Z"),
        model: "claude-sonnet-4-5",
        estimatedCostUsd: "12345678.123456789012",
        providerCostUsd: "1.5",
      }),
      testEvent({ createdAt: new Date("2024-03-04T11:00:00Z"), inputTokens: 7 }),
    ]);
    const rows = await read<Record<string, unknown>>(
      database,
      context.schema,
      `SELECT hour_start, model, events::text, estimated_cost_usd::text AS cost, provider_cost_usd::text AS provider_cost,
              input_tokens::text FROM ${hourly()} ORDER BY hour_start`,
    );
    expect(rows).toEqual([
      {
        hour_start: new Date("2024-03-04T10:00:00Z"),
        model: "claude-sonnet-4-5",
        events: "2",
        cost: "12345678.123456789013",
        provider_cost: "1.500000000000",
        input_tokens: "2000",
      },
      {
        hour_start: new Date("2024-03-04T11:00:00Z"),
        model: "claude-sonnet-4-5",
        events: "1",
        cost: "0.006000000000",
        provider_cost: "0",
        input_tokens: "7",
      },
    ]);
    expect(await rollupDrift(database, context.schema)).toBe(0);
  });

  it("does not count duplicates skipped by ON CONFLICT, within a batch or across batches", async () => {
    const database = context.database();
    const batch = randomEvents(seededRandom(1), 300, { start: new Date("2024-03-01T00:00:00Z"), hours: 48 });
    expect(await insertEvents(database, context.schema, batch)).toBe(300);
    const before = await read(
      database,
      context.schema,
      `SELECT * FROM ${hourly()} ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`,
    );
    expect(
      await insertEvents(database, context.schema, [...batch.slice(0, 100), ...batch.slice(0, 100)]),
    ).toBe(0);
    const fresh = testEvent({ createdAt: new Date("2024-03-01T05:30:00Z") });
    expect(await insertEvents(database, context.schema, [...batch.slice(100, 200), fresh])).toBe(1);
    const [sum] = await read<{ events: string }>(
      database,
      context.schema,
      `SELECT sum(events)::text AS events FROM ${hourly()}`,
    );
    expect(sum?.events).toBe("301");
    await database.query(`DELETE FROM ${events()} WHERE event_id = $1`, [fresh.eventId]);
    expect(
      await read(
        database,
        context.schema,
        `SELECT * FROM ${hourly()} ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`,
      ),
    ).toEqual(before);
  });

  it("moves figures on UPDATE (cost, model resolution, hour, flags) and leaves no empty rows", async () => {
    const database = context.database();
    await insertEvents(
      database,
      context.schema,
      randomEvents(seededRandom(2), 400, { start: new Date("2024-03-01T00:00:00Z"), hours: 24 }),
    );
    await database.query(
      `UPDATE ${events()} SET estimated_cost_usd = estimated_cost_usd * 2 WHERE repo = 'api'`,
    );
    await database.query(
      `UPDATE ${events()} SET resolved_model = 'mystery-resolved', priced = true WHERE resolved_model IS NULL`,
    );
    await database.query(
      `UPDATE ${events()} SET created_at = created_at + interval '90 minutes' WHERE id % 3 = 0`,
    );
    await database.query(
      `UPDATE ${events()} SET error = 'boom', used_fallback = NOT used_fallback WHERE id % 5 = 0`,
    );
    await database.query(`UPDATE ${events()} SET metadata = '{"x": 1}'`);
    expect(await rollupDrift(database, context.schema)).toBe(0);
    const [empty] = await read<{ count: string }>(
      database,
      context.schema,
      `SELECT count(*) AS count FROM ${hourly()} WHERE events = 0`,
    );
    expect(empty?.count).toBe("0");
  });

  it("subtracts plain DELETEs, removing emptied rows, but keeps rows a retention purge deletes", async () => {
    const database = context.database();
    await insertEvents(
      database,
      context.schema,
      randomEvents(seededRandom(3), 400, { start: new Date("2024-03-01T00:00:00Z"), hours: 72 }),
    );
    await database.query(`DELETE FROM ${events()} WHERE repo = 'etl' OR id % 7 = 0`);
    expect(await rollupDrift(database, context.schema)).toBe(0);
    const [{ count: rowsBefore } = { count: "" }] = await read<{ count: string }>(
      database,
      context.schema,
      `SELECT count(*) AS count FROM ${hourly()} WHERE repo = 'etl'`,
    );
    expect(rowsBefore).toBe("0");

    const before = await read(
      database,
      context.schema,
      `SELECT * FROM ${hourly()} ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`,
    );
    const purged = await database.transaction(async (transaction) => {
      await transaction.query(`SELECT set_config('llm_ledger.retention_purge', 'on', true)`);
      return transaction.query(
        `DELETE FROM ${events()} WHERE created_at < '2024-03-02T12:00:00Z' RETURNING 1`,
      );
    });
    expect(purged.length).toBeGreaterThan(50);
    expect(
      await read(
        database,
        context.schema,
        `SELECT * FROM ${hourly()} ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`,
      ),
    ).toEqual(before);
    // The setting was local to the purge's transaction: later deletes subtract again.
    await database.query(`DELETE FROM ${events()} WHERE created_at >= '2024-03-03T12:00:00Z'`);
    const [later] = await read<{ count: string }>(
      database,
      context.schema,
      `SELECT count(*) AS count FROM ${hourly()} WHERE hour_start >= '2024-03-03T12:00:00Z'`,
    );
    expect(later?.count).toBe("0");
  });

  it("keeps the rollups through the store's purge, and drops hourly and daily rows alike with includeRollups", async () => {
    const database = context.database();
    const now = Date.now();
    await insertEvents(
      database,
      context.schema,
      randomEvents(seededRandom(6), 300, { start: new Date(now - 10 * 86_400_000), hours: 10 * 24 - 1 }),
    );
    const before = await read(
      database,
      context.schema,
      `SELECT * FROM ${hourly()} ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`,
    );
    expect(await purgeEvents(database, context.schema, 5)).toBeGreaterThan(50);
    expect(
      await read(
        database,
        context.schema,
        `SELECT * FROM ${hourly()} ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`,
      ),
    ).toEqual(before);
    await purgeEvents(database, context.schema, 5, { includeRollups: true });
    const [oldest] = await read<{ hour: Date | null; day: Date | null }>(
      database,
      context.schema,
      `SELECT (SELECT min(hour_start) FROM ${hourly()}) AS hour,
              (SELECT min(day_start) FROM "${context.schema}".llm_cost_daily) AS day`,
    );
    const cutoff = now - 5 * 86_400_000;
    expect(oldest?.hour?.getTime()).toBeGreaterThanOrEqual(Math.floor(cutoff / 3_600_000) * 3_600_000);
    expect(oldest?.day?.getTime()).toBeGreaterThanOrEqual(Math.floor(cutoff / 86_400_000) * 86_400_000);
    // The daily rows still equal the sums of the hourly rows that are left, over the closed days
    // (migration 0008; the raw events of the cutoff's own hour are gone, so only the daily-versus-hourly
    // half of the drift is checked).
    const [daily] = await read<{ events: string | null }>(
      database,
      context.schema,
      `SELECT (SELECT sum(events) FROM "${context.schema}".llm_cost_daily)
            - (SELECT sum(events) FROM ${hourly()}
                WHERE hour_start < (SELECT daily_through FROM "${context.schema}".llm_cost_rollup_state)) AS events`,
    );
    expect(daily?.events).toBe("0");
    // The summaries and one-dimension rows lost exactly what the full hourly rows lost.
    expect(await summaryDrift(database, context.schema)).toBe(0);
    const [left] = await database.query<{ oldest: Date | null }>(
      `SELECT min(period_start) AS oldest FROM "${context.schema}".llm_cost_rollup_by_dimension WHERE span = 'hour'`,
    );
    expect(left?.oldest?.getTime()).toBe(oldest?.hour?.getTime());
  });

  it("rolls back with the transaction that wrote the events", async () => {
    const database = context.database();
    await expect(
      database.transaction(async (transaction) => {
        await insertEvents(transaction, context.schema, [testEvent()]);
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await read(database, context.schema, `SELECT * FROM ${hourly()}`)).toEqual([]);
  });

  it("backfills events recorded before migration 0002, and down/up keeps the events", async () => {
    const database = context.database();
    const schema = uniqueSchema("rollup");
    try {
      await migrateUp(database, { schema, to: 1 });
      const seeded = randomEvents(seededRandom(4), 200, {
        start: new Date("2024-03-01T00:00:00Z"),
        hours: 30,
      });
      await insertEvents(database, schema, seeded);
      await migrateUp(database, { schema });
      expect(await rollupDrift(database, schema)).toBe(0);
      const [row] = await read<{ events: string }>(
        database,
        schema,
        `SELECT sum(events)::text AS events FROM "${schema}".llm_cost_hourly`,
      );
      expect(row?.events).toBe("200");
    } finally {
      await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});

describeServer("hourly rollups under concurrent writers", () => {
  it("loses no counts when writers upsert the same hour rows at once", async () => {
    const database = await engineDatabase("postgres");
    const schema = uniqueSchema("rollup");
    // The shared client has a pool of connections: the batches run as parallel transactions.
    const writer = pgPoolDatabase(sharedServerPool(), { owned: false, description: "writer" });
    try {
      await migrateUp(database, { schema });
      const random = seededRandom(5);
      const batches = Array.from({ length: 24 }, () =>
        randomEvents(random, 100, { start: new Date("2024-03-01T10:00:00Z"), hours: 2 }).map((event) => ({
          ...event,
          repo: "api",
          environment: "production",
        })),
      );
      await Promise.all(
        batches.map((batch) => writer.transaction((transaction) => insertEvents(transaction, schema, batch))),
      );
      const [row] = await read<{ events: string }>(
        database,
        schema,
        `SELECT sum(events)::text AS events FROM "${schema}".llm_cost_hourly`,
      );
      expect(row?.events).toBe("2400");
      expect(await rollupDrift(database, schema)).toBe(0);
    } finally {
      await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});
