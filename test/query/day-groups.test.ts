// Day groups (migration 0015): grouped reports read closed local days from groups built once per set
// and answer exactly what raw events answer, also after what changes a built day (a late event, a
// reprice, a purge of rollups), with hostile values in keys and filters, and with two readers building
// the same days at once.
import { beforeAll, expect, it } from "vitest";
import {
  queryGroupedReports,
  repriceEvents,
  type GroupedReport,
  type GroupedRow,
} from "../../src/query/index.js";
import { createPricing } from "../../src/pricing/index.js";
import type { Database } from "../../src/store/database.js";
import { migrateUp } from "../../src/store/migrator.js";
import { purgeEvents } from "../../src/store/purge-events.js";
import { describeEachEngine } from "../support/databases.js";
import { hostileValues, storedForm } from "../support/hostile-text.js";
import { insertEvents, pick, randomEvents, seededRandom, testEvent } from "./support/cost-events.js";
import { countingDatabase } from "../support/counting-database.js";

const hour = 3_600_000;
const day = 24 * hour;

/**
 * The rows a caller keeps (those whose keys its set's filters admit: a report may add groups that
 * another set's filters admitted), in one order whatever order the sources gave them in.
 */
function sorted(rows: readonly GroupedRow[], asked: readonly GroupedReport[]): string[] {
  const admitted = (row: GroupedRow) =>
    Object.entries(asked[row.report]!.sets[row.set]!.filters ?? {}).every(([dimension, accepted]) =>
      (accepted as Array<string | null>).includes(row.keys[dimension] ?? null),
    );
  return rows
    .filter(admitted)
    .map((row) =>
      JSON.stringify([
        row.report,
        row.set,
        row.periodStart?.getTime() ?? null,
        row.keys,
        row.costUsd,
        row.events,
      ]),
    )
    .sort();
}

