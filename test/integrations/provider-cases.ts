// Per provider API: a model, the usage the fake server reports in the provider's own format, and what
// llm-ledger records for it.
import type { ProviderApi } from "../support/fake-provider-server.js";

/** Per provider API: a model, the usage the server reports in its own format, and what we record. */
export const providerCases: Record<
  ProviderApi,
  { modelId: string; provider: string; usage: Record<string, unknown>; expected: Record<string, number> }
> = {
  anthropic: {
    modelId: "claude-sonnet-4-5-20250929",
    provider: "anthropic",
    usage: {
      input_tokens: 120,
      output_tokens: 80,
      cache_read_input_tokens: 3000,
      cache_creation_input_tokens: 1500,
      cache_creation: { ephemeral_5m_input_tokens: 500, ephemeral_1h_input_tokens: 1000 },
    },
    expected: {
      inputTokens: 120,
      outputTokens: 80,
      cacheReadTokens: 3000,
      cacheWriteTokens: 500,
      cacheWrite1hTokens: 1000,
      reasoningTokens: 0,
    },
  },
  "openai-chat": {
    modelId: "o4-mini",
    provider: "openai",
    usage: {
      prompt_tokens: 2000,
      completion_tokens: 300,
      total_tokens: 2300,
      prompt_tokens_details: { cached_tokens: 1536 },
      completion_tokens_details: { reasoning_tokens: 128 },
    },
    expected: {
      inputTokens: 464,
      outputTokens: 300,
      cacheReadTokens: 1536,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 128,
    },
  },
  "openai-responses": {
    modelId: "o4-mini",
    provider: "openai",
    usage: {
      input_tokens: 2000,
      input_tokens_details: { cached_tokens: 1024 },
      output_tokens: 400,
      output_tokens_details: { reasoning_tokens: 256 },
      total_tokens: 2400,
    },
    expected: {
      inputTokens: 976,
      outputTokens: 400,
      cacheReadTokens: 1024,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 256,
    },
  },
  gemini: {
    modelId: "gemini-2.5-flash",
    provider: "google",
    usage: {
      promptTokenCount: 1200,
      cachedContentTokenCount: 1000,
      candidatesTokenCount: 50,
      thoughtsTokenCount: 150,
      toolUsePromptTokenCount: 30,
      totalTokenCount: 1430,
    },
    expected: {
      inputTokens: 230,
      outputTokens: 200,
      cacheReadTokens: 1000,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 150,
    },
  },
};
