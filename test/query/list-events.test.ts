import { beforeAll, beforeEach, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import { listEvents, type ListEventsOptions } from "../../src/query/index.js";
import { migrateUp } from "../../src/store/migrator.js";
import { describeEachEngine } from "../support/databases.js";
import { insertEvents, randomEvents, seededRandom, testEvent } from "./support/cost-events.js";
import { emptyTables } from "./support/rollup-drift.js";

describeEachEngine("listEvents", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
  });

  async function everyPage(options: ListEventsOptions) {
    const seen: string[] = [];
    let page = await listEvents(store(), options);
    for (;;) {
      seen.push(...page.events.map((event) => event.eventId));
      if (!page.nextCursor) return seen;
      page = await listEvents(store(), { ...options, cursor: page.nextCursor });
    }
  }

  it("pages through every event once, newest first, even when many share a timestamp", async () => {
    const random = seededRandom(11);
    const events = randomEvents(random, 230, { start: new Date("2024-03-01T00:00:00Z"), hours: 5 });
    // 40 events at the very same microsecond, and two a microsecond apart.
    const tied = Array.from({ length: 40 }, () => testEvent({ createdAt: new Date("2024-03-01T02:00:00Z") }));
    await insertEvents(context.database(), context.schema, [...events, ...tied]);
    await context.database().query(
      `UPDATE "${context.schema}".llm_cost_events SET created_at = created_at + interval '1 microsecond'
        WHERE event_id = ANY($1::text[]::uuid[])`,
      [[events[0]!.eventId, events[1]!.eventId]],
    );
    const seen = await everyPage({ limit: 7 });
    expect(seen).toHaveLength(270);
    expect(new Set(seen).size).toBe(270);
    const rows = await context
      .database()
      .query<{ event_id: string }>(
        `SELECT event_id FROM "${context.schema}".llm_cost_events ORDER BY created_at DESC, id DESC`,
      );
    expect(seen).toEqual(rows.map((row) => row.event_id));
  });

  it("filters like queryCosts, within [from, to), and keeps pages stable while new events arrive", async () => {
    await insertEvents(context.database(), context.schema, [
      testEvent({ repo: "api", createdAt: new Date("2024-03-01T10:00:00Z"), metadata: { team: "a" } }),
      testEvent({ repo: "api", createdAt: new Date("2024-03-01T11:00:00Z"), error: "boom" }),
      testEvent({ repo: "web", createdAt: new Date("2024-03-01T12:00:00Z") }),
      testEvent({ repo: "api", createdAt: new Date("2024-03-01T13:00:00Z") }),
    ]);
    const first = await listEvents(store(), { filters: { repo: ["api"] }, limit: 1 });
    expect(first.events.map((event) => event.createdAt)).toEqual(["2024-03-01T13:00:00.000Z"]);
    await insertEvents(context.database(), context.schema, [
      testEvent({ repo: "api", createdAt: new Date("2024-03-02T00:00:00Z") }),
    ]);
    const rest = await listEvents(store(), { filters: { repo: ["api"] }, cursor: first.nextCursor! });
    expect(rest.events.map((event) => event.createdAt)).toEqual([
      "2024-03-01T11:00:00.000Z",
      "2024-03-01T10:00:00.000Z",
    ]);
    expect(rest.nextCursor).toBeNull();
    expect(rest.events[1]).toMatchObject({
      repo: "api",
      taskType: "review",
      model: "claude-sonnet-4-5-20250929",
      resolvedModel: "claude-sonnet-4-5",
      estimatedCostUsd: "0.006000000000",
      inputTokens: 1000,
      metadata: { team: "a" },
    });
    const errors = await listEvents(store(), { filters: { error: true } });
    expect(errors.events.map((event) => event.error)).toEqual(["boom"]);
    const window = await listEvents(store(), { from: "2024-03-01T11:00:00Z", to: "2024-03-01T13:00:00Z" });
    expect(window.events.map((event) => event.repo)).toEqual(["web", "api"]);
  });

  it("rejects a foreign cursor, a bad limit and unknown options", async () => {
    for (const [options, code] of [
      [{ cursor: "not-a-cursor" }, "E_QUERY_CURSOR"],
      [{ cursor: Buffer.from("2024|1; DROP TABLE x").toString("base64url") }, "E_QUERY_CURSOR"],
      [{ cursor: "" }, "E_QUERY_CURSOR"],
      [{ limit: 1001 }, "E_QUERY_LIMIT"],
      [{ limit: -1 }, "E_QUERY_LIMIT"],
      [{ filters: { planet: ["x"] } }, "E_QUERY_DIMENSION"],
      [{ page: 2 }, "E_QUERY_OPTIONS"],
    ] as Array<[ListEventsOptions, string]>) {
      const error = await listEvents(store(), options).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isLedgerError(error, code), `${JSON.stringify(options)} → ${String(error)}`).toBe(true);
    }
  });

  it("rejects a cursor Postgres could not read with E_QUERY_CURSOR naming the problem, and accepts the extremes", async () => {
    await insertEvents(context.database(), context.schema, [testEvent()]);
    const cursor = (position: string) => Buffer.from(position, "utf8").toString("base64url");
    for (const [position, message] of [
      ["2024-03-01T00:00:00.000000Z|9223372036854775808", /event id 9223372036854775808 is beyond/],
      ["2024-03-01T00:00:00.000000Z|9999999999999999999", /event id 9999999999999999999 is beyond/],
      ["2024-02-30T00:00:00.000000Z|1", /time 2024-02-30T00:00:00.000000Z is not a real date/],
      ["2023-02-29T00:00:00.000000Z|1", /not a real date/],
      ["2024-13-01T00:00:00.000000Z|1", /not a real date/],
      ["2024-03-01T24:00:00.000000Z|1", /not a real date/],
      ["2024-03-01T23:60:00.000000Z|1", /not a real date/],
      ["2024-03-01T23:00:61.000000Z|1", /not a real date/],
      ["0000-01-01T00:00:00.000000Z|1", /not a real date/],
    ] as const) {
      const error = await listEvents(store(), { cursor: cursor(position) }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isLedgerError(error, "E_QUERY_CURSOR"), `${position} → ${String(error)}`).toBe(true);
      expect((error as Error).message, position).toMatch(message);
    }
    // The largest id and the odd but real dates are read as positions before every stored event.
    for (const position of [
      "2024-03-01T00:00:00.000000Z|9223372036854775807",
      "2024-02-29T23:59:59.999999Z|1",
      "0001-01-01T00:00:00.000000Z|1",
    ]) {
      const page = await listEvents(store(), { cursor: cursor(position) });
      expect(page, position).toEqual({ events: [], nextCursor: null });
    }
    const newest = await listEvents(store(), {
      cursor: cursor("9999-12-31T23:59:59.999999Z|9223372036854775807"),
    });
    expect(newest.events).toHaveLength(1);
  });
});
