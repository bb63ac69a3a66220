// A provider is stored under its canonical slug whichever way it arrives: `amazon-bedrock` (the AI SDK's
// id), `Bedrock` or `openai.chat` sent by the library, POST /v1/events or an import is `aws-bedrock` /
// `openai`, so "spend by provider" has one row per host. Rows stored before are corrected by reprice,
// with the rollups equal to the raw events afterwards.
import { randomUUID } from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { canonicalProvider, parseEventInput, parseStoredEvent } from "../../src/events/index.js";
import { createPricing } from "../../src/pricing/index.js";
import { queryCosts, repriceEvents } from "../../src/query/index.js";
import { createApiKeyStore } from "../../src/server/api-keys.js";
import { startServer } from "../../src/server/start-server.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/index.js";
import { createCostTracker } from "../../src/tracker/cost-tracker.js";
import { insertEvents, testEvent } from "../query/support/cost-events.js";
import { emptyTables, rollupDrift } from "../query/support/rollup-drift.js";
import { describeEachEngine } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

const bedrockModel = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

describe("canonicalProvider", () => {
  it.each([
    ["amazon-bedrock", "aws-bedrock"],
    ["Bedrock", "aws-bedrock"],
    ["aws.bedrock", "aws-bedrock"],
    ["google.vertex.anthropic", "google-vertex"],
    ["openai.chat", "openai"],
    ["OpenAI", "openai"],
    ["anthropic", "anthropic"],
  ])("stores %s as %s", (sent, stored) => {
    expect(canonicalProvider(sent)).toBe(stored);
    const parsed = parseEventInput(
      { repo: "r", taskType: "t", model: "m", provider: sent, inputTokens: 1, outputTokens: 1 },
      "record",
      "raw",
    );
    expect(parsed.ok && parsed.input.provider).toBe(stored);
  });

  it("keeps a host the table does not know as it was sent", () => {
    expect(canonicalProvider("my-proxy")).toBe("my-proxy");
  });

  it("normalises an imported event's provider too", () => {
    const parsed = parseStoredEvent({
      eventId: randomUUID(),
      createdAt: "2026-11-01T10:00:00.000Z",
      repo: "r",
      taskType: "t",
      model: bedrockModel,
      provider: "amazon-bedrock",
      sdk: "raw",
      inputTokens: 1,
      outputTokens: 1,
      estimatedCostUsd: "0.000018",
    });
    expect(parsed.ok && parsed.record.provider).toBe("aws-bedrock");
  });
});

describeEachEngine("provider spellings in the ledger", (context) => {
  let store: TelemetryStore;
  const handle = () => ({ database: context.database(), schema: context.schema });
  const providers = async () =>
    (
      await context
        .database()
        .query<{ provider: string }>(
          `SELECT DISTINCT provider FROM "${context.schema}".llm_cost_events ORDER BY provider`,
        )
    ).map((row) => row.provider);

  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
  });

  it("stores what the library and POST /v1/events send as amazon-bedrock under aws-bedrock", async () => {
    const tracker = createCostTracker({ sink: store, spoolDir: false, logger: silentLogger });
    const call = { repo: "r", taskType: "t", model: bedrockModel, inputTokens: 1000, outputTokens: 10 };
    const results = await Promise.all([
      tracker.track({ ...call, provider: "amazon-bedrock" }),
      tracker.track({ ...call, provider: "Bedrock" }),
    ]);
    await tracker.close();
    expect(results.map((result) => result.outcome)).toEqual(["stored", "stored"]);

    const server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      logger: silentLogger,
    });
    try {
      const keys = createApiKeyStore({ database: context.database(), schema: context.schema });
      const { key } = await keys.create({ name: "ingest", scopes: ["ingest"] });
      const response = await fetch(`${server.url}/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ events: [{ ...call, provider: "amazon-bedrock" }] }),
      });
      expect(await response.json()).toMatchObject({ accepted: 1, rejected: [] });
    } finally {
      await server.close();
    }
    expect(await providers()).toEqual(["aws-bedrock"]);
    const byProvider = await queryCosts(handle(), { groupBy: ["provider"] });
    expect(byProvider.rows.map((row) => [row.provider, row.events])).toEqual([["aws-bedrock", 3]]);
    expect(await rollupDrift(context.database(), context.schema)).toBe(0);
  });

  it("corrects rows stored under another spelling with reprice, the rollups equal to raw afterwards", async () => {
    // Written as an older version stored them: the provider as sent.
    const old = (provider: string, millis: number) =>
      testEvent({
        model: bedrockModel,
        provider,
        createdAt: new Date(Date.UTC(2026, 10, 2, 10) + millis),
      });
    await insertEvents(context.database(), context.schema, [
      old("amazon-bedrock", 0),
      old("amazon-bedrock", 3_600_000),
      old("Bedrock", 86_400_000),
      old("aws-bedrock", 0),
      testEvent({ provider: "anthropic" }),
    ]);
    expect(await providers()).toEqual(["Bedrock", "amazon-bedrock", "anthropic", "aws-bedrock"]);
    const before = await queryCosts(handle(), {});

    const result = await repriceEvents(handle(), createPricing());
    expect(result.examined).toBe(5);
    expect(await providers()).toEqual(["anthropic", "aws-bedrock"]);
    expect(await rollupDrift(context.database(), context.schema)).toBe(0);
    const byProvider = await queryCosts(handle(), { groupBy: ["provider"], orderBy: "provider:asc" });
    expect(byProvider.rows.map((row) => [row.provider, row.events])).toEqual([
      ["anthropic", 1],
      ["aws-bedrock", 4],
    ]);
    expect(byProvider.totals.events).toBe(before.totals.events);
    // Again: nothing left to correct.
    expect(await repriceEvents(handle(), createPricing())).toMatchObject({ updated: 0 });
  });
});
