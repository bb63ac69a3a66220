import { beforeAll, expect, it } from "vitest";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { createCostTracker } from "../../src/tracker/cost-tracker.js";
import type { TrackResult } from "../../src/tracker/track-types.js";
import { describeEachEngine } from "../support/databases.js";
import { aiCall, memoryLogger } from "./support.js";

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const badValues: Record<string, unknown[]> = {
  repo: ["", "   ", 7, null, {}, "a\u0000b", "x".repeat(600)],
  taskType: [undefined, false, ""],
  model: [undefined, 0, []],
  inputTokens: [-1, 1.5, Number.NaN, Infinity, 2e9, "100", null, undefined],
  outputTokens: [-5, 0.1, "1", undefined],
  cacheReadTokens: [-1, 3.3, "2"],
  durationMs: [-1, Number.NaN, "5", 3e9],
  createdAt: ["yesterday", 12345, new Date(Number.NaN), "+275760-01-01T00:00:00Z"],
  eventId: ["not-a-uuid", 42],
  usedFallback: ["yes", 1],
  metadata: [
    [1, 2],
    "text",
    { deep: { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } } },
    { fn: () => 1 },
    { n: Number.NaN },
    JSON.parse(`{"__proto__":1}`) as unknown,
  ],
  costUsd: [-1, "1e3", "abc", Infinity],
  reasoningTokens: [999_999],
};

describeEachEngine("tracker fuzz", (context) => {
  let store: TelemetryStore;
  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });

  it("never throws on 10,000 generated inputs: rejects every bad one with a reason, writes every good one", async () => {
    const next = random(20_250_601);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const tracker = createCostTracker({
      telemetryStore: store,
      closeSink: false,
      spoolDir: false,
      logger: memoryLogger(),
      flushIntervalMs: 5,
    });
    const good: Promise<TrackResult>[] = [];
    const bad: Promise<TrackResult>[] = [];
    for (let index = 0; index < 10_000; index++) {
      const input: Record<string, unknown> = {
        ...aiCall({
          inputTokens: Math.floor(next() * 100_000),
          outputTokens: Math.floor(next() * 5_000),
          model: pick(["claude-sonnet-4-5", "gpt-4o-mini", "gemini-2.5-flash", "unknown-model-x"]),
          metadata: next() < 0.3 ? { round: index, tags: ["a", "b"] } : undefined,
          error: next() < 0.1 ? "bad\u0000bytes\tand tabs" : undefined,
        }),
      };
      const agent = next() < 0.3;
      if (next() < 0.5) {
        const field = pick(Object.keys(badValues));
        input[field] = pick(badValues[field]!);
        if (field === "costUsd" && !agent) input.providerCostUsd = input.costUsd;
        bad.push(agent ? tracker.trackAgentSdkCall(input as never) : tracker.trackAiSdkCall(input as never));
      } else {
        good.push(agent ? tracker.trackAgentSdkCall(input as never) : tracker.trackAiSdkCall(input as never));
      }
    }
    const badResults = await Promise.all(bad);
    const goodResults = await Promise.all(good);
    await tracker.close();
    for (const result of badResults) {
      expect(result.outcome).toBe("rejected");
      expect(result.reason).toBeTruthy();
    }
    expect(goodResults.every((result) => result.outcome === "stored")).toBe(true);
    const [row] = await store.database.query<{ events: string }>(
      `SELECT count(*) AS events FROM "${context.schema}".llm_cost_events WHERE event_id = ANY($1::uuid[])`,
      [goodResults.map((result) => result.eventId)],
    );
    expect(row?.events).toBe(String(goodResults.length));
    expect(tracker.stats()).toMatchObject({ rejected: bad.length, written: good.length, dropped: 0 });
  });
});
