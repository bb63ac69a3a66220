// Migration 0008: the hourly summary and the daily rollups hold closed UTC days only (those before
// daily_through, the start of the current day as of the last merge); today's figures come from the
// full hourly rollup and the one-dimension hours, and the first merge of a new day builds the other
// rows of the days just closed from the full hourly rows.
import { beforeAll, beforeEach, expect, it } from "vitest";
import { queryCostsUsing } from "../../src/query/query-costs.js";
import type { QueryCostsOptions } from "../../src/query/index.js";
import { migrateDown, migrateUp } from "../../src/store/migrator.js";
import { compactRollups } from "../../src/store/rollup-compaction.js";
import type { Queryable } from "../../src/store/database.js";
import { describeEachEngine, uniqueSchema } from "../support/databases.js";
import { insertEvents, randomEvents, seededRandom } from "./support/cost-events.js";
import { emptyTables, reopenDays, rollupDrift } from "./support/rollup-drift.js";

const day = 86_400_000;

function todayUtc(): Date {
  return new Date(Math.floor(Date.now() / day) * day);
}

/** Random events over the three days before now (today's hours included), none in the future. */
function recentEvents(seed: number, count: number) {
  const start = new Date(todayUtc().getTime() - 3 * day);
  const hours = Math.floor((Date.now() - start.getTime()) / 3_600_000);
  return randomEvents(seededRandom(seed), count, { start, hours });
}

async function state(database: Queryable, schema: string) {
  const [row] = await database.query<{
    through: Date;
    hours: string;
    daily: string;
    summary: string;
    dimension: string;
  }>(
    `SELECT (SELECT daily_through FROM "${schema}".llm_cost_rollup_state) AS through,
            (SELECT count(*) FROM "${schema}".llm_cost_hourly_summary
              WHERE hour_start >= (SELECT daily_through FROM "${schema}".llm_cost_rollup_state))::text AS hours,
            (SELECT count(*) FROM "${schema}".llm_cost_daily
              WHERE day_start >= (SELECT daily_through FROM "${schema}".llm_cost_rollup_state))::text AS daily,
            (SELECT count(*) FROM "${schema}".llm_cost_daily_summary
              WHERE day_start >= (SELECT daily_through FROM "${schema}".llm_cost_rollup_state))::text AS summary,
            (SELECT count(*) FROM "${schema}".llm_cost_rollup_by_dimension WHERE span = 'day'
                AND period_start >= (SELECT daily_through FROM "${schema}".llm_cost_rollup_state))::text AS dimension`,
  );
  return {
    through: row?.through.getTime(),
    openDayRows: Number(row?.hours) + Number(row?.daily) + Number(row?.summary) + Number(row?.dimension),
  };
}

const reports = (): QueryCostsOptions[] => {
  const today = todayUtc();
  return [
    {},
    { groupBy: ["model"], from: new Date(today.getTime() - 30 * day) },
    { groupBy: ["repo"], grain: "day" },
    { groupBy: ["sdk", "environment"], grain: "day" },
    { groupBy: ["taskType"], grain: "week", filters: { repo: ["api"] } },
    { grain: "month", filters: { usedFallback: false } },
    { groupBy: ["provider"], from: new Date(today.getTime() - day), to: new Date(today.getTime() + day) },
    { groupBy: ["repo", "model"], from: new Date(today.getTime() - 2 * day + 5_400_000) },
  ];
};