describeEachEngine("day groups", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });
  const table = (name: string) => `"${context.schema}".${name}`;
  const now = new Date();
  const start = new Date(Math.floor(now.getTime() / hour) * hour - 12 * day);
  const random = seededRandom(2025);
  const hostile = hostileValues(random, 8).filter((value) => value === storedForm(value));

  /** Reports over the events: daily in three zones (one with daylight saving), and without a grain. */
  const reports = (): GroupedReport[] => [
    {
      from: new Date(start.getTime() + 1_234_567),
      to: now,
      grain: "day",
      timeZone: "UTC",
      sets: [
        { dimensions: ["repo"] },
        { dimensions: ["metadata.team", "userId"], filters: { userId: ["u1", null] } },
      ],
    },
    {
      from: start,
      to: now,
      grain: "day",
      timeZone: "America/New_York",
      wholeHours: true,
      sets: [{ dimensions: ["model", "repo"], filters: { repo: [hostile[0]!, "api", hostile[1]!] } }],
    },
    {
      from: new Date(start.getTime() + 5 * hour),
      to: now,
      timeZone: "Europe/Berlin",
      sets: [
        { dimensions: ["metadata.team"], filters: { "metadata.team": [hostile[2]!, "payments", null] } },
        { dimensions: ["repo", "userId"] },
        // Sessions are never built: read from raw events beside the others.
        { dimensions: ["sessionId"] },
      ],
    },
  ];

  /** The reports from the day groups (and the rest), checked against raw events; their rows. */
  async function equalToRaw(database: Database = context.database()): Promise<GroupedRow[]> {
    const auto = await queryGroupedReports({ database, schema: context.schema }, reports());
    const raw = await queryGroupedReports(store(), reports(), "raw");
    expect(sorted(auto, reports())).toEqual(sorted(raw, reports()));
    expect(auto.some((row) => row.costUsd !== "0")).toBe(true);
    return auto;
  }

  const builds = async () =>
    context.database().query<{ set_key: string; day_start: Date; version: string; built_at: Date }>(
      `SELECT set_key, time_zone, day_start, version::text, built_at FROM ${table("llm_cost_day_group_builds")}
          ORDER BY set_key, time_zone, day_start`,
    );

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
    const events = randomEvents(random, 1500, { start, hours: 11 * 24 });
    for (const event of events) {
      if (random() < 0.2) event.repo = pick(random, hostile);
      if (random() < 0.2) event.metadata = { team: pick(random, hostile) };
    }
    await insertEvents(context.database(), context.schema, events);
  }, 120_000);

  it("builds each set's closed days once; later reads build nothing", async () => {
    expect(await builds()).toHaveLength(0);
    const first = await equalToRaw();
    const built = await builds();
    // Five sets (sessions are never built), in UTC and New York days.
    expect(new Set(built.map((row) => row.set_key)).size).toBe(5);
    expect(built.length).toBeGreaterThan(5 * 10);
    const { database, calls } = countingDatabase(context.database());
    expect(sorted(await equalToRaw(database), reports())).toEqual(sorted(first, reports()));
    // The day groups' read and one statement for the rest.
    expect(calls()).toBe(2);
    expect(await builds()).toEqual(built);
  });

  it("counts a late event in a built day, building that day again and no other", async () => {
    const before = await builds();
    const late = new Date(start.getTime() + 3 * day + 5 * hour);
    await insertEvents(context.database(), context.schema, [
      testEvent({
        createdAt: late,
        repo: hostile[0]!,
        estimatedCostUsd: "123.456789",
        metadata: { team: "payments" },
      }),
    ]);
    const rows = await equalToRaw();
    // Its group holds it (a comparison, not a sum).
    expect(rows.some((row) => row.keys.repo === hostile[0] && Number(row.costUsd) >= 123.456789)).toBe(true);
    const after = await builds();
    const utcDay = new Date(Math.floor(late.getTime() / day) * day).getTime();
    const key = (row: (typeof before)[number]) => JSON.stringify([row.set_key, row.day_start, row.version]);
    const kept = new Set(before.map(key));
    const rebuilt = after.filter((row) => !kept.has(key(row)));
    expect(rebuilt.length).toBeGreaterThan(0);
    // Only local days overlapping the late event's UTC day are built again; the others stay as built.
    for (const row of rebuilt) {
      expect(row.day_start.getTime()).toBeGreaterThan(utcDay - day);
      expect(row.day_start.getTime()).toBeLessThan(utcDay + day);
    }
    expect(after).toHaveLength(before.length);
  });

  it("answers built days after a reprice changes their costs", async () => {
    const versions = async () => {
      const sql = `SELECT sum(version)::text AS n FROM ${table("llm_cost_day_versions")}`;
      return Number((await context.database().query<{ n: string }>(sql))[0]!.n);
    };
    const before = await versions();
    await repriceEvents(store(), createPricing(), { batchSize: 300 });
    expect(await versions()).toBeGreaterThan(before);
    await equalToRaw();
  });

  it("lets two readers build the same days at once, each group stored once", async () => {
    const fresh: GroupedReport[] = [
      { from: start, to: now, sets: [{ dimensions: ["environment", "metadata.team"] }] },
    ];
    const [one, two] = await Promise.all([
      queryGroupedReports(store(), fresh),
      queryGroupedReports(store(), fresh),
    ]);
    const raw = await queryGroupedReports(store(), fresh, "raw");
    expect(sorted(one, fresh)).toEqual(sorted(raw, fresh));
    expect(sorted(two, fresh)).toEqual(sorted(raw, fresh));
    const [counts] = await context.database().query<{ rows: string; distinct_rows: string }>(
      `SELECT count(*) AS rows, count(DISTINCT (day_start, version, keys)) AS distinct_rows
         FROM ${table("llm_cost_day_groups")} WHERE set_key = '["environment","metadata.team"]'`,
    );
    expect(Number(counts!.rows)).toBeGreaterThan(0);
    expect(counts!.rows).toBe(counts!.distinct_rows);
  });

  it("drops the groups of the days a purge of rollups touched, and builds them from what is left", async () => {
    await equalToRaw();
    const deleted = await purgeEvents(context.database(), context.schema, 8, { includeRollups: true });
    expect(deleted).toBeGreaterThan(0);
    // The days before the cutoff answer what is left of them (nothing, or the hours after it).
    await equalToRaw();
  });
});
