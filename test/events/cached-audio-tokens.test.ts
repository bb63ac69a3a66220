// Issue #17, cached audio: `cacheReadAudioTokens` is accepted by every ingest path (the tracker,
// POST /v1/events and the HTTP sink, import of JSONL), stored in its own column (migration 0016),
// priced at the model's cached audio rate, exported, repriced and explained line by line; bad counts
// are refused with the same reason everywhere, and nothing valid beside them is lost.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { explainEventCost, repriceEvents } from "../../src/query/index.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import type { ServerLogger } from "../../src/server/server-logger.js";
import { createTelemetryStore, type Database, type TelemetryStore } from "../../src/store/index.js";
import { createCostTracker } from "../../src/tracker/index.js";
import { createHttpSink } from "../../src/tracker/http-sink.js";
import { createKeyVia } from "../support/admin-keys.js";
import { runLedger } from "../support/cli.js";
import {
  describeEachEngine,
  describeServer,
  engineDatabase,
  serverUrl,
  uniqueSchema,
} from "../support/databases.js";
import { memoryLogger } from "../support/loggers.js";

const silent: ServerLogger = { info() {}, warn() {}, error() {} };
const adminKey = "cached-audio-test-admin-key-0123456789";

// gpt-realtime-mini (developers.openai.com/api/docs/models/gpt-realtime-2.1-mini): text $0.60 / cached
// $0.06 / $2.40, audio $10 / $20, cached audio $0.30 per million. 200 × 0.6 + 100 × 0.06 + 300 × 0.3
// + 400 × 10 + 50 × 2.4 + 150 × 20 = 0.007336 (cached audio at the cached text rate gave 0.007264).
const realtimeCall = {
  repo: "voice",
  taskType: "talk",
  model: "gpt-realtime-mini",
  provider: "openai",
  inputTokens: 200,
  cacheReadTokens: 100,
  cacheReadAudioTokens: 300,
  audioInputTokens: 400,
  outputTokens: 50,
  audioOutputTokens: 150,
};
const realtimeCost = 0.007336;

describeEachEngine("cached audio through the tracker", (context) => {
  let store: TelemetryStore;
  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });
  afterAll(() => store.close());

  it("stores cached audio in its column, priced once at its own rate, and explains every line", async () => {
    const tracker = createCostTracker({ telemetryStore: store, logger: memoryLogger(), spoolDir: false });
    const eventId = randomUUID();
    const viaUsage = randomUUID();
    const { repo, taskType, model, provider, ...usage } = realtimeCall;
    const results = await Promise.all([
      tracker.track({ ...realtimeCall, eventId }),
      tracker.trackUsage({ eventId: viaUsage, repo, taskType, model, provider, sdk: "raw", usage }),
    ]);
    await tracker.close();
    expect(results.map((result) => result.outcome)).toEqual(["stored", "stored"]);
    const rows = await store.getLlmCosts([eventId, viaUsage]);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatchObject({ cacheReadTokens: 100, cacheReadAudioTokens: 300, priced: true });
      expect(Number(row.estimatedCostUsd)).toBe(realtimeCost);
    }

    const explanation = await explainEventCost(
      { database: context.database(), schema: context.schema },
      eventId,
      { pricing: createPricing() },
    );
    expect(explanation).toMatchObject({ basis: "rates", addsUp: true, totalUsd: String(realtimeCost) });
    expect(
      explanation!.buckets
        .filter((line) => line.units > 0)
        .map((line) => `${line.bucket} ${line.units} × ${line.price} = ${line.amountUsd}`),
    ).toEqual([
      "input 200 × 0.6 = 0.00012",
      "output 50 × 2.4 = 0.00012",
      "cache_read 100 × 0.06 = 0.000006",
      "audio_input 400 × 10 = 0.004",
      "audio_output 150 × 20 = 0.003",
      "cache_read_audio 300 × 0.3 = 0.00009",
    ]);
    // What the catalog would charge today is priced from the same column.
    expect(explanation!.today).toMatchObject({ costUsd: String(realtimeCost) });
  });

  it("reprices from the column: the same figure, and priced once an override gives the rate", async () => {
    const handle = { database: context.database(), schema: context.schema };
    expect(await repriceEvents(handle, createPricing())).toMatchObject({ updated: 0, failed: 0 });
    // gpt-4o-audio-preview has no cached audio price: stored unpriced, its tokens kept, until an
    // override states one ($2.50): 1000 × 2.5 + 1000 × 2.5 per million = 0.005.
    const tracker = createCostTracker({ telemetryStore: store, logger: memoryLogger(), spoolDir: false });
    const eventId = randomUUID();
    const result = await tracker.track({
      eventId,
      repo: "voice",
      taskType: "talk",
      model: "gpt-4o-audio-preview",
      provider: "openai",
      inputTokens: 1_000,
      outputTokens: 0,
      cacheReadAudioTokens: 1_000,
    });
    await tracker.close();
    expect(result.outcome).toBe("stored");
    const [stored] = await store.getLlmCosts([eventId]);
    expect(stored).toMatchObject({ priced: false, cacheReadAudioTokens: 1_000 });
    const overrides = {
      models: [
        {
          provider: "openai",
          id: "gpt-4o-audio-preview",
          prices: [{ input: "2.5", output: "10", cache_read_audio: "2.5", audio_input: "40" }],
        },
      ],
    };
    expect(await repriceEvents(handle, createPricing({ overrides }))).toMatchObject({
      updated: 1,
      failed: 0,
    });
    const [row] = await store.getLlmCosts([eventId]);
    expect(row).toMatchObject({ priced: true, cacheReadAudioTokens: 1_000 });
    expect(Number(row!.estimatedCostUsd)).toBe(0.005);
  });
});

