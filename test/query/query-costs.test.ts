import { beforeAll, beforeEach, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import { queryCosts, type QueryCostsOptions } from "../../src/query/index.js";
import { queryCostsUsing } from "../../src/query/query-costs.js";
import { migrateUp } from "../../src/store/migrator.js";
import { describeEachEngine } from "../support/databases.js";
import { hostileValues, seededRandom, storedForm } from "../support/hostile-text.js";
import { insertEvents, testEvent } from "./support/cost-events.js";
import { compactAll, emptyTables } from "./support/rollup-drift.js";

describeEachEngine("queryCosts", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });
  const at = (iso: string) => new Date(iso);

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
  });

  /** Both sources must give the same rows; returns the automatic answer. */
  async function both(options: QueryCostsOptions) {
    const automatic = await queryCosts(store(), options);
    const raw = await queryCostsUsing(store(), options, "raw");
    expect(automatic.rows).toEqual(raw.rows);
    expect(automatic.totals).toEqual(raw.totals);
    return automatic;
  }

  it("returns exact sums under the contract's names, a model's dated spellings as one row", async () => {
    await insertEvents(context.database(), context.schema, [
      testEvent({
        model: "claude-sonnet-4-5-20250929",
        estimatedCostUsd: "0.000000000001",
        providerCostUsd: "0.5",
        inputTokens: 1_000_000_000,
        outputTokens: 10,
        reasoningTokens: 4,
        cacheReadTokens: 3,
        cacheWriteTokens: 2,
        cacheWrite1hTokens: 1,
      }),
      testEvent({
        model: "claude-sonnet-4-5",
        estimatedCostUsd: "99999999.999999999999",
        inputTokens: 1_000_000_000,
      }),
      testEvent({
        model: "mystery-1",
        resolvedModel: null,
        priced: false,
        estimatedCostUsd: "0",
        usedFallback: true,
        error: "timeout",
      }),
    ]);
    const report = await both({ groupBy: ["model"] });
    expect(report.source).toBe("rollup");
    expect(report.rows).toEqual([
      {
        model: "claude-sonnet-4-5",
        costUsd: "100000000",
        providerCostUsd: "0.5",
        inputTokens: "2000000000",
        outputTokens: "210",
        cacheReadTokens: "3",
        cacheWriteTokens: "2",
        cacheWrite1hTokens: "1",
        reasoningTokens: "4",
        events: 2,
        fallbacks: 0,
        errors: 0,
        unpriced: 0,
      },
      {
        model: "mystery-1",
        costUsd: "0",
        providerCostUsd: "0",
        inputTokens: "1000",
        outputTokens: "200",
        cacheReadTokens: "0",
        cacheWriteTokens: "0",
        cacheWrite1hTokens: "0",
        reasoningTokens: "0",
        events: 1,
        fallbacks: 1,
        errors: 1,
        unpriced: 1,
      },
    ]);
    expect(report.totals).toMatchObject({ costUsd: "100000000", inputTokens: "2000001000", events: 3 });
    expect(report.totals).not.toHaveProperty("model");
  });

  it("sums token counts beyond 2^53 exactly", async () => {
    // 10,000 events of 10^9 input tokens each in one hour: 10^13, and a cost sum with 12 decimals.
    const events = Array.from({ length: 10_000 }, () =>
      testEvent({
        inputTokens: 1_000_000_000,
        outputTokens: 1_000_000_000,
        estimatedCostUsd: "1234.567890123457",
      }),
    );
    await insertEvents(context.database(), context.schema, events);
    // Beyond 2^53 in every rollup (a sum no test could insert event by event).
    await compactAll(context.database(), context.schema);
    for (const table of [
      "llm_cost_hourly",
      "llm_cost_daily",
      "llm_cost_hourly_summary",
      "llm_cost_daily_summary",
      "llm_cost_rollup_by_dimension",
    ]) {
      await context
        .database()
        .query(
          `UPDATE "${context.schema}".${table} SET input_tokens = input_tokens + 9007199254740993 ${table.endsWith("by_dimension") ? "WHERE dimension = 'provider'" : ""}`,
        );
    }
    const report = await queryCosts(store(), {});
    expect(report.totals.inputTokens).toBe("9017199254740993");
    expect(report.totals.outputTokens).toBe("10000000000000");
    expect(report.totals.costUsd).toBe("12345678.90123457");
  });

  it("groups by hour, day, week (from Monday) and month, with ISO period starts", async () => {
    await insertEvents(context.database(), context.schema, [
      testEvent({ createdAt: at("2024-03-03T23:59:59.999Z") }), // Sunday
      testEvent({ createdAt: at("2024-03-04T00:00:00Z") }), // Monday
      testEvent({ createdAt: at("2024-03-10T12:00:00Z") }), // Sunday
      testEvent({ createdAt: at("2024-03-31T23:30:00Z") }),
      testEvent({ createdAt: at("2024-04-01T00:30:00Z") }),
    ]);
    const periods = async (grain: "hour" | "day" | "week" | "month") =>
      (await both({ grain })).rows.map((row) => [row.period, row.events]);
    expect(await periods("week")).toEqual([
      ["2024-02-26T00:00:00Z", 1],
      ["2024-03-04T00:00:00Z", 2],
      ["2024-03-25T00:00:00Z", 1],
      ["2024-04-01T00:00:00Z", 1],
    ]);
    expect(await periods("month")).toEqual([
      ["2024-03-01T00:00:00Z", 4],
      ["2024-04-01T00:00:00Z", 1],
    ]);
    expect(await periods("day")).toEqual([
      ["2024-03-03T00:00:00Z", 1],
      ["2024-03-04T00:00:00Z", 1],
      ["2024-03-10T00:00:00Z", 1],
      ["2024-03-31T00:00:00Z", 1],
      ["2024-04-01T00:00:00Z", 1],
    ]);
    expect((await periods("hour"))[0]).toEqual(["2024-03-03T23:00:00Z", 1]);
  });

  it("starts periods in the time zone asked, across daylight saving changes, from the rollup for whole-hour offsets", async () => {
    await insertEvents(context.database(), context.schema, [
      testEvent({ createdAt: at("2024-03-30T22:30:00Z") }), // Berlin: Mar 30, 23:30 (+01:00)
      testEvent({ createdAt: at("2024-03-30T23:30:00Z") }), // Berlin: Mar 31, 00:30 (+01:00)
      testEvent({ createdAt: at("2024-03-31T22:30:00Z") }), // Berlin: Apr 1, 00:30 (+02:00)
    ]);
    const berlin = await both({ grain: "day", timeZone: "Europe/Berlin" });
    expect(berlin.source).toBe("rollup");
    expect(berlin.rows.map((row) => [row.period, row.events])).toEqual([
      ["2024-03-30T00:00:00+01:00", 1],
      ["2024-03-31T00:00:00+01:00", 1],
      ["2024-04-01T00:00:00+02:00", 1],
    ]);
    const week = await both({ grain: "week", timeZone: "America/New_York" });
    expect(week.rows.map((row) => row.period)).toEqual(["2024-03-25T00:00:00-04:00"]);
    // India is UTC+05:30: its days do not start on a UTC hour, so raw events answer.
    const india = await both({ grain: "day", timeZone: "Asia/Kolkata" });
    expect(india.source).toBe("raw");
    expect(india.rows.map((row) => [row.period, row.events])).toEqual([
      ["2024-03-31T00:00:00+05:30", 2],
      ["2024-04-01T00:00:00+05:30", 1],
    ]);
    // Without a grain the time zone changes nothing, and the rollup still answers.
    expect((await both({ timeZone: "Asia/Kolkata" })).source).toBe("rollup");
  });

  it("reads whole UTC days from the daily rollup, whole hours from the hourly one", async () => {
    await insertEvents(context.database(), context.schema, [
      testEvent({ createdAt: at("2024-03-03T22:30:00Z"), estimatedCostUsd: "1" }),
      testEvent({ createdAt: at("2024-03-04T12:00:00Z"), estimatedCostUsd: "2" }),
      testEvent({ createdAt: at("2024-03-05T01:30:00Z"), estimatedCostUsd: "4" }),
    ]);
    const options = { from: "2024-03-03T22:00:00Z", to: "2024-03-05T02:00:00Z" };
    expect((await both(options)).totals.costUsd).toBe("7");
    // Tamper with daily rows (no trigger reacts): only answers that read them change. Without
    // dimensions a query reads one dimension's rows of the one-dimension rollup (the provider's).
    await compactAll(context.database(), context.schema);
    const tamper = (table: string, where = "true") =>
      context
        .database()
        .query(
          `UPDATE "${context.schema}".${table} SET estimated_cost_usd = estimated_cost_usd + 100 WHERE ${where}`,
        );
    const total = async (extra: QueryCostsOptions) =>
      (await queryCosts(store(), { ...options, ...extra })).totals.costUsd;
    await tamper("llm_cost_rollup_by_dimension", "span = 'day' AND dimension = 'provider'");
    expect(await total({})).toBe("107");
    expect(await total({ grain: "day" })).toBe("107");
    expect(await total({ grain: "hour" })).toBe("7");
    expect(await total({ grain: "day", timeZone: "Europe/Berlin" })).toBe("7");
    expect(await total({ from: "2024-03-04T01:00:00Z", to: "2024-03-04T23:00:00Z" })).toBe("2");
    // One repo: the repo's rows; two dimensions: the summaries; SDK or a flag: the full rollups.
    expect(await total({ filters: { repo: ["api"] } })).toBe("7");
    await tamper("llm_cost_rollup_by_dimension", "span = 'day' AND dimension = 'repo'");
    expect(await total({ filters: { repo: ["api"] } })).toBe("107");
    expect(await total({ groupBy: ["repo", "model"] })).toBe("7");
    await tamper("llm_cost_daily_summary");
    expect(await total({ groupBy: ["repo", "model"] })).toBe("107");
    expect(await total({ groupBy: ["sdk"] })).toBe("7");
    expect(await total({ filters: { usedFallback: false } })).toBe("7");
    await tamper("llm_cost_daily");
    expect(await total({ groupBy: ["sdk"] })).toBe("107");
    expect(await total({ filters: { usedFallback: false } })).toBe("107");
  });

  it("reads partial hours at the edges from raw events (mixed), inclusive from and exclusive to", async () => {
    await insertEvents(context.database(), context.schema, [
      testEvent({ createdAt: at("2024-03-04T10:14:59.999Z"), estimatedCostUsd: "1" }),
      testEvent({ createdAt: at("2024-03-04T10:15:00Z"), estimatedCostUsd: "2" }),
      testEvent({ createdAt: at("2024-03-04T11:30:00Z"), estimatedCostUsd: "4" }),
      testEvent({ createdAt: at("2024-03-04T12:44:59.999Z"), estimatedCostUsd: "8" }),
      testEvent({ createdAt: at("2024-03-04T12:45:00Z"), estimatedCostUsd: "16" }),
    ]);
    const mixed = await both({ from: "2024-03-04T10:15:00Z", to: "2024-03-04T12:45:00Z" });
    expect(mixed.source).toBe("mixed");
    expect(mixed.totals.costUsd).toBe("14");
    const whole = await both({ from: at("2024-03-04T11:00:00Z"), to: at("2024-03-04T12:00:00Z") });
    expect(whole.source).toBe("rollup");
    expect(whole.totals.costUsd).toBe("4");
    const within = await both({ from: "2024-03-04T10:10:00Z", to: "2024-03-04T10:50:00Z" });
    expect(within.source).toBe("raw");
    expect(within.totals.costUsd).toBe("3");
  });

  it("filters by lists of values, absent values, and the fallback, priced and error flags", async () => {
    await insertEvents(context.database(), context.schema, [
      testEvent({ repo: "api", environment: "production", estimatedCostUsd: "1" }),
      testEvent({ repo: "web", environment: null, estimatedCostUsd: "2", usedFallback: true }),
      testEvent({ repo: "etl", environment: "staging", estimatedCostUsd: "4", error: "boom" }),
      testEvent({ repo: "etl", resolvedModel: null, model: "m-x", priced: false, estimatedCostUsd: "0" }),
    ]);
    const total = async (options: QueryCostsOptions) => {
      const report = await both(options);
      return [report.totals.events, report.totals.costUsd];
    };
    expect(await total({ filters: { repo: ["api", "web"] } })).toEqual([2, "3"]);
    expect(await total({ filters: { repo: "etl" } })).toEqual([2, "4"]);
    expect(await total({ filters: { environment: [null] } })).toEqual([1, "2"]);
    expect(await total({ filters: { environment: ["staging", null] } })).toEqual([2, "6"]);
    expect(await total({ filters: { usedFallback: true } })).toEqual([1, "2"]);
    expect(await total({ filters: { error: true } })).toEqual([1, "4"]);
    expect(await total({ filters: { error: false, priced: true } })).toEqual([2, "3"]);
    expect(await total({ filters: { priced: false } })).toEqual([1, "0"]);
    expect(await total({ filters: { model: ["m-x"], repo: ["etl"] } })).toEqual([1, "0"]);
    expect(await total({ filters: { repo: ["nobody"] } })).toEqual([0, "0"]);
    expect((await queryCosts(store(), { filters: { repo: ["nobody"] }, groupBy: ["repo"] })).rows).toEqual(
      [],
    );
  });

  it("groups and filters by metadata keys, deliveries, users and sessions from raw events", async () => {
    await insertEvents(context.database(), context.schema, [
      testEvent({ metadata: { team: "payments" }, userId: "u1", estimatedCostUsd: "1" }),
      testEvent({ metadata: { team: "payments", "odd key": "x" }, userId: "u2", estimatedCostUsd: "2" }),
      testEvent({ metadata: { team: "search" }, sessionId: "s1", estimatedCostUsd: "4" }),
      testEvent({ metadata: null, deliveryId: "d1", estimatedCostUsd: "8" }),
    ]);
    const byTeam = await queryCosts(store(), { groupBy: ["metadata.team"], orderBy: "metadata.team" });
    expect(byTeam.source).toBe("raw");
    expect(byTeam.rows.map((row) => [row["metadata.team"], row.costUsd])).toEqual([
      ["payments", "3"],
      ["search", "4"],
      [null, "8"],
    ]);
    const odd = await queryCosts(store(), { filters: { "metadata.odd key": ["x"] } });
    expect(odd.totals.costUsd).toBe("2");
    const byUser = await queryCosts(store(), {
      groupBy: ["userId", "repo"],
      filters: { userId: ["u1", "u2"] },
    });
    expect(byUser.rows.map((row) => [row.userId, row.repo, row.costUsd])).toEqual([
      ["u2", "api", "2"],
      ["u1", "api", "1"],
    ]);
    expect((await queryCosts(store(), { filters: { deliveryId: ["d1"] } })).totals.costUsd).toBe("8");
    expect((await queryCosts(store(), { filters: { sessionId: ["s1"] } })).totals.costUsd).toBe("4");
  });

  it("groups and filters hostile values exactly, from the rollups and raw events, lone surrogates included", async () => {
    const values = hostileValues(seededRandom(7), 60);
    const storable = values.filter((value) => value === storedForm(value));
    await insertEvents(
      context.database(),
      context.schema,
      storable.flatMap((value, index) =>
        Array.from({ length: (index % 3) + 1 }, () =>
          testEvent({ repo: value, userId: value, metadata: { team: value } }),
        ),
      ),
    );
    await compactAll(context.database(), context.schema);
    for (const dimension of ["repo", "userId", "metadata.team"] as const) {
      const grouped = await both({ groupBy: [dimension] });
      expect(new Set(grouped.rows.map((row) => row[dimension]))).toEqual(new Set(storable));
      for (const row of grouped.rows) {
        const value = String(row[dimension]);
        const filtered = await both({ filters: { [dimension]: [value] } });
        expect(filtered.totals.events, `${dimension} ${JSON.stringify(value)}`).toBe(row.events);
      }
    }
    // A lone surrogate has no UTF-8 form: asking for it finds nothing stored, and fails nothing.
    for (const value of values.filter((value) => value !== storedForm(value))) {
      const report = await both({ filters: { repo: [value, "\uD800"] } });
      expect(report.totals.events).toBe(0);
    }
  });

  it("orders and limits rows while the totals cover every row", async () => {
    await insertEvents(
      context.database(),
      context.schema,
      ["a", "b", "c", "d"].flatMap((repo, index) =>
        Array.from({ length: index + 1 }, () =>
          testEvent({ repo, estimatedCostUsd: String(10 - index * 2) }),
        ),
      ),
    );
    const top = await both({ groupBy: ["repo"], limit: 2 });
    // b and d tie at 16: the tie goes to the dimension's order, the same from every source.
    expect(top.rows.map((row) => [row.repo, row.costUsd])).toEqual([
      ["c", "18"],
      ["b", "16"],
    ]);
    expect(top.totals).toMatchObject({ events: 10, costUsd: "60" });
    const byEvents = await both({ groupBy: ["repo"], orderBy: "events:asc" });
    expect(byEvents.rows.map((row) => row.repo)).toEqual(["a", "b", "c", "d"]);
    const byName = await both({ groupBy: ["repo"], orderBy: { field: "repo", direction: "desc" } });
    expect(byName.rows.map((row) => row.repo)).toEqual(["d", "c", "b", "a"]);
  });

  it("rejects bad options with precise errors", async () => {
    const cases: Array<[QueryCostsOptions, string, RegExp]> = [
      [
        { groupBy: ["team" as never] },
        "E_QUERY_DIMENSION",
        /groupBy: unknown dimension "team"; accepted: repo, taskType/,
      ],
      [{ groupBy: ["metadata."] }, "E_QUERY_DIMENSION", /needs a key/],
      [{ groupBy: ["repo", "repo"] }, "E_QUERY_DIMENSION", /listed twice/],
      [{ filters: { color: ["red"] } as never }, "E_QUERY_DIMENSION", /filters: unknown dimension "color"/],
      [{ filters: { repo: [] } }, "E_QUERY_FILTER", /filters.repo: expected 1 to/],
      [{ filters: { repo: [1] as never } }, "E_QUERY_FILTER", /values must be strings/],
      [{ filters: { priced: "yes" as never } }, "E_QUERY_FILTER", /filters.priced: expected true or false/],
      [{ grain: "year" as never }, "E_QUERY_GRAIN", /accepted: hour, day, week, month/],
      [{ timeZone: "Mars/Olympus" }, "E_QUERY_TIME_ZONE", /unknown time zone "Mars\/Olympus"/],
      [{ from: "2024-03-02", to: "2024-03-01" }, "E_QUERY_RANGE", /must be before to/],
      [{ from: "2024-03-01", to: "2024-03-01" }, "E_QUERY_RANGE", /must be before to/],
      [{ from: "last tuesday" }, "E_QUERY_RANGE", /from: expected a Date or an ISO 8601 string/],
      [{ to: new Date("nope") }, "E_QUERY_RANGE", /to: expected .* got an invalid Date/],
      [{ limit: 0 }, "E_QUERY_LIMIT", /limit: expected a whole number from 1/],
      [{ limit: 2.5 }, "E_QUERY_LIMIT", /limit/],
      [{ orderBy: "period" }, "E_QUERY_ORDER", /cannot order by "period"/],
      [{ orderBy: "costUsd:sideways" }, "E_QUERY_ORDER", /cannot order by "costUsd:sideways"/],
      [{ groupBy: ["repo"], orderBy: "model" }, "E_QUERY_ORDER", /accepted: costUsd, .*repo/],
      [{ group: ["repo"] } as never, "E_QUERY_OPTIONS", /unknown option "group"/],
    ];
    for (const [options, code, message] of cases) {
      const error = await queryCosts(store(), options).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isLedgerError(error, code), `${JSON.stringify(options)} → ${String(error)}`).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
  });
});
