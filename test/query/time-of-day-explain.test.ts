// A call in DeepSeek's peak hours keeps the peak rates with its event: the explanation names the
// window and adds up to the stored cost (twice the off-peak call's), on both engines, and after a
// reprice; `pricing estimate --at` prints the window.
import { afterAll, beforeAll, expect, it } from "vitest";
import { costExplanationTable } from "../../src/cli/cost-explanation-table.js";
import { createPricing } from "../../src/pricing/index.js";
import { explainEventCost, repriceEvents } from "../../src/query/index.js";
import { keptRatesOf } from "../../src/query/kept-rates-record.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/index.js";
import { createCostTracker } from "../../src/tracker/index.js";
import { runLedger } from "../support/cli.js";
import { describeEachEngine } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

const call = {
  repo: "peak",
  taskType: "t",
  model: "deepseek-flash",
  provider: "deepseek",
  inputTokens: 1_000_000,
  outputTokens: 1_000_000,
  cacheReadTokens: 1_000_000,
};
const WINDOW = "peak, weekdays 01:00-04:00 UTC";

describeEachEngine("time-of-day explanations", (context) => {
  let store: TelemetryStore;
  const query = () => ({ database: context.database(), schema: context.schema });

  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });
  afterAll(() => store.close());

  it("keeps the peak rates of a Tuesday 02:30 call and names the window; 05:00 is off-peak", async () => {
    const pricing = createPricing();
    const tracker = createCostTracker({ sink: store, pricing, logger: silentLogger });
    const results = await Promise.all(
      ["2026-12-01T02:30:00Z", "2026-12-01T05:00:00Z"].map((createdAt) =>
        tracker.track({ ...call, createdAt }),
      ),
    );
    await tracker.close();
    for (const result of results) expect(result.outcome, result.reason).toBe("stored");
    const [peak, offPeak] = await Promise.all(
      results.map(async (result) => (await explainEventCost(query(), result.eventId))!),
    );
    expect(peak).toMatchObject({ basis: "rates", addsUp: true, storedCostUsd: "1.506", timeOfDay: WINDOW });
    expect(offPeak).toMatchObject({ basis: "rates", addsUp: true, storedCostUsd: "0.753", timeOfDay: null });
    expect(peak!.buckets.map((line) => [line.bucket, line.price, line.amountUsd])).toEqual([
      ["input", "0.3", "0.3"],
      ["output", "1.2", "1.2"],
      ["cache_read", "0.006", "0.006"],
      ["cache_write", "0.3", "0"],
      ["cache_write_1h", "0.3", "0"],
    ]);
    expect(costExplanationTable(peak!)).toContain(`window   ${WINDOW}\n`);
    expect(costExplanationTable(offPeak!)).not.toContain("window");
  });

  it("reprices a peak-hour call stored at the flat off-peak price to the peak rates, and it adds up", async () => {
    // The catalog before windows: deepseek-flash at its off-peak prices at every hour.
    const flat = createPricing({
      overrides: {
        models: [
          {
            provider: "deepseek",
            id: "deepseek-flash",
            prices: [{ input: "0.15", output: "0.6", cache_read: "0.003" }],
          },
        ],
      },
    });
    const tracker = createCostTracker({ sink: store, pricing: flat, logger: silentLogger });
    const result = await tracker.track({ ...call, repo: "reprice", createdAt: "2026-12-02T03:59:59.999Z" });
    await tracker.close();
    expect((await explainEventCost(query(), result.eventId))!).toMatchObject({
      storedCostUsd: "0.753",
      timeOfDay: null,
    });
    await repriceEvents(query(), createPricing());
    expect((await explainEventCost(query(), result.eventId))!).toMatchObject({
      basis: "rates",
      addsUp: true,
      storedCostUsd: "1.506",
      timeOfDay: WINDOW,
    });
  });
});

it("`pricing estimate --at` prints the window and the peak figure", async () => {
  const args = ["pricing", "estimate", "--model", "deepseek-v4-pro", "--input", "1000000", "--output", "0"];
  const peak = await runLedger([...args, "--at", "2026-12-01T07:00:00Z"]);
  expect(peak.exitCode, peak.stderr).toBe(0);
  expect(peak.stdout).toContain("window   peak, weekdays 06:00-10:00 UTC\n");
  expect(peak.stdout).toMatch(/total\s+1000000\s+1\.32/);
  const offPeak = await runLedger([...args, "--at", "2026-12-05T07:00:00Z", "--format", "json"]);
  expect(JSON.parse(offPeak.stdout)).toMatchObject({ costUsd: "0.66" });
  expect(JSON.parse(offPeak.stdout)).not.toHaveProperty("timeOfDay");
  // `pricing show` lists each window under the period it belongs to.
  const show = await runLedger(["pricing", "show", "deepseek-v4-pro"]);
  expect(show.stdout).toMatch(/2026-08-17 +base +0\.66 +1\.98 +0\.022/);
  expect(show.stdout).toMatch(/2026-08-17 +peak, weekdays 06:00-10:00 UTC +1\.32 +3\.96 +0\.044/);
});

it("reads a kept window back, and calls a rate set with a window of another shape unreadable", () => {
  const estimate = createPricing().estimateCost({
    model: call.model,
    provider: call.provider,
    usage: { inputTokens: 10, outputTokens: 10 },
    at: "2026-12-01T02:30:00Z",
  });
  if (!estimate.priced) throw new Error(estimate.reason);
  const stored = JSON.parse(JSON.stringify(estimate.rates)) as Record<string, unknown>;
  expect(keptRatesOf(stored)?.timeOfDay?.label).toBe(WINDOW);
  expect(keptRatesOf({ ...stored, timeOfDay: "peak" })).toBeUndefined();
  expect(
    keptRatesOf({ ...stored, timeOfDay: { ...(stored.timeOfDay as object), label: 7 } }),
  ).toBeUndefined();
});
