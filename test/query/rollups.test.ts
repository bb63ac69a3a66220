// The rollups are kept by the writer, in the transaction that inserts the events (no triggers, no
// background merge): exact at every commit, whatever the batch held (duplicates, refused rows, late
// events for closed days), and under concurrent writers.
import { beforeAll, beforeEach, expect, it } from "vitest";
import { queryCostsUsing } from "../../src/query/query-costs.js";
import type { QueryCostsOptions } from "../../src/query/index.js";
import { migrateUp } from "../../src/store/migrator.js";
import { pgPoolDatabase } from "../../src/store/engines/index.js";
import { purgeEvents } from "../../src/store/purge-events.js";
import { createCostWriter, recordCosts } from "../../src/store/record-costs.js";
import {
  describeEachEngine,
  describeServer,
  engineDatabase,
  sharedServerPool,
  uniqueSchema,
} from "../support/databases.js";
import { insertEvents, randomEvents, seededRandom, testEvent, toRecord } from "./support/cost-events.js";
import { emptyTables, rollupDrift, summaryDrift } from "./support/rollup-drift.js";

const reports: QueryCostsOptions[] = [
  {},
  { groupBy: ["repo", "model"], grain: "day" },
  { groupBy: ["sdk", "environment"], grain: "hour" },
  { from: "2024-03-01T05:30:00Z", to: "2024-03-02T17:00:00Z", groupBy: ["taskType"] },
  { filters: { usedFallback: true, repo: ["api"] }, grain: "week" },
  { groupBy: ["userId"], grain: "day" },
  { groupBy: ["provider"], grain: "day", timeZone: "Asia/Tokyo" },
  // The tier: its one-dimension rows, and a key column of the full rollups (migration 0012).
  { groupBy: ["serviceTier"], grain: "day" },
  { groupBy: ["model", "serviceTier"], filters: { serviceTier: ["batch", null] }, grain: "hour" },
];

