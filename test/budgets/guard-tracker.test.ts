// The budget guard fed by this process's tracker (every priced event counts at once, and once only
// after a refresh), and matching calls by canonical model as the ledger's reports do.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { budgetStatus, createBudget, createBudgetGuard, type BudgetGuard } from "../../src/budgets/index.js";
import { createModelCanonicalizer } from "../../src/budgets/model-canonicalizer.js";
import { createPricing } from "../../src/pricing/index.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { createCostTracker } from "../../src/tracker/index.js";
import { describeEachEngine } from "../support/databases.js";
import { memoryLogger } from "../support/loggers.js";
import { aiCall } from "../support/records.js";
import { emptyTables } from "../query/support/rollup-drift.js";

const pricing = createPricing();
const costOf = (model: string, provider: string, inputTokens: number) => {
  const estimate = pricing.estimateCost({ model, provider, usage: { inputTokens, outputTokens: 0 } });
  if (!estimate.priced) throw new Error(`${model} is not priced`);
  return estimate.costUsd;
};

describeEachEngine("budget guard and the tracker", (context) => {
  let store: TelemetryStore;
  const guards: BudgetGuard[] = [];
  const newTracker = () =>
    createCostTracker({
      sink: store,
      logger: memoryLogger(),
      spoolDir: false,
      closeSink: false,
      flushIntervalMs: 20,
    });
  const newGuard = async (options: Partial<Parameters<typeof createBudgetGuard>[0]> = {}) => {
    const guard = createBudgetGuard({ store, refreshMs: 3_600_000, ...options });
    guards.push(guard);
    await guard.refresh();
    return guard;
  };

  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });
  afterAll(() => {
    for (const guard of guards) guard.close();
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
    await context.database().exec(`TRUNCATE "${context.schema}".llm_ledger_budgets CASCADE`);
  });

  it("counts what the tracker priced at once, and once only after a refresh reads it", async () => {
    expect(costOf("claude-sonnet-4-5", "anthropic", 100_000)).toBe("0.3");
    await createBudget(store, {
      name: "web",
      scope: { repo: "web" },
      period: "day",
      amountUsd: "1",
      action: "block",
    });
    const tracker = newTracker();
    const guard = await newGuard({ tracker });
    const closed = await newGuard({ tracker });
    closed.close();
    expect(guard.check({ repo: "web" })).toMatchObject({ allowed: true, remaining: "1" });

    const call = aiCall({ repo: "web", inputTokens: 100_000, outputTokens: 0 });
    for (let index = 0; index < 3; index++) void tracker.trackAiSdkCall(call);
    await tracker.trackAiSdkCall({ ...call, repo: "api" });
    await tracker.flush();
    expect(guard.check({ repo: "web" })).toMatchObject({ allowed: true, remaining: "0.1" });
    // A closed guard no longer listens.
    expect(closed.check({ repo: "web" })).toMatchObject({ remaining: "1" });

    // The events are in the ledger now: the refresh reads them and drops what was noted.
    await guard.refresh();
    expect(guard.check({ repo: "web" })).toMatchObject({ allowed: true, remaining: "0.1" });
    await tracker.trackAiSdkCall(call);
    expect(guard.check({ repo: "web" })).toEqual({
      allowed: false,
      budget: { id: expect.any(String) as string, name: "web", amountUsd: "1" },
      remaining: "0",
    });
    await tracker.close();
  });

  it("keeps spend noted while a refresh is reading, and drops what was noted before it", async () => {
    await createBudget(store, {
      name: "web",
      scope: { repo: "web" },
      period: "day",
      amountUsd: "1",
      action: "block",
    });
    const guard = await newGuard();
    guard.noteSpend({ repo: "web" }, "0.25");
    const reading = guard.refresh();
    guard.noteSpend({ repo: "web" }, "0.4");
    // Both count while the read is under way.
    expect(guard.check({ repo: "web" })).toMatchObject({ remaining: "0.35" });
    await reading;
    expect(guard.check({ repo: "web" })).toMatchObject({ remaining: "0.6" });
    await guard.refresh();
    expect(guard.check({ repo: "web" })).toMatchObject({ remaining: "1" });
  });

  it("never lets a listener's failure reach the tracker's events", async () => {
    const logger = memoryLogger();
    const tracker = createCostTracker({
      sink: store,
      logger,
      spoolDir: false,
      closeSink: false,
      flushIntervalMs: 20,
    });
    const seen: string[] = [];
    tracker.onPriced(() => {
      throw new Error("listener bug");
    });
    const stop = tracker.onPriced((record) => seen.push(record.eventId));
    const first = await tracker.trackAiSdkCall(aiCall());
    const second = await tracker.trackAiSdkCall(aiCall());
    expect([first.outcome, second.outcome]).toEqual(["stored", "stored"]);
    expect(seen).toEqual([first.eventId, second.eventId]);
    const listenerErrors = logger.entries.filter((entry) => entry.message.includes("priced-event listener"));
    expect(listenerErrors).toHaveLength(1);
    stop();
    await tracker.trackAiSdkCall(aiCall());
    expect(seen).toHaveLength(2);
    await tracker.close();
  });

  it("blocks a call sent under any spelling of a budget's canonical model, as the reports count it", async () => {
    const bedrock = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    const budget = await createBudget(store, {
      name: "sonnet",
      scope: { model: "claude-sonnet-4-5" },
      period: "day",
      amountUsd: "1",
      action: "block",
    });
    await createBudget(store, {
      name: "per-model",
      per: "model",
      period: "day",
      amountUsd: "50",
      action: "block",
    });
    const tracker = newTracker();
    const guard = await newGuard({ tracker });
    for (const spelling of [bedrock, "claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4.5", "gpt-4o"]) {
      expect(guard.check({ model: spelling }).allowed).toBe(true);
    }
    const spent = costOf(bedrock, "aws-bedrock", 400_000);
    await tracker.trackAiSdkCall(
      aiCall({ model: bedrock, provider: "aws-bedrock", inputTokens: 400_000, outputTokens: 0 }),
    );
    await tracker.close();

    // Noted under the canonical id at once; the report counts the event under it too.
    const { budgets } = await budgetStatus(store, { budgets: [budget.id] });
    expect(budgets[0]!.spentUsd).toBe(spent);
    for (const current of [guard, await newGuard()]) {
      expect(current.check({ model: bedrock, provider: "aws-bedrock" })).toMatchObject({
        allowed: false,
        budget: { name: "sonnet" },
      });
      expect(current.check({ model: "claude-sonnet-4-5-20250929", provider: "anthropic" }).allowed).toBe(
        false,
      );
      expect(current.check({ model: "anthropic/claude-sonnet-4.5" }).allowed).toBe(false);
      expect(current.check({ model: "gpt-4o-2024-08-06", provider: "openai" })).toMatchObject({
        allowed: true,
        budget: { name: "per-model" },
        remaining: "50",
      });
    }
  });
});

describe("model canonicalizer", () => {
  it("names a model as the pricer records it, and an unknown one as sent", () => {
    const canonical = createModelCanonicalizer(pricing);
    const spellings: Array<[string, string | undefined]> = [
      ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws-bedrock"],
      ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", undefined],
      ["claude-sonnet-4-5-20250929", "anthropic"],
      ["anthropic/claude-sonnet-4.5", undefined],
      ["gpt-4o-2024-08-06", "openai"],
      ["GPT-4o", undefined],
      ["gemini-2.5-flash", "google"],
      ["mystery-model-1", undefined],
      ['=HYPERLINK("x")', "openai"],
    ];
    for (const [model, provider] of spellings) {
      const estimate = pricing.estimateCost({
        model,
        provider: provider ?? pricing.extractProvider(model),
        usage: { inputTokens: 1, outputTokens: 1 },
      });
      const recorded = estimate.priced ? estimate.model : model;
      expect([model, canonical(model, provider)]).toEqual([model, recorded]);
      // Remembered: the same answer again.
      expect(canonical(model, provider)).toBe(recorded);
    }
    expect(canonical(undefined, "openai")).toBeNull();
  });
});
