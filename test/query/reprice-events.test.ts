import { beforeAll, beforeEach, expect, it } from "vitest";
import { estimateCost } from "../../src/pricing/index.js";
import { queryCosts, repriceEvents } from "../../src/query/index.js";
import { migrateUp } from "../../src/store/migrator.js";
import { describeEachEngine } from "../support/databases.js";
import { insertEvents, randomEvents, seededRandom, testEvent } from "./support/cost-events.js";
import { emptyTables, rollupDrift } from "./support/rollup-drift.js";

describeEachEngine("repriceEvents", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });
  const pricing = { estimateCost };

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
  });

  async function stored() {
    const rows = await context.database().query<Record<string, unknown>>(
      `SELECT repo, estimated_cost_usd::text AS cost, provider_cost_usd::text AS provider_cost, priced,
              cost_source, resolved_model, pricing_version
         FROM "${context.schema}".llm_cost_events ORDER BY repo`,
    );
    return Object.fromEntries(rows.map((row) => [String(row.repo), row])) as Record<
      string,
      Record<string, unknown>
    >;
  }

  it("reprices with the catalog, never touches provider costs, and keeps the rollups exact", async () => {
    const usage = { inputTokens: 1000, outputTokens: 200 };
    const expected = estimateCost({ model: "claude-sonnet-4-5-20250929", provider: "anthropic", usage });
    if (!expected.priced) throw new Error("the catalog should price claude-sonnet-4-5");
    await insertEvents(context.database(), context.schema, [
      // Recorded with a wrong price.
      testEvent({ repo: "a-wrong", estimatedCostUsd: "999" }),
      // Recorded before the catalog knew the model; the SDK had reported a cost.
      testEvent({
        repo: "b-was-unpriced",
        resolvedModel: null,
        priced: false,
        estimatedCostUsd: "0.5",
        providerCostUsd: "0.5",
        costSource: "provider",
        sdk: "agent",
      }),
      // The tracker's agentCost: 'sdk': the provider's figure on purpose.
      testEvent({
        repo: "c-sdk-chosen",
        estimatedCostUsd: "0.7",
        providerCostUsd: "0.7",
        costSource: "provider",
      }),
      // Still unknown to the catalog.
      testEvent({
        repo: "d-unknown",
        model: "mystery",
        resolvedModel: null,
        priced: false,
        estimatedCostUsd: "0",
        costSource: "none",
      }),
      testEvent({
        repo: "e-right",
        estimatedCostUsd: expected.costUsd,
        createdAt: new Date("2024-01-01T00:00:00Z"),
      }),
    ]);
    const result = await repriceEvents(store(), pricing);
    // The SDK-chosen figure is read too (its model could need a canonical name), never repriced. The
    // rows were stored without a list price (before migration 0014): c and e change only by gaining it.
    expect(result).toEqual({ examined: 5, updated: 4, unpriced: 1, failed: 0 });
    const rows = await stored();
    expect(rows["a-wrong"]).toMatchObject({ cost: "0.006000000000", priced: true, cost_source: "catalog" });
    expect(rows["b-was-unpriced"]).toMatchObject({
      cost: "0.006000000000",
      provider_cost: "0.500000000000",
      priced: true,
      cost_source: "catalog",
      resolved_model: "claude-sonnet-4-5",
      pricing_version: expected.pricingVersion,
    });
    expect(rows["c-sdk-chosen"]).toMatchObject({ cost: "0.700000000000", provider_cost: "0.700000000000" });
    expect(rows["d-unknown"]).toMatchObject({ cost: "0.000000000000", priced: false, cost_source: "none" });
    // repriceEvents moved the rollups by the difference in the transaction of each update.
    expect(await rollupDrift(context.database(), context.schema)).toBe(0);
    const report = await queryCosts(store(), { groupBy: ["model"] });
    expect(report.source).toBe("rollup");
    expect(report.rows.map((row) => [row.model, row.costUsd, row.providerCostUsd, row.unpriced])).toEqual([
      ["claude-sonnet-4-5", "0.718", "1.2", 0],
      ["mystery", "0", "0", 1],
    ]);
    // Nothing left to change.
    expect(await repriceEvents(store(), pricing)).toMatchObject({ examined: 5, updated: 0 });
  });

  it("reprices only unpriced events, or only events since a time, in batches", async () => {
    const events = randomEvents(seededRandom(21), 300, {
      start: new Date("2024-03-01T00:00:00Z"),
      hours: 48,
    });
    // Every fourth event recorded before the catalog knew its model.
    const wasUnpriced = events.filter((_, index) => index % 4 === 0).map((event) => event.eventId);
    await insertEvents(
      context.database(),
      context.schema,
      events.map((event, index) =>
        index % 4 === 0
          ? { ...event, estimatedCostUsd: "1", priced: false, resolvedModel: null }
          : { ...event, estimatedCostUsd: "1", priced: true },
      ),
    );
    const table = `"${context.schema}".llm_cost_events`;
    const unpriced = await repriceEvents(store(), pricing, { onlyUnpriced: true, batchSize: 16 });
    expect(unpriced.examined).toBe(75);
    const [left] = await context.database().query<{ count: string }>(
      `SELECT count(*) AS count FROM ${table}
          WHERE estimated_cost_usd = 1 AND event_id = ANY($1::uuid[]) AND resolved_model IS NOT NULL`,
      [wasUnpriced],
    );
    expect(left?.count).toBe("0");

    const progress: number[] = [];
    const since = await repriceEvents(store(), pricing, {
      since: "2024-03-02T00:00:00Z",
      batchSize: 50,
      onProgress: (state) => progress.push(state.examined),
    });
    const [count] = await context
      .database()
      .query<{ count: string }>(
        `SELECT count(*) AS count FROM ${table} WHERE created_at >= '2024-03-02T00:00:00Z'`,
      );
    expect(since.examined).toBe(Number(count?.count));
    expect(progress.at(-1)).toBe(since.examined);
    const [old] = await context.database().query<{ count: string }>(
      `SELECT count(*) AS count FROM ${table}
          WHERE created_at < '2024-03-02T00:00:00Z' AND NOT event_id = ANY($1::uuid[]) AND estimated_cost_usd <> 1`,
      [wasUnpriced],
    );
    expect(old?.count).toBe("0");
    expect(await rollupDrift(context.database(), context.schema)).toBe(0);
  });

  it("renames rows recorded under a host's catalog key to the canonical model, rollups following", async () => {
    const bedrock = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    const usage = { inputTokens: 1000, outputTokens: 200 };
    const expected = estimateCost({ model: bedrock, usage });
    if (!expected.priced) throw new Error("the catalog should price Claude Sonnet 4.5 on Bedrock");
    // What a tracker before the fix stored: the catalog key as the resolved model.
    const catalogKey = expected.catalogId;
    expect(catalogKey).not.toBe(expected.model);
    const old = { model: bedrock, provider: "aws-bedrock", resolvedModel: catalogKey };
    await insertEvents(context.database(), context.schema, [
      testEvent({ ...old, repo: "a-catalog", estimatedCostUsd: expected.costUsd }),
      testEvent({
        ...old,
        repo: "b-sdk-chosen",
        sdk: "agent",
        estimatedCostUsd: "0.7",
        providerCostUsd: "0.7",
        costSource: "provider",
      }),
      testEvent({ repo: "c-anthropic" }),
    ]);
    const before = await queryCosts(store(), { groupBy: ["model"] });
    expect(before.rows.map((row) => row.model)).toContain(catalogKey);

    const result = await repriceEvents(store(), pricing);
    // c-anthropic changes only by gaining its list price (stored without one, as before migration 0014).
    expect(result).toMatchObject({ updated: 3, failed: 0 });
    const rows = await stored();
    expect(rows["a-catalog"]).toMatchObject({ resolved_model: expected.model, cost_source: "catalog" });
    // The provider's figure stays; only the model is named canonically.
    expect(rows["b-sdk-chosen"]).toMatchObject({
      resolved_model: expected.model,
      cost: "0.700000000000",
      cost_source: "provider",
    });
    expect(await rollupDrift(context.database(), context.schema)).toBe(0);
    const report = await queryCosts(store(), { groupBy: ["model", "provider"] });
    expect(report.source).toBe("rollup");
    const names = report.rows.map((row) => `${row.model}@${row.provider}`).sort();
    expect(names).toEqual(["claude-sonnet-4-5@anthropic", "claude-sonnet-4-5@aws-bedrock"]);
    const [raw] = await context
      .database()
      .query<{ models: string[] }>(
        `SELECT array_agg(DISTINCT model) AS models FROM "${context.schema}".llm_cost_events WHERE provider = 'aws-bedrock'`,
      );
    // The id the application sent stays on the event.
    expect(raw?.models).toEqual([bedrock]);
  });

  it("rejects bad options", async () => {
    await expect(repriceEvents(store(), pricing, { since: "yesterday" })).rejects.toMatchObject({
      code: "E_QUERY_RANGE",
    });
    await expect(repriceEvents(store(), pricing, { batchSize: 0 })).rejects.toMatchObject({
      code: "E_QUERY_OPTIONS",
    });
  });
});