describeEachEngine("daily rollups of closed days", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });

  async function expectRollupsEqualRaw(): Promise<void> {
    for (const options of reports()) {
      const automatic = await queryCostsUsing(store(), options, "auto");
      const raw = await queryCostsUsing(store(), options, "raw");
      const label = JSON.stringify(options);
      expect(automatic.source, label).not.toBe("raw");
      expect(automatic.rows, label).toEqual(raw.rows);
      expect(automatic.totals, label).toEqual(raw.totals);
    }
  }

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
  });

  it("keeps no summary or daily row for today, and answers today's spend from the hourly rollups", async () => {
    const database = context.database();
    await insertEvents(database, context.schema, recentEvents(1, 600));
    await expectRollupsEqualRaw();
    await compactRollups(database, context.schema);
    const after = await state(database, context.schema);
    expect(after.through).toBe(todayUtc().getTime());
    expect(after.openDayRows).toBe(0);
    // Today's hours are in the hourly rollups, the closed days in both.
    const [today] = await database.query<{ hourly: string; daily: string }>(
      `SELECT (SELECT COALESCE(sum(events), 0) FROM "${context.schema}".llm_cost_hourly WHERE hour_start >= $1)::text AS hourly,
              (SELECT count(*) FROM "${context.schema}".llm_cost_daily WHERE day_start >= $1)::text AS daily`,
      [todayUtc()],
    );
    expect(Number(today?.hourly)).toBeGreaterThan(0);
    expect(today?.daily).toBe("0");
    await expectRollupsEqualRaw();
    expect(await rollupDrift(database, context.schema)).toBe(0);
  });

  it("closes the days since the last merge from their hourly rows, with their pending deltas", async () => {
    const database = context.database();
    await insertEvents(database, context.schema, recentEvents(2, 600));
    await compactRollups(database, context.schema);
    // As if the last merge had run two days ago.
    const twoDaysAgo = new Date(todayUtc().getTime() - 2 * day);
    await reopenDays(database, context.schema, twoDaysAgo);
    expect((await state(database, context.schema)).through).toBe(twoDaysAgo.getTime());
    await expectRollupsEqualRaw();
    // Writes since, some in the reopened days and some in older, closed ones, left pending; and
    // deletes, so that some of the pending deltas are negative.
    await insertEvents(database, context.schema, recentEvents(3, 300));
    await database.query(`DELETE FROM "${context.schema}".llm_cost_events WHERE id % 7 = 0`);
    await expectRollupsEqualRaw();

    // Merged in small chunks: the first closes the days, the rest merge the deltas into both.
    const [first] = await database.query<{ merged: string }>(
      `SELECT "${context.schema}".llm_cost_rollups_compact(1)::text AS merged`,
    );
    expect(Number(first?.merged)).toBeGreaterThan(0);
    expect(await state(database, context.schema)).toEqual({ through: todayUtc().getTime(), openDayRows: 0 });
    await expectRollupsEqualRaw();
    await compactRollups(database, context.schema);
    await expectRollupsEqualRaw();
    expect(await rollupDrift(database, context.schema)).toBe(0);
    const [closed] = await database.query<{ days: string }>(
      `SELECT count(DISTINCT day_start)::text AS days FROM "${context.schema}".llm_cost_daily_summary
        WHERE day_start >= $1`,
      [twoDaysAgo],
    );
    expect(closed?.days).toBe("2");
  });

  it("restores today's summary and daily rows when 0008 is rolled back, and drops them again on the way up", async () => {
    const database = context.database();
    const schema = uniqueSchema("closed");
    try {
      await migrateUp(database, { schema });
      await insertEvents(database, schema, recentEvents(4, 400));
      await compactRollups(database, schema);
      await insertEvents(database, schema, recentEvents(5, 100));
      const down = await migrateDown(database, { schema, to: 7 });
      expect(down.steps.map((step) => step.version)).toContain(8);
      // 0007 keeps summary and daily rows for every day, today's included, equal to the sums of the
      // full hourly rows.
      expect(await rollupDrift(database, schema)).toBe(0);
      const [today] = await database.query<{ daily: string; hours: string }>(
        `SELECT (SELECT count(*) FROM "${schema}".llm_cost_daily_summary WHERE day_start >= $1)::text AS daily,
                (SELECT count(*) FROM "${schema}".llm_cost_hourly_summary WHERE hour_start >= $1)::text AS hours`,
        [todayUtc()],
      );
      expect(Number(today?.daily)).toBeGreaterThan(0);
      expect(Number(today?.hours)).toBeGreaterThan(0);
      await insertEvents(database, schema, recentEvents(6, 100));
      await migrateUp(database, { schema });
      expect(await state(database, schema)).toEqual({ through: todayUtc().getTime(), openDayRows: 0 });
      expect(await rollupDrift(database, schema)).toBe(0);
      const options: QueryCostsOptions = { groupBy: ["repo"], grain: "day" };
      const automatic = await queryCostsUsing({ database, schema }, options, "auto");
      const raw = await queryCostsUsing({ database, schema }, options, "raw");
      expect(automatic.rows).toEqual(raw.rows);
      expect(automatic.totals).toEqual(raw.totals);
    } finally {
      await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});
