// Migration 0012 puts the service tier into the rollup keys of a ledger that already has figures: the
// rows rolled up before it hold every event under no tier, and the figures of the stored events that
// carry one move to their tier's rows; going down merges them back. Tested on data written by the
// store, taken down to 0011 (rollups as the writer kept them before the tier) and up again.
import { beforeEach, expect, it } from "vitest";
import { queryCosts, type QueryCostsOptions } from "../../src/query/index.js";
import { queryCostsUsing } from "../../src/query/query-costs.js";
import { migrateDown, migrateUp } from "../../src/store/migrator.js";
import { purgeEvents } from "../../src/store/purge-events.js";
import { describeEachEngine } from "../support/databases.js";
import { insertEvents, randomEvents, seededRandom, testEvent } from "../query/support/cost-events.js";
import { emptyTables, rollupDrift } from "../query/support/rollup-drift.js";

const beforeTiers = 11;

const reports: QueryCostsOptions[] = [
  { groupBy: ["serviceTier"], grain: "day" },
  { groupBy: ["model", "serviceTier"], filters: { serviceTier: ["batch", null] } },
  { groupBy: ["repo"], grain: "hour" },
  {},
];

describeEachEngine("migration 0012: the service tier joins the rollups", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });
  const table = (name: string) => `"${context.schema}".${name}`;

  /** Every full hourly row, amounts without trailing zeros (the migration's sums keep other scales). */
  const hourlyRows = () =>
    context.database().query(
      `SELECT project, hour_start, repo, task_type, model, provider, sdk, environment, service_tier, used_fallback,
              priced, errored, events::text, trim_scale(estimated_cost_usd)::text AS cost,
              trim_scale(provider_cost_usd)::text AS provider_cost, input_tokens::text, reasoning_tokens::text
         FROM ${table("llm_cost_hourly")} ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12`,
    );

  const columnsOf = async (name: string) =>
    (
      await context
        .database()
        .query<{ column_name: string }>(
          `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`,
          [context.schema, name],
        )
    ).map((row) => row.column_name);

  /** Rows of the hourly rollup (keyed without a tier) that differ from the raw events' sums, both ways. */
  const untieredDrift = async () => {
    const keys =
      "project, hour_start, repo, task_type, model, provider, sdk, environment, used_fallback, priced, errored";
    const [row] = await context.database().query<{ count: string }>(
      `WITH raw AS (
         SELECT project, date_trunc('hour', created_at, 'UTC') AS hour_start, repo, task_type,
                COALESCE(resolved_model, model) AS model, provider, sdk, environment, used_fallback, priced,
                error IS NOT NULL AS errored, count(*) AS events, sum(estimated_cost_usd) AS cost
           FROM ${table("llm_cost_events")} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
       ), rolled AS (SELECT ${keys}, events, estimated_cost_usd AS cost FROM ${table("llm_cost_hourly")})
       SELECT count(*)::text AS count
         FROM ((SELECT * FROM raw EXCEPT ALL SELECT * FROM rolled) UNION ALL
               (SELECT * FROM rolled EXCEPT ALL SELECT * FROM raw)) AS drift`,
    );
    return Number(row?.count);
  };

  const answers = async () => {
    const result: unknown[] = [];
    for (const options of reports) {
      const automatic = await queryCosts(store(), options);
      const raw = await queryCostsUsing(store(), options, "raw");
      expect(automatic.source, JSON.stringify(options)).toBe("rollup");
      expect(automatic.rows, JSON.stringify(options)).toEqual(raw.rows);
      expect(automatic.totals, JSON.stringify(options)).toEqual(raw.totals);
      result.push(automatic);
    }
    return result;
  };

  beforeEach(async () => {
    await migrateUp(context.database(), { schema: context.schema });
    await emptyTables(context.database(), context.schema);
  });

  it("moves the stored events' figures to their tier's rows, and merges them back going down", async () => {
    const database = context.database();
    const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    // Three closed days (their late events reach the daily rollups too) and today's first hour.
    await insertEvents(database, context.schema, [
      ...randomEvents(seededRandom(12), 600, { start: new Date(today - 3 * 86_400_000), hours: 72 }),
      ...randomEvents(seededRandom(13), 60, { start: new Date(today), hours: 1 }),
    ]);
    const rows = await hourlyRows();
    const reported = await answers();

    await migrateDown(database, { schema: context.schema, to: beforeTiers });
    expect(await columnsOf("llm_cost_hourly")).not.toContain("service_tier");
    expect(await columnsOf("llm_cost_daily")).not.toContain("service_tier");
    expect(await untieredDrift()).toBe(0);
    const [left] = await database.query<{ tier_rows: string; daily_events: string; closed_events: string }>(
      `SELECT (SELECT count(*) FROM ${table("llm_cost_rollup_by_dimension")} WHERE dimension = 'serviceTier')::text
                AS tier_rows,
              (SELECT sum(events) FROM ${table("llm_cost_daily")})::text AS daily_events,
              (SELECT count(*) FROM ${table("llm_cost_events")} WHERE created_at < $1)::text AS closed_events`,
      [new Date(today)],
    );
    expect(left).toEqual({ tier_rows: "0", daily_events: "600", closed_events: "600" });

    await migrateUp(database, { schema: context.schema });
    expect(await rollupDrift(database, context.schema)).toBe(0);
    expect(await hourlyRows()).toEqual(rows);
    expect(await answers()).toEqual(reported);
  });

  it("leaves the figures of purged events under no tier, and moves those still stored", async () => {
    const database = context.database();
    const now = Date.now();
    const cutoffHour = Math.floor((now - 5 * 86_400_000) / 3_600_000) * 3_600_000;
    await insertEvents(database, context.schema, [
      ...Array.from({ length: 4 }, () =>
        testEvent({ createdAt: new Date(now - 9 * 86_400_000), serviceTier: "batch", estimatedCostUsd: "2" }),
      ),
      testEvent({ createdAt: new Date(now - 2 * 86_400_000), serviceTier: "batch", estimatedCostUsd: "3" }),
      testEvent({ createdAt: new Date(now - 2 * 86_400_000), estimatedCostUsd: "5" }),
    ]);
    expect(await purgeEvents(database, context.schema, 5)).toBe(4);
    const total = (await queryCosts(store(), {})).totals;

    await migrateDown(database, { schema: context.schema, to: beforeTiers });
    await migrateUp(database, { schema: context.schema });

    const tiers = async (options: QueryCostsOptions) =>
      (await queryCosts(store(), { ...options, groupBy: ["serviceTier"] })).rows.map((row) => [
        row.serviceTier,
        row.events,
        row.costUsd,
      ]);
    // The purged hours' events cannot say their tier any more: they stay under none.
    expect(await tiers({ to: new Date(cutoffHour) })).toEqual([[null, 4, "8"]]);
    expect(await tiers({ from: new Date(cutoffHour) })).toEqual([
      [null, 1, "5"],
      ["batch", 1, "3"],
    ]);
    const recent = { from: new Date(cutoffHour), groupBy: ["serviceTier", "model"] } as const;
    expect((await queryCosts(store(), recent)).rows).toEqual(
      (await queryCostsUsing(store(), recent, "raw")).rows,
    );
    expect((await queryCosts(store(), {})).totals).toEqual(total);
  });

  it("leaves a key whose row does not hold its stored events as it was, never below zero", async () => {
    const database = context.database();
    await insertEvents(database, context.schema, [
      testEvent({ createdAt: new Date("2024-03-04T10:15:00Z"), serviceTier: "batch", estimatedCostUsd: "1" }),
      testEvent({ createdAt: new Date("2024-03-04T11:15:00Z"), serviceTier: "flex", estimatedCostUsd: "2" }),
    ]);
    await migrateDown(database, { schema: context.schema, to: beforeTiers });
    // Written around the store, so no rollup row took them: one beside the 10:00 event (its key's row
    // holds one of the two events), one in an hour without a row at all.
    await database.exec(
      `INSERT INTO ${table("llm_cost_events")} (event_id, created_at, repo, task_type, model, resolved_model, provider,
              sdk, environment, service_tier, estimated_cost_usd)
       VALUES (gen_random_uuid(), '2024-03-04T10:45:00Z', 'api', 'review', 'claude-sonnet-4-5-20250929',
               'claude-sonnet-4-5', 'anthropic', 'ai', 'production', 'batch', 4),
              (gen_random_uuid(), '2024-03-04T12:15:00Z', 'api', 'review', 'claude-sonnet-4-5-20250929',
               'claude-sonnet-4-5', 'anthropic', 'ai', 'production', 'priority', 8)`,
    );
    await migrateUp(database, { schema: context.schema });
    const rows = await database.query(
      `SELECT hour_start, service_tier, events::text, trim_scale(estimated_cost_usd)::text AS cost
         FROM ${table("llm_cost_hourly")} ORDER BY hour_start`,
    );
    expect(rows).toEqual([
      { hour_start: new Date("2024-03-04T10:00:00Z"), service_tier: null, events: "1", cost: "1" },
      { hour_start: new Date("2024-03-04T11:00:00Z"), service_tier: "flex", events: "1", cost: "2" },
    ]);
    const [negative] = await database.query<{ count: string }>(
      `SELECT count(*)::text AS count FROM (
         SELECT events FROM ${table("llm_cost_hourly")} UNION ALL SELECT events FROM ${table("llm_cost_daily")}
         UNION ALL SELECT events FROM ${table("llm_cost_rollup_by_dimension")}) AS rollup_rows WHERE events < 0`,
    );
    expect(negative?.count).toBe("0");
  });
});
