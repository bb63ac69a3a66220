// The one-dimension rollup's closed weeks (migration 0011): built when their last day closes, kept
// exact by late events and purges, read for the whole weeks inside a report's window (the rest from
// days and hours), and backfilled from the day rows of a database made before the migration.
import { beforeAll, beforeEach, expect, it } from "vitest";
import { queryCosts, type QueryCostsOptions } from "../../src/query/index.js";
import { queryCostsUsing } from "../../src/query/query-costs.js";
import { migrateDown, migrateUp } from "../../src/store/migrator.js";
import { compactRollups } from "../../src/store/ledger/index.js";
import { createCostWriter } from "../../src/store/record-costs.js";
import { describeEachEngine } from "../support/databases.js";
import { insertEvents, randomEvents, seededRandom, testEvent } from "./support/cost-events.js";
import { emptyTables, reopenDays, rollupDrift } from "./support/rollup-drift.js";

const day = 86_400_000;
/** Monday, February 26, 2024: four whole UTC weeks of data from here. */
const firstMonday = new Date("2024-02-26T00:00:00Z");

/** Windows across week boundaries: mid-hour and day-aligned ("today so far plus N−1 days"), open ends. */
function windows(): QueryCostsOptions[] {
  const now = new Date("2024-03-22T15:47:12.345Z");
  const lastDays = (days: number) => new Date(Math.floor(now.getTime() / day) * day - (days - 1) * day);
  const spans: Array<[Date | undefined, Date | undefined]> = [
    [new Date(now.getTime() - 14 * day), now],
    [lastDays(7), now],
    [lastDays(30), now],
    [new Date("2024-03-03T23:00:00Z"), new Date("2024-03-18T01:00:00Z")],
    [new Date("2024-03-04T00:00:00Z"), new Date("2024-03-11T00:00:00Z")],
    [undefined, new Date("2024-03-13T05:00:00Z")],
    [new Date("2024-03-10T22:30:00Z"), undefined],
    [undefined, undefined],
  ];
  return spans.flatMap(([from, to]) => [
    { from, to, groupBy: ["userId"] },
    { from, to, filters: { userId: ["u1", null] } },
    { from, to, groupBy: ["model"] },
    { from, to, grain: "week", groupBy: ["repo"] },
    { from, to, grain: "week", timeZone: "Europe/Berlin", groupBy: ["provider"] },
  ]);
}

