import { describe, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import { usageFromAnthropic, usageFromGemini, usageFromOpenAI } from "../../src/integrations/raw/index.js";

function expectLedgerError(run: () => unknown, code: string, message: RegExp): void {
  try {
    run();
  } catch (error) {
    expect(isLedgerError(error, code), String(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error("expected a LedgerError");
}

describe("usageFromOpenAI", () => {
  it("maps a Chat Completions usage: cached tokens come out of prompt tokens, reasoning stays in output", () => {
    // The shape of a real gpt-4o / o-series chat.completion response.
    const usage = {
      prompt_tokens: 2006,
      completion_tokens: 300,
      total_tokens: 2306,
      prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: 192,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    };
    expect(usageFromOpenAI(usage)).toEqual({
      inputTokens: 86,
      outputTokens: 300,
      cacheReadTokens: 1920,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 192,
    });
  });

  it("maps a Chat Completions usage without details (older models, compatible APIs)", () => {
    expect(usageFromOpenAI({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 })).toEqual({
      inputTokens: 12,
      outputTokens: 5,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
    });
  });

  it("reads DeepSeek's prompt_cache_hit_tokens when prompt_tokens_details is absent", () => {
    const usage = {
      prompt_tokens: 1000,
      completion_tokens: 50,
      total_tokens: 1050,
      prompt_cache_hit_tokens: 640,
      prompt_cache_miss_tokens: 360,
    };
    expect(usageFromOpenAI(usage)).toMatchObject({
      inputTokens: 360,
      cacheReadTokens: 640,
      outputTokens: 50,
    });
  });

  it("maps a Responses API usage, with cache writes when the API reports them", () => {
    const usage = {
      input_tokens: 5000,
      input_tokens_details: { cached_tokens: 4096, cache_write_tokens: 512 },
      output_tokens: 1200,
      output_tokens_details: { reasoning_tokens: 1024 },
      total_tokens: 6200,
    };
    expect(usageFromOpenAI(usage)).toEqual({
      inputTokens: 392,
      outputTokens: 1200,
      cacheReadTokens: 4096,
      cacheWriteTokens: 512,
      cacheWrite1hTokens: 0,
      reasoningTokens: 1024,
    });
  });

  it("treats null buckets as absent", () => {
    const usage = {
      prompt_tokens: 10,
      completion_tokens: 2,
      prompt_tokens_details: null,
      completion_tokens_details: { reasoning_tokens: null },
    };
    expect(usageFromOpenAI(usage)).toMatchObject({ inputTokens: 10, cacheReadTokens: 0, reasoningTokens: 0 });
  });

  it("rejects a missing, malformed or inconsistent usage with a precise error", () => {
    expectLedgerError(() => usageFromOpenAI(undefined), "E_USAGE_MISSING", /include_usage/);
    expectLedgerError(() => usageFromOpenAI({}), "E_USAGE_INVALID", /neither prompt_tokens/);
    expectLedgerError(
      () => usageFromOpenAI({ prompt_tokens: -1, completion_tokens: 2 }),
      "E_USAGE_INVALID",
      /prompt_tokens must be a non-negative integer token count, got -1/,
    );
    expectLedgerError(
      () => usageFromOpenAI({ prompt_tokens: "12" as unknown as number, completion_tokens: 2 }),
      "E_USAGE_INVALID",
      /got the string "12"/,
    );
    expectLedgerError(
      () =>
        usageFromOpenAI({
          prompt_tokens: 10,
          completion_tokens: 2,
          prompt_tokens_details: { cached_tokens: 11 },
        }),
      "E_USAGE_INVALID",
      /parts \(11\) exceed the total \(10\)/,
    );
    expectLedgerError(() => usageFromOpenAI([] as never), "E_USAGE_INVALID", /must be an object/);
  });
});

describe("usageFromAnthropic", () => {
  it("keeps input as reported (it excludes cache) and splits 5-minute and 1-hour writes", () => {
    // A Messages response with mixed-TTL cache_control blocks.
    const usage = {
      input_tokens: 21,
      cache_creation_input_tokens: 3000,
      cache_read_input_tokens: 12000,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
      output_tokens: 393,
      service_tier: "standard",
      server_tool_use: { web_search_requests: 0 },
    };
    expect(usageFromAnthropic(usage)).toEqual({
      inputTokens: 21,
      outputTokens: 393,
      cacheReadTokens: 12000,
      cacheWriteTokens: 1000,
      cacheWrite1hTokens: 2000,
      reasoningTokens: 0,
    });
  });

  it("counts every write as a 5-minute write when the response has no split", () => {
    const usage = {
      input_tokens: 5,
      output_tokens: 7,
      cache_creation_input_tokens: 400,
      cache_read_input_tokens: 0,
    };
    expect(usageFromAnthropic(usage)).toMatchObject({ cacheWriteTokens: 400, cacheWrite1hTokens: 0 });
  });

  it("uses the split alone when the total is missing, and never counts both", () => {
    const usage = {
      input_tokens: 5,
      output_tokens: 7,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 900 },
    };
    expect(usageFromAnthropic(usage)).toMatchObject({ cacheWriteTokens: 0, cacheWrite1hTokens: 900 });
  });

  it("sums compaction iterations like the AI SDK, and leaves advisor iterations out", () => {
    const usage = {
      input_tokens: 100,
      output_tokens: 50,
      cache_read_input_tokens: 10,
      iterations: [
        { type: "compaction", input_tokens: 8000, output_tokens: 600 },
        { type: "message", input_tokens: 100, output_tokens: 50 },
        { type: "advisor_message", model: "claude-opus-4-1", input_tokens: 999, output_tokens: 99 },
      ],
    };
    expect(usageFromAnthropic(usage)).toMatchObject({
      inputTokens: 8100,
      outputTokens: 650,
      cacheReadTokens: 10,
    });
    const servedByFallback = {
      input_tokens: 100,
      output_tokens: 50,
      iterations: [
        { type: "message", input_tokens: 100, output_tokens: 0 },
        { type: "fallback_message", model: "claude-sonnet-4-5", input_tokens: 100, output_tokens: 50 },
      ],
    };
    expect(usageFromAnthropic(servedByFallback)).toMatchObject({ inputTokens: 100, outputTokens: 50 });
  });

  it("reports thinking tokens when the API details them", () => {
    const usage = { input_tokens: 10, output_tokens: 500, output_tokens_details: { thinking_tokens: 420 } };
    expect(usageFromAnthropic(usage)).toMatchObject({ outputTokens: 500, reasoningTokens: 420 });
  });

  it("rejects a missing or malformed usage", () => {
    expectLedgerError(() => usageFromAnthropic(null), "E_USAGE_MISSING", /no usage/);
    expectLedgerError(
      () => usageFromAnthropic({ input_tokens: 1.5, output_tokens: 1 }),
      "E_USAGE_INVALID",
      /input_tokens .* got 1.5/,
    );
    expectLedgerError(
      () =>
        usageFromAnthropic({
          input_tokens: 1,
          output_tokens: 1,
          cache_creation: { ephemeral_1h_input_tokens: Number.NaN },
        }),
      "E_USAGE_INVALID",
      /cache_creation.ephemeral_1h_input_tokens .* got NaN/,
    );
  });
});

describe("usageFromGemini", () => {
  it("takes cached content out of the prompt and bills thinking as output", () => {
    // A gemini-2.5 generateContent usageMetadata with implicit caching and thinking.
    const usage = {
      promptTokenCount: 10500,
      candidatesTokenCount: 800,
      totalTokenCount: 13300,
      cachedContentTokenCount: 8192,
      thoughtsTokenCount: 2000,
      promptTokensDetails: [{ modality: "TEXT", tokenCount: 10500 }],
      cacheTokensDetails: [{ modality: "TEXT", tokenCount: 8192 }],
    };
    expect(usageFromGemini(usage)).toEqual({
      inputTokens: 2308,
      outputTokens: 2800,
      cacheReadTokens: 8192,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 2000,
    });
  });

  it("bills tool-use prompt tokens as input", () => {
    const usage = {
      promptTokenCount: 100,
      toolUsePromptTokenCount: 40,
      candidatesTokenCount: 10,
      totalTokenCount: 150,
    };
    expect(usageFromGemini(usage)).toMatchObject({ inputTokens: 140, outputTokens: 10 });
  });

  it("accepts a usage with only a prompt count (a stream chunk before any candidate)", () => {
    expect(usageFromGemini({ promptTokenCount: 9, totalTokenCount: 9 })).toMatchObject({
      inputTokens: 9,
      outputTokens: 0,
    });
  });

  it("rejects a missing or inconsistent usage", () => {
    expectLedgerError(() => usageFromGemini(undefined), "E_USAGE_MISSING", /usageMetadata/);
    expectLedgerError(
      () => usageFromGemini({ promptTokenCount: 5, cachedContentTokenCount: 6 }),
      "E_USAGE_INVALID",
      /Gemini promptTokenCount: the parts \(6\) exceed the total \(5\)/,
    );
  });
});
