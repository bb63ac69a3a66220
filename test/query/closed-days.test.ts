// The hourly summary and the daily rollups hold closed UTC days only (those before daily_through, the
// start of the current day as of the last closing); today's figures come from the full hourly rollup
// and the one-dimension hours, and a writer's first write of a new day builds the other rows of the
// days just closed from the full hourly rows (migration 0003, store/ledger/close-days.ts).
import { beforeAll, beforeEach, expect, it } from "vitest";
import { queryCostsUsing } from "../../src/query/query-costs.js";
import type { QueryCostsOptions } from "../../src/query/index.js";
import { migrateUp } from "../../src/store/migrator.js";
import { compactRollups } from "../../src/store/ledger/index.js";
import { createCostWriter } from "../../src/store/record-costs.js";
import type { Queryable } from "../../src/store/database.js";
import { pgPoolDatabase } from "../../src/store/engines/index.js";
import {
  describeEachEngine,
  describeServer,
  engineDatabase,
  sharedServerPool,
  uniqueSchema,
} from "../support/databases.js";
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

  it("closes the days since the last closing from their hourly rows, on a writer's first write of the day", async () => {
    const database = context.database();
    await insertEvents(database, context.schema, recentEvents(2, 600));
    // As if days had last been closed two days ago.
    const twoDaysAgo = new Date(todayUtc().getTime() - 2 * day);
    await reopenDays(database, context.schema, twoDaysAgo);
    expect((await state(database, context.schema)).through).toBe(twoDaysAgo.getTime());
    await expectRollupsEqualRaw();
    expect(await rollupDrift(database, context.schema)).toBe(0);
    // A writer that already wrote today leaves the days open: late events of the reopened days go to
    // the hourly rows only, older ones to every table.
    const writer = createCostWriter(database, context.schema);
    writer.days.checkedDay = todayUtc().getTime();
    await insertEvents(database, context.schema, recentEvents(3, 300), writer);
    expect((await state(database, context.schema)).through).toBe(twoDaysAgo.getTime());
    await expectRollupsEqualRaw();
    expect(await rollupDrift(database, context.schema)).toBe(0);
    // A new writer's first write closes them.
    await insertEvents(database, context.schema, recentEvents(4, 10));
    expect(await state(database, context.schema)).toEqual({ through: todayUtc().getTime(), openDayRows: 0 });
    await expectRollupsEqualRaw();
    expect(await rollupDrift(database, context.schema)).toBe(0);
    expect(await compactRollups(database, context.schema)).toBe(0);
    const [closed] = await database.query<{ days: string }>(
      `SELECT count(DISTINCT day_start)::text AS days FROM "${context.schema}".llm_cost_daily_summary
        WHERE day_start >= $1`,
      [twoDaysAgo],
    );
    expect(closed?.days).toBe("2");
  });
});

describeServer("closing days under concurrent writers", () => {
  it("closes each day once while writers race to close it and to add late events to it", async () => {
    const database = await engineDatabase("postgres");
    const schema = uniqueSchema("days");
    const pool = pgPoolDatabase(sharedServerPool(), { owned: false, description: "writers" });
    try {
      await migrateUp(database, { schema });
      await insertEvents(database, schema, recentEvents(5, 400));
      await reopenDays(database, schema, new Date(todayUtc().getTime() - 3 * day));
      // Every writer is new, so each tries to close the days before writing its late events.
      await Promise.all(
        Array.from({ length: 8 }, (_, index) =>
          insertEvents(pool, schema, recentEvents(10 + index, 100), createCostWriter(pool, schema)),
        ),
      );
      expect((await state(database, schema)).through).toBe(todayUtc().getTime());
      expect(await rollupDrift(database, schema)).toBe(0);
    } finally {
      await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});
