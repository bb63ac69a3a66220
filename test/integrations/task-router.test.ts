// The task router against the real AI SDK (6 and 7) and providers on the fake server: which attempts
// are made, and what each records (fake tracker here; rows in the database in the end-to-end suite).
import * as ai6 from "ai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import { createTaskRouter, fallbackReason } from "../../src/integrations/ai-sdk/index.js";
import { ai7 } from "../ai7/index.js";
import { startFakeProviderServer, type FakeProviderServer } from "../support/fake-provider-server.js";
import { aiHarnesses, type AiHarness } from "./ai-harness.js";
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

const anthropicUsage = providerCases.anthropic.usage;
const openaiUsage = providerCases["openai-chat"].usage;

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("fallbackReason", () => {
  it.each([
    ["ai 6", ai6],
    ["ai 7", ai7],
  ] as const)("classifies %s errors, unwrapping RetryError", (_name, ai) => {
    const apiError = (statusCode: number | undefined, message = "failed") =>
      new ai.APICallError({
        message,
        url: "http://x",
        requestBodyValues: {},
        statusCode,
        isRetryable: statusCode !== 400,
      });
    expect(fallbackReason(apiError(429))).toBe("429");
    expect(fallbackReason(apiError(503))).toBe("503");
    expect(fallbackReason(apiError(529))).toBe("529");
    expect(fallbackReason(apiError(408))).toBe("timeout");
    expect(fallbackReason(apiError(400))).toBeUndefined();
    expect(fallbackReason(apiError(401))).toBeUndefined();
    expect(fallbackReason(apiError(422))).toBeUndefined();
    expect(fallbackReason(apiError(undefined, "Cannot connect to API: fetch failed"))).toBe("network");
    const retry = new ai.RetryError({
      message: "Failed after 3 attempts",
      reason: "maxRetriesExceeded",
      errors: [apiError(500), apiError(429)],
    });
    expect(fallbackReason(retry)).toBe("429");
  });

  it("classifies aborts, timeouts and network failures", () => {
    expect(fallbackReason(new DOMException("timed out", "TimeoutError"))).toBe("timeout");
    expect(fallbackReason(new DOMException("aborted", "AbortError"))).toBeUndefined();
    const network = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }),
    });
    expect(fallbackReason(network)).toBe("network");
    expect(
      fallbackReason({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
    ).toBe("overloaded");
    expect(fallbackReason(new Error("invalid input"))).toBeUndefined();
  });
});

