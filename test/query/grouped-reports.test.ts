// Grouped reports (several sets of dimensions per report, several reports per statement) answer each
// set exactly as a `queryCosts` report from raw events grouped by that set: random reports over
// random data (every rollup class, whole- and half-hour zones across daylight saving changes, local
// days built from UTC days and moved hours, days closed only part of the way), on both engines.
import { beforeAll, expect, it } from "vitest";
import { queryCostsUsing } from "../../src/query/query-costs.js";
import {
  queryGroupedReports,
  repriceEvents,
  type CostFilters,
  type Dimension,
  type Grain,
  type GroupedReport,
} from "../../src/query/index.js";
import { createPricing } from "../../src/pricing/index.js";
import { migrateUp } from "../../src/store/migrator.js";
import { createCostWriter } from "../../src/store/record-costs.js";
import { describeEachEngine } from "../support/databases.js";
import { insertEvents, pick, randomEvents, seededRandom } from "./support/cost-events.js";
import { reopenDays } from "./support/rollup-drift.js";

const start = new Date("2024-03-01T00:00:00Z");
const hours = 36 * 24; // across the US (Mar 10) and the EU (Mar 31) daylight saving changes
const dimensions: Dimension[] = [
  "repo",
  "taskType",
  "model",
  "provider",
  "environment",
  "project",
  "userId",
  "metadata.team",
];
const values: Record<string, Array<string | null>> = {
  repo: ["api", "web", "worker", "etl"],
  taskType: ["review", "chat", "triage"],
  model: ["gpt-4o", "claude-sonnet-4-5", "gpt-4o-mini"],
  provider: ["openai", "anthropic"],
  environment: ["production", "staging", null],
  project: ["default", "alpha"],
  userId: ["u1", "u2", null],
  "metadata.team": ["payments", "search", "42", null],
};
const zones = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"];

function randomReport(random: () => number): GroupedReport {
  const from = new Date(
    start.getTime() + Math.floor(random() * 30 * 24) * 3_600_000 - (random() < 0.5 ? 1_234_567 : 0),
  );
  const to = new Date(
    from.getTime() + Math.floor(1 + random() * 10 * 24) * 3_600_000 + (random() < 0.5 ? 98_765 : 0),
  );
  const grain = pick(random, [undefined, "day", "day", "week"] as Array<Grain | undefined>);
  const timeZone = pick(random, zones);
  const sets = Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
    const chosen = dimensions.filter(() => random() < 0.25);
    const filters: Record<string, Array<string | null>> = {};
    for (const dimension of chosen) {
      if (random() < 0.5) filters[dimension] = values[dimension]!.filter(() => random() < 0.5);
      if (filters[dimension]?.length === 0) delete filters[dimension];
    }
    return { dimensions: chosen, filters: filters };
  });
  return { from, to, grain, timeZone, sets, wholeHours: timeZone !== "Asia/Kolkata" };
}

/** True when a group's keys pass a set's filters (the groups the caller keeps). */
function admitted(keys: Record<string, string | null>, filters: CostFilters): boolean {
  return Object.entries(filters).every(([dimension, accepted]) =>
    (accepted as Array<string | null>).includes(keys[dimension] ?? null),
  );
}

describeEachEngine("grouped reports", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });

  beforeAll(async () => {
    const database = context.database();
    await migrateUp(database, { schema: context.schema });
    const random = seededRandom(1718);
    const events = randomEvents(random, 3000, { start, hours }).map((event) => ({
      ...event,
      project: random() < 0.3 ? "alpha" : "default",
    }));
    const writer = createCostWriter(database, context.schema);
    await insertEvents(database, context.schema, events.slice(0, 2500), writer);
    await repriceEvents(store(), createPricing(), { batchSize: 500 });
    await reopenDays(database, context.schema, new Date("2024-03-20T00:00:00Z"));
    await insertEvents(database, context.schema, events.slice(2500), writer);
  }, 180_000);

  it("answers every set of 45 reports as its own raw report, exactly", async () => {
    const random = seededRandom(99);
    // Beside the random ones, a week of local days in every zone, by a one-dimension set, the
    // summaries' and the full rollups', whatever the draw gave.
    const weeks = zones.map((timeZone): GroupedReport => ({
      from: new Date("2024-03-04T03:00:00Z"),
      to: new Date("2024-03-12T17:30:00Z"),
      grain: "day",
      timeZone,
      wholeHours: timeZone !== "Asia/Kolkata",
      sets: [{ dimensions: ["repo"] }, { dimensions: ["repo", "model"] }, { dimensions: ["environment"] }],
    }));
    const reports = [...weeks, ...Array.from({ length: 40 }, () => randomReport(random))];
    const rows = await queryGroupedReports(store(), reports);
    let compared = 0;
    for (const [reportIndex, report] of reports.entries()) {
      for (const [setIndex, set] of report.sets.entries()) {
        const expected = await queryCostsUsing(
          store(),
          {
            from: report.from,
            to: report.to,
            grain: report.grain,
            timeZone: report.timeZone,
            groupBy: set.dimensions,
            filters: set.filters,
          },
          "raw",
        );
        const actual = rows.filter(
          (row) =>
            row.report === reportIndex && row.set === setIndex && admitted(row.keys, set.filters ?? {}),
        );
        const label = `report ${reportIndex} set ${setIndex}: ${JSON.stringify({ ...report, sets: [set] })}`;
        const shape = (
          entries: Array<{
            keys: Record<string, string | null>;
            period?: number;
            costUsd: string;
            events: number;
          }>,
        ) => entries.map((entry) => JSON.stringify(entry)).sort();
        expect(
          shape(
            actual.map((row) => ({
              keys: row.keys,
              period: row.periodStart?.getTime(),
              costUsd: row.costUsd,
              events: row.events,
            })),
          ),
          label,
        ).toEqual(
          shape(
            expected.rows.map((row) => ({
              keys: Object.fromEntries(
                set.dimensions.map((dimension) => [dimension, (row[dimension] as string | null) ?? null]),
              ),
              period: row.period === undefined ? undefined : new Date(row.period).getTime(),
              costUsd: row.costUsd,
              events: row.events,
            })),
          ),
        );
        compared += expected.rows.length;
      }
    }
    expect(compared).toBeGreaterThan(200);
  });
});
