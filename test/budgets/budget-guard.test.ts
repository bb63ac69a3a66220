// The budget guard over a real store, and the AI SDK middleware and task router refusing calls
// whose scope a blocking budget has spent, before the provider is called (fake provider server).
import type * as ai6 from "ai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBudget, createBudgetGuard, type BudgetGuard } from "../../src/budgets/index.js";
import { isLedgerError } from "../../src/errors.js";
import {
  BudgetExceededError,
  createCostTrackingMiddleware,
  createTaskRouter,
} from "../../src/integrations/ai-sdk/index.js";
import { migrateUp } from "../../src/store/migrator.js";
import { describeEachEngine } from "../support/databases.js";
import { startFakeProviderServer, type FakeProviderServer } from "../support/fake-provider-server.js";
import { insertEvents, testEvent } from "../query/support/cost-events.js";
import { emptyTables } from "../query/support/rollup-drift.js";
import { aiHarnesses, type AiHarness } from "../integrations/ai-harness.js";
import { providerCases } from "../integrations/provider-cases.js";
import { createRecordingTracker } from "../integrations/recording-tracker.js";

describeEachEngine("budget guard", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });
  const guards: BudgetGuard[] = [];
  let server: FakeProviderServer;
  let harness: AiHarness;
  const now = new Date();
  const spend = (estimatedCostUsd: string, overrides: Parameters<typeof testEvent>[0] = {}) =>
    insertEvents(context.database(), context.schema, [
      testEvent({ createdAt: now, estimatedCostUsd, ...overrides }),
    ]);
  const guard = async () => {
    const created = createBudgetGuard({ store: store(), refreshMs: 3_600_000 });
    guards.push(created);
    await created.refresh();
    return created;
  };

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
    server = await startFakeProviderServer();
    harness = aiHarnesses(server.baseUrls).find((candidate) => candidate.name === "ai 6")!;
  });
  afterAll(async () => {
    for (const created of guards) created.close();
    await server?.close();
  });
  beforeEach(async () => {
    server.reset();
    await emptyTables(context.database(), context.schema);
    await context.database().exec(`TRUNCATE "${context.schema}".llm_ledger_budgets CASCADE`);
  });

  it("blocks calls in a spent blocking budget's scope, per value, and counts noted spend until the next refresh", async () => {
    await createBudget(store(), {
      name: "web",
      scope: { repo: ["web"] },
      period: "day",
      amountUsd: "1",
      action: "block",
    });
    await createBudget(store(), {
      name: "per-user",
      per: "userId",
      period: "day",
      amountUsd: "5",
      action: "block",
    });
    await createBudget(store(), {
      name: "alerts-only",
      scope: { repo: ["api"] },
      period: "day",
      amountUsd: "0.01",
    });
    await spend("1", { repo: "web" });
    await spend("5", { repo: "api", userId: "u1" });
    await spend("3", { repo: "api", userId: "u2" });
    const checked = await guard();

    expect(checked.check({ repo: "web", userId: "u3" })).toEqual({
      allowed: false,
      budget: { id: expect.any(String) as string, name: "web", amountUsd: "1" },
      remaining: "0",
    });
    expect(checked.check({ repo: "api", userId: "u1" })).toMatchObject({
      allowed: false,
      budget: { name: "per-user" },
    });
    // An alerting budget (no action) never blocks; u2 has 2 of 5 left.
    expect(checked.check({ repo: "api", userId: "u2" })).toMatchObject({
      allowed: true,
      budget: { name: "per-user" },
      remaining: "2",
    });
    checked.noteSpend({ repo: "api", userId: "u2" }, "2");
    expect(checked.check({ repo: "api", userId: "u2" })).toMatchObject({
      allowed: false,
      budget: { name: "per-user" },
    });
    // A refresh replaces noted spend with the store's figures (the call was never stored here).
    await checked.refresh();
    expect(checked.check({ repo: "api", userId: "u2" }).allowed).toBe(true);
  });

  it("fails a call through the middleware before the provider is called, recording the refusal at zero cost", async () => {
    await createBudget(store(), {
      name: "anthropic",
      scope: { provider: ["anthropic"] },
      period: "day",
      amountUsd: "1",
      action: "block",
    });
    await spend("2", { provider: "anthropic" });
    const tracker = createRecordingTracker();
    const middleware = createCostTrackingMiddleware({
      tracker,
      repo: "web",
      taskType: "chat",
      budgetGuard: await guard(),
    });
    const model = harness.wrap(harness.bare("anthropic", "claude-sonnet-4-5-20250929"), middleware);
    const failure = await harness.generateText(model, { maxRetries: 0 }).catch((error: unknown) => error);
    expect(isLedgerError(failure, "E_BUDGET_EXCEEDED")).toBe(true);
    expect((failure as BudgetExceededError).budget).toMatchObject({ name: "anthropic", amountUsd: "1" });
    expect(server.requests).toHaveLength(0);
    expect(tracker.calls).toMatchObject([
      {
        repo: "web",
        model: "claude-sonnet-4-5-20250929",
        provider: "anthropic",
        usage: { inputTokens: 0, outputTokens: 0 },
        error: expect.stringContaining('budget "anthropic" ($1) is spent') as string,
      },
    ]);
  });

  it("moves the task router to the next model whose scope is not blocked, and fails when none is left", async () => {
    await createBudget(store(), {
      name: "anthropic",
      scope: { provider: ["anthropic"] },
      period: "day",
      amountUsd: "1",
      action: "block",
    });
    await spend("2", { provider: "anthropic" });
    const tracker = createRecordingTracker();
    const budgetGuard = await guard();
    const router = createTaskRouter({
      tracker,
      repo: "web",
      routes: {
        summarize: {
          models: [
            harness.bare("anthropic", "claude-sonnet-4-5-20250929"),
            harness.bare("openai-chat", "gpt-4.1-mini"),
          ],
        },
      },
      ai: harness.functions as typeof ai6,
      budgetGuard,
    });
    server.reply({ usage: providerCases["openai-chat"].usage, text: "From OpenAI." });
    const result = await router.generateText({ taskType: "summarize", prompt: "x", maxRetries: 0 });
    expect(result.text).toBe("From OpenAI.");
    expect(server.requests.map((request) => request.api)).toEqual(["openai-chat"]);
    expect(
      tracker.calls.map((call) => [
        call.provider,
        call.usedFallback,
        call.fallbackReason,
        Boolean(call.error),
      ]),
    ).toEqual([
      ["anthropic", undefined, undefined, true],
      ["openai", true, "budget", false],
    ]);

    await createBudget(store(), {
      name: "openai",
      scope: { provider: ["openai"] },
      period: "day",
      amountUsd: "1",
      action: "block",
    });
    await spend("1", { provider: "openai" });
    await budgetGuard.refresh();
    server.reset();
    const failure = await router
      .generateText({ taskType: "summarize", prompt: "x", maxRetries: 0 })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BudgetExceededError);
    expect((failure as BudgetExceededError).budget.name).toBe("openai");
    expect(server.requests).toHaveLength(0);
  });
});

describe("createBudgetGuard", () => {
  it("needs a store, or a url with a key", () => {
    expect(() => createBudgetGuard({ url: "http://127.0.0.1:1" })).toThrow(
      /give a store, or a url and an apiKey/,
    );
  });
});
