// The sink option under its new name `sink` and its original one `telemetryStore`.
import { beforeAll, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { createCostTracker, type CostTrackerOptions } from "../../src/tracker/cost-tracker.js";
import { describeEachEngine } from "../support/databases.js";
import { memorySink } from "./memory-sink.js";
import { memoryLogger } from "../support/loggers.js";
import { aiCall } from "../support/records.js";

describeEachEngine("the tracker's sink option", (context) => {
  let store: TelemetryStore;
  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });

  it("writes through `sink`, through `telemetryStore`, and through both when they name the same sink", async () => {
    for (const option of [
      { sink: store },
      { telemetryStore: store },
      { sink: store, telemetryStore: store },
    ]) {
      const tracker = createCostTracker({ ...option, spoolDir: false, logger: memoryLogger() });
      const result = await tracker.trackAiSdkCall(aiCall());
      await tracker.close();
      expect(result.outcome).toBe("stored");
      expect(await store.getLlmCosts([result.eventId])).toHaveLength(1);
    }
  });

  it("refuses two different sinks, or none, with a precise error", () => {
    const refusals: unknown[] = [];
    for (const options of [
      { sink: store, telemetryStore: memorySink() },
      {} as CostTrackerOptions,
      { sink: {} } as unknown as CostTrackerOptions,
    ]) {
      try {
        createCostTracker({ ...options, spoolDir: false });
      } catch (error) {
        refusals.push(error);
      }
    }
    expect(refusals).toHaveLength(3);
    expect(refusals.every((error) => isLedgerError(error, "E_OPTIONS"))).toBe(true);
    expect((refusals[0] as Error).message).toContain("`sink` and `telemetryStore` name two different sinks");
    expect((refusals[1] as Error).message).toContain("`sink` (or its original name `telemetryStore`)");
  });
});
