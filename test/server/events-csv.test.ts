// GET /v1/events with Accept: text/csv: every matching event (more than one database page), with the
// columns of `llm-ledger export`, cells a spreadsheet cannot run, and the filters and window of JSON.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventExportFields, removeCsvPrefix } from "../../src/query/index.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { csvRecords, parseCsv } from "../support/csv.js";
import { createKeyVia } from "../support/admin-keys.js";
import { describeEachEngine } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

const adminKey = "events-csv-test-admin-key-0123456789";
const HOUR = 3_600_000;

describeEachEngine("GET /v1/events as CSV", (context) => {
  let server: RunningServer;
  let key = "";
  const now = Date.now();
  // 2,300 calls over the last 23 hours (more than two database pages), 30 of them by a hostile repo.
  const events = Array.from({ length: 2_300 }, (_, index) => ({
    eventId: randomUUID(),
    createdAt: new Date(now - ((index % 23) + 0.5) * HOUR - index).toISOString(),
    repo: index < 30 ? "=HYPERLINK(1)" : `acme/${index % 3}`,
    taskType: "review",
    model: "gpt-4o-mini",
    provider: "openai",
    inputTokens: 1000 + index,
    outputTokens: 10,
    metadata: { team: index % 2 === 0 ? "@growth" : "core" },
  }));

  const get = (params: Record<string, string>, accept = "text/csv") =>
    fetch(`${server.url}/v1/events?${new URLSearchParams(params).toString()}`, {
      headers: { authorization: `Bearer ${key}`, accept },
    });
  const csv = async (params: Record<string, string>) => {
    const response = await get(params);
    expect(response.status, JSON.stringify(params)).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    return response.text();
  };

  beforeAll(async () => {
    server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      adminKey,
      logger: silentLogger,
    });
    key = await createKeyVia(server.url, adminKey, { name: "csv", scopes: ["read", "ingest"] });
    for (let start = 0; start < events.length; start += 500) {
      const posted = await fetch(`${server.url}/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}` },
        body: JSON.stringify({ events: events.slice(start, start + 500) }),
      });
      expect(posted.status, await posted.clone().text()).toBe(200);
    }
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers every matching event, newest first, with the columns of llm-ledger export", async () => {
    const text = await csv({});
    expect(parseCsv(text)[0]).toEqual(eventExportFields);
    const records = csvRecords(text);
    expect(records).toHaveLength(events.length);
    expect(new Set(records.map((record) => record.eventId))).toEqual(
      new Set(events.map((event) => event.eventId)),
    );
    const times = records.map((record) => Date.parse(record.createdAt!));
    expect(times).toEqual([...times].sort((left, right) => right - left));
  });

  it("holds the same events as the JSON pages, cell for cell, formulas neutralised", async () => {
    const json: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    do {
      const params: Record<string, string> = { limit: "1000", ...(cursor ? { cursor } : {}) };
      const page = (await (await get(params, "application/json")).json()) as {
        events: Array<Record<string, unknown>>;
        nextCursor: string | null;
      };
      json.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor);
    const records = csvRecords(await csv({}));
    expect(records.map((record) => record.eventId)).toEqual(json.map((event) => event.eventId));
    for (const [index, record] of records.entries()) {
      const event = json[index]!;
      expect(removeCsvPrefix(record.repo!)).toBe(event.repo);
      expect(record.inputTokens).toBe(String(event.inputTokens));
      expect(record.estimatedCostUsd).toBe(String(event.estimatedCostUsd));
      expect(JSON.parse(removeCsvPrefix(record.metadata!))).toEqual(event.metadata);
    }
    const hostile = records.filter((record) => record.repo!.includes("HYPERLINK"));
    expect(hostile).toHaveLength(30);
    for (const record of hostile) expect(record.repo!.startsWith("'")).toBe(true);
  });

  it("applies the window, the filters and limit as JSON does", async () => {
    const from = new Date(now - 5 * HOUR).toISOString();
    const params = { from, repo: "acme/1", "metadata.team": "core" };
    const expected = events.filter(
      (event) => event.createdAt >= from && event.repo === "acme/1" && event.metadata.team === "core",
    );
    const records = csvRecords(await csv(params));
    expect(records.map((record) => record.eventId).sort()).toEqual(
      expected.map((event) => event.eventId).sort(),
    );
    expect(csvRecords(await csv({ ...params, limit: "7" }))).toEqual(records.slice(0, 7));
    // Nothing matches: the header line alone.
    expect(parseCsv(await csv({ repo: "nobody" }))).toEqual([[...eventExportFields]]);
  });

  it("refuses a bad cursor or parameter with a 400, as JSON does", async () => {
    expect((await get({ cursor: "not-a-cursor" })).status).toBe(400);
    expect((await get({ groupBy: "repo" })).status).toBe(400);
  });
});
