import { mkdtempSync, readdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { createCostTracker } from "../../src/tracker/cost-tracker.js";
import { createHttpSink, HttpSinkError } from "../../src/tracker/http-sink.js";
import { createApiKeyStore } from "../../src/server/api-keys.js";
import { startServer } from "../../src/server/start-server.js";
import { describeEachEngine } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";
import { costRecord } from "../support/records.js";

describeEachEngine("createHttpSink into a running service", (context) => {
  it("delivers a tracker's events in batches of at most 1,000, priced by the service, idempotently", async () => {
    const server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      logger: silentLogger,
    });
    try {
      const keys = createApiKeyStore({ database: context.database(), schema: context.schema });
      const { key } = await keys.create({ name: "app", scopes: ["ingest"] });
      const requests: number[] = [];
      const sink = createHttpSink({
        url: server.url,
        apiKey: key,
        fetch: async (input, init) => {
          requests.push((JSON.parse(init?.body as string) as { events: unknown[] }).events.length);
          return fetch(input, init);
        },
      });
      const tracker = createCostTracker({
        telemetryStore: sink,
        spoolDir: false,
        logger: silentLogger,
        batchSize: 5_000,
      });
      const results = await Promise.all(
        Array.from({ length: 2_500 }, () =>
          tracker.trackUsage({
            repo: "acme/api",
            taskType: "review",
            model: "gpt-4o-mini",
            provider: "openai",
            usage: { inputTokens: 1_000_000, outputTokens: 0 },
          }),
        ),
      );
      await tracker.close();
      expect(results.every((result) => result.outcome === "stored")).toBe(true);
      expect(Math.max(...requests)).toBeLessThanOrEqual(1_000);
      const [row] = await context
        .database()
        .query<{ n: string; cost: string }>(
          `SELECT count(*) AS n, sum(estimated_cost_usd)::text AS cost FROM "${context.schema}".llm_cost_events`,
        );
      expect(row).toEqual({ n: "2500", cost: "375.000000000000" }); // 2,500 × $0.15

      const again = await sink.recordLlmCosts([costRecord({ eventId: results[0]!.eventId })]);
      expect(again).toEqual({ inserted: 0, duplicates: 1 });
    } finally {
      await server.close();
    }
  });
});

