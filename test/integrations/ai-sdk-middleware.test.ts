// The middleware against the real AI SDK (6 and 7) and provider packages, pointed at the fake provider
// server, recording into a fake tracker: what it hands to `trackUsage` for every provider and mode.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCostTrackingMiddleware } from "../../src/integrations/ai-sdk/index.js";
import {
  startFakeProviderServer,
  type FakeProviderServer,
  type ProviderApi,
} from "../support/fake-provider-server.js";
import { aiHarnesses, type AiHarness, type HarnessModel } from "./ai-harness.js";
import { providerCases } from "./provider-cases.js";
import { createRecordingTracker } from "./recording-tracker.js";

let server: FakeProviderServer;
let harnesses: AiHarness[];
beforeAll(async () => {
  server = await startFakeProviderServer();
  harnesses = aiHarnesses(server.baseUrls);
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const apis = Object.keys(providerCases) as ProviderApi[];

function setup(
  harness: AiHarness,
  api: ProviderApi,
  extra: { deliveryId?: string; metadata?: Record<string, unknown> } = {},
) {
  const tracker = createRecordingTracker();
  const middleware = createCostTrackingMiddleware({ tracker, repo: "web", taskType: "chat", ...extra });
  const model = harness.wrap(harness.bare(api, providerCases[api].modelId), middleware);
  return { tracker, model };
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 5));
}

