// Issue #17: reports group and filter by the service tier that served each call. The rollups do not
// carry the tier yet (migration 0009 added it to the events), so it is read from the raw events, as
// users and sessions are; the other dimensions keep their rollups.
import { beforeAll, beforeEach, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { listEvents, queryCosts, repriceEvents } from "../../src/query/index.js";
import { migrateUp } from "../../src/store/migrator.js";
import { describeEachEngine } from "../support/databases.js";
import { insertEvents, testEvent } from "./support/cost-events.js";
import { emptyTables } from "./support/rollup-drift.js";

describeEachEngine("the serviceTier dimension", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
  });

  it("groups and filters by tier from raw events, a call without one under null", async () => {
    await insertEvents(context.database(), context.schema, [
      testEvent({ serviceTier: "batch", estimatedCostUsd: "1", webSearchRequests: 3 }),
      testEvent({ serviceTier: "batch", estimatedCostUsd: "2" }),
      testEvent({ serviceTier: "priority", estimatedCostUsd: "4" }),
      testEvent({ estimatedCostUsd: "8" }),
    ]);
    const byTier = await queryCosts(store(), { groupBy: ["serviceTier"], orderBy: "costUsd:asc" });
    expect(byTier.source).toBe("raw");
    expect(byTier.rows.map((row) => [row.serviceTier, row.costUsd, row.events])).toEqual([
      ["batch", "3", 2],
      ["priority", "4", 1],
      [null, "8", 1],
    ]);
    const batch = await queryCosts(store(), { filters: { serviceTier: ["batch"] } });
    expect(batch.totals.costUsd).toBe("3");
    const page = await listEvents(store(), { filters: { serviceTier: ["batch"] } });
    expect(page.events.map((event) => [event.serviceTier, event.webSearchRequests]).sort()).toEqual([
      ["batch", 0],
      ["batch", 3],
    ]);
  });

  it("reprices an event at its own tier and with its fees, and flags a tier without a price", async () => {
    await insertEvents(context.database(), context.schema, [
      // Claude Sonnet 4.5 at batch (half of $3 / $15 per million) with 2 searches at $0.01:
      // 100k × 1.5 + 10k × 7.5, per million, + 0.02 = 0.15 + 0.075 + 0.02.
      testEvent({
        serviceTier: "batch",
        webSearchRequests: 2,
        inputTokens: 100_000,
        outputTokens: 10_000,
        estimatedCostUsd: "9",
      }),
      testEvent({ serviceTier: "priority", estimatedCostUsd: "9" }),
    ]);
    const result = await repriceEvents(store(), createPricing());
    expect(result).toMatchObject({ examined: 2, updated: 2, unpriced: 1, failed: 0 });
    const { events } = await listEvents(store(), {});
    const batch = events.find((event) => event.serviceTier === "batch");
    const priority = events.find((event) => event.serviceTier === "priority");
    expect(Number(batch?.estimatedCostUsd)).toBe(0.245);
    expect(priority).toMatchObject({ priced: false, costSource: "none" });
    expect(Number(priority?.estimatedCostUsd)).toBe(0);
  });

  it("refuses a tier the column cannot hold, and a negative count, naming the row", async () => {
    for (const bad of [{ serviceTier: "Flex Tier" }, { webSearchRequests: -1 }]) {
      await expect(insertEvents(context.database(), context.schema, [testEvent(bad)])).rejects.toThrow(
        "test events refused",
      );
    }
  });
});