describeServer("cached audio over HTTP, export and import", () => {
  let database: Database;
  let server: RunningServer;
  let key = "";
  let directory = "";
  const schema = uniqueSchema("cached_audio");
  const target = uniqueSchema("cached_audio_to");
  const flags = (name: string) => ["--database-url", serverUrl!, "--schema", name];

  beforeAll(async () => {
    database = await engineDatabase("postgres");
    directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-cached-audio-"));
    server = await startServer({ database, schema, port: 0, adminKey, logger: silent });
    key = await createKeyVia(server.url, adminKey, { name: "cached", scopes: ["ingest", "read"] });
  });
  afterAll(async () => {
    await server.close();
    await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await database.exec(`DROP SCHEMA IF EXISTS "${target}" CASCADE`);
    await rm(directory, { recursive: true, force: true });
  });

  const read = async (url: string) => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };

  it("prices POSTed cached audio, and refuses bad counts without losing the good event", async () => {
    const good = randomUUID();
    const response = await fetch(`${server.url}/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: JSON.stringify({
        events: [
          { ...realtimeCall, eventId: good },
          { ...realtimeCall, eventId: randomUUID(), cacheReadAudioTokens: -5 },
          { ...realtimeCall, eventId: randomUUID(), cacheReadAudioTokens: 2.5 },
        ],
      }),
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as {
      accepted: number;
      rejected: { index: number; error: string }[];
    };
    expect(answer.accepted).toBe(1);
    expect(answer.rejected.map((item) => [item.index, item.error])).toEqual([
      [1, "cacheReadAudioTokens must not be negative, got -5"],
      [2, "cacheReadAudioTokens must be a whole number of tokens, got 2.5"],
    ]);
    const stored = await read(`${server.url}/v1/events/${good}`);
    expect(stored).toMatchObject({ cacheReadTokens: 100, cacheReadAudioTokens: 300 });
    expect(Number(stored.estimatedCostUsd)).toBe(realtimeCost);
    // GET /v1/events/{id}/cost explains the cached audio line.
    const cost = await read(`${server.url}/v1/events/${good}/cost`);
    const buckets = cost.buckets as { bucket: string; units: number; amountUsd: string }[];
    expect(buckets.find((line) => line.bucket === "cache_read_audio")).toMatchObject({
      units: 300,
      amountUsd: "0.00009",
    });
    expect(cost).toMatchObject({ addsUp: true });
    // `llm-ledger pricing explain` prints the same line from the database.
    const explained = await runLedger(["pricing", "explain", good, ...flags(schema)]);
    expect(explained.exitCode, explained.stderr).toBe(0);
    expect(explained.stdout).toMatch(/cache_read_audio\s+300\s+.*0\.3.*0\.00009/);
  });

  it("carries it through a tracker's HTTP sink, as the service prices it", async () => {
    const tracker = createCostTracker({
      telemetryStore: createHttpSink({ url: server.url, apiKey: key }),
      logger: memoryLogger(),
      spoolDir: false,
    });
    const eventId = randomUUID();
    expect((await tracker.track({ ...realtimeCall, eventId })).outcome).toBe("stored");
    await tracker.close();
    const stored = await read(`${server.url}/v1/events/${eventId}`);
    expect(stored).toMatchObject({ cacheReadAudioTokens: 300, priced: true });
    expect(Number(stored.estimatedCostUsd)).toBe(realtimeCost);
  });

  it("exports it (JSONL, CSV) and imports the JSONL back, every column equal", async () => {
    const exported = await runLedger(["export", ...flags(schema)]);
    expect(exported.exitCode, exported.stderr).toBe(0);
    const file = path.join(directory, "ledger.jsonl");
    await writeFile(file, exported.stdout);
    const imported = await runLedger(["import", file, ...flags(target), "--json"]);
    expect(imported.exitCode, imported.stderr).toBe(0);
    const again = await runLedger(["export", ...flags(target)]);
    const rows = (text: string): Record<string, unknown>[] =>
      text
        .trim()
        .split("\n")
        .map((line): Record<string, unknown> => ({ ...(JSON.parse(line) as object), id: undefined }))
        .sort((first, second) => String(first.eventId).localeCompare(String(second.eventId)));
    expect(rows(again.stdout)).toEqual(rows(exported.stdout));
    expect(
      rows(again.stdout).map((row) => [
        row.cacheReadTokens,
        row.cacheReadAudioTokens,
        Number(row.estimatedCostUsd),
      ]),
    ).toEqual([
      [100, 300, realtimeCost],
      [100, 300, realtimeCost],
    ]);
    const csv = await runLedger(["export", ...flags(schema), "--format", "csv"]);
    expect(csv.exitCode, csv.stderr).toBe(0);
    const [header, ...lines] = csv.stdout.trim().split("\n");
    expect(header!.split(",").at(-1)).toBe("cacheReadAudioTokens");
    expect(lines.filter((line) => line.endsWith(",300"))).toHaveLength(2);
  });

  it("imports an export made before the column with zero cached audio", async () => {
    const file = path.join(directory, "older.jsonl");
    const eventId = randomUUID();
    await writeFile(
      file,
      JSON.stringify({
        eventId,
        createdAt: "2026-11-30T10:00:00.000Z",
        repo: "acme",
        taskType: "talk",
        model: "gpt-realtime-mini",
        provider: "openai",
        sdk: "raw",
        inputTokens: 10,
        outputTokens: 1,
        cacheReadTokens: 400,
        estimatedCostUsd: "0.00003",
      }) + "\n",
    );
    const into = `${target}_older`;
    try {
      const imported = await runLedger(["import", file, ...flags(into), "--json"]);
      expect(imported.exitCode, imported.stderr).toBe(0);
      const exported = await runLedger(["export", ...flags(into)]);
      expect(JSON.parse(exported.stdout.trim())).toMatchObject({
        eventId,
        cacheReadTokens: 400,
        cacheReadAudioTokens: 0,
      });
    } finally {
      await database.exec(`DROP SCHEMA IF EXISTS "${into}" CASCADE`);
    }
  });
});

describe("cached audio in a usage object", () => {
  it("is refused at the edge with the usage path in the reason", async () => {
    const database = await engineDatabase("pglite");
    const schema = uniqueSchema("cached_audio_usage");
    const store = await createTelemetryStore({ database, schema });
    const tracker = createCostTracker({ telemetryStore: store, logger: memoryLogger(), spoolDir: false });
    try {
      const result = await tracker.trackUsage({
        repo: "voice",
        taskType: "talk",
        model: "gpt-realtime-mini",
        sdk: "raw",
        usage: { inputTokens: 1, outputTokens: 1, cacheReadAudioTokens: -1 },
      });
      expect(result).toMatchObject({
        outcome: "rejected",
        reason: "usage.cacheReadAudioTokens must not be negative, got -1",
      });
    } finally {
      await tracker.close();
      await store.close();
      await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});
