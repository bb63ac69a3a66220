// Issue #17, "Modalities": the integrations read audio and image tokens where each provider reports
// them apart (OpenAI's `*_tokens_details.audio_tokens`, Gemini's token counts by modality, OpenInference
// span attributes) and carve them out of the text buckets: text + modality = the reported total,
// never a token in two buckets. Parts larger than their total are a precise error.
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import { createCostTrackingMiddleware, usageFromAiSdk } from "../../src/integrations/ai-sdk/index.js";
import {
  createCostMetrics,
  decodeJsonSpans,
  usageOfSpan,
} from "../../src/integrations/opentelemetry/index.js";
import { usageFromGemini, usageFromOpenAI } from "../../src/integrations/raw/index.js";
import { createPricing } from "../../src/pricing/index.js";
import {
  startFakeProviderServer,
  type FakeProviderServer,
  type ProviderApi,
} from "../support/fake-provider-server.js";
import { aiHarnesses, type AiHarness } from "./ai-harness.js";
import { providerCases } from "./provider-cases.js";
import { createRecordingTracker } from "./recording-tracker.js";

function reason(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return isLedgerError(error) ? `${error.code}: ${error.message}` : String(error);
  }
  return "no error";
}

const sum = (...counts: (number | undefined)[]) =>
  counts.reduce<number>((total, count) => total + (count ?? 0), 0);

// A gpt-4o-audio-preview chat completion: 3,000 prompt tokens of which 2,000 audio, 800 completion
// tokens of which 500 audio.
const openAiChat = {
  prompt_tokens: 3_000,
  completion_tokens: 800,
  total_tokens: 3_800,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 2_000 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 500 },
};

// A Gemini 2.5 Flash call: 1,500 prompt tokens (800 audio), 400 of them cached (300 audio).
const geminiAudio = {
  promptTokenCount: 1_500,
  cachedContentTokenCount: 400,
  candidatesTokenCount: 200,
  thoughtsTokenCount: 50,
  totalTokenCount: 1_750,
  promptTokensDetails: [
    { modality: "TEXT", tokenCount: 700 },
    { modality: "AUDIO", tokenCount: 800 },
  ],
  cacheTokensDetails: [
    { modality: "TEXT", tokenCount: 100 },
    { modality: "AUDIO", tokenCount: 300 },
  ],
  candidatesTokensDetails: [{ modality: "TEXT", tokenCount: 200 }],
};

describe("raw OpenAI usage", () => {
  it("carves Chat Completions audio out of the prompt and completion counts", () => {
    const usage = usageFromOpenAI(openAiChat);
    expect(usage).toEqual({
      inputTokens: 1_000,
      outputTokens: 300,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
      audioInputTokens: 2_000,
      audioOutputTokens: 500,
    });
    expect(sum(usage.inputTokens, usage.cacheReadTokens, usage.audioInputTokens)).toBe(3_000);
    expect(sum(usage.outputTokens, usage.audioOutputTokens)).toBe(800);
    // Priced once each: 1000 × 2.5 + 300 × 10 + 2000 × 40 + 500 × 80 per million.
    const estimate = createPricing().estimateCost({
      model: "gpt-4o-audio-preview",
      provider: "openai",
      usage,
    });
    expect(estimate).toMatchObject({ priced: true, costUsd: "0.1255" });
  });

  it("carves cached audio out of cached text, and reads generated image tokens (Responses shape)", () => {
    const usage = usageFromOpenAI({
      input_tokens: 1_000,
      output_tokens: 1_400,
      input_tokens_details: {
        cached_tokens: 300,
        audio_tokens: 600,
        cached_tokens_details: { audio_tokens: 200 },
      },
      output_tokens_details: { audio_tokens: 0, image_tokens: 1_300 },
    });
    expect(usage).toMatchObject({
      inputTokens: 300,
      cacheReadTokens: 100,
      cacheReadAudioTokens: 200,
      audioInputTokens: 400,
      outputTokens: 100,
      imageOutputTokens: 1_300,
    });
    expect(usage).not.toHaveProperty("audioOutputTokens");
    expect(
      sum(usage.inputTokens, usage.cacheReadTokens, usage.cacheReadAudioTokens, usage.audioInputTokens),
    ).toBe(1_000);
    expect(sum(usage.outputTokens, usage.imageOutputTokens)).toBe(1_400);
  });

  it("leaves a text call's usage as it always was", () => {
    expect(usageFromOpenAI({ prompt_tokens: 10, completion_tokens: 5 })).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
    });
  });

  it("refuses more audio than the total it is part of, and negative audio", () => {
    expect(
      reason(() =>
        usageFromOpenAI({
          prompt_tokens: 100,
          completion_tokens: 5,
          prompt_tokens_details: { audio_tokens: 101 },
        }),
      ),
    ).toBe("E_USAGE_INVALID: OpenAI prompt_tokens: the parts (101) exceed the total (100)");
    expect(
      reason(() =>
        usageFromOpenAI({
          prompt_tokens: 100,
          completion_tokens: 5,
          completion_tokens_details: { audio_tokens: 6 },
        }),
      ),
    ).toBe("E_USAGE_INVALID: OpenAI completion_tokens: the parts (6) exceed the total (5)");
    expect(
      reason(() =>
        usageFromOpenAI({
          prompt_tokens: 100,
          completion_tokens: 5,
          prompt_tokens_details: { audio_tokens: -1 },
        }),
      ),
    ).toBe(
      "E_USAGE_INVALID: prompt_tokens_details.audio_tokens must be a non-negative integer token count, got -1",
    );
    expect(
      reason(() =>
        usageFromOpenAI({
          input_tokens: 10,
          output_tokens: 10,
          input_tokens_details: { audio_tokens: 2, cached_tokens_details: { audio_tokens: 3 } },
        }),
      ),
    ).toBe("E_USAGE_INVALID: OpenAI input_tokens_details.audio_tokens: the parts (3) exceed the total (2)");
  });
});

