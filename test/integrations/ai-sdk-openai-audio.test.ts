// Issue #17, "Modalities": @ai-sdk/openai parses OpenAI's usage through a schema that keeps no
// `audio_tokens`, so its `usage.raw` has none. The middleware reads the usage the provider sent: the
// response body of a generate call, the raw chunks of a stream (which it asks for and hides again).
// Through the real `ai` 6 and 7 packages against the fake provider server's OpenAI wire format.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCostTrackingMiddleware } from "../../src/integrations/ai-sdk/index.js";
import { withRawUsageChunks } from "../../src/integrations/ai-sdk/raw-usage-chunks.js";
import { createPricing } from "../../src/pricing/index.js";
import {
  startFakeProviderServer,
  type FakeProviderServer,
  type ProviderApi,
} from "../support/fake-provider-server.js";
import { aiHarnesses, type AiHarness } from "./ai-harness.js";
import { createRecordingTracker } from "./recording-tracker.js";

// A gpt-4o-audio-preview completion: 3,000 prompt tokens (2,000 audio), 800 completion tokens (500 audio).
const chatAudio = {
  prompt_tokens: 3_000,
  completion_tokens: 800,
  total_tokens: 3_800,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 2_000 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 500 },
};
const chatAudioRecorded = {
  inputTokens: 1_000,
  outputTokens: 300,
  cacheReadTokens: 0,
  audioInputTokens: 2_000,
  audioOutputTokens: 500,
};

// The same counts in the Responses API's shape, 400 of the input cached (100 of them audio).
const responsesAudio = {
  input_tokens: 3_000,
  output_tokens: 800,
  total_tokens: 3_800,
  input_tokens_details: {
    cached_tokens: 400,
    audio_tokens: 2_000,
    cached_tokens_details: { audio_tokens: 100 },
  },
  output_tokens_details: { reasoning_tokens: 0, audio_tokens: 500 },
};

let server: FakeProviderServer;
let harnesses: AiHarness[];
beforeAll(async () => {
  server = await startFakeProviderServer();
  harnesses = aiHarnesses(server.baseUrls);
});
afterAll(() => server.close());
beforeEach(() => server.reset());

function setup(name: AiHarness["name"], api: ProviderApi) {
  const harness = harnesses.find((candidate) => candidate.name === name)!;
  const tracker = createRecordingTracker();
  const middleware = createCostTrackingMiddleware({ tracker, repo: "voice", taskType: "talk" });
  const model = harness.wrap(harness.bare(api, "gpt-4o-audio-preview"), middleware);
  return { harness, tracker, model };
}

/** The part types of a wrapped model's own stream (what an outer middleware or a direct caller sees). */
async function partTypes(model: unknown, includeRawChunks?: boolean): Promise<string[]> {
  const streaming = model as {
    doStream(options: object): PromiseLike<{ stream: ReadableStream<{ type: string }> }>;
  };
  const prompt = [{ role: "user", content: [{ type: "text", text: "Say hello." }] }];
  const { stream } = await streaming.doStream({ prompt, includeRawChunks });
  const types: string[] = [];
  for await (const part of stream as unknown as AsyncIterable<{ type: string }>) types.push(part.type);
  return types;
}

describe.each(["ai 6", "ai 7"] as const)("under %s, OpenAI audio tokens", (name) => {
  it("are read from a chat completion's response body, and priced at the audio rates", async () => {
    const { harness, tracker, model } = setup(name, "openai-chat");
    server.reply({ usage: chatAudio });
    await harness.generateText(model);
    const usage = tracker.calls[0]!.usage;
    expect(usage).toMatchObject(chatAudioRecorded);
    // 1000 × 2.5 + 300 × 10 + 2000 × 40 + 500 × 80 per million, not 3800 tokens at the text rates.
    const estimate = createPricing().estimateCost({
      model: "gpt-4o-audio-preview",
      provider: "openai",
      usage,
    });
    expect(estimate).toMatchObject({ priced: true, costUsd: "0.1255" });
  });

  it("are read from a chat stream's final chunk", async () => {
    const { harness, tracker, model } = setup(name, "openai-chat");
    server.reply({ usage: chatAudio });
    const outcome = await harness.streamText(model);
    expect(outcome.error).toBeUndefined();
    expect(tracker.calls[0]!.usage).toMatchObject(chatAudioRecorded);
  });

  it("are read from a Responses API response and stream, cached audio apart from cached text", async () => {
    const { harness, tracker, model } = setup(name, "openai-responses");
    server.reply({ usage: responsesAudio }, { usage: responsesAudio });
    await harness.generateText(model);
    await harness.streamText(model);
    const expected = {
      inputTokens: 700,
      cacheReadTokens: 300,
      cacheReadAudioTokens: 100,
      audioInputTokens: 1_900,
      audioOutputTokens: 500,
    };
    expect(tracker.calls.map((call) => call.usage)).toMatchObject([expected, expected]);
  });

  it("hides the raw chunks the middleware asked for, and passes them on when the caller asked", async () => {
    const { tracker, model } = setup(name, "openai-chat");
    server.reply({ usage: chatAudio }, { usage: chatAudio });
    const hidden = await partTypes(model);
    expect(hidden).toContain("finish");
    expect(hidden).not.toContain("raw");
    expect(await partTypes(model, true)).toContain("raw");
    expect(tracker.calls.map((call) => call.usage)).toMatchObject([chatAudioRecorded, chatAudioRecorded]);
  });

  it("fall back to the SDK's usage when the provider's usage does not add up", async () => {
    const { harness, tracker, model } = setup(name, "openai-chat");
    const broken = { ...chatAudio, prompt_tokens_details: { cached_tokens: 1_000, audio_tokens: 2_500 } };
    server.reply({ usage: broken }, { usage: broken });
    await harness.generateText(model);
    await harness.streamText(model);
    // The SDK's own parse has no audio: the call is still recorded, its cache read split out.
    const expected = { inputTokens: 2_000, cacheReadTokens: 1_000, outputTokens: 800 };
    expect(tracker.calls.map((call) => call.usage)).toMatchObject([expected, expected]);
    for (const call of tracker.calls) expect(call.usage).not.toHaveProperty("audioInputTokens");
  });
});

describe("which streams the middleware asks raw chunks of", () => {
  const params = { providerOptions: {} };
  const model = (provider: string, modelId: string) => ({ provider, modelId, specificationVersion: "v2" });

  it("asks them of OpenAI and Azure audio and realtime models only: other streams keep their parts", () => {
    for (const [provider, modelId] of [
      ["openai.chat", "gpt-4o-audio-preview"],
      ["azure.chat", "gpt-audio-mini"],
      ["openai.responses", "gpt-realtime-mini"],
    ] as const) {
      expect(withRawUsageChunks(params, "stream", model(provider, modelId))).toMatchObject({
        includeRawChunks: true,
      });
    }
    for (const [provider, modelId] of [
      ["openai.chat", "gpt-4o"],
      ["azure.responses", "gpt-5-mini"],
      ["anthropic.messages", "claude-audio-imaginary"],
    ] as const) {
      expect(withRawUsageChunks(params, "stream", model(provider, modelId))).toBe(params);
    }
    // A generate call reads the response body instead.
    expect(withRawUsageChunks(params, "generate", model("openai.chat", "gpt-4o-audio-preview"))).toBe(params);
  });
});