describe.each(["ai 6", "ai 7"] as const)("task router under %s", (name) => {
  const harness = () => harnesses.find((candidate) => candidate.name === name)!;

  function router(timeoutMs?: number) {
    const tracker = createRecordingTracker();
    const routes = {
      summarize: {
        models: [
          harness().bare("anthropic", "claude-sonnet-4-5-20250929"),
          harness().bare("openai-chat", "gpt-4.1-mini"),
        ] as [unknown, unknown],
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      },
    };
    // The harness's own `ai` functions: the router runs on either major.
    const taskRouter = createTaskRouter({
      tracker,
      repo: "web",
      routes,
      deliveryId: "d-1",
      ai: harness().functions as typeof ai6,
    });
    return { tracker, taskRouter };
  }

  it("falls back on 429 and records both attempts once", async () => {
    const { tracker, taskRouter } = router();
    server.reply(
      { status: 429, errorMessage: "rate limited" },
      { usage: openaiUsage, text: "From the fallback." },
    );
    const result = await taskRouter.generateText({
      taskType: "summarize",
      prompt: "Summarize.",
      maxRetries: 0,
    });
    expect(result.text).toBe("From the fallback.");
    expect(server.requests.map((request) => request.api)).toEqual(["anthropic", "openai-chat"]);
    expect(tracker.calls).toHaveLength(2);
    expect(tracker.calls[0]).toMatchObject({
      repo: "web",
      taskType: "summarize",
      deliveryId: "d-1",
      model: "claude-sonnet-4-5-20250929",
      provider: "anthropic",
      error: "HTTP 429: rate limited",
      usage: { inputTokens: 0, outputTokens: 0 },
    });
    expect(tracker.calls[0]!.usedFallback).toBeUndefined();
    expect(tracker.calls[1]).toMatchObject({
      taskType: "summarize",
      model: "gpt-4.1-mini",
      provider: "openai",
      usedFallback: true,
      fallbackReason: "429",
      usage: providerCases["openai-chat"].expected,
    });
    expect(tracker.calls[1]!.error).toBeUndefined();
  });

  it("does not fall back on 400", async () => {
    const { tracker, taskRouter } = router();
    server.reply({ status: 400, errorMessage: "bad request" });
    await expect(
      taskRouter.generateText({ taskType: "summarize", prompt: "x", maxRetries: 0 }),
    ).rejects.toThrow(/bad request/);
    expect(server.requests).toHaveLength(1);
    expect(tracker.calls.map((call) => call.error)).toEqual(["HTTP 400: bad request"]);
  });

  it("with maxRetries: 1, the AI SDK retries the whole chain once: four recorded attempts", async () => {
    const { tracker, taskRouter } = router();
    const unavailable = { status: 503, errorMessage: "unavailable", headers: { "retry-after-ms": "1" } };
    server.reply(unavailable, unavailable, unavailable, unavailable);
    await expect(
      taskRouter.generateText({ taskType: "summarize", prompt: "x", maxRetries: 1 }),
    ).rejects.toThrow(/unavailable/);
    expect(server.requests.map((request) => request.api)).toEqual([
      "anthropic",
      "openai-chat",
      "anthropic",
      "openai-chat",
    ]);
    expect(
      tracker.calls.map((call) => [call.model, call.usedFallback ?? false, call.fallbackReason]),
    ).toEqual([
      ["claude-sonnet-4-5-20250929", false, undefined],
      ["gpt-4.1-mini", true, "503"],
      ["claude-sonnet-4-5-20250929", false, undefined],
      ["gpt-4.1-mini", true, "503"],
    ]);
  });

  it("falls back when an attempt times out", async () => {
    const { tracker, taskRouter } = router(150);
    server.reply({ delayMs: 2000, usage: anthropicUsage }, { usage: openaiUsage, text: "Fast fallback." });
    const result = await taskRouter.generateText({ taskType: "summarize", prompt: "x", maxRetries: 0 });
    expect(result.text).toBe("Fast fallback.");
    expect(tracker.calls[0]!.error).toMatch(/^timeout: /);
    expect(tracker.calls[1]).toMatchObject({ usedFallback: true, fallbackReason: "timeout" });
  });

  it("a stream falls back on an error before its first chunk", async () => {
    const { tracker, taskRouter } = router();
    server.reply(
      { status: 529, errorMessage: "Overloaded" },
      { usage: openaiUsage, text: "Streamed fallback." },
    );
    const result = taskRouter.streamText({ taskType: "summarize", prompt: "x", maxRetries: 0 });
    let text = "";
    for await (const chunk of result.textStream) text += chunk;
    expect(text).toBe("Streamed fallback.");
    await settle();
    expect(
      tracker.calls.map((call) => [call.model, call.error, call.usedFallback ?? false, call.fallbackReason]),
    ).toEqual([
      ["claude-sonnet-4-5-20250929", "HTTP 529: Overloaded", false, undefined],
      ["gpt-4.1-mini", undefined, true, "529"],
    ]);
  });

  it("a stream falls back on a provider error event before its first chunk", async () => {
    const { tracker, taskRouter } = router();
    server.reply(
      { usage: anthropicUsage, streamErrorAfter: 1, errorMessage: "Overloaded" },
      { usage: openaiUsage, text: "Streamed fallback." },
    );
    const result = taskRouter.streamText({ taskType: "summarize", prompt: "x", maxRetries: 0 });
    let text = "";
    for await (const chunk of result.textStream) text += chunk;
    expect(text).toBe("Streamed fallback.");
    await settle();
    expect(tracker.calls).toHaveLength(2);
    expect(tracker.calls[0]!.error).toMatch(/Overloaded/);
    expect(tracker.calls[1]).toMatchObject({
      usedFallback: true,
      usage: providerCases["openai-chat"].expected,
    });
    // The 4.x provider turns the error event into an APICallError with status 529; the 3.x one passes its type on.
    expect(tracker.calls[1]!.fallbackReason).toBe(name === "ai 7" ? "529" : "overloaded");
  });

  it("a stream does not fall back after its first chunk", async () => {
    const { tracker, taskRouter } = router();
    server.reply({ usage: anthropicUsage, streamErrorAfter: 3, errorMessage: "Overloaded" });
    let error: unknown;
    const result = taskRouter.streamText({
      taskType: "summarize",
      prompt: "x",
      maxRetries: 0,
      onError: ({ error: failure }: { error: unknown }) => {
        error = failure;
      },
    });
    let text = "";
    for await (const chunk of result.textStream) text += chunk;
    expect(text.length).toBeGreaterThan(0);
    expect(error).toBeDefined();
    await settle();
    expect(server.requests).toHaveLength(1);
    expect(tracker.calls).toHaveLength(1);
    expect(tracker.calls[0]!.error).toMatch(/Overloaded/);
  });

  it("rejects an unknown task type with a precise error", () => {
    const { taskRouter } = router();
    expect(() => taskRouter.generateText({ taskType: "translate", prompt: "x" })).toThrow(
      expect.objectContaining({ code: "E_ROUTE_UNKNOWN" }) as Error,
    );
  });
});

describe("createTaskRouter", () => {
  it("rejects a route without models", () => {
    try {
      createTaskRouter({
        tracker: createRecordingTracker(),
        repo: "r",
        routes: { x: { models: [] as unknown as [unknown] } },
      });
      throw new Error("expected an error");
    } catch (error) {
      expect(isLedgerError(error, "E_ROUTE_INVALID")).toBe(true);
    }
  });
});
