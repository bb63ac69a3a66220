// A Bedrock call is stored and reported under the model (`claude-sonnet-4-5`, provider
// `aws-bedrock`), never under the catalog key that priced it; the id the application sent stays on
// the event (its detail view shows it).
import { beforeAll, beforeEach, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { getEvent, queryCosts } from "../../src/query/index.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { createCostTracker } from "../../src/tracker/cost-tracker.js";
import { emptyTables, rollupDrift } from "../query/support/rollup-drift.js";
import { describeEachEngine } from "../support/databases.js";
import { memoryLogger } from "../support/loggers.js";
import { aiCall } from "../support/records.js";

const BEDROCK_ID = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

describeEachEngine("canonical models of hosted calls", (context) => {
  let store: TelemetryStore;
  const handle = () => ({ database: context.database(), schema: context.schema });
  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
  });

  it("stores, reports and filters a Bedrock call under the model, with the host as provider", async () => {
    const pricing = createPricing();
    const tracker = createCostTracker({
      telemetryStore: store,
      closeSink: false,
      logger: memoryLogger(),
      pricing,
      spoolDir: false,
    });
    const bedrock = tracker.trackAiSdkCall(aiCall({ model: BEDROCK_ID, provider: "aws-bedrock" }));
    const global = tracker.trackAiSdkCall(
      aiCall({ model: "global.anthropic.claude-sonnet-4-5-20250929-v1:0", provider: "aws-bedrock" }),
    );
    const direct = tracker.trackAiSdkCall(
      aiCall({ model: "claude-sonnet-4-5-20250929", provider: "anthropic" }),
    );
    await tracker.flush();
    await tracker.close();
    const [bedrockId] = await Promise.all([bedrock, global, direct]).then((results) =>
      results.map((result) => ("eventId" in result ? result.eventId : undefined)),
    );

    const estimate = pricing.estimateCost({ model: BEDROCK_ID, usage: { inputTokens: 1, outputTokens: 1 } });
    const direct4_5 = pricing.resolveModel("claude-sonnet-4-5-20250929", "anthropic");
    expect(estimate.model).toBe(direct4_5?.model);

    const stored = await context
      .database()
      .query<{ model: string; resolved_model: string; provider: string; event_id: string }>(
        `SELECT model, resolved_model, provider, event_id::text FROM "${context.schema}".llm_cost_events
          WHERE provider = 'aws-bedrock' ORDER BY model`,
      );
    expect(stored.map((row) => row.resolved_model)).toEqual([direct4_5?.model, direct4_5?.model]);
    // The id the application sent stays on the event.
    expect(stored.map((row) => row.model).sort()).toEqual(
      ["global.anthropic.claude-sonnet-4-5-20250929-v1:0", BEDROCK_ID].sort(),
    );
    const detail = await getEvent(
      handle(),
      bedrockId ?? stored.find((row) => row.model === BEDROCK_ID)!.event_id,
    );
    expect(detail).toMatchObject({
      model: BEDROCK_ID,
      resolvedModel: direct4_5?.model,
      provider: "aws-bedrock",
    });

    expect(await rollupDrift(context.database(), context.schema)).toBe(0);
    const byModel = await queryCosts(handle(), { groupBy: ["model", "provider"] });
    const names = byModel.rows.map((row) => `${row.model}@${row.provider}`).sort();
    expect(names).toEqual([`${direct4_5?.model}@anthropic`, `${direct4_5?.model}@aws-bedrock`]);
    for (const row of byModel.rows) expect(row.model).not.toMatch(/^(?:regional|global|us)\./);

    // The model filter names the model: one value finds the calls of every host and region.
    const filtered = await queryCosts(handle(), {
      groupBy: ["provider"],
      filters: { model: [direct4_5!.model] },
    });
    const events = Object.fromEntries(filtered.rows.map((row) => [String(row.provider), row.events]));
    expect(events).toEqual({ anthropic: 1, "aws-bedrock": 2 });
  });
});
