// End to end: the real `ai` (6 and 7) and provider packages, pointed at the fake provider server,
// through the middleware, the task router and the Agent SDK adapter into the real tracker and store;
// the rows in the database are asserted exactly (PGlite always; the Postgres server when
// TEST_DATABASE_URL is set).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createCostTrackingMiddleware, createTaskRouter } from "../../src/integrations/ai-sdk/index.js";
import { trackAgentSdkResult, type AgentResultMessage } from "../../src/integrations/agent-sdk/index.js";
import { usageFromAnthropic, usageFromGemini, usageFromOpenAI } from "../../src/integrations/raw/index.js";
import type { UsageTracker } from "../../src/integrations/usage-tracker.js";
import { createPricing } from "../../src/pricing/index.js";
import { quoteSchema } from "../../src/store/schema-name.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { createCostTracker, type CostTracker, type LlmCostRecord } from "../../src/tracker/index.js";
import { describeEachEngine } from "../support/databases.js";
import {
  startFakeProviderServer,
  type FakeProviderServer,
  type ProviderApi,
} from "../support/fake-provider-server.js";
import { aiHarnesses, type AiHarness } from "./ai-harness.js";
import { providerCases } from "./provider-cases.js";

const pricing = createPricing();
const apis = Object.keys(providerCases) as ProviderApi[];

/** The catalog's cost for a row's model and tokens: what `estimated_cost_usd` must hold. */
function catalogCost(row: LlmCostRecord): string {
  const estimate = pricing.estimateCost({
    model: row.model,
    provider: row.provider,
    usage: {
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      cacheReadTokens: row.cacheReadTokens,
      cacheWriteTokens: row.cacheWriteTokens,
      cacheWrite1hTokens: row.cacheWrite1hTokens,
    },
  });
  expect(estimate.priced, `${row.model} should be priced`).toBe(true);
  return estimate.costUsd;
}

/** A decimal string without trailing zeros, to compare NUMERIC(20,12) with the estimate exactly. */
function decimal(value: string): string {
  return value.includes(".") ? value.replace(/0+$/, "").replace(/\.$/, "") : value;
}

const buckets = (row: LlmCostRecord) => ({
  inputTokens: row.inputTokens,
  outputTokens: row.outputTokens,
  cacheReadTokens: row.cacheReadTokens,
  cacheWriteTokens: row.cacheWriteTokens,
  cacheWrite1hTokens: row.cacheWrite1hTokens,
  reasoningTokens: row.reasoningTokens,
});

