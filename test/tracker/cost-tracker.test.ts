import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { createCostTracker } from "../../src/tracker/cost-tracker.js";
import { describeEachEngine } from "../support/databases.js";
import { memoryLogger } from "../support/loggers.js";
import { aiCall } from "../support/records.js";

const pricing = createPricing();

describeEachEngine("cost tracker", (context) => {
  let store: TelemetryStore;
  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });
  const newTracker = (extra: Partial<Parameters<typeof createCostTracker>[0]> = {}) => {
    const logger = memoryLogger();
    const tracker = createCostTracker({
      telemetryStore: store,
      logger,
      spoolDir: false,
      closeSink: false,
      flushIntervalMs: 20,
      ...extra,
    });
    return { tracker, logger };
  };

  it("writes an AI SDK call priced by the catalog, stamped at the time of the call", async () => {
    const { tracker } = newTracker();
    const before = Date.now();
    const result = await tracker.trackAiSdkCall(
      aiCall({ cacheReadTokens: 500, deliveryId: "d-1", metadata: { feature: "search" } }),
    );
    expect(result.outcome).toBe("stored");
    const [row] = await store.getLlmCosts([result.eventId]);
    const expected = pricing.estimateCost({
      model: "claude-sonnet-4-5",
      provider: "anthropic",
      usage: { inputTokens: 1000, outputTokens: 200, cacheReadTokens: 500 },
    });
    expect(expected.priced).toBe(true);
    expect(Number(row!.estimatedCostUsd)).toBe(Number(expected.costUsd));
    expect(row).toMatchObject({
      sdk: "ai",
      provider: "anthropic",
      resolvedModel: "claude-sonnet-4-5",
      costSource: "catalog",
      priced: true,
      providerCostUsd: null,
      deliveryId: "d-1",
      durationMs: 850,
      metadata: { feature: "search" },
      pricingVersion: pricing.version,
    });
    expect(Date.parse(row!.createdAt)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(row!.createdAt)).toBeLessThanOrEqual(Date.now());
    await tracker.close();
  });

  it("records an unknown model unpriced at cost 0 and warns once per model, not per event", async () => {
    const { tracker, logger } = newTracker();
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        tracker.trackAiSdkCall(aiCall({ model: "mystery-model-9", provider: "acme" })),
      ),
    );
    await tracker.trackAiSdkCall(aiCall({ model: "mystery-model-10", provider: "acme" }));
    expect(results.every((result) => result.outcome === "stored")).toBe(true);
    const rows = await store.getLlmCosts(results.map((result) => result.eventId));
    expect(
      rows.every((row) => !row.priced && Number(row.estimatedCostUsd) === 0 && row.costSource === "none"),
    ).toBe(true);
    const warnings = logger.entries.filter((entry) => entry.message.includes("no price for model"));
    expect(warnings.map((entry) => entry.fields.model)).toEqual(["mystery-model-9", "mystery-model-10"]);
    expect(tracker.stats().unpriced).toBe(6);
    await tracker.close();
  });

  describe("agent SDK cost rules", () => {
    it("keeps the SDK's figure as provider cost and leads with the catalog when the model is priced", async () => {
      const { tracker } = newTracker();
      const { eventId } = await tracker.trackAgentSdkCall({
        repo: "acme/api",
        taskType: "agent",
        model: "claude-sonnet-4-5",
        inputTokens: 1000,
        outputTokens: 200,
        durationMs: 5000,
        costUsd: 0.5,
      });
      const [row] = await store.getLlmCosts([eventId]);
      expect(row).toMatchObject({ sdk: "agent", provider: "anthropic", costSource: "catalog", priced: true });
      expect(row!.providerCostUsd).toBe("0.500000000000");
      expect(Number(row!.estimatedCostUsd)).toBeCloseTo(0.006, 12);
      await tracker.close();
    });

    it("uses the SDK's figure when the model is unpriced, and always with agentCost 'sdk'", async () => {
      const { tracker } = newTracker();
      const unpriced = await tracker.trackAgentSdkCall({
        repo: "acme/api",
        taskType: "agent",
        model: "mystery-agent-model",
        inputTokens: 10,
        outputTokens: 10,
        durationMs: 1,
        costUsd: "0.25",
      });
      const sdkTracker = newTracker({ agentCost: "sdk" }).tracker;
      const sdkLeads = await sdkTracker.trackAgentSdkCall({
        repo: "acme/api",
        taskType: "agent",
        model: "claude-sonnet-4-5",
        inputTokens: 1000,
        outputTokens: 200,
        durationMs: 1,
        costUsd: 0.5,
      });
      const rows = await store.getLlmCosts([unpriced.eventId, sdkLeads.eventId]);
      const byId = new Map(rows.map((row) => [row.eventId, row]));
      expect(byId.get(unpriced.eventId)).toMatchObject({
        priced: false,
        costSource: "provider",
        estimatedCostUsd: "0.250000000000",
        providerCostUsd: "0.250000000000",
      });
      expect(byId.get(sdkLeads.eventId)).toMatchObject({
        priced: true,
        costSource: "provider",
        estimatedCostUsd: "0.500000000000",
        providerCostUsd: "0.500000000000",
      });
      await tracker.close();
      await sdkTracker.close();
    });
  });

  it("tracks usage objects and general inputs, with provider from the model", async () => {
    const { tracker } = newTracker();
    const usage = await tracker.trackUsage({
      model: "gpt-4o-mini",
      repo: "acme/api",
      taskType: "summarise",
      usage: { inputTokens: 100, outputTokens: 50, reasoningTokens: 10 },
      traceId: "trace-1",
    });
    const general = await tracker.track({
      repo: "acme/api",
      taskType: "summarise",
      model: "gpt-4o-mini",
      inputTokens: 1,
      outputTokens: 1,
      sdk: "http",
      createdAt: "2025-01-02T03:04:05.678Z",
    });
    const rows = await store.getLlmCosts([usage.eventId, general.eventId]);
    const byId = new Map(rows.map((row) => [row.eventId, row]));
    expect(byId.get(usage.eventId)).toMatchObject({
      sdk: "raw",
      provider: "openai",
      reasoningTokens: 10,
      traceId: "trace-1",
    });
    expect(byId.get(general.eventId)).toMatchObject({ sdk: "http", createdAt: "2025-01-02T03:04:05.678Z" });
    await tracker.close();
  });

  it("answers a repeated eventId with 'duplicate', in one batch and across batches", async () => {
    const { tracker } = newTracker();
    const eventId = randomUUID();
    const [first, second] = await Promise.all([
      tracker.trackAiSdkCall(aiCall({ eventId })),
      tracker.trackAiSdkCall(aiCall({ eventId })),
    ]);
    const third = await tracker.trackAiSdkCall(aiCall({ eventId: eventId.toUpperCase() }));
    expect([first.outcome, second.outcome, third.outcome]).toEqual(["stored", "duplicate", "duplicate"]);
    expect(await store.getLlmCosts([eventId])).toHaveLength(1);
    await tracker.close();
  });

  it("rejects bad input at once with a reason, counts and logs it, and never throws", async () => {
    const { tracker, logger } = newTracker();
    const cases: [unknown, string][] = [
      [aiCall({ repo: "" }), "repo"],
      [aiCall({ inputTokens: -1 }), "inputTokens"],
      [aiCall({ outputTokens: Number.NaN }), "outputTokens"],
      [aiCall({ inputTokens: 1.5 }), "whole number"],
      [aiCall({ inputTokens: 2e9 }), "at most"],
      [aiCall({ durationMs: -3 }), "durationMs"],
      [aiCall({ createdAt: "not a date" }), "createdAt"],
      [aiCall({ model: 42 as unknown as string }), "model"],
      [aiCall({ reasoningTokens: 500 }), "reasoningTokens"],
      [aiCall({ eventId: "nope" }), "eventId"],
      [
        JSON.parse(
          `{"repo":"a","taskType":"b","model":"m","inputTokens":1,"outputTokens":1,"__proto__":{"polluted":true}}`,
        ),
        "pollution",
      ],
      [
        aiCall({ metadata: JSON.parse(`{"a":{"__proto__":{"polluted":true}}}`) as Record<string, unknown> }),
        "pollution",
      ],
      [aiCall({ metadata: { constructor: { prototype: { polluted: true } } } }), "pollution"],
      [null, "object"],
      ["string", "object"],
      [[1, 2], "object"],
    ];
    for (const [input, expected] of cases) {
      const result = await tracker.trackAiSdkCall(input as never);
      expect(result.outcome, JSON.stringify(input)).toBe("rejected");
      expect(result.reason).toContain(expected);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(tracker.stats().rejected).toBe(cases.length);
    expect(logger.entries.filter((entry) => entry.message.includes("rejected"))).toHaveLength(cases.length);
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("trap");
        },
      },
    );
    expect((await tracker.track(hostile as never)).outcome).toBe("rejected");
    await tracker.close();
  });

  it("closes once: close() is idempotent, flushes what was queued, and drops what comes after", async () => {
    const { tracker, logger } = newTracker({ flushIntervalMs: 60_000 });
    const pending = Array.from({ length: 30 }, () => tracker.trackAiSdkCall(aiCall()));
    const first = tracker.close();
    expect(tracker.close()).toBe(first);
    await first;
    await tracker.close();
    const results = await Promise.all(pending);
    expect(results.every((result) => result.outcome === "stored")).toBe(true);
    const late = await tracker.trackAiSdkCall(aiCall());
    expect(late).toMatchObject({ outcome: "dropped", reason: "the tracker is closed" });
    expect(logger.entries.some((entry) => entry.level === "error" && entry.message.includes("DROPPED"))).toBe(
      true,
    );
    expect(tracker.stats()).toMatchObject({ accepted: 30, written: 30, dropped: 1, pending: 0 });
  });

  it("drops beyond maxQueue with the spool off, counted and logged, never silently", async () => {
    const { tracker, logger } = newTracker({ maxQueue: 10, batchSize: 1000, flushIntervalMs: 60_000 });
    const pending = Array.from({ length: 15 }, () => tracker.trackAiSdkCall(aiCall()));
    await tracker.close();
    const results = await Promise.all(pending);
    const outcomes = results.map((result) => result.outcome);
    expect(outcomes.filter((outcome) => outcome === "stored")).toHaveLength(10);
    expect(outcomes.filter((outcome) => outcome === "dropped")).toHaveLength(5);
    expect(tracker.stats().dropped).toBe(5);
    expect(logger.entries.filter((entry) => entry.message.includes("DROPPED"))).toHaveLength(5);
  });

  it("writes batches of the sink's preferredBatchSize by default, never above its maxBatchSize", async () => {
    const batches: number[][] = [];
    const sinkWith = (sizes: { preferredBatchSize?: number; maxBatchSize?: number }) => ({
      ...sizes,
      close: async () => {},
      recordLlmCosts: (records: Parameters<TelemetryStore["recordLlmCosts"]>[0]) => {
        batches.at(-1)!.push(records.length);
        return store.recordLlmCosts(records);
      },
    });
    for (const [sizes, options] of [
      [{ preferredBatchSize: 3 }, {}],
      [{ preferredBatchSize: 3, maxBatchSize: 2 }, {}],
      [{ preferredBatchSize: 3 }, { batchSize: 4 }],
      [{}, {}],
    ] as const) {
      batches.push([]);
      const { tracker } = newTracker({
        telemetryStore: sinkWith(sizes),
        flushIntervalMs: 60_000,
        ...options,
      });
      const pending = Promise.all(Array.from({ length: 7 }, () => tracker.trackAiSdkCall(aiCall())));
      await tracker.close();
      const results = await pending;
      expect(results.every((result) => result.outcome === "stored")).toBe(true);
    }
    expect(batches).toEqual([[3, 3, 1], [2, 2, 2, 1], [4, 3], [7]]);
  });

  it("isolates a record the store refuses without losing its neighbours", async () => {
    let calls = 0;
    const sink = {
      maxBatchSize: store.maxBatchSize,
      close: async () => {},
      recordLlmCosts: (records: Parameters<TelemetryStore["recordLlmCosts"]>[0]) => {
        calls++;
        // Smuggle a bad row past validation, as a buggy sink or a future column might.
        return store.recordLlmCosts(
          records.map((record) => (record.repo === "poison" ? { ...record, inputTokens: -5 } : record)),
        );
      },
    };
    const { tracker } = newTracker({ telemetryStore: sink, batchSize: 8, flushIntervalMs: 60_000 });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        tracker.trackAiSdkCall(aiCall({ repo: index === 5 ? "poison" : "ok" })),
      ),
    );
    expect(results.map((result) => result.outcome)).toEqual([
      "stored",
      "stored",
      "stored",
      "stored",
      "stored",
      "rejected",
      "stored",
      "stored",
    ]);
    expect(results[5]!.reason).toContain("refused by the store");
    // Isolated by the store (it lists the row in `rejected`) or by the tracker's split: either way written.
    expect(calls).toBeGreaterThanOrEqual(1);
    await tracker.close();
  });
});