describeEachEngine("closed weeks of the one-dimension rollup", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });
  const table = () => `"${context.schema}".llm_cost_rollup_by_dimension`;

  async function expectRollupsEqualRaw(): Promise<void> {
    for (const options of windows()) {
      const automatic = await queryCostsUsing(store(), options, "auto");
      const raw = await queryCostsUsing(store(), options, "raw");
      const label = JSON.stringify(options);
      expect(automatic.source, label).not.toBe("raw");
      expect(automatic.rows, label).toEqual(raw.rows);
      expect(automatic.totals, label).toEqual(raw.totals);
    }
  }

  async function weekStarts(): Promise<string[]> {
    const rows = await context
      .database()
      .query<{ week: Date }>(
        `SELECT DISTINCT period_start AS week FROM ${table()} WHERE span = 'week' ORDER BY 1`,
      );
    return rows.map((row) => row.week.toISOString());
  }

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
  });

  it("keeps a week's rows once its every day is closed, summed from its days, and answers exactly", async () => {
    const database = context.database();
    await insertEvents(
      database,
      context.schema,
      randomEvents(seededRandom(11), 1500, { start: firstMonday, hours: 28 * 24 }),
    );
    const weeks = ["2024-02-26", "2024-03-04", "2024-03-11", "2024-03-18"].map(
      (date) => `${date}T00:00:00.000Z`,
    );
    expect(await weekStarts()).toEqual(weeks);
    expect(await rollupDrift(database, context.schema)).toBe(0);
    await expectRollupsEqualRaw();
    // Days closed through Wednesday March 13: the week of March 11 is open again, its Monday and
    // Tuesday read from their days, the rest from hours; late events go to the closed weeks only.
    await reopenDays(database, context.schema, new Date("2024-03-13T00:00:00Z"));
    expect(await weekStarts()).toEqual(weeks.slice(0, 2));
    const writer = createCostWriter(database, context.schema);
    writer.days.checkedDay = Math.floor(Date.now() / day) * day;
    await insertEvents(
      database,
      context.schema,
      randomEvents(seededRandom(12), 300, { start: firstMonday, hours: 28 * 24 }),
      writer,
    );
    expect(await weekStarts()).toEqual(weeks.slice(0, 2));
    expect(await rollupDrift(database, context.schema)).toBe(0);
    await expectRollupsEqualRaw();
    // Closing the days closes the weeks that ended with them, once.
    expect(await compactRollups(database, context.schema)).toBeGreaterThan(0);
    expect(await weekStarts()).toEqual(weeks);
    expect(await rollupDrift(database, context.schema)).toBe(0);
    await expectRollupsEqualRaw();
  });

  it("adds a late event of a closed week to its week rows, in the writer's statement", async () => {
    const database = context.database();
    const event = (createdAt: string, cost: string) =>
      testEvent({ createdAt: new Date(createdAt), estimatedCostUsd: cost, userId: "u1" });
    await insertEvents(database, context.schema, [event("2024-03-05T10:00:00Z", "1.5")]);
    await insertEvents(database, context.schema, [
      event("2024-03-10T23:59:59.999Z", "0.000000000001"),
      event("2024-03-11T00:00:00Z", "7"),
    ]);
    const rows = await database.query<{ week: Date; events: string; cost: string }>(
      `SELECT period_start AS week, events::text, estimated_cost_usd::text AS cost FROM ${table()}
        WHERE span = 'week' AND dimension = 'userId' AND value = 'u1' ORDER BY 1`,
    );
    expect(rows.map((row) => [row.week.toISOString(), row.events, row.cost])).toEqual([
      ["2024-03-04T00:00:00.000Z", "2", "1.500000000001"],
      ["2024-03-11T00:00:00.000Z", "1", "7.000000000000"],
    ]);
    expect(await rollupDrift(database, context.schema)).toBe(0);
  });

  it("reads the whole weeks inside a window from the week rows only", async () => {
    const database = context.database();
    await insertEvents(database, context.schema, [
      testEvent({ createdAt: new Date("2024-03-03T22:30:00Z"), estimatedCostUsd: "1", userId: "u1" }),
      testEvent({ createdAt: new Date("2024-03-06T12:00:00Z"), estimatedCostUsd: "2", userId: "u1" }),
      testEvent({ createdAt: new Date("2024-03-11T01:30:00Z"), estimatedCostUsd: "4", userId: "u1" }),
    ]);
    const window = { from: "2024-03-03T22:00:00Z", to: "2024-03-11T02:00:00Z" };
    const total = async (extra: QueryCostsOptions) =>
      (await queryCosts(store(), { ...window, ...extra })).totals.costUsd;
    expect(await total({})).toBe("7");
    // Tamper with week rows (no trigger reacts): only the answers that read them change.
    const tamper = (dimension: string) =>
      database.query(
        `UPDATE ${table()} SET estimated_cost_usd = estimated_cost_usd + 100
          WHERE span = 'week' AND dimension = $1`,
        [dimension],
      );
    await tamper("provider");
    expect(await total({})).toBe("107");
    expect(await total({ grain: "week" })).toBe("107");
    expect(await total({ grain: "day" })).toBe("7");
    expect(await total({ grain: "week", timeZone: "Europe/Berlin" })).toBe("7");
    expect(await total({ from: "2024-03-04T01:00:00Z" })).toBe("6");
    expect(await total({ groupBy: ["userId"] })).toBe("7");
    await tamper("userId");
    expect(await total({ groupBy: ["userId"] })).toBe("107");
    expect(await total({ filters: { userId: ["u1"] } })).toBe("107");
    expect(await total({ groupBy: ["userId"], to: "2024-03-10T00:00:00Z" })).toBe("3");
    expect(await total({ groupBy: ["repo", "model"] })).toBe("7");
  });

  it("backfills the weeks of a database made before migration 0011, and its down removes them", async () => {
    const database = context.database();
    await insertEvents(
      database,
      context.schema,
      randomEvents(seededRandom(13), 600, { start: firstMonday, hours: 21 * 24 }),
    );
    const [before] = await database.query<{ rows: string }>(
      `SELECT count(*)::text AS rows FROM ${table()} WHERE span = 'week'`,
    );
    expect(Number(before?.rows)).toBeGreaterThan(0);
    await migrateDown(database, { schema: context.schema, to: 10 });
    expect(await weekStarts()).toEqual([]);
    // Before 0011 a week row is refused: the span CHECK knows hours and days only.
    await expect(
      database.query(`UPDATE ${table()} SET span = 'week' WHERE span = 'day' AND period_start = $1`, [
        new Date("2024-03-04T00:00:00Z"),
      ]),
    ).rejects.toThrow(/span_check/);
    await migrateUp(database, { schema: context.schema });
    const [after] = await database.query<{ rows: string }>(
      `SELECT count(*)::text AS rows FROM ${table()} WHERE span = 'week'`,
    );
    expect(after?.rows).toBe(before?.rows);
    expect(await rollupDrift(database, context.schema)).toBe(0);
    await expectRollupsEqualRaw();
  });
});