describeEachEngine("integrations end to end", (context) => {
  let server: FakeProviderServer;
  let harnesses: AiHarness[];
  let store: TelemetryStore;
  let tracker: CostTracker;
  let repo: string;

  beforeAll(async () => {
    server = await startFakeProviderServer();
    harnesses = aiHarnesses(server.baseUrls);
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
    tracker = createCostTracker({
      telemetryStore: store,
      spoolDir: false,
      closeSink: false,
      flushIntervalMs: 10,
    });
  });
  afterAll(async () => {
    await tracker.close();
    await server.close();
  });
  beforeEach(() => {
    server.reset();
    // Each test books under a repo of its own, so it reads exactly its own rows.
    repo = `repo-${randomUUID()}`;
  });

  /** Every row this test wrote, in the order they were tracked. */
  async function rows(): Promise<LlmCostRecord[]> {
    await new Promise((resolve) => setTimeout(resolve, 10));
    await tracker.flush();
    const result = await context
      .database()
      .query<{ event_id: string }>(
        `SELECT event_id::text AS event_id FROM ${quoteSchema(context.schema)}.llm_cost_events WHERE repo = $1 ORDER BY id`,
        [repo],
      );
    const records = await store.getLlmCosts(result.map((row) => row.event_id));
    const byId = new Map(records.map((record) => [record.eventId, record]));
    return result.map((row) => byId.get(row.event_id)!);
  }

  it("a CostTracker is a UsageTracker", () => {
    const usageTracker: UsageTracker = tracker;
    expect(typeof usageTracker.trackUsage).toBe("function");
  });

  for (const harnessName of ["ai 6", "ai 7"] as const) {
    const harness = () => harnesses.find((candidate) => candidate.name === harnessName)!;
    const tracked = (api: ProviderApi) =>
      harness().wrap(
        harness().bare(api, providerCases[api].modelId),
        createCostTrackingMiddleware({ tracker, repo, taskType: "chat", deliveryId: "delivery-1" }),
      );

    for (const api of apis) {
      const { modelId, provider, usage, expected } = providerCases[api];

      it(`${harnessName} ${api}: generateText and streamText each write one exact row`, async () => {
        const model = tracked(api);
        server.reply({ usage }, { usage });
        await harness().generateText(model, {
          providerOptions: { llmLedger: { metadata: { page: "home" } } },
        });
        const streamed = await harness().streamText(model);
        expect(streamed.error).toBeUndefined();
        const written = await rows();
        expect(written).toHaveLength(2);
        for (const row of written) {
          expect(buckets(row)).toEqual(expected);
          expect(row).toMatchObject({
            repo,
            taskType: "chat",
            model: modelId,
            provider,
            sdk: "ai",
            deliveryId: "delivery-1",
            priced: true,
            costSource: "catalog",
            providerCostUsd: null,
            usedFallback: false,
            fallbackReason: null,
            error: null,
          });
          expect(decimal(row.estimatedCostUsd)).toBe(decimal(catalogCost(row)));
          expect(row.durationMs).toBeGreaterThanOrEqual(0);
        }
        expect(written[0]!.metadata).toEqual({ page: "home" });
        expect(written[1]!.metadata).toBeNull();
      });

      it(`${harnessName} ${api}: a tool loop writes one row per step; an aborted stream and an error are recorded`, async () => {
        const model = tracked(api);
        server.reply(
          { usage, toolCall: { name: "weather", input: { city: "Oslo" } } },
          { usage, text: "Cold." },
        );
        expect(await harness().toolLoop(model)).toEqual({ steps: 2, text: "Cold." });
        server.reply({ usage, hangAfter: api === "gemini" ? 1 : 3 });
        await harness().streamText(model, { abortAfterFirstChunk: true });
        server.reply({ status: 400, errorMessage: "max_tokens is too large" });
        await expect(harness().generateText(model, { maxRetries: 0 })).rejects.toThrow(/max_tokens/);
        const written = await rows();
        expect(written).toHaveLength(4);
        expect(written.slice(0, 2).map(buckets)).toEqual([expected, expected]);
        expect(written.slice(0, 2).map((row) => row.error)).toEqual([null, null]);
        expect(written[2]!.error).toMatch(/^aborted: /);
        expect(written[3]).toMatchObject({
          error: "HTTP 400: max_tokens is too large",
          inputTokens: 0,
          outputTokens: 0,
          priced: true,
          model: modelId,
          provider,
        });
        expect(decimal(written[3]!.estimatedCostUsd)).toBe("0");
      });
    }

    it(`${harnessName}: the task router writes the failed attempt and the fallback's answer`, async () => {
      const router = createTaskRouter({
        tracker,
        repo,
        routes: {
          summarize: {
            models: [
              harness().bare("anthropic", "claude-sonnet-4-5-20250929"),
              harness().bare("openai-chat", "gpt-4.1-mini"),
            ],
          },
        },
        ai: harness().functions as typeof import("ai"),
      });
      server.reply(
        { status: 429, errorMessage: "rate limited" },
        { usage: providerCases["openai-chat"].usage },
      );
      await router.generateText({ taskType: "summarize", prompt: "Summarize.", maxRetries: 0 });
      server.reply(
        { status: 503, errorMessage: "unavailable" },
        { usage: providerCases["openai-chat"].usage },
      );
      const stream = router.streamText({ taskType: "summarize", prompt: "Summarize.", maxRetries: 0 });
      for await (const _chunk of stream.textStream) {
        // consume
      }
      const written = await rows();
      expect(
        written.map((row) => [
          row.model,
          row.provider,
          row.taskType,
          row.usedFallback,
          row.fallbackReason,
          row.error,
        ]),
      ).toEqual([
        ["claude-sonnet-4-5-20250929", "anthropic", "summarize", false, null, "HTTP 429: rate limited"],
        ["gpt-4.1-mini", "openai", "summarize", true, "429", null],
        ["claude-sonnet-4-5-20250929", "anthropic", "summarize", false, null, "HTTP 503: unavailable"],
        ["gpt-4.1-mini", "openai", "summarize", true, "503", null],
      ]);
      expect(buckets(written[1]!)).toEqual(providerCases["openai-chat"].expected);
      expect(buckets(written[3]!)).toEqual(providerCases["openai-chat"].expected);
      expect(decimal(written[1]!.estimatedCostUsd)).toBe(decimal(catalogCost(written[1]!)));
    });
  }

  it("Agent SDK: one row per model with the SDK's cost kept apart; tracking again writes nothing", async () => {
    const result = {
      type: "result",
      subtype: "success",
      duration_ms: 61000,
      duration_api_ms: 52000,
      is_error: false,
      num_turns: 12,
      result: "Fixed.",
      stop_reason: "end_turn",
      total_cost_usd: 0.52,
      usage: {
        input_tokens: 50,
        output_tokens: 3000,
        cache_creation_input_tokens: 9000,
        cache_read_input_tokens: 150000,
      },
      modelUsage: {
        "claude-sonnet-4-5-20250929": {
          inputTokens: 50,
          outputTokens: 3000,
          cacheReadInputTokens: 150000,
          cacheCreationInputTokens: 9000,
          cacheCreationEphemeral5mInputTokens: 1000,
          cacheCreationEphemeral1hInputTokens: 8000,
          webSearchRequests: 0,
          costUSD: 0.5,
          contextWindow: 200000,
          maxOutputTokens: 64000,
        },
        "claude-haiku-4-5-20251001": {
          inputTokens: 4000,
          outputTokens: 600,
          cacheReadInputTokens: 0,
          cacheCreationInputTokens: 0,
          webSearchRequests: 0,
          costUSD: 0.02,
          contextWindow: 200000,
          maxOutputTokens: 64000,
        },
      },
      permission_denials: [],
      uuid: randomUUID(),
      session_id: "session-e2e",
    } as AgentResultMessage;
    const first = await trackAgentSdkResult(tracker, result, {
      repo,
      taskType: "fix-bug",
      deliveryId: "d-agent",
    });
    expect(first.map((outcome) => outcome.outcome)).toEqual(["stored", "stored"]);
    const again = await trackAgentSdkResult(tracker, result, {
      repo,
      taskType: "fix-bug",
      deliveryId: "d-agent",
    });
    expect(again.map((outcome) => outcome.outcome)).toEqual(["duplicate", "duplicate"]);
    const written = await rows();
    expect(written).toHaveLength(2);
    const [sonnet, haiku] = written;
    expect(sonnet).toMatchObject({
      model: "claude-sonnet-4-5-20250929",
      provider: "anthropic",
      sdk: "agent",
      taskType: "fix-bug",
      deliveryId: "d-agent",
      sessionId: "session-e2e",
      durationMs: 61000,
      inputTokens: 50,
      outputTokens: 3000,
      cacheReadTokens: 150000,
      cacheWriteTokens: 1000,
      cacheWrite1hTokens: 8000,
      priced: true,
      costSource: "catalog",
      error: null,
    });
    expect(decimal(sonnet!.providerCostUsd!)).toBe("0.5");
    expect(decimal(sonnet!.estimatedCostUsd)).toBe(decimal(catalogCost(sonnet!)));
    expect(haiku).toMatchObject({
      model: "claude-haiku-4-5-20251001",
      durationMs: 61000,
      cacheWriteTokens: 0,
    });
    expect(decimal(haiku!.providerCostUsd!)).toBe("0.02");
    expect(decimal(haiku!.estimatedCostUsd)).toBe(decimal(catalogCost(haiku!)));
  });

  it("raw adapters: trackUsage with each provider's own usage writes exact rows", async () => {
    await tracker.trackUsage({
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      usage: usageFromAnthropic(providerCases.anthropic.usage),
      repo,
      taskType: "raw",
      sdk: "raw",
    });
    await tracker.trackUsage({
      provider: "openai",
      model: "o4-mini",
      usage: usageFromOpenAI(providerCases["openai-responses"].usage),
      repo,
      taskType: "raw",
      sdk: "raw",
    });
    await tracker.trackUsage({
      provider: "google",
      model: "gemini-2.5-flash",
      usage: usageFromGemini(providerCases.gemini.usage),
      repo,
      taskType: "raw",
      sdk: "raw",
    });
    const written = await rows();
    expect(written.map(buckets)).toEqual([
      providerCases.anthropic.expected,
      providerCases["openai-responses"].expected,
      providerCases.gemini.expected,
    ]);
    for (const row of written) expect(decimal(row.estimatedCostUsd)).toBe(decimal(catalogCost(row)));
  });
});
