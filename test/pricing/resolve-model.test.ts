import { describe, expect, it } from "vitest";
import { extractProvider, normalizeProvider, resolveModel } from "../../src/pricing/index.js";

describe("resolveModel", () => {
  it.each([
    // [spelling, provider argument, catalog id, provider, a rule that must appear]
    ["claude-sonnet-4-5", undefined, "claude-sonnet-4-5", "anthropic", "exact"],
    ["CLAUDE-Sonnet-4-5", undefined, "claude-sonnet-4-5", "anthropic", "exact"],
    ["claude-sonnet-4-5-20250929", undefined, "claude-sonnet-4-5", "anthropic", "alias"],
    ["anthropic/claude-sonnet-4-5", undefined, "claude-sonnet-4-5", "anthropic", "provider-prefix"],
    ["anthropic/claude-haiku-4.5", undefined, "claude-haiku-4-5", "anthropic", "provider-prefix"],
    ["anthropic/claude-haiku-4.5", "openrouter", "anthropic/claude-haiku-4.5", "openrouter", "exact"],
    ["claude-sonnet-4-5[1m]", undefined, "claude-sonnet-4-5", "anthropic", "agent-sdk-suffix"],
    ["openai/gpt-4o-mini", undefined, "gpt-4o-mini", "openai", "provider-prefix"],
    ["gpt-4o-mini-2024-07-18", undefined, "gpt-4o-mini", "openai", "alias"],
    ["models/gemini-2.5-pro", undefined, "gemini-2.5-pro", "google", "provider-prefix"],
    ["google/gemini-2.5-pro", undefined, "gemini-2.5-pro", "google", "provider-prefix"],
    ["gemini-2.0-flash-001", undefined, "gemini-2.0-flash", "google", "pattern"],
    [
      "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      undefined,
      "regional.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "aws-bedrock",
      "pattern",
    ],
    [
      "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "bedrock",
      "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "aws-bedrock",
      "exact",
    ],
    [
      "anthropic.claude-sonnet-4-5-20250929-v1:0",
      "amazon-bedrock",
      "regional.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "aws-bedrock",
      "pattern",
    ],
    ["claude-sonnet-4-5@20250929", undefined, "claude-sonnet-4-5", "google-vertex", "pattern"],
    ["claude-sonnet-4-5@20250929", "vertex", "claude-sonnet-4-5", "google-vertex", "pattern"],
    ["claude-sonnet-4-5", "google.vertex.anthropic", "claude-sonnet-4-5", "google-vertex", "exact"],
    ["gpt-4o", "openai.chat", "gpt-4o", "openai", "exact"],
    ["gpt-4o", "openai.responses", "gpt-4o", "openai", "exact"],
    ["claude-sonnet-4-5", "anthropic.messages", "claude-sonnet-4-5", "anthropic", "exact"],
    ["gemini-2.5-flash", "google.generative-ai", "gemini-2.5-flash", "google", "exact"],
    ["gpt-4o", "azure.chat", "gpt-4o", "azure", "exact"],
    ["meta-llama/llama-3.3-70b-instruct", undefined, "llama-3.3-70b-instruct", "meta", "provider-prefix"],
    ["grok-4", "x-ai", "grok-4-0709", "xai", "alias"],
  ] as const)("%s (provider %s) → %s at %s", (spelling, provider, model, expectedProvider, rule) => {
    const resolved = resolveModel(spelling, provider);
    expect(resolved?.catalogId).toBe(model);
    expect(resolved?.provider).toBe(expectedProvider);
    expect(resolved?.matchedBy).toContain(rule);
  });

  it("prefers a snapshot with its own price over the family", () => {
    const snapshot = resolveModel("gpt-4o-2024-05-13");
    expect(snapshot?.model).toBe("gpt-4o-2024-05-13");
    expect(resolveModel("gpt-4o")?.model).toBe("gpt-4o");
  });

  it("says when an unrecognised provider was ignored", () => {
    const resolved = resolveModel("gpt-4o", "my-proxy");
    expect(resolved?.provider).toBe("openai");
    expect(resolved?.note).toMatch(/my-proxy.*not recognised/);
  });

  it("says when a host falls back to the vendor's list price", () => {
    const resolved = resolveModel("gpt-4o", "azure");
    expect(resolved?.note).toMatch(/openai's list price/);
  });

  it("does not resolve what it does not know", () => {
    expect(resolveModel("totally-new-model")).toBeUndefined();
    expect(resolveModel("gpt-4o", "groq")).toBeUndefined();
  });
});

describe("extractProvider", () => {
  it.each([
    ["claude-haiku-4-5", "anthropic"],
    ["gpt-4o-mini", "openai"],
    ["openai/gpt-4o-mini", "openai"],
    ["openai/some-future-model", "openai"],
    ["models/gemini-2.0-flash", "google"],
    ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws-bedrock"],
    ["eu.anthropic.claude-future-9-v1:0", "aws-bedrock"],
    ["claude-sonnet-4-5@20250929", "google-vertex"],
    ["deepseek-chat", "deepseek"],
    ["mistral-large-latest", "mistral"],
    ["llama-3.3-70b-versatile", "groq"],
    ["my-own-model", "unknown"],
    ["acme/secret-model", "unknown"],
  ] as const)("%s → %s", (model, provider) => {
    expect(extractProvider(model)).toBe(provider);
  });
});

describe("normalizeProvider", () => {
  it.each([
    ["anthropic", "anthropic"],
    ["Anthropic", "anthropic"],
    ["bedrock", "aws-bedrock"],
    ["amazon-bedrock", "aws-bedrock"],
    ["vertex", "google-vertex"],
    ["google.vertex.anthropic", "google-vertex"],
    ["google.vertex.chat", "google-vertex"],
    ["openai.chat", "openai"],
    ["openai.responses", "openai"],
    ["anthropic.messages", "anthropic"],
    ["google.generative-ai", "google"],
    ["azure.chat", "azure"],
    ["x-ai", "xai"],
    ["mistral.chat", "mistral"],
  ] as const)("%s → %s", (alias, slug) => {
    expect(normalizeProvider(alias)).toBe(slug);
  });

  it("returns undefined for what it does not know", () => {
    expect(normalizeProvider("my-proxy")).toBeUndefined();
  });
});
