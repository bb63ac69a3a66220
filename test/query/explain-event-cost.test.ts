// explainEventCost on both engines: events written by the tracker keep the rates they were priced
// with, and their explanation adds up to the stored cost exactly, whatever pricing is in force later
// (an override, a newer catalog, a reprice); events priced by the provider, unpriced, or stored
// without rates say so.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import { createPricing, type Pricing } from "../../src/pricing/index.js";
import { explainEventCost, repriceEvents, type CostExplanation } from "../../src/query/index.js";
import { createTelemetryStore, type LlmCostRecordInput, type TelemetryStore } from "../../src/store/index.js";
import { createCostTracker } from "../../src/tracker/index.js";
import { describeEachEngine } from "../support/databases.js";
import { catalogBundle } from "../support/catalog-server.js";
import { seededRandom } from "../support/hostile-text.js";
import { silentLogger } from "../support/loggers.js";
import { costRecord } from "../support/records.js";

const TOKEN_FIELDS = [
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "cacheWrite1hTokens",
] as const;
const MODELS: readonly [string, string][] = [
  ["claude-sonnet-4-5", "anthropic"],
  ["claude-sonnet-4-5-20250929", "anthropic"],
  ["gemini-2.5-pro", "google"],
  ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws-bedrock"],
  ["deepseek-flash", "deepseek"],
  ["gpt-4o", "openai"],
];

const cheaperSonnet = {
  models: [{ provider: "anthropic", id: "claude-sonnet-4-5", prices: [{ input: "1", output: "2" }] }],
};

/** The sum of an explanation's lines, added independently of the code under test (BigInt, 10^-18). */
function sumOfLines(explanation: CostExplanation): bigint {
  const atto = (value: string) => {
    const [whole, fraction = ""] = value.split(".");
    return BigInt(whole! + fraction.padEnd(18, "0"));
  };
  return [...explanation.buckets, ...explanation.fees].reduce(
    (total, line) => total + atto(line.amountUsd),
    0n,
  );
}

function withoutToday(explanation: CostExplanation | undefined): Omit<CostExplanation, "today"> {
  const { today: _today, ...rest } = explanation!;
  return rest;
}

