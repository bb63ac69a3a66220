// The cost counters on the OpenTelemetry Metrics API: an in-memory metric reader of the real OTel
// metrics SDK sees `llm_ledger.cost` and `llm_ledger.tokens` with bounded attributes, and their totals
// equal the ledger's for the events the tracker stored (duplicates not counted twice).
import { randomUUID } from "node:crypto";
import { MeterProvider, MetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { beforeAll, expect, it } from "vitest";
import { createCostMetrics, withCostMetrics } from "../../../src/integrations/opentelemetry/index.js";
import { queryCosts } from "../../../src/query/index.js";
import { createTelemetryStore, type TelemetryStore } from "../../../src/store/index.js";
import { createCostTracker } from "../../../src/tracker/index.js";
import { describeEachEngine } from "../../support/databases.js";
import { silentLogger } from "../../support/loggers.js";
import { aiCall } from "../../support/records.js";

/** A reader the test collects from when it wants (no timer). */
class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

interface Point {
  attributes: Record<string, unknown>;
  value: number;
}

function points(collected: ResourceMetrics, name: string): Point[] {
  const metric = collected.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .find((item) => item.descriptor.name === name);
  if (!metric) return [];
  return metric.dataPoints.map((point) => ({ attributes: point.attributes, value: point.value as number }));
}

describeEachEngine("cost metrics on the OpenTelemetry Metrics API", (context) => {
  let store: TelemetryStore;
  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });

  it("counts each stored event's cost and tokens once, with the GenAI and ledger attributes only", async () => {
    const reader = new CollectingReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const metrics = createCostMetrics({ meterProvider });
    const tracker = createCostTracker({
      sink: withCostMetrics(store, metrics),
      logger: silentLogger,
      spoolDir: false,
      flushIntervalMs: 20,
    });
    const repeated = randomUUID();
    const calls = [
      aiCall({ eventId: repeated, userId: "user-1", cacheReadTokens: 500, cacheWriteTokens: 100 }),
      aiCall({ eventId: repeated, userId: "user-1", cacheReadTokens: 500, cacheWriteTokens: 100 }),
      aiCall({ model: "gpt-4o-mini", provider: "openai", taskType: "chat", userId: "user-2" }),
      aiCall({ model: "mystery-model-9", provider: "openai", taskType: "chat", inputTokens: 7 }),
    ];
    const outcomes = [];
    for (const call of calls) outcomes.push((await tracker.trackAiSdkCall(call)).outcome);
    await tracker.close();
    expect(outcomes).toEqual(["stored", "duplicate", "stored", "stored"]);

    const { resourceMetrics } = await reader.collect();
    const cost = points(resourceMetrics, "llm_ledger.cost");
    const ledger = await queryCosts(store, { groupBy: ["model"] });
    expect(cost.reduce((sum, point) => sum + point.value, 0)).toBeCloseTo(Number(ledger.totals.costUsd), 12);
    expect(
      cost
        .map((point) => point.attributes)
        .sort((a, b) => String(a["gen_ai.request.model"]).localeCompare(String(b["gen_ai.request.model"]))),
    ).toEqual([
      {
        "gen_ai.provider.name": "anthropic",
        "gen_ai.request.model": "claude-sonnet-4-5",
        "llm_ledger.repo": "acme/api",
        "llm_ledger.task_type": "review",
      },
      {
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "llm_ledger.repo": "acme/api",
        "llm_ledger.task_type": "chat",
      },
      {
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "mystery-model-9",
        "llm_ledger.repo": "acme/api",
        "llm_ledger.task_type": "chat",
      },
    ]);
    const tokens = points(resourceMetrics, "llm_ledger.tokens");
    const byBucket = (bucket: string) =>
      tokens
        .filter((point) => point.attributes["gen_ai.token.type"] === bucket)
        .reduce((sum, point) => sum + point.value, 0);
    expect({
      input: byBucket("input"),
      output: byBucket("output"),
      cache_read: byBucket("cache_read"),
      cache_write: byBucket("cache_write"),
    }).toEqual({
      input: Number(ledger.totals.inputTokens),
      output: Number(ledger.totals.outputTokens),
      cache_read: Number(ledger.totals.cacheReadTokens),
      cache_write: Number(ledger.totals.cacheWriteTokens) + Number(ledger.totals.cacheWrite1hTokens),
    });
    await meterProvider.shutdown();
  });

  it("adds user ids only when asked, and bounds the values of each attribute", async () => {
    const reader = new CollectingReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const metrics = createCostMetrics({
      meterProvider,
      include: { userId: true },
      maxValuesPerAttribute: 2,
    })!;
    const record = (repo: string, userId: string) => ({
      eventId: randomUUID(),
      createdAt: new Date().toISOString(),
      repo,
      taskType: "chat",
      model: "gpt-4o-mini",
      resolvedModel: "gpt-4o-mini",
      provider: "openai",
      sdk: "http" as const,
      inputTokens: 1,
      outputTokens: 1,
      estimatedCostUsd: "0.000001",
      userId,
    });
    metrics.record([record("a", "u1"), record("b", "u2"), record("c", "u3"), record("d", "u1")]);
    const cost = points((await reader.collect()).resourceMetrics, "llm_ledger.cost");
    expect(
      cost
        .map((point) => [point.attributes["llm_ledger.repo"], point.attributes["llm_ledger.user_id"]])
        .sort(),
    ).toEqual([
      ["a", "u1"],
      ["b", "u2"],
      ["other", "other"],
      ["other", "u1"],
    ]);
    await meterProvider.shutdown();
  });
});
