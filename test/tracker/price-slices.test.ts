// A batch is priced a slice at a time with an event-loop turn between slices, so a large batch (or
// a spill of the whole queue) never holds the event loop for its whole length.
import { beforeAll, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { createCostTracker } from "../../src/tracker/cost-tracker.js";
import type { TrackerPricing } from "../../src/events/index.js";
import { describeEachEngine } from "../support/databases.js";
import { memoryLogger } from "../support/loggers.js";
import { aiCall } from "../support/records.js";

/** The built-in pricing, counting how many events it prices without the event loop turning. */
function watchedPricing() {
  const real = createPricing();
  let sinceTurn = 0;
  let longestRun = 0;
  let calls = 0;
  let watching = true;
  const turn = () => {
    sinceTurn = 0;
    if (watching) setImmediate(turn);
  };
  setImmediate(turn);
  const pricing: TrackerPricing = {
    version: real.version,
    extractProvider: (model) => real.extractProvider(model),
    estimateCost(input) {
      calls++;
      longestRun = Math.max(longestRun, ++sinceTurn);
      return real.estimateCost(input);
    },
  };
  return {
    pricing,
    stop: () => (watching = false),
    get longestRun() {
      return longestRun;
    },
    get calls() {
      return calls;
    },
  };
}

describeEachEngine("tracker pricing in slices", (context) => {
  let store: TelemetryStore;
  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });

  it("prices a 2,000-event batch in slices of at most 250 events per event-loop turn, writing every one", async () => {
    const watch = watchedPricing();
    const tracker = createCostTracker({
      telemetryStore: store,
      closeSink: false,
      logger: memoryLogger(),
      pricing: watch.pricing,
      spoolDir: false,
      batchSize: 2_000,
      flushIntervalMs: 60_000,
    });
    const results = Array.from({ length: 2_000 }, (_, index) =>
      tracker.trackAiSdkCall(aiCall({ inputTokens: 1_000 + index })),
    );
    await tracker.flush();
    watch.stop();
    const outcomes = await Promise.all(results);
    expect(outcomes.filter((result) => result.outcome === "stored")).toHaveLength(2_000);
    expect(watch.calls).toBe(2_000);
    expect(watch.longestRun).toBeGreaterThan(0);
    expect(watch.longestRun).toBeLessThanOrEqual(250);
    await tracker.close();
  });

  it("still settles a repeated event id in a batch as a duplicate across slices", async () => {
    const tracker = createCostTracker({
      telemetryStore: store,
      closeSink: false,
      logger: memoryLogger(),
      spoolDir: false,
      batchSize: 600,
      flushIntervalMs: 60_000,
    });
    const eventId = "5b0c6f0e-8a51-4f7e-9a55-7d4f1f0b9a01";
    const first = tracker.trackAiSdkCall(aiCall({ eventId }));
    const fillers = Array.from({ length: 400 }, () => tracker.trackAiSdkCall(aiCall()));
    const repeated = tracker.trackAiSdkCall(aiCall({ eventId }));
    await tracker.flush();
    expect((await first).outcome).toBe("stored");
    expect((await repeated).outcome).toBe("duplicate");
    expect((await Promise.all(fillers)).every((result) => result.outcome === "stored")).toBe(true);
    await tracker.close();
  });
});