describe.each(["ai 6", "ai 7"] as const)("cost tracking middleware under %s", (name) => {
  const harness = () => harnesses.find((candidate) => candidate.name === name)!;

  describe.each(apis)("%s", (api) => {
    const { modelId, provider, usage, expected } = providerCases[api];

    it("records one event for generateText with every bucket mapped", async () => {
      const { tracker, model } = setup(harness(), api, { deliveryId: "d-1", metadata: { team: "core" } });
      server.reply({ usage, text: "Hi there." });
      expect(await harness().generateText(model)).toBe("Hi there.");
      expect(tracker.calls).toHaveLength(1);
      const [call] = tracker.calls;
      expect(call).toMatchObject({
        repo: "web",
        taskType: "chat",
        model: modelId,
        provider,
        sdk: "ai",
        deliveryId: "d-1",
        metadata: { team: "core" },
        usage: expected,
      });
      expect(call!.error).toBeUndefined();
      expect(call!.usedFallback).toBeUndefined();
      expect(call!.durationMs).toBeGreaterThanOrEqual(0);
      expect(call!.createdAt).toBeInstanceOf(Date);
    });

    it("records one event for streamText from the finish part", async () => {
      const { tracker, model } = setup(harness(), api);
      server.reply({ usage, text: "Streaming hello." });
      const outcome = await harness().streamText(model);
      expect(outcome.error).toBeUndefined();
      expect(outcome.text).toBe("Streaming hello.");
      await settle();
      expect(tracker.calls).toHaveLength(1);
      expect(tracker.calls[0]).toMatchObject({ model: modelId, provider, usage: expected });
      expect(tracker.calls[0]!.error).toBeUndefined();
    });

    it("lets providerOptions.llmLedger override the defaults per call", async () => {
      const { tracker, model } = setup(harness(), api, { metadata: { team: "core", tier: "free" } });
      server.reply({ usage });
      await harness().generateText(model, {
        providerOptions: {
          llmLedger: {
            repo: "batch",
            taskType: "title",
            deliveryId: "d-9",
            metadata: { tier: "pro" },
            userId: 42,
          },
        },
      });
      expect(tracker.calls[0]).toMatchObject({
        repo: "batch",
        taskType: "title",
        deliveryId: "d-9",
        metadata: { team: "core", tier: "pro" },
      });
      // A field of the wrong type is ignored: bookkeeping never fails the call.
      expect(tracker.calls[0]!.userId).toBeUndefined();
    });

    it("records each step of a tool loop", async () => {
      const { tracker, model } = setup(harness(), api);
      server.reply(
        { usage, toolCall: { name: "weather", input: { city: "Paris" } } },
        { usage, text: "Sunny." },
      );
      const result = await harness().toolLoop(model);
      expect(result).toEqual({ steps: 2, text: "Sunny." });
      expect(tracker.calls).toHaveLength(2);
      expect(tracker.calls.map((call) => call.usage)).toEqual([expected, expected]);
    });

    it("records a provider error with its message and rethrows it", async () => {
      const { tracker, model } = setup(harness(), api);
      server.reply({ status: 400, errorMessage: "prompt is too long" });
      await expect(harness().generateText(model, { maxRetries: 0 })).rejects.toThrow(/prompt is too long/);
      expect(tracker.calls).toHaveLength(1);
      expect(tracker.calls[0]).toMatchObject({
        model: modelId,
        provider,
        error: "HTTP 400: prompt is too long",
        usage: { inputTokens: 0, outputTokens: 0 },
      });
    });

    it("records a streamed call that fails before the stream starts", async () => {
      const { tracker, model } = setup(harness(), api);
      server.reply({ status: 401, errorMessage: "invalid x-api-key" });
      const outcome = await harness().streamText(model, { maxRetries: 0 });
      expect(String(outcome.error)).toMatch(/invalid x-api-key/);
      await settle();
      expect(tracker.calls).toHaveLength(1);
      expect(tracker.calls[0]!.error).toBe("HTTP 401: invalid x-api-key");
    });

    it("records a stream whose connection breaks midway, with the error", async () => {
      const { tracker, model } = setup(harness(), api);
      server.reply({ usage, destroyAfter: api === "gemini" ? 1 : 2 });
      const outcome = await harness().streamText(model, { maxRetries: 0 });
      expect(outcome.error).toBeDefined();
      await settle();
      expect(tracker.calls).toHaveLength(1);
      expect(tracker.calls[0]!.error).toEqual(expect.any(String));
      expect(tracker.calls[0]!.model).toBe(modelId);
    });

    it("records a stream aborted by the caller", async () => {
      const { tracker, model } = setup(harness(), api);
      server.reply({ usage, hangAfter: api === "gemini" ? 1 : 3 });
      await harness().streamText(model, { abortAfterFirstChunk: true });
      await settle();
      expect(tracker.calls).toHaveLength(1);
      expect(tracker.calls[0]!.error).toMatch(/^aborted: /);
    });
  });

  it("records an Anthropic stream that fails midway with the error event's message", async () => {
    const { tracker, model } = setup(harness(), "anthropic");
    server.reply({ usage: providerCases.anthropic.usage, streamErrorAfter: 3, errorMessage: "Overloaded" });
    const outcome = await harness().streamText(model, { maxRetries: 0 });
    expect(outcome.error).toBeDefined();
    await settle();
    expect(tracker.calls).toHaveLength(1);
    expect(tracker.calls[0]!.error).toMatch(/Overloaded/);
    // The 4.x provider reports message_start's usage as it arrives: the input side is known.
    const known =
      name === "ai 7"
        ? { inputTokens: 120, cacheReadTokens: 3000, cacheWriteTokens: 500, cacheWrite1hTokens: 1000 }
        : { inputTokens: 0 };
    expect(tracker.calls[0]!.usage).toMatchObject(known);
  });

  it("records generateObject and streamObject", async () => {
    const { tracker, model } = setup(harness(), "openai-chat");
    const { usage, expected } = providerCases["openai-chat"];
    server.reply({ usage, text: '{"title":"Ledger"}' }, { usage, text: '{"title":"Stream"}' });
    expect(await harness().generateObject(model)).toEqual({ title: "Ledger" });
    expect(await harness().streamObject(model)).toEqual({ title: "Stream" });
    await settle();
    expect(tracker.calls.map((call) => call.usage)).toEqual([expected, expected]);
  });

  it("records a call once when two tracking middlewares wrap the same model (the outer one)", async () => {
    const inner = createRecordingTracker();
    const outer = createRecordingTracker();
    const bare = harness().bare("anthropic", providerCases.anthropic.modelId);
    const once = harness().wrap(
      bare,
      createCostTrackingMiddleware({ tracker: inner, repo: "inner", taskType: "x" }),
    );
    const twice = harness().wrap(
      once,
      createCostTrackingMiddleware({ tracker: outer, repo: "outer", taskType: "y" }),
    );
    server.reply({ usage: providerCases.anthropic.usage }, { usage: providerCases.anthropic.usage });
    await harness().generateText(twice);
    await harness().streamText(twice);
    await settle();
    expect(inner.calls).toHaveLength(0);
    expect(outer.calls.map((call) => call.repo)).toEqual(["outer", "outer"]);
    // The same inner model used on its own still records.
    server.reply({ usage: providerCases.anthropic.usage });
    await harness().generateText(once);
    expect(inner.calls).toHaveLength(1);
  });

  it("never fails the call when the tracker throws", async () => {
    const tracker = {
      trackUsage(): Promise<never> {
        throw new Error("tracker exploded");
      },
    };
    const model: HarnessModel = harness().wrap(
      harness().bare("openai-chat", "o4-mini"),
      createCostTrackingMiddleware({ tracker, repo: "r", taskType: "t" }),
    );
    server.reply({ text: "still fine" });
    expect(await harness().generateText(model)).toBe("still fine");
  });
});
