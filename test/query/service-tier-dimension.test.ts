// Issue #17: reports group and filter by the service tier that served each call. Since migration 0012
// the tier is a key column of the full rollups and a dimension of the one-dimension rollup, so reports
// by tier read rollups (exactly equal to raw events) like the other rolled-up dimensions.
import { beforeAll, beforeEach, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { listEvents, queryCosts, repriceEvents, type QueryCostsOptions } from "../../src/query/index.js";
import { queryCostsUsing } from "../../src/query/query-costs.js";
import { migrateUp } from "../../src/store/migrator.js";
import { describeEachEngine } from "../support/databases.js";
import { insertEvents, testEvent } from "./support/cost-events.js";
import { emptyTables, rollupDrift } from "./support/rollup-drift.js";

describeEachEngine("the serviceTier dimension", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
  });

  /** The automatic answer, checked equal to the raw events' answer. */
  async function equalToRaw(options: QueryCostsOptions) {
    const automatic = await queryCosts(store(), options);
    const raw = await queryCostsUsing(store(), options, "raw");
    expect(automatic.rows, JSON.stringify(options)).toEqual(raw.rows);
    expect(automatic.totals, JSON.stringify(options)).toEqual(raw.totals);
    return automatic;
  }

  const tierRows = () =>
    context.database().query<{ span: string; value: string | null; events: string; cost: string }>(
      `SELECT span, value, events::text, estimated_cost_usd::text AS cost
         FROM "${context.schema}".llm_cost_rollup_by_dimension WHERE dimension = 'serviceTier'
        ORDER BY span, value NULLS LAST`,
    );

  it("groups and filters by tier from the rollups, a call without one under null", async () => {
    await insertEvents(context.database(), context.schema, [
      testEvent({ serviceTier: "batch", estimatedCostUsd: "1", webSearchRequests: 3 }),
      testEvent({ serviceTier: "batch", estimatedCostUsd: "2" }),
      testEvent({ serviceTier: "priority", estimatedCostUsd: "4" }),
      testEvent({ estimatedCostUsd: "8" }),
    ]);
    const byTier = await equalToRaw({ groupBy: ["serviceTier"], orderBy: "costUsd:asc" });
    expect(byTier.source).toBe("rollup");
    expect(byTier.rows.map((row) => [row.serviceTier, row.costUsd, row.events])).toEqual([
      ["batch", "3", 2],
      ["priority", "4", 1],
      [null, "8", 1],
    ]);
    // The one-dimension rollup's tier rows (the events are of 2024: closed days and weeks, so those too).
    expect(await tierRows()).toEqual([
      { span: "day", value: "batch", events: "2", cost: "3.000000000000" },
      { span: "day", value: "priority", events: "1", cost: "4.000000000000" },
      { span: "day", value: null, events: "1", cost: "8.000000000000" },
      { span: "hour", value: "batch", events: "2", cost: "3.000000000000" },
      { span: "hour", value: "priority", events: "1", cost: "4.000000000000" },
      { span: "hour", value: null, events: "1", cost: "8.000000000000" },
      { span: "week", value: "batch", events: "2", cost: "3.000000000000" },
      { span: "week", value: "priority", events: "1", cost: "4.000000000000" },
      { span: "week", value: null, events: "1", cost: "8.000000000000" },
    ]);
    const batch = await equalToRaw({ filters: { serviceTier: ["batch"] } });
    expect(batch.source).toBe("rollup");
    expect(batch.totals.costUsd).toBe("3");
    const none = await equalToRaw({ filters: { serviceTier: [null] }, groupBy: ["serviceTier"] });
    expect(none.rows.map((row) => [row.serviceTier, row.costUsd])).toEqual([[null, "8"]]);
    const page = await listEvents(store(), { filters: { serviceTier: ["batch"] } });
    expect(page.events.map((event) => [event.serviceTier, event.webSearchRequests]).sort()).toEqual([
      ["batch", 0],
      ["batch", 3],
    ]);
  });

  it("reads tier beside other dimensions and flags from the full rollups, and unknown tiers as they came", async () => {
    const now = Date.now();
    const today = Math.floor(now / 86_400_000) * 86_400_000;
    await insertEvents(context.database(), context.schema, [
      // A closed day and today (the open hours), across hours and models.
      testEvent({ createdAt: new Date(today - 86_400_000 + 3_600_000), serviceTier: "batch" }),
      testEvent({
        createdAt: new Date(today - 86_400_000 + 3_600_000),
        serviceTier: "flex",
        usedFallback: true,
      }),
      testEvent({
        createdAt: new Date(now - 1000),
        serviceTier: "batch",
        model: "gpt-4o",
        provider: "openai",
      }),
      testEvent({
        createdAt: new Date(now - 1000),
        serviceTier: "scale",
        resolvedModel: null,
        priced: false,
      }),
      testEvent({ createdAt: new Date(now - 1000), error: "timeout" }),
    ]);
    const reports: QueryCostsOptions[] = [
      { groupBy: ["model", "serviceTier"], grain: "day" },
      { groupBy: ["serviceTier", "environment"], filters: { usedFallback: false } },
      { groupBy: ["sdk"], filters: { serviceTier: ["batch", "scale", null], error: false } },
      { groupBy: ["serviceTier"], grain: "hour", timeZone: "Asia/Kolkata" },
      { groupBy: ["serviceTier"], from: new Date(today - 86_400_000 + 1800_000), grain: "day" },
    ];
    for (const options of reports) {
      const answer = await equalToRaw(options);
      // Kolkata's half-hour offset and a range starting mid-hour take raw events, in part or whole.
      expect(answer.source, JSON.stringify(options)).toBe(
        options.timeZone ? "raw" : options.from ? "mixed" : "rollup",
      );
    }
    const byTier = await equalToRaw({ groupBy: ["serviceTier"], orderBy: "serviceTier:asc" });
    expect(byTier.rows.map((row) => [row.serviceTier, row.events, row.fallbacks, row.unpriced])).toEqual([
      ["batch", 2, 0, 0],
      ["flex", 1, 1, 0],
      ["scale", 1, 0, 1],
      [null, 1, 0, 0],
    ]);
  });

  it("moves an event's figures within its tier when a reprice changes them", async () => {
    await insertEvents(context.database(), context.schema, [
      testEvent({ serviceTier: "batch", inputTokens: 100_000, outputTokens: 10_000, estimatedCostUsd: "9" }),
      testEvent({ serviceTier: "priority", estimatedCostUsd: "9" }),
      testEvent({ estimatedCostUsd: "9" }),
    ]);
    await repriceEvents(store(), createPricing());
    expect(await rollupDrift(context.database(), context.schema)).toBe(0);
    const byTier = await equalToRaw({ groupBy: ["serviceTier", "model"], grain: "day" });
    expect(byTier.source).toBe("rollup");
    // Anthropic sells no priority tier by the token: that event is unpriced now, under its own tier.
    const priority = await equalToRaw({ filters: { serviceTier: ["priority"] } });
    expect(priority.totals).toMatchObject({ costUsd: "0", unpriced: 1, events: 1 });
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