describe("raw Gemini usage", () => {
  it("carves uncached audio out of the prompt, cached audio out of the cached count", () => {
    const usage = usageFromGemini(geminiAudio);
    expect(usage).toEqual({
      inputTokens: 600,
      outputTokens: 250,
      cacheReadTokens: 100,
      cacheReadAudioTokens: 300,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 50,
      audioInputTokens: 500,
    });
    expect(
      sum(usage.inputTokens, usage.cacheReadTokens, usage.cacheReadAudioTokens, usage.audioInputTokens),
    ).toBe(1_500);
    // 600 × 0.3 + 100 × 0.03 + 300 × 0.1 + 500 × 1 + 250 × 2.5 per million (Gemini 2.5 Flash: audio
    // input $1, cached audio $0.10 beside cached text $0.03).
    const estimate = createPricing().estimateCost({ model: "gemini-2.5-flash", provider: "google", usage });
    expect(estimate).toMatchObject({ priced: true, costUsd: "0.001338" });
  });

  it("carves generated images and audio out of the candidates, thinking staying text output", () => {
    const usage = usageFromGemini({
      promptTokenCount: 20,
      candidatesTokenCount: 1_300,
      thoughtsTokenCount: 5,
      candidatesTokensDetails: [
        { modality: "IMAGE", tokenCount: 1_290 },
        { modality: "TEXT", tokenCount: 10 },
      ],
    });
    expect(usage).toMatchObject({
      inputTokens: 20,
      outputTokens: 15,
      reasoningTokens: 5,
      imageOutputTokens: 1_290,
    });
    const audio = usageFromGemini({
      promptTokenCount: 20,
      candidatesTokenCount: 900,
      candidatesTokensDetails: [{ modality: "AUDIO", tokenCount: 900 }],
    });
    expect(audio).toMatchObject({ outputTokens: 0, audioOutputTokens: 900 });
  });

  it("refuses details that are not a list of counts, or that exceed their total", () => {
    expect(reason(() => usageFromGemini({ promptTokenCount: 5, promptTokensDetails: { AUDIO: 5 } }))).toBe(
      "E_USAGE_INVALID: promptTokensDetails must be a list of { modality, tokenCount }",
    );
    expect(
      reason(() => usageFromGemini({ promptTokenCount: 5, promptTokensDetails: [{ tokenCount: 5 }] })),
    ).toBe("E_USAGE_INVALID: promptTokensDetails[0].modality must be a modality name");
    expect(
      reason(() =>
        usageFromGemini({
          promptTokenCount: 5,
          promptTokensDetails: [{ modality: "AUDIO", tokenCount: -2 }],
        }),
      ),
    ).toBe(
      "E_USAGE_INVALID: promptTokensDetails[0].tokenCount must be a non-negative integer token count, got -2",
    );
    expect(
      reason(() =>
        usageFromGemini({ promptTokenCount: 5, promptTokensDetails: [{ modality: "AUDIO", tokenCount: 6 }] }),
      ),
    ).toBe("E_USAGE_INVALID: Gemini promptTokenCount: the parts (6) exceed the total (5)");
    expect(
      reason(() =>
        usageFromGemini({
          promptTokenCount: 5,
          candidatesTokenCount: 3,
          candidatesTokensDetails: [{ modality: "IMAGE", tokenCount: 4 }],
        }),
      ),
    ).toBe("E_USAGE_INVALID: Gemini candidatesTokenCount: the parts (4) exceed the total (3)");
  });
});

