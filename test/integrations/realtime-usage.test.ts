// Issue #17, cached audio: the Realtime API reports `response.done` usage with `input_token_details`
// and `output_token_details` (singular "token", unlike the Responses API), its cache split by modality
// in `cached_tokens_details`. Read as the Responses shape without those details, a realtime call's
// audio was billed as text; read without the split, its cached audio was billed as cached text.
import { describe, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import { usageFromOpenAI } from "../../src/integrations/raw/index.js";
import { createPricing } from "../../src/pricing/index.js";

// A gpt-realtime-mini response: 1,000 input tokens (300 text, 700 audio), 400 of them cached (100
// text, 300 audio); 200 output tokens (50 text, 150 audio).
const realtimeUsage = {
  total_tokens: 1_200,
  input_tokens: 1_000,
  output_tokens: 200,
  input_token_details: {
    text_tokens: 300,
    audio_tokens: 700,
    image_tokens: 0,
    cached_tokens: 400,
    cached_tokens_details: { text_tokens: 100, audio_tokens: 300, image_tokens: 0 },
  },
  output_token_details: { text_tokens: 50, audio_tokens: 150 },
};

function reason(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return isLedgerError(error) ? `${error.code}: ${error.message}` : String(error);
  }
  return "no error";
}

describe("Realtime API usage (response.done)", () => {
  it("carves uncached audio out of input, cached audio out of cached text, audio out of output", () => {
    const usage = usageFromOpenAI(realtimeUsage);
    expect(usage).toEqual({
      inputTokens: 200,
      cacheReadTokens: 100,
      cacheReadAudioTokens: 300,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      audioInputTokens: 400,
      outputTokens: 50,
      audioOutputTokens: 150,
      reasoningTokens: 0,
    });
  });

  it("prices a gpt-realtime-mini call at its audio rates, cached audio at its own $0.30", () => {
    const usage = usageFromOpenAI(realtimeUsage);
    const estimate = createPricing().estimateCost({ model: "gpt-realtime-mini", provider: "openai", usage });
    // 200 × 0.60 + 100 × 0.06 + 300 × 0.30 + 50 × 2.40 + 400 × 10 + 150 × 20 per million. OpenAI's
    // model page prices cached audio at $0.30, not the cached text $0.06 (which gave 0.007264).
    expect(estimate).toMatchObject({
      priced: true,
      costUsd: "0.007336",
      breakdown: { cacheRead: "0.000006", cacheReadAudio: "0.00009" },
    });
  });

  it("names the realtime key of details that exceed their total", () => {
    const cachedAboveAudio = {
      input_tokens: 10,
      output_tokens: 0,
      input_token_details: { audio_tokens: 2, cached_tokens_details: { audio_tokens: 3 } },
    };
    expect(reason(() => usageFromOpenAI(cachedAboveAudio))).toBe(
      "E_USAGE_INVALID: OpenAI input_token_details.audio_tokens: the parts (3) exceed the total (2)",
    );
    const audioAboveOutput = {
      input_tokens: 10,
      output_tokens: 5,
      output_token_details: { audio_tokens: 6 },
    };
    expect(reason(() => usageFromOpenAI(audioAboveOutput))).toBe(
      "E_USAGE_INVALID: OpenAI output_tokens: the parts (6) exceed the total (5)",
    );
    const cachedAudioAboveCached = {
      input_tokens: 10,
      output_tokens: 0,
      input_token_details: { audio_tokens: 5, cached_tokens: 2, cached_tokens_details: { audio_tokens: 3 } },
    };
    expect(reason(() => usageFromOpenAI(cachedAudioAboveCached))).toBe(
      "E_USAGE_INVALID: OpenAI input_token_details.cached_tokens: the parts (3) exceed the total (2)",
    );
    expect(
      reason(() =>
        usageFromOpenAI({ input_tokens: 10, output_tokens: 5, input_token_details: { cached_tokens: -1 } }),
      ),
    ).toBe(
      "E_USAGE_INVALID: input_token_details.cached_tokens must be a non-negative integer token count, got -1",
    );
  });
});
