// The same events tracked into the store directly and through the HTTP sink into a running service
// (same engine, same catalog and overrides on both sides) must be priced alike: the sink carries the
// tracker's pricing intent, and the service prices with the same rules.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { createApiKeyStore } from "../../src/server/api-keys.js";
import { startServer } from "../../src/server/start-server.js";
import type { LlmCostRecord } from "../../src/store/cost-record.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { createCostTracker, type CostTracker } from "../../src/tracker/cost-tracker.js";
import { createHttpSink } from "../../src/tracker/http-sink.js";
import type { AgentCostPolicy } from "../../src/events/index.js";
import { describeEachEngine, uniqueSchema } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

const pricing = createPricing({
  overrides: {
    models: [
      {
        provider: "openai",
        id: "ft:gpt-4o-mini:acme",
        prices: [{ from: "2025-01-01", input: "1.5", output: "6" }],
      },
    ],
  },
});

/** The columns that must agree whichever way an event travelled. */
const compared = [
  "eventId",
  "createdAt",
  "model",
  "resolvedModel",
  "provider",
  "sdk",
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "cacheWrite1hTokens",
  "reasoningTokens",
  "estimatedCostUsd",
  "providerCostUsd",
  "costSource",
  "priced",
  "pricingVersion",
] as const satisfies readonly (keyof LlmCostRecord)[];

/** One of each pricing path: priced, unpriced, provider figures, overrides, spellings, old prices. */
async function trackEvents(tracker: CostTracker, ids: string[], at: number): Promise<void> {
  const time = (minutesAgo: number) => new Date(at - minutesAgo * 60_000);
  const results = await Promise.all([
    tracker.trackAiSdkCall({
      eventId: ids[0],
      createdAt: time(1),
      repo: "acme/api",
      taskType: "review",
      model: "claude-sonnet-4-5",
      provider: "anthropic",
      inputTokens: 12_345,
      outputTokens: 678,
      cacheReadTokens: 9_000,
      cacheWriteTokens: 1_000,
      cacheWrite1hTokens: 500,
      durationMs: 900,
      usedFallback: false,
    }),
    tracker.trackAgentSdkCall({
      eventId: ids[1],
      createdAt: time(2),
      repo: "acme/api",
      taskType: "agent",
      model: "claude-sonnet-4-5",
      inputTokens: 5_000,
      outputTokens: 1_000,
      durationMs: 4_000,
      costUsd: 0.123456789,
    }),
    tracker.trackAgentSdkCall({
      eventId: ids[2],
      createdAt: time(3),
      repo: "acme/api",
      taskType: "agent",
      model: "in-house-model-9",
      inputTokens: 5_000,
      outputTokens: 1_000,
      durationMs: 4_000,
      costUsd: "0.5",
    }),
    tracker.trackAgentSdkCall({
      eventId: ids[3],
      createdAt: time(4),
      repo: "acme/api",
      taskType: "agent",
      model: "claude-sonnet-4-5",
      inputTokens: 100,
      outputTokens: 10,
      durationMs: 50,
    }),
    tracker.trackUsage({
      eventId: ids[4],
      createdAt: time(5),
      repo: "acme/web",
      taskType: "chat",
      model: "ft:gpt-4o-mini:acme",
      usage: { inputTokens: 2_000_000, outputTokens: 300_000, reasoningTokens: 100_000 },
    }),
    tracker.trackUsage({
      eventId: ids[5],
      createdAt: time(6),
      repo: "acme/web",
      taskType: "chat",
      model: "unknown-model-x",
      provider: "acme",
      usage: { inputTokens: 10, outputTokens: 10 },
      providerCostUsd: 0.000001234,
    }),
    tracker.track({
      eventId: ids[6],
      createdAt: new Date("2025-03-01T12:00:00Z"),
      repo: "acme/web",
      taskType: "chat",
      model: "openai/GPT-4o-mini",
      inputTokens: 1_000_000,
      outputTokens: 1_000,
    }),
  ]);
  expect(results.map((result) => result.outcome)).toEqual(results.map(() => "stored"));
}

describeEachEngine("the HTTP sink prices as the store does", (context) => {
  let direct: TelemetryStore;
  const directSchema = uniqueSchema("direct");
  beforeAll(async () => {
    direct = await createTelemetryStore({ database: context.database(), schema: directSchema });
  });
  afterAll(async () => {
    await context.database().exec(`DROP SCHEMA IF EXISTS "${directSchema}" CASCADE`);
  });

  for (const agentCost of ["sdk", "catalog"] as const satisfies readonly AgentCostPolicy[]) {
    it(`stores the same cost, source, model and token columns both ways, with agentCost "${agentCost}"`, async () => {
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
        const ids = Array.from({ length: 7 }, () => randomUUID());
        const at = Date.now();
        const options = { pricing, agentCost, spoolDir: false as const, logger: silentLogger };
        const viaStore = createCostTracker({ ...options, telemetryStore: direct, closeSink: false });
        const viaHttp = createCostTracker({
          ...options,
          telemetryStore: createHttpSink({ url: server.url, apiKey: key }),
        });
        await trackEvents(viaStore, ids, at);
        await trackEvents(viaHttp, ids, at);
        await Promise.all([viaStore.close(), viaHttp.close()]);

        const served = await createTelemetryStore({ database: context.database(), schema: context.schema });
        const pick = (rows: LlmCostRecord[]) =>
          rows
            .map((row) => Object.fromEntries(compared.map((column) => [column, row[column]])))
            .sort((left, right) => String(left.eventId).localeCompare(String(right.eventId)));
        const fromStore = pick(await direct.getLlmCosts(ids));
        const fromHttp = pick(await served.getLlmCosts(ids));
        expect(fromStore).toHaveLength(ids.length);
        expect(fromHttp).toEqual(fromStore);
        // The policy made a difference, so the comparison above covers it.
        const agentRow = fromStore.find((row) => row.eventId === ids[1]);
        expect(agentRow?.costSource).toBe(agentCost === "sdk" ? "provider" : "catalog");
      } finally {
        await server.close();
      }
    });
  }
});