describe("OpenTelemetry spans (OpenInference attributes)", () => {
  it("carves llm.token_count.*_details.audio out of the prompt and completion counts", () => {
    const attributes = {
      "llm.token_count.prompt": 3_000,
      "llm.token_count.prompt_details.cache_read": 500,
      "llm.token_count.prompt_details.audio": 2_000,
      "llm.token_count.completion": 800,
      "llm.token_count.completion_details.audio": 500,
    };
    const [span] = decodeJsonSpans({
      resourceSpans: [
        {
          resource: { attributes: [] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: "5b8efff798038103d269b633813fc60c",
                  spanId: "00f067aa0ba902b7",
                  name: "ChatCompletion",
                  startTimeUnixNano: "1767225600000000000",
                  endTimeUnixNano: "1767225601000000000",
                  attributes: Object.entries(attributes).map(([key, value]) => ({
                    key,
                    value: { intValue: String(value) },
                  })),
                },
              ],
            },
          ],
        },
      ],
    });
    expect(usageOfSpan(span!)?.usage).toEqual({
      inputTokens: 500,
      cacheReadTokens: 500,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      audioInputTokens: 2_000,
      outputTokens: 300,
      audioOutputTokens: 500,
      imageOutputTokens: 0,
      // OpenInference has no attribute for cached audio (its prompt details: cache_read, cache_write, audio).
      cacheReadAudioTokens: 0,
      reasoningTokens: 0,
    });
  });
});

describe("the OpenTelemetry token counter", () => {
  class CollectingReader extends MetricReader {
    protected onForceFlush(): Promise<void> {
      return Promise.resolve();
    }
    protected onShutdown(): Promise<void> {
      return Promise.resolve();
    }
  }

  it("counts modality tokens under their own token types, text under input, output and cache_read", async () => {
    const reader = new CollectingReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const metrics = createCostMetrics({ meterProvider })!;
    metrics.record([
      {
        eventId: "0b7c2a1e-9a0f-4c53-8d1e-2f4a5b6c7d8e",
        createdAt: "2026-12-04T10:00:00Z",
        repo: "voice",
        taskType: "talk",
        model: "gpt-realtime-mini",
        provider: "openai",
        sdk: "raw",
        inputTokens: 1_000,
        outputTokens: 300,
        cacheReadTokens: 100,
        cacheReadAudioTokens: 300,
        audioInputTokens: 2_000,
        audioOutputTokens: 500,
        estimatedCostUsd: "0.031416",
      },
    ]);
    const { resourceMetrics } = await reader.collect();
    const counted = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === "llm_ledger.tokens")!
      .dataPoints.map((point) => [point.attributes["gen_ai.token.type"], point.value]);
    expect(Object.fromEntries(counted)).toEqual({
      input: 1_000,
      output: 300,
      cache_read: 100,
      audio_input: 2_000,
      audio_output: 500,
      cache_read_audio: 300,
    });
    await meterProvider.shutdown();
  });
});

describe("the AI SDK", () => {
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
    const middleware = createCostTrackingMiddleware({ tracker, repo: "voice", taskType: "transcribe" });
    return { tracker, model: harness.wrap(harness.bare(api, providerCases[api].modelId), middleware) };
  }

  it("reads the provider's own usage object (usage.raw) with the raw adapters", () => {
    expect(usageFromAiSdk({ inputTokens: 1_500, outputTokens: 250, raw: geminiAudio })).toMatchObject({
      inputTokens: 600,
      cacheReadTokens: 100,
      cacheReadAudioTokens: 300,
      audioInputTokens: 500,
    });
  });

  // OpenAI audio through the AI SDK (whose chat schema drops audio_tokens): ai-sdk-openai-audio.test.ts.
  it.each(["ai 6", "ai 7"] as const)("under %s, records Gemini audio from a real response", async (name) => {
    const harness = harnesses.find((candidate) => candidate.name === name)!;
    const gemini = setup(harness, "gemini");
    server.reply({ usage: geminiAudio });
    await harness.generateText(gemini.model);
    expect(gemini.tracker.calls[0]?.usage).toMatchObject({
      inputTokens: 600,
      cacheReadTokens: 100,
      cacheReadAudioTokens: 300,
      audioInputTokens: 500,
      outputTokens: 250,
    });
  });
});
