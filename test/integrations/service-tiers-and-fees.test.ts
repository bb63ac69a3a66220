// Issue #17: the integrations read the service tier that served a call and the web searches it ran
// from the providers' real responses (the fake provider server speaks their wire formats), through the
// real AI SDK provider packages, and hand both to the tracker.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCostTrackingMiddleware } from "../../src/integrations/ai-sdk/index.js";
import { serviceTierOf, usageFromAnthropic, webSearchCallsOf } from "../../src/integrations/raw/index.js";
import {
  startFakeProviderServer,
  type FakeProviderServer,
  type ProviderApi,
} from "../support/fake-provider-server.js";
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

function setup(harness: AiHarness, api: ProviderApi) {
  const tracker = createRecordingTracker();
  const middleware = createCostTrackingMiddleware({ tracker, repo: "web", taskType: "search" });
  return { tracker, model: harness.wrap(harness.bare(api, providerCases[api].modelId), middleware) };
}

describe("raw adapters", () => {
  it("read Anthropic's web searches from server_tool_use, and leave the counter out when none ran", () => {
    const usage = { input_tokens: 100, output_tokens: 20, server_tool_use: { web_search_requests: 3 } };
    expect(usageFromAnthropic(usage)).toMatchObject({
      inputTokens: 100,
      outputTokens: 20,
      webSearchRequests: 3,
    });
    const none = usageFromAnthropic({ ...usage, server_tool_use: { web_search_requests: 0 } });
    expect(none).not.toHaveProperty("webSearchRequests");
    expect(() => usageFromAnthropic({ ...usage, server_tool_use: { web_search_requests: -1 } })).toThrow(
      "server_tool_use.web_search_requests must be a non-negative integer token count, got -1",
    );
  });

  it("count OpenAI's web search calls among a Responses API response's output items", () => {
    const response = {
      output: [
        { type: "web_search_call", id: "ws_1", status: "completed" },
        { type: "web_search_call", id: "ws_2", status: "completed" },
        { type: "message", id: "msg_1" },
      ],
    };
    expect(webSearchCallsOf(response)).toBe(2);
    expect(webSearchCallsOf({ output: [] })).toBe(0);
    expect(webSearchCallsOf({ output: "web_search_call" })).toBe(0);
    expect(webSearchCallsOf(undefined)).toBe(0);
  });

  it("read the service tier where each provider reports it, in canonical form", () => {
    expect(serviceTierOf({ id: "chatcmpl-1", service_tier: "default" })).toBe("standard");
    expect(serviceTierOf({ id: "resp_1", service_tier: "flex" })).toBe("flex");
    expect(serviceTierOf({ usage: { input_tokens: 1, service_tier: "priority" } })).toBe("priority");
    expect(serviceTierOf({ input_tokens: 1, service_tier: "batch" })).toBe("batch");
    expect(serviceTierOf({ usageMetadata: { promptTokenCount: 1, serviceTier: "FLEX" } })).toBe("flex");
    expect(serviceTierOf({ service_tier: "scale" })).toBe("scale");
    expect(serviceTierOf({ service_tier: "not a tier!" })).toBeUndefined();
    expect(serviceTierOf({ service_tier: 7 })).toBeUndefined();
    expect(serviceTierOf(null)).toBeUndefined();
    expect(serviceTierOf("flex")).toBeUndefined();
  });
});

describe.each(["ai 6", "ai 7"] as const)("the AI SDK middleware under %s", (name) => {
  const harness = () => harnesses.find((candidate) => candidate.name === name)!;

  it("records Anthropic's service tier and web searches from the response's usage", async () => {
    const { tracker, model } = setup(harness(), "anthropic");
    server.reply({
      usage: {
        input_tokens: 1200,
        output_tokens: 300,
        service_tier: "batch",
        server_tool_use: { web_search_requests: 2 },
      },
    });
    await harness().generateText(model);
    expect(tracker.calls).toHaveLength(1);
    expect(tracker.calls[0]).toMatchObject({
      serviceTier: "batch",
      usage: { inputTokens: 1200, outputTokens: 300, webSearchRequests: 2 },
    });
  });

  it("records the tier OpenAI's Responses API reports (default is standard)", async () => {
    const { tracker, model } = setup(harness(), "openai-responses");
    server.reply(
      { usage: { input_tokens: 50, output_tokens: 10, total_tokens: 60 }, serviceTier: "flex" },
      { usage: { input_tokens: 50, output_tokens: 10, total_tokens: 60 }, serviceTier: "default" },
      { usage: { input_tokens: 50, output_tokens: 10, total_tokens: 60 } },
    );
    for (let call = 0; call < 3; call++) await harness().generateText(model);
    expect(tracker.calls.map((call) => call.serviceTier)).toEqual(["flex", "standard", undefined]);
  });

  it("counts OpenAI's web search calls from the Responses API body of a generate call", async () => {
    const { tracker, model } = setup(harness(), "openai-responses");
    server.reply({
      usage: { input_tokens: 500, output_tokens: 40, total_tokens: 540 },
      webSearchCalls: 2,
      serviceTier: "default",
    });
    await harness().generateText(model);
    expect(tracker.calls[0]).toMatchObject({
      serviceTier: "standard",
      usage: { inputTokens: 500, outputTokens: 40, webSearchRequests: 2 },
    });
  });

  it("records the tier in Gemini's usageMetadata", async () => {
    const { tracker, model } = setup(harness(), "gemini");
    server.reply({
      usage: { promptTokenCount: 40, candidatesTokenCount: 8, totalTokenCount: 48, serviceTier: "priority" },
    });
    await harness().generateText(model);
    expect(tracker.calls[0]).toMatchObject({ serviceTier: "priority", usage: { inputTokens: 40 } });
  });
});