describeEachEngine("rollups kept by the writer", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });
  const hourly = () => `"${context.schema}".llm_cost_hourly`;
  const allHourly = () =>
    context
      .database()
      .query(`SELECT * FROM ${hourly()} ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, service_tier`);

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

  it("adds inserted events to their UTC hour, one row per model's canonical id, at commit", async () => {
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
    const rows = await database.query(
      `SELECT project, hour_start, model, events::text, estimated_cost_usd::text AS cost,
              provider_cost_usd::text AS provider_cost, input_tokens::text FROM ${hourly()} ORDER BY hour_start`,
    );
    expect(rows).toEqual([
      {
        project: "default",
        hour_start: new Date("2024-03-04T10:00:00Z"),
        model: "claude-sonnet-4-5",
        events: "2",
        cost: "12345678.123456789013",
        provider_cost: "1.500000000000",
        input_tokens: "2000",
      },
      {
        project: "default",
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

  it("counts an event id once: repeated in a batch, re-sent later, or re-sent with another time", async () => {
    const database = context.database();
    const batch = randomEvents(seededRandom(1), 300, { start: new Date("2024-03-01T00:00:00Z"), hours: 48 });
    expect(await insertEvents(database, context.schema, batch)).toBe(300);
    const before = await allHourly();
    expect(
      await insertEvents(database, context.schema, [...batch.slice(0, 100), ...batch.slice(0, 100)]),
    ).toBe(0);
    // A deterministic id re-sent months later (another partition) is still the same event.
    const moved = batch
      .slice(100, 150)
      .map((event) => ({ ...event, createdAt: new Date("2024-07-09T12:00:00Z") }));
    expect(await insertEvents(database, context.schema, moved)).toBe(0);
    expect(await allHourly()).toEqual(before);
    const fresh = testEvent({ createdAt: new Date("2024-03-01T05:30:00Z") });
    expect(await insertEvents(database, context.schema, [...batch.slice(150, 200), fresh, fresh])).toBe(1);
    const [sum] = await database.query<{ events: string }>(
      `SELECT sum(events)::text AS events FROM ${hourly()}`,
    );
    expect(sum?.events).toBe("301");
    expect(await rollupDrift(database, context.schema)).toBe(0);
    await expectRollupsEqualRaw();
  });

  it("adds only the stored rows of a batch Postgres refuses one row of", async () => {
    const database = context.database();
    const events = randomEvents(seededRandom(2), 50, { start: new Date("2024-03-01T00:00:00Z"), hours: 24 });
    // Reasoning beyond the output breaks a CHECK: the store isolates that row and writes the others.
    const refused = { ...toRecord(events[7]!), outputTokens: 1, reasoningTokens: 2 };
    const result = await recordCosts(createCostWriter(database, context.schema), [
      ...events.slice(0, 7).map(toRecord),
      refused,
      ...events.slice(8).map(toRecord),
    ]);
    expect(result.inserted).toBe(49);
    expect(result.rejected?.map((rejection) => rejection.eventId)).toEqual([refused.eventId]);
    const [sum] = await database.query<{ events: string }>(
      `SELECT sum(events)::text AS events FROM ${hourly()}`,
    );
    expect(sum?.events).toBe("49");
    expect(await rollupDrift(database, context.schema)).toBe(0);
  });

  it("adds late events of closed days to every table, today's only to the hourly ones", async () => {
    const database = context.database();
    const now = Date.now();
    const today = Math.floor(now / 86_400_000) * 86_400_000;
    await insertEvents(database, context.schema, [
      ...randomEvents(seededRandom(3), 200, { start: new Date(today - 3 * 86_400_000), hours: 72 }),
      ...randomEvents(seededRandom(4), 50, {
        start: new Date(today),
        hours: Math.floor((now - today) / 3_600_000),
      }),
    ]);
    const [counts] = await database.query<{ today_daily: string; closed_daily: string }>(
      `SELECT (SELECT count(*) FROM "${context.schema}".llm_cost_daily WHERE day_start >= $1)::text AS today_daily,
              (SELECT count(*) FROM "${context.schema}".llm_cost_daily WHERE day_start < $1)::text AS closed_daily`,
      [new Date(today)],
    );
    expect(counts).toEqual({ today_daily: "0", closed_daily: expect.not.stringMatching(/^0$/) as unknown });
    expect(await rollupDrift(database, context.schema)).toBe(0);
    await expectRollupsEqualRaw();
  });

  it("keeps the rollups through a purge, and drops hourly and daily rows alike with includeRollups", async () => {
    const database = context.database();
    const now = Date.now();
    await insertEvents(
      database,
      context.schema,
      randomEvents(seededRandom(6), 300, { start: new Date(now - 10 * 86_400_000), hours: 10 * 24 - 1 }),
    );
    const before = await allHourly();
    expect(await purgeEvents(database, context.schema, 5)).toBeGreaterThan(50);
    expect(await allHourly()).toEqual(before);
    await purgeEvents(database, context.schema, 5, { includeRollups: true });
    const [oldest] = await database.query<{ hour: Date | null; day: Date | null }>(
      `SELECT (SELECT min(hour_start) FROM ${hourly()}) AS hour,
              (SELECT min(day_start) FROM "${context.schema}".llm_cost_daily) AS day`,
    );
    const cutoff = now - 5 * 86_400_000;
    expect(oldest?.hour?.getTime()).toBeGreaterThanOrEqual(Math.floor(cutoff / 3_600_000) * 3_600_000);
    expect(oldest?.day?.getTime()).toBeGreaterThanOrEqual(Math.floor(cutoff / 86_400_000) * 86_400_000);
    // The daily rows still equal the sums of the hourly rows that are left, over the closed days (the
    // raw events of the cutoff's own hour are gone, so only the rollup-versus-rollup drift is checked).
    const [daily] = await database.query<{ events: string | null }>(
      `SELECT (SELECT sum(events) FROM "${context.schema}".llm_cost_daily)
            - (SELECT sum(events) FROM ${hourly()}
                WHERE hour_start < (SELECT daily_through FROM "${context.schema}".llm_cost_rollup_state)) AS events`,
    );
    expect(daily?.events).toBe("0");
    expect(await summaryDrift(database, context.schema)).toBe(0);
    const [left] = await database.query<{ oldest: Date | null }>(
      `SELECT min(period_start) AS oldest FROM "${context.schema}".llm_cost_rollup_by_dimension WHERE span = 'hour'`,
    );
    expect(left?.oldest?.getTime()).toBe(oldest?.hour?.getTime());
  });
});

describeServer("rollups under concurrent writers", () => {
  it("loses no counts and never deadlocks when writers upsert the same rows and claim the same ids at once", async () => {
    const database = await engineDatabase("postgres");
    const schema = uniqueSchema("rollup");
    // The shared pool has several connections: the writers' transactions run in parallel.
    const pool = pgPoolDatabase(sharedServerPool(), { owned: false, description: "writers" });
    try {
      await migrateUp(database, { schema });
      const random = seededRandom(5);
      const events = randomEvents(random, 2400, { start: new Date("2024-03-01T10:00:00Z"), hours: 2 }).map(
        (event) => ({ ...event, repo: "api", environment: "production" }),
      );
      // 24 writers, each re-sending half of its neighbour's events: overlapping ids in both orders.
      const batches = Array.from({ length: 24 }, (_, index) => [
        ...events.slice(index * 100, index * 100 + 100),
        ...events.slice(((index + 1) % 24) * 100, ((index + 1) % 24) * 100 + 50).reverse(),
      ]);
      await Promise.all(
        batches.map((batch) => recordCosts(createCostWriter(pool, schema), batch.map(toRecord))),
      );
      const [row] = await database.query<{ events: string }>(
        `SELECT sum(events)::text AS events FROM "${schema}".llm_cost_hourly`,
      );
      expect(row?.events).toBe("2400");
      expect(await rollupDrift(database, schema)).toBe(0);
    } finally {
      await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});
