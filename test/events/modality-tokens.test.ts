// Issue #17, "Modalities": audio and image token counts are accepted by every ingest path (the
// tracker, POST /v1/events and the HTTP sink, import of JSONL and CSV), stored in their own columns
// (migration 0013), priced at their own rates, exported, and explained line by line; bad counts are
// refused with the same reason everywhere, and nothing valid beside them is lost.
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
const adminKey = "modality-tokens-test-admin-key-0123456789";

// gpt-4o-audio-preview (developers.openai.com/api/docs/models/gpt-4o-audio-preview): text $2.50 /
// $10, audio $40 / $80 per million. 1000 × 2.5 + 300 × 10 + 2000 × 40 + 500 × 80 = 0.1255.
const audioCall = {
  repo: "=voice\napp",
  taskType: "@transcribe",
  model: "gpt-4o-audio-preview",
  provider: "openai",
  inputTokens: 1_000,
  outputTokens: 300,
  audioInputTokens: 2_000,
  audioOutputTokens: 500,
};
const audioCost = "0.1255";

describeEachEngine("modality tokens through the tracker", (context) => {
  let store: TelemetryStore;
  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });
  afterAll(() => store.close());

  it("stores each bucket in its column, priced once at its own rate, and explains every line", async () => {
    const tracker = createCostTracker({ telemetryStore: store, logger: memoryLogger(), spoolDir: false });
    const eventId = randomUUID();
    const image = randomUUID();
    const results = await Promise.all([
      tracker.track({ ...audioCall, eventId }),
      // Gemini 2.5 Flash Image through trackUsage: 20 × 0.3 + 10 × 2.5 + 1290 × 30 per million.
      tracker.trackUsage({
        eventId: image,
        repo: "web",
        taskType: "draw",
        model: "gemini-2.5-flash-image",
        provider: "google",
        sdk: "raw",
        usage: { inputTokens: 20, outputTokens: 10, imageOutputTokens: 1_290 },
      }),
    ]);
    await tracker.close();
    expect(results.map((result) => result.outcome)).toEqual(["stored", "stored"]);
    const [audio, drawn] = await store
      .getLlmCosts([eventId, image])
      .then((rows) => [eventId, image].map((id) => rows.find((row) => row.eventId === id)!));
    expect(audio).toMatchObject({
      inputTokens: 1_000,
      outputTokens: 300,
      audioInputTokens: 2_000,
      audioOutputTokens: 500,
      imageOutputTokens: 0,
      priced: true,
    });
    expect(Number(audio!.estimatedCostUsd)).toBe(0.1255);
    expect(drawn).toMatchObject({ imageOutputTokens: 1_290, outputTokens: 10, priced: true });
    expect(Number(drawn!.estimatedCostUsd)).toBe(0.038731);

    const explanation = await explainEventCost(
      { database: context.database(), schema: context.schema },
      eventId,
    );
    expect(explanation).toMatchObject({ basis: "rates", addsUp: true, totalUsd: audioCost });
    expect(
      explanation!.buckets
        .filter((line) => line.units > 0)
        .map((line) => `${line.bucket} ${line.units} × ${line.price} = ${line.amountUsd}`),
    ).toEqual([
      "input 1000 × 2.5 = 0.0025",
      "output 300 × 10 = 0.003",
      "audio_input 2000 × 40 = 0.08",
      "audio_output 500 × 80 = 0.04",
    ]);
  });

  it("reprices from the stored columns: the same figure, and priced once a rate exists", async () => {
    const handle = { database: context.database(), schema: context.schema };
    const before = await repriceEvents(handle, createPricing());
    expect(before).toMatchObject({ updated: 0, failed: 0 });
    // An override gives gpt-4o an audio rate ($50 / $100): the unpriced audio call below is priced,
    // and only it changes. 1000 × 2.5 + 300 × 10 + 2000 × 50 + 500 × 100 per million = 0.1555.
    const tracker = createCostTracker({ telemetryStore: store, logger: memoryLogger(), spoolDir: false });
    const eventId = randomUUID();
    await tracker.track({ ...audioCall, eventId, model: "gpt-4o" });
    await tracker.close();
    const overrides = {
      models: [
        {
          provider: "openai",
          id: "gpt-4o",
          prices: [{ input: "2.5", output: "10", audio_input: "50", audio_output: "100" }],
        },
      ],
    };
    const after = await repriceEvents(handle, createPricing({ overrides }));
    expect(after).toMatchObject({ updated: 1, failed: 0 });
    const [row] = await store.getLlmCosts([eventId]);
    expect(row).toMatchObject({ priced: true, audioInputTokens: 2_000 });
    expect(Number(row!.estimatedCostUsd)).toBe(0.1555);
  });

  it("stores a call whose model has no audio rate, unpriced, with its tokens kept", async () => {
    const tracker = createCostTracker({ telemetryStore: store, logger: memoryLogger(), spoolDir: false });
    const eventId = randomUUID();
    const result = await tracker.track({ ...audioCall, eventId, model: "gpt-4o", providerCostUsd: "0.2" });
    await tracker.close();
    expect(result.outcome).toBe("stored");
    const [row] = await store.getLlmCosts([eventId]);
    expect(row).toMatchObject({ priced: false, costSource: "provider", audioInputTokens: 2_000 });
    expect(Number(row!.estimatedCostUsd)).toBe(0.2);
  });
});