describeEachEngine("explainEventCost", (context) => {
  let store: TelemetryStore;
  const query = () => ({ database: context.database(), schema: context.schema });

  async function track(
    pricing: Pricing,
    calls: Parameters<ReturnType<typeof createCostTracker>["track"]>[0][],
  ) {
    const tracker = createCostTracker({ sink: store, pricing, logger: silentLogger, agentCost: "catalog" });
    const results = await Promise.all(calls.map((call) => tracker.track(call)));
    await tracker.close();
    for (const result of results) expect(result.outcome, result.reason).toBe("stored");
    return results.map((result) => result.eventId);
  }

  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });
  afterAll(() => store.close());

  it("adds up to the stored cost exactly, every bucket combination, and keeps each rate set once", async () => {
    const pricing = createPricing();
    const random = seededRandom(5);
    const calls: LlmCostRecordInput[] = [];
    for (const [model, provider] of MODELS) {
      for (let mask = 0; mask < 32; mask++) {
        const usage: Record<string, number> = { inputTokens: 0, outputTokens: 0 };
        TOKEN_FIELDS.forEach((field, index) => {
          if (mask & (1 << index))
            usage[field] = 1 + Math.floor(random() * (mask % 3 === 0 ? 400_000 : 5_000));
        });
        calls.push({
          repo: "explain",
          taskType: "all-buckets",
          model,
          provider,
          ...usage,
        } as LlmCostRecordInput);
      }
    }
    const ids = await track(pricing, calls);
    const refs = new Set<string>();
    for (const id of ids) {
      const explanation = (await explainEventCost(query(), id))!;
      expect(explanation.basis, id).toBe("rates");
      expect(explanation.addsUp).toBe(true);
      expect(explanation.totalUsd).toBe(explanation.storedCostUsd);
      expect(explanation.catalogTotalUsd).toBe(explanation.storedCostUsd);
      // The lines, added apart from the code under test, are the stored NUMERIC.
      const [stored] = await context
        .database()
        .query<{ cost: string }>(
          `SELECT (estimated_cost_usd * 1000000000000000000)::numeric(40,0)::text AS cost FROM "${context.schema}".llm_cost_events WHERE event_id = $1`,
          [id],
        );
      expect(sumOfLines(explanation)).toBe(BigInt(stored!.cost));
      expect(explanation.catalog).toMatchObject({ version: pricing.version, override: false });
      expect(explanation.catalog!.source).toMatch(/^https:\/\//);
      expect(explanation.buckets.map((line) => line.bucket)).toEqual([
        "input",
        "output",
        "cache_read",
        "cache_write",
        "cache_write_1h",
      ]);
      refs.add(explanation.priceRef!);
    }
    const [kept] = await context.database().query<{ sets: string; referenced: string }>(
      `SELECT (SELECT count(*) FROM "${context.schema}".llm_pricing_rates)::text AS sets,
                (SELECT count(DISTINCT price_ref) FROM "${context.schema}".llm_cost_events)::text AS referenced`,
    );
    expect(Number(kept!.sets)).toBe(refs.size);
    expect(Number(kept!.referenced)).toBe(refs.size);
    // Context tiers and spellings give sets of their own; one per event would be a leak.
    expect(refs.size).toBeGreaterThan(MODELS.length - 1);
    expect(refs.size).toBeLessThan(20);
  });

  it("explains a batch-tier call with web searches: the tier's rates and the fee line add up", async () => {
    const pricing = createPricing();
    const call = {
      repo: "explain",
      taskType: "charges",
      model: "claude-sonnet-4-5",
      provider: "anthropic",
      inputTokens: 12_345,
      outputTokens: 678,
      cacheReadTokens: 9_000,
    } as LlmCostRecordInput;
    const [standardId, batchId] = await track(pricing, [
      { ...call, webSearchRequests: 3 },
      { ...call, serviceTier: "batch", webSearchRequests: 3 },
    ]);
    const standard = (await explainEventCost(query(), standardId!))!;
    const batch = (await explainEventCost(query(), batchId!))!;
    for (const explanation of [standard, batch]) {
      expect(explanation.basis).toBe("rates");
      expect(explanation.addsUp).toBe(true);
      expect(explanation.totalUsd).toBe(explanation.storedCostUsd);
      expect(explanation.fees).toEqual([
        expect.objectContaining({ bucket: "web_search", units: 3, amountUsd: "0.03" }),
      ]);
    }
    expect(standard.serviceTier).toBe("standard");
    expect(batch.serviceTier).toBe("batch");
    expect(batch.priceRef).not.toBe(standard.priceRef);
    // Anthropic's batch prices are half the standard ones, bucket by bucket; the fee is not halved.
    for (const [index, line] of batch.buckets.entries()) {
      expect(Number(line.price) * 2).toBe(Number(standard.buckets[index]!.price));
    }
  });

  it("stays the same after overrides and the catalog change, and after a reprice it adds up anew", async () => {
    const shipped = createPricing();
    const [id] = await track(shipped, [
      {
        repo: "later",
        taskType: "t",
        model: "claude-sonnet-4-5",
        inputTokens: 100_000,
        outputTokens: 1_000,
      },
    ]);
    const before = await explainEventCost(query(), id!, { pricing: shipped });
    expect(before).toMatchObject({ basis: "rates", addsUp: true, storedCostUsd: "0.315" });
    expect(before!.today).toEqual({ pricingVersion: shipped.version, priced: true, costUsd: "0.315" });

    const overridden = createPricing({ overrides: cheaperSonnet });
    // Events priced since under the override keep their own set; the old one's explanation is unchanged.
    await track(overridden, [
      { repo: "later", taskType: "t", model: "claude-sonnet-4-5", inputTokens: 5, outputTokens: 5 },
    ]);
    const after = await explainEventCost(query(), id!, { pricing: overridden });
    expect(withoutToday(after)).toEqual(withoutToday(before));
    expect(after!.today).toMatchObject({
      priced: true,
      costUsd: "0.102",
      pricingVersion: overridden.version,
    });

    // A newer catalog with another Sonnet price: the explanation still says what priced the event.
    const newer = createPricing({ catalog: catalogBundle("2099-01-01", "9") });
    expect(
      newer.estimateCost({ model: "claude-sonnet-4-5", usage: { inputTokens: 1_000_000, outputTokens: 0 } })
        .costUsd,
    ).toBe("9");
    expect(withoutToday(await explainEventCost(query(), id!, { pricing: newer }))).toEqual(
      withoutToday(before),
    );

    // A reprice changes the figure on purpose: the event then keeps the override's rates, and adds up.
    await repriceEvents(query(), overridden);
    const repriced = (await explainEventCost(query(), id!))!;
    expect(repriced).toMatchObject({ basis: "rates", addsUp: true, storedCostUsd: "0.102" });
    expect(repriced.priceRef).not.toBe(before!.priceRef);
    expect(repriced.catalog).toMatchObject({ override: true, version: overridden.version });
  });

  it("explains provider-reported, unpriced and rate-less events, and says so", async () => {
    const pricing = createPricing();
    const tracker = createCostTracker({ sink: store, pricing, logger: silentLogger, agentCost: "sdk" });
    const agent = await tracker.trackAgentSdkCall({
      repo: "agent",
      taskType: "t",
      model: "claude-sonnet-4-5",
      inputTokens: 100,
      outputTokens: 10,
      durationMs: 5,
      costUsd: "0.5",
    });
    const unknown = await tracker.track({
      repo: "u",
      taskType: "t",
      model: "mystery-model-9",
      inputTokens: 1,
      outputTokens: 1,
    });
    const reported = await tracker.track({
      repo: "u",
      taskType: "t",
      model: "mystery-model-9",
      inputTokens: 1,
      outputTokens: 1,
      providerCostUsd: "0.25",
    });
    await tracker.close();

    const provider = (await explainEventCost(query(), agent.eventId))!;
    expect(provider).toMatchObject({
      basis: "provider",
      costSource: "provider",
      storedCostUsd: "0.5",
      providerCostUsd: "0.5",
      totalUsd: "0.5",
      addsUp: true,
      catalogTotalUsd: "0.00045",
    });
    expect(provider.summary).toContain("provider");

    expect(await explainEventCost(query(), unknown.eventId)).toMatchObject({
      basis: "unpriced",
      priced: false,
      storedCostUsd: "0",
      totalUsd: "0",
      priceRef: null,
      catalog: null,
      buckets: [],
    });
    expect(await explainEventCost(query(), reported.eventId)).toMatchObject({
      basis: "provider",
      priced: false,
      storedCostUsd: "0.25",
      providerCostUsd: "0.25",
    });

    // Stored without rates (before migration 0010, or imported): only "today" can be offered.
    const old = costRecord({ resolvedModel: "claude-sonnet-4-5", pricingVersion: "2025-01-01" });
    await store.recordLlmCosts([old]);
    const unkept = (await explainEventCost(query(), old.eventId, { pricing }))!;
    expect(unkept).toMatchObject({ basis: "rates-not-kept", priceRef: null, totalUsd: null, addsUp: null });
    expect(unkept.summary).toContain("not kept");
    expect(unkept.today).toMatchObject({ priced: true, costUsd: "0.0081" });
  });

  it("reads a damaged rate set as not kept, never as a wrong sum", async () => {
    const [id] = await track(createPricing(), [
      { repo: "damaged", taskType: "t", model: "gpt-4o", inputTokens: 10, outputTokens: 10 },
    ]);
    const { priceRef } = (await explainEventCost(query(), id!))!;
    const damage = async (rates: string) =>
      context
        .database()
        .query(`UPDATE "${context.schema}".llm_pricing_rates SET rates = $2::jsonb WHERE ref = $1`, [
          priceRef,
          rates,
        ]);
    const stored = (
      await context
        .database()
        .query<{ rates: string }>(
          `SELECT rates::text AS rates FROM "${context.schema}".llm_pricing_rates WHERE ref = $1`,
          [priceRef],
        )
    )[0]!.rates;
    const badPrice = stored.replace(/"price": ?"[^"]+"/, '"price": "2.5e-3"');
    const badUnit = stored.replace(/"per": ?1000000/, '"per": 3');
    expect(badPrice).not.toBe(stored);
    expect(badUnit).not.toBe(stored);
    for (const rates of ["{}", '{"lines": "x"}', "[]", "null", badPrice, badUnit]) {
      await damage(rates);
      expect(await explainEventCost(query(), id!), rates).toMatchObject({
        basis: "rates-not-kept",
        priceRef,
      });
    }
  });

  it("finds events within the projects asked only, and refuses an id that is not a UUID", async () => {
    const record = costRecord({ project: "team-a" });
    await store.recordLlmCosts([record]);
    expect(await explainEventCost(query(), record.eventId, { project: "team-a" })).toMatchObject({
      project: "team-a",
    });
    expect(await explainEventCost(query(), record.eventId, { project: ["default"] })).toBeUndefined();
    expect(await explainEventCost(query(), randomUUID())).toBeUndefined();
    for (const bad of ["", "not-a-uuid", "' OR 1=1 --", `${randomUUID()}x`, "\u0000"]) {
      const error = await explainEventCost(query(), bad).catch((caught: unknown) => caught);
      expect(isLedgerError(error, "E_QUERY_EVENT_ID"), bad).toBe(true);
    }
  });
});