describeEachEngine("createHttpSink with a key the service refuses", (context) => {
  it("spools the events of a revoked key instead of refusing them, and a tracker with a good key replays them", async () => {
    const server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      logger: silentLogger,
    });
    const spoolDir = mkdtempSync(path.join(os.tmpdir(), "llm-ledger-sink-spool-"));
    try {
      const keys = createApiKeyStore({ database: context.database(), schema: context.schema });
      const revoked = await keys.create({ name: "old", scopes: ["ingest"] });
      await keys.revoke(revoked.info.id);
      const call = () =>
        ({
          repo: "acme/revoked",
          taskType: "review",
          model: "gpt-4o-mini",
          provider: "openai",
          usage: { inputTokens: 1_000, outputTokens: 0 },
        }) as const;
      const first = createCostTracker({
        telemetryStore: createHttpSink({ url: server.url, apiKey: revoked.key }),
        spoolDir,
        logger: silentLogger,
        retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
        closeTimeoutMs: 200,
      });
      const results = await Promise.all(Array.from({ length: 20 }, () => first.trackUsage(call())));
      await first.close();
      expect(results.map((result) => result.outcome)).toEqual(Array(20).fill("spooled"));
      const { key } = await keys.create({ name: "new", scopes: ["ingest"] });
      const second = createCostTracker({
        telemetryStore: createHttpSink({ url: server.url, apiKey: key }),
        spoolDir,
        logger: silentLogger,
      });
      await second.close();
      const [row] = await context
        .database()
        .query<{ n: string; ids: string }>(
          `SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM "${context.schema}".llm_cost_events WHERE repo = 'acme/revoked'`,
        );
      expect(row).toEqual({ n: "20", ids: "20" });
      expect(readdirSync(spoolDir).filter((name) => name.endsWith(".ndjson"))).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describeEachEngine("createHttpSink with events the service rejects", (context) => {
  it("answers them `rejected` with the service's reason in one request, stores the others, and flush() resolves", async () => {
    const server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      logger: silentLogger,
    });
    try {
      const keys = createApiKeyStore({ database: context.database(), schema: context.schema });
      const { key } = await keys.create({ name: "app", scopes: ["ingest"] });
      let requests = 0;
      const sink = createHttpSink({
        url: server.url,
        apiKey: key,
        fetch: (input, init) => {
          requests++;
          return fetch(input, init);
        },
      });
      const spoolDir = mkdtempSync(path.join(os.tmpdir(), "llm-ledger-spool-"));
      const tracker = createCostTracker({
        telemetryStore: sink,
        spoolDir,
        logger: silentLogger,
        batchSize: 6,
        flushIntervalMs: 60_000,
      });
      // The tracker takes any valid time; the service refuses one more than 5 minutes ahead.
      const future = new Date(Date.now() + 60 * 60 * 1000);
      const pending = Array.from({ length: 6 }, (_, index) =>
        tracker.trackUsage({
          repo: "acme/api",
          taskType: "review",
          model: "gpt-4o-mini",
          usage: { inputTokens: 1_000, outputTokens: 10 },
          createdAt: index === 2 ? future : undefined,
        }),
      );
      await tracker.flush();
      const results = await Promise.all(pending);
      expect(results.map((result) => result.outcome)).toEqual(
        results.map((_, index) => (index === 2 ? "rejected" : "stored")),
      );
      expect(results[2]!.reason).toContain("in the future");
      expect(requests).toBe(1);
      expect(tracker.stats()).toMatchObject({ rejected: 1, written: 5, spooled: 0, retries: 0 });
      await tracker.close();
      expect(readdirSync(spoolDir)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describeEachEngine("createHttpSink with events the store refuses", (context) => {
  it("answers an event whose cost the database cannot hold `rejected`, in one request, and stores the others", async () => {
    // $1,000,000 per million input tokens: a billion tokens cost more than NUMERIC(20, 12) holds.
    const pricing = createPricing({
      overrides: {
        models: [
          {
            provider: "openai",
            id: "ft:gpt-4o-mini:gold",
            prices: [{ from: "2025-01-01", input: "1000000", output: "1" }],
          },
        ],
      },
    });
    const server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      logger: silentLogger,
      pricing,
    });
    try {
      const keys = createApiKeyStore({ database: context.database(), schema: context.schema });
      const { key } = await keys.create({ name: "app", scopes: ["ingest"] });
      let requests = 0;
      const sink = createHttpSink({
        url: server.url,
        apiKey: key,
        fetch: (input, init) => {
          requests++;
          return fetch(input, init);
        },
      });
      const tracker = createCostTracker({
        telemetryStore: sink,
        pricing,
        spoolDir: false,
        logger: silentLogger,
        batchSize: 5,
        flushIntervalMs: 60_000,
      });
      const pending = Array.from({ length: 5 }, (_, index) =>
        tracker.trackUsage({
          repo: "acme/api",
          taskType: "review",
          model: "ft:gpt-4o-mini:gold",
          usage: { inputTokens: index === 1 ? 1_000_000_000 : 10, outputTokens: 1 },
        }),
      );
      await tracker.flush();
      const results = await Promise.all(pending);
      expect(results.map((result) => result.outcome)).toEqual(
        results.map((_, index) => (index === 1 ? "rejected" : "stored")),
      );
      expect(results[1]!.reason).toMatch(/overflow/);
      expect(requests).toBe(1);
      expect(tracker.stats()).toMatchObject({ rejected: 1, written: 4, retries: 0 });
      await tracker.close();
    } finally {
      await server.close();
    }
  });
});

describe("createHttpSink failures", () => {
  let statusServer: Server;
  let url: string;
  let status = 503;
  beforeAll(async () => {
    statusServer = createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(
          status === 200
            ? JSON.stringify({
                accepted: 1,
                duplicates: 0,
                rejected: [{ index: 1, error: "inputTokens must not be negative" }],
              })
            : JSON.stringify({ error: { code: "E", message: `status ${status}` } }),
        );
      });
    });
    await new Promise<void>((resolve) => statusServer.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(statusServer.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => statusServer.close(() => resolve())));

  const attempt = async () => {
    const sink = createHttpSink({ url, apiKey: "llk_x" });
    return sink.recordLlmCosts([costRecord()]).catch((error: unknown) => error);
  };

  it("is transient on 5xx, 408, 429 and a key or URL the service refuses (401, 403, 404), refused on other 4xx", async () => {
    for (const [code, transient] of [
      [503, true],
      [500, true],
      [429, true],
      [408, true],
      [401, true],
      [403, true],
      [404, true],
      [400, false],
      [413, false],
      [422, false],
    ] as const) {
      status = code;
      const error = await attempt();
      expect(error, String(code)).toBeInstanceOf(HttpSinkError);
      expect((error as HttpSinkError).transient, String(code)).toBe(transient);
      expect((error as HttpSinkError).message).toContain(`answered ${code}`);
    }
  });

  it("returns the events the service rejected by index as `rejected`, by eventId, instead of failing the batch", async () => {
    status = 200;
    const sink = createHttpSink({ url, apiKey: "llk_x" });
    const records = [costRecord(), costRecord()];
    const result = await sink.recordLlmCosts(records);
    expect(result).toEqual({
      inserted: 1,
      duplicates: 0,
      rejected: [
        {
          eventId: records[1]!.eventId,
          reason: "the service rejected it: inputTokens must not be negative",
        },
      ],
    });
  });

  it("is transient when the service cannot be reached", async () => {
    const sink = createHttpSink({ url: "http://127.0.0.1:1", apiKey: "llk_x" });
    const error = (await sink
      .recordLlmCosts([costRecord()])
      .catch((caught: unknown) => caught)) as HttpSinkError;
    expect(error.transient).toBe(true);
    expect(error.code).toBe("E_SINK_UNAVAILABLE");
  });

  it("validates its options", () => {
    expect(() => createHttpSink({ url: "not a url", apiKey: "k" })).toThrow(/absolute URL/);
    expect(() => createHttpSink({ url: "http://x", apiKey: "" })).toThrow(/apiKey/);
  });
});