describeServer("modality tokens over HTTP, export and import", () => {
  let database: Database;
  let server: RunningServer;
  let key = "";
  let directory = "";
  const schema = uniqueSchema("modal");
  const target = uniqueSchema("modal_to");
  const flags = (name: string) => ["--database-url", serverUrl!, "--schema", name];

  beforeAll(async () => {
    database = await engineDatabase("postgres");
    directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-modal-"));
    server = await startServer({ database, schema, port: 0, adminKey, logger: silent });
    key = await createKeyVia(server.url, adminKey, { name: "modal", scopes: ["ingest", "read"] });
  });
  afterAll(async () => {
    await server.close();
    await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await database.exec(`DROP SCHEMA IF EXISTS "${target}" CASCADE`);
    await rm(directory, { recursive: true, force: true });
  });

  const post = async (events: unknown[]) => {
    const response = await fetch(`${server.url}/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: JSON.stringify({ events }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { accepted: number; rejected: Array<{ index: number; error: string }> };
  };
  const read = async (eventId: string) => {
    const response = await fetch(`${server.url}/v1/events/${eventId}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };

  it("prices POSTed modality tokens, and refuses bad counts without losing the good events", async () => {
    const good = randomUUID();
    const answer = await post([
      { ...audioCall, eventId: good },
      { ...audioCall, eventId: randomUUID(), audioInputTokens: -5 },
      { ...audioCall, eventId: randomUUID(), imageOutputTokens: 1.5 },
      { ...audioCall, eventId: randomUUID(), audioOutputTokens: "500" },
    ]);
    expect(answer.accepted).toBe(1);
    expect(answer.rejected.map((item) => [item.index, item.error])).toEqual([
      [1, "audioInputTokens must not be negative, got -5"],
      [2, "imageOutputTokens must be a whole number of tokens, got 1.5"],
      [3, "audioOutputTokens must be a number of tokens, got string"],
    ]);
    const stored = await read(good);
    expect(stored).toMatchObject({ audioInputTokens: 2_000, audioOutputTokens: 500, inputTokens: 1_000 });
    expect(Number(stored.estimatedCostUsd)).toBe(0.1255);
  });

  it("carries them through a tracker's HTTP sink, as the service prices them", async () => {
    const tracker = createCostTracker({
      telemetryStore: createHttpSink({ url: server.url, apiKey: key }),
      logger: memoryLogger(),
      spoolDir: false,
    });
    const eventId = randomUUID();
    const result = await tracker.track({ ...audioCall, eventId });
    await tracker.close();
    expect(result.outcome).toBe("stored");
    const stored = await read(eventId);
    expect(stored).toMatchObject({ audioInputTokens: 2_000, audioOutputTokens: 500, priced: true });
    expect(Number(stored.estimatedCostUsd)).toBe(0.1255);
  });

  it("exports them (JSONL, CSV) and imports the JSONL back, every column equal", async () => {
    const exported = await runLedger(["export", ...flags(schema)]);
    expect(exported.exitCode, exported.stderr).toBe(0);
    const file = path.join(directory, "ledger.jsonl");
    await writeFile(file, exported.stdout);
    const imported = await runLedger(["import", file, ...flags(target), "--json"]);
    expect(imported.exitCode, imported.stderr).toBe(0);
    const again = await runLedger(["export", ...flags(target)]);
    // The store numbers its rows (`id`): that is the target ledger's own.
    const rows = (text: string): Record<string, unknown>[] =>
      text
        .trim()
        .split("\n")
        .map((line): Record<string, unknown> => ({ ...(JSON.parse(line) as object), id: undefined }))
        .sort((first, second) => String(first.eventId).localeCompare(String(second.eventId)));
    expect(rows(again.stdout)).toEqual(rows(exported.stdout));
    const audio = rows(again.stdout).filter((row) => row.audioInputTokens === 2_000);
    expect(
      audio.map((row) => [row.audioOutputTokens, row.imageOutputTokens, Number(row.estimatedCostUsd)]),
    ).toEqual([
      [500, 0, 0.1255],
      [500, 0, 0.1255],
    ]);

    // The CSV export (and GET /v1/events as text/csv) carries the same columns, after the earlier
    // exports' columns and before the list price and cached audio (migrations 0014, 0016 came after).
    const csv = await runLedger(["export", ...flags(schema), "--format", "csv"]);
    expect(csv.exitCode, csv.stderr).toBe(0);
    const [header, ...lines] = csv.stdout.trim().split("\n");
    expect(header!.split(",").slice(-5)).toEqual([
      "audioInputTokens",
      "audioOutputTokens",
      "imageOutputTokens",
      "listCostUsd",
      "cacheReadAudioTokens",
    ]);
    expect(lines.filter((line) => /,2000,500,0,[0-9.]*,0$/.test(line))).toHaveLength(2);
  });

  it("reads OpenInference audio counts from spans POSTed to /v1/traces, carved and priced", async () => {
    const spanId = "00f067aa0ba902b7";
    const end = BigInt(Date.now()) * 1_000_000n;
    const attribute = (key: string, value: string | number) => ({
      key,
      value: typeof value === "number" ? { intValue: String(value) } : { stringValue: value },
    });
    const response = await fetch(`${server.url}/v1/traces`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: "0af7651916cd43dd8448eb211c80319c",
                    spanId,
                    name: "ChatCompletion",
                    startTimeUnixNano: String(end - 1_000_000_000n),
                    endTimeUnixNano: String(end),
                    attributes: [
                      attribute("openinference.span.kind", "LLM"),
                      attribute("llm.provider", "openai"),
                      attribute("llm.model_name", "gpt-4o-audio-preview"),
                      attribute("llm.token_count.prompt", 3_000),
                      attribute("llm.token_count.prompt_details.audio", 2_000),
                      attribute("llm.token_count.completion", 800),
                      attribute("llm.token_count.completion_details.audio", 500),
                    ],
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const listed = await fetch(`${server.url}/v1/events?model=gpt-4o-audio-preview&sdk=otel`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const page = (await listed.json()) as { events: Record<string, unknown>[] };
    const traced = page.events.filter((event) => event.spanId === spanId);
    expect(traced).toHaveLength(1);
    expect(traced[0]).toMatchObject({
      inputTokens: 1_000,
      audioInputTokens: 2_000,
      outputTokens: 300,
      audioOutputTokens: 500,
      priced: true,
    });
    expect(Number(traced[0]!.estimatedCostUsd)).toBe(0.1255);
  });

  it("imports an export made before modality columns, with zero modality tokens", async () => {
    const file = path.join(directory, "older.jsonl");
    const eventId = randomUUID();
    await writeFile(
      file,
      JSON.stringify({
        eventId,
        createdAt: "2026-11-30T10:00:00.000Z",
        repo: "acme",
        taskType: "review",
        model: "gpt-4o-mini",
        provider: "openai",
        sdk: "raw",
        inputTokens: 10,
        outputTokens: 1,
        estimatedCostUsd: "0.0000021",
      }) + "\n",
    );
    const into = `${target}_older`;
    try {
      const imported = await runLedger(["import", file, ...flags(into), "--json"]);
      expect(imported.exitCode, imported.stderr).toBe(0);
      const exported = await runLedger(["export", ...flags(into)]);
      expect(JSON.parse(exported.stdout.trim())).toMatchObject({
        eventId,
        audioInputTokens: 0,
        audioOutputTokens: 0,
        imageOutputTokens: 0,
      });
    } finally {
      await database.exec(`DROP SCHEMA IF EXISTS "${into}" CASCADE`);
    }
  });
});

describe("modality counts in a usage object", () => {
  it("are refused at the edge with the usage path in the reason", async () => {
    const database = await engineDatabase("pglite");
    const schema = uniqueSchema("modal_usage");
    const store = await createTelemetryStore({ database, schema });
    const tracker = createCostTracker({ telemetryStore: store, logger: memoryLogger(), spoolDir: false });
    try {
      const result = await tracker.trackUsage({
        repo: "voice",
        taskType: "talk",
        model: "gpt-realtime",
        sdk: "raw",
        usage: { inputTokens: 1, outputTokens: 1, audioOutputTokens: -1 },
      });
      expect(result).toMatchObject({
        outcome: "rejected",
        reason: "usage.audioOutputTokens must not be negative, got -1",
      });
    } finally {
      await tracker.close();
      await store.close();
      await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});
