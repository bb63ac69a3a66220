import { describe, expect, it } from "vitest";
import { estimateCost, type Usage } from "../../src/pricing/index.js";

// Costs computed by hand from providers' published list prices (dollars per million tokens):
// cost = Σ tokens × price / 1,000,000. Every case names the page the price comes from and the date
// it was checked.

interface Case {
  name: string;
  model: string;
  provider?: string;
  usage: Usage;
  at?: string;
  costUsd: string;
  source: string;
  checked: string;
}

const ANTHROPIC = "https://www.anthropic.com/pricing#api";
const OPENAI = "https://platform.openai.com/docs/pricing";
const GEMINI = "https://ai.google.dev/gemini-api/docs/pricing";
const BEDROCK = "https://aws.amazon.com/bedrock/pricing/";
const CHECKED = "2026-11-23";
const usage = (inputTokens: number, outputTokens: number, extra: Partial<Usage> = {}): Usage => ({
  inputTokens,
  outputTokens,
  ...extra,
});

const CASES: Case[] = [
  // Anthropic: Sonnet 4.5 $3 in / $15 out / $0.30 cache read / $3.75 5m write / $6 1h write; >200k: 6 / 22.50 / 0.60 / 7.50 / 12.
  {
    name: "sonnet 4.5 plain",
    model: "claude-sonnet-4-5",
    usage: usage(1000, 500),
    costUsd: "0.0105",
    source: ANTHROPIC,
    checked: CHECKED,
  },
  {
    name: "sonnet 4.5 every bucket",
    model: "claude-sonnet-4-5",
    usage: usage(100, 100, { cacheReadTokens: 10_000, cacheWriteTokens: 2000, cacheWrite1hTokens: 1000 }),
    costUsd: "0.0183", // 0.0003 + 0.0015 + 0.003 + 0.0075 + 0.006
    source: ANTHROPIC,
    checked: CHECKED,
  },
  {
    name: "sonnet 4.5 above 200k counting cache reads",
    model: "claude-sonnet-4-5",
    usage: usage(150_000, 1000, { cacheReadTokens: 50_001 }),
    costUsd: "0.9525006", // 150000×6 + 50001×0.6 + 1000×22.5, all /1e6
    source: ANTHROPIC,
    checked: CHECKED,
  },
  {
    name: "sonnet 4.5 at exactly 200k stays in base tier",
    model: "claude-sonnet-4-5",
    usage: usage(200_000, 0),
    costUsd: "0.6",
    source: ANTHROPIC,
    checked: CHECKED,
  },
  {
    name: "sonnet 4 above 200k (our correction: 6 / 22.50)",
    model: "claude-sonnet-4-20250514",
    usage: usage(200_001, 1000),
    costUsd: "1.222506",
    source: "https://docs.anthropic.com/en/docs/build-with-claude/context-windows",
    checked: CHECKED,
  },
  {
    name: "sonnet 4 1h write 2x input, 5m write 1.25x",
    model: "claude-sonnet-4-0",
    // 200,000 input tokens in all: not above the tier threshold.
    usage: usage(0, 0, { cacheWriteTokens: 100_000, cacheWrite1hTokens: 100_000 }),
    costUsd: "0.975", // 100000×3.75 + 100000×6, /1e6
    source: "https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#pricing",
    checked: CHECKED,
  },
  {
    name: "haiku 4.5 cache writes",
    model: "claude-haiku-4-5-20251001",
    usage: usage(0, 0, { cacheWriteTokens: 1_000_000, cacheWrite1hTokens: 1_000_000 }),
    costUsd: "3.25", // 1.25 + 2
    source: ANTHROPIC,
    checked: CHECKED,
  },
  {
    name: "opus 4.5",
    model: "claude-opus-4-5",
    usage: usage(1_000_000, 1_000_000),
    costUsd: "30",
    source: ANTHROPIC,
    checked: CHECKED,
  },
  {
    name: "haiku 3 publishes $0.30 5m writes (1.2x, not 1.25x)",
    model: "claude-3-haiku-20240307",
    usage: usage(0, 0, { cacheWriteTokens: 1_000_000 }),
    costUsd: "0.3",
    source: ANTHROPIC,
    checked: CHECKED,
  },
  {
    name: "opus 4.1 one token each",
    model: "claude-opus-4-1",
    usage: usage(1, 1),
    costUsd: "0.00009",
    source: ANTHROPIC,
    checked: CHECKED,
  },
  {
    name: "opus 4.1 at the 10^9 limit (BigInt path)",
    model: "claude-opus-4-1",
    usage: usage(1_000_000_000, 1_000_000_000),
    costUsd: "90000",
    source: ANTHROPIC,
    checked: CHECKED,
  },
  {
    name: "zero usage is a real zero",
    model: "claude-sonnet-4-5",
    usage: usage(0, 0),
    costUsd: "0",
    source: ANTHROPIC,
    checked: CHECKED,
  },
  {
    name: "agent sdk [1m] key",
    model: "claude-sonnet-4-5[1m]",
    usage: usage(1000, 1000),
    costUsd: "0.018",
    source: ANTHROPIC,
    checked: CHECKED,
  },
  // OpenAI: gpt-4o-mini 0.15 / 0.60 / cached 0.075; gpt-4o 2.50 / 10 / 1.25; gpt-5 1.25 / 10 / 0.125; gpt-4.1 2 / 8.
  {
    name: "one token of gpt-4o-mini",
    model: "gpt-4o-mini",
    usage: usage(1, 0),
    costUsd: "0.00000015",
    source: OPENAI,
    checked: CHECKED,
  },
  {
    name: "gpt-4o with cached input",
    model: "gpt-4o",
    usage: usage(1000, 1000, { cacheReadTokens: 1000 }),
    costUsd: "0.01375",
    source: OPENAI,
    checked: CHECKED,
  },
  {
    name: "gpt-4o cache writes billed as input",
    model: "gpt-4o",
    usage: usage(0, 0, { cacheWriteTokens: 1000 }),
    costUsd: "0.0025",
    source: OPENAI,
    checked: CHECKED,
  },
  {
    name: "o3 before the 2025-06-10 cut",
    model: "o3",
    usage: usage(1_000_000, 1_000_000),
    at: "2025-06-09T23:59:59.999Z",
    costUsd: "50",
    source: "https://community.openai.com/t/o3-is-80-cheaper-and-introducing-o3-pro/1284925",
    checked: CHECKED,
  },
  {
    name: "o3 from 2025-06-10 00:00 UTC",
    model: "o3",
    usage: usage(1_000_000, 1_000_000),
    at: "2025-06-10T00:00:00Z",
    costUsd: "10",
    source: OPENAI,
    checked: CHECKED,
  },
  {
    name: "o3 latest price",
    model: "o3-2025-04-16",
    usage: usage(1_000_000, 1_000_000),
    costUsd: "10",
    source: OPENAI,
    checked: CHECKED,
  },
  {
    name: "gpt-5 odd counts",
    model: "gpt-5",
    usage: usage(12_345, 6789, { cacheReadTokens: 1000 }),
    costUsd: "0.08344625",
    source: OPENAI,
    checked: CHECKED,
  },
  {
    name: "gpt-4.1 dated",
    model: "gpt-4.1-2025-04-14",
    usage: usage(1_000_000, 0),
    costUsd: "2",
    source: OPENAI,
    checked: CHECKED,
  },
  {
    name: "gpt-4o-mini dated snapshot",
    model: "gpt-4o-mini-2024-07-18",
    usage: usage(2000, 100),
    costUsd: "0.00036",
    source: OPENAI,
    checked: CHECKED,
  },
  {
    name: "openai/ prefix",
    model: "openai/gpt-4o-mini",
    usage: usage(1, 1),
    costUsd: "0.00000075",
    source: OPENAI,
    checked: CHECKED,
  },
  {
    name: "reasoning is inside output",
    model: "gpt-5",
    usage: usage(0, 1000, { reasoningTokens: 800 }),
    costUsd: "0.01",
    source: OPENAI,
    checked: CHECKED,
  },
  // Google Gemini API: 1.5 Pro 1.25 / 5, >128k 2.5 / 10; 2.5 Pro 1.25 / 10 / 0.125, >200k 2.5 / 15 / 0.25; 2.0 Flash 0.10 / 0.40; 2.5 Flash 0.30 / 2.50 / 0.03.
  {
    name: "gemini 1.5 pro at 128k",
    model: "gemini-1.5-pro",
    usage: usage(128_000, 0),
    costUsd: "0.16",
    source: GEMINI,
    checked: CHECKED,
  },
  {
    name: "gemini 1.5 pro above 128k",
    model: "gemini-1.5-pro-002",
    usage: usage(128_001, 1000),
    costUsd: "0.3300025",
    source: GEMINI,
    checked: CHECKED,
  },
  {
    name: "gemini 2.5 pro tier reached through a cached token",
    model: "gemini-2.5-pro",
    usage: usage(200_000, 0, { cacheReadTokens: 1 }),
    costUsd: "0.50000025",
    source: GEMINI,
    checked: CHECKED,
  },
  {
    name: "gemini 2.0 flash -001",
    model: "gemini-2.0-flash-001",
    usage: usage(1_000_000, 1_000_000),
    costUsd: "0.5",
    source: GEMINI,
    checked: CHECKED,
  },
  {
    name: "models/ prefix",
    model: "models/gemini-2.5-flash",
    usage: usage(1000, 1000, { cacheReadTokens: 1000 }),
    costUsd: "0.00283",
    source: GEMINI,
    checked: CHECKED,
  },
  // Bedrock: Claude Sonnet 4.5 global 3 / 15; regional and in-region +10%: 3.30 / 16.50. Haiku 4.5 global 1, regional 1.10.
  {
    name: "bedrock us. profile",
    model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    usage: usage(1_000_000, 1_000_000),
    costUsd: "19.8",
    source: BEDROCK,
    checked: CHECKED,
  },
  {
    name: "bedrock eu. profile",
    model: "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
    usage: usage(1_000_000, 1_000_000),
    costUsd: "19.8",
    source: BEDROCK,
    checked: CHECKED,
  },
  {
    name: "bedrock apac. profile",
    model: "apac.anthropic.claude-sonnet-4-5-20250929-v1:0",
    usage: usage(1_000_000, 1_000_000),
    costUsd: "19.8",
    source: BEDROCK,
    checked: CHECKED,
  },
  {
    name: "bedrock in-region id",
    model: "anthropic.claude-sonnet-4-5-20250929-v1:0",
    usage: usage(1_000_000, 1_000_000),
    costUsd: "19.8",
    source: BEDROCK,
    checked: CHECKED,
  },
  {
    name: "bedrock global. profile",
    model: "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
    usage: usage(1_000_000, 1_000_000),
    costUsd: "18",
    source: BEDROCK,
    checked: CHECKED,
  },
  {
    name: "bedrock haiku 4.5 regional",
    model: "us.anthropic.claude-haiku-4-5-20251001-v1:0",
    usage: usage(1_000_000, 0),
    costUsd: "1.1",
    source: BEDROCK,
    checked: CHECKED,
  },
  {
    name: "bedrock haiku 4.5 global",
    model: "global.anthropic.claude-haiku-4-5-20251001-v1:0",
    usage: usage(1_000_000, 0),
    costUsd: "1",
    source: BEDROCK,
    checked: CHECKED,
  },
  // Vertex AI: Claude at Anthropic's list price on the global endpoint.
  {
    name: "vertex @date id",
    model: "claude-sonnet-4-5@20250929",
    usage: usage(1000, 1000),
    costUsd: "0.018",
    source: "https://cloud.google.com/vertex-ai/generative-ai/pricing",
    checked: CHECKED,
  },
  // OpenRouter: anthropic/claude-haiku-4.5 1 / 5 when OpenRouter bills; the same id without provider is Anthropic's.
  {
    name: "openrouter id with provider openrouter",
    model: "anthropic/claude-haiku-4.5",
    provider: "openrouter",
    usage: usage(1000, 1000),
    costUsd: "0.006",
    source: "https://openrouter.ai/anthropic/claude-haiku-4.5",
    checked: CHECKED,
  },
  {
    name: "openrouter id without provider",
    model: "anthropic/claude-haiku-4.5",
    usage: usage(1000, 1000),
    costUsd: "0.006",
    source: ANTHROPIC,
    checked: CHECKED,
  },
  // DeepSeek standard (not off-peak) price: 0.27 / 1.10 / cache hit 0.07, before V3.2-Exp (2025-09-29).
  {
    name: "deepseek-chat standard price",
    model: "deepseek-chat",
    usage: usage(1_000_000, 1_000_000, { cacheReadTokens: 1_000_000 }),
    at: "2025-06-01T12:00:00Z",
    costUsd: "1.44",
    source: "https://api-docs.deepseek.com/quick_start/pricing",
    checked: CHECKED,
  },
  {
    name: "grok-4 with cache",
    model: "grok-4",
    usage: usage(1000, 1000, { cacheReadTokens: 1000 }),
    costUsd: "0.01875",
    source: "https://docs.x.ai/docs/models",
    checked: CHECKED,
  },
  {
    name: "groq llama 3.3 70b",
    model: "llama-3.3-70b-versatile",
    provider: "groq",
    usage: usage(1_000_000, 1_000_000),
    costUsd: "1.38",
    source: "https://groq.com/pricing",
    checked: CHECKED,
  },
  {
    name: "mistral large latest",
    model: "mistral-large-latest",
    usage: usage(1000, 1000),
    costUsd: "0.008",
    source: "https://mistral.ai/pricing",
    checked: CHECKED,
  },
  {
    name: "cohere command r+",
    model: "command-r-plus-08-2024",
    usage: usage(1_000_000, 1_000_000),
    costUsd: "12.5",
    source: "https://cohere.com/pricing",
    checked: CHECKED,
  },
  {
    name: "perplexity sonar pro",
    model: "sonar-pro",
    usage: usage(1000, 1000),
    costUsd: "0.018",
    source: "https://docs.perplexity.ai/guides/pricing",
    checked: CHECKED,
  },
  {
    name: "together llama 3.3 70b turbo",
    model: "meta-llama/Llama-3.3-70B-Instruct-Turbo",
    provider: "together",
    usage: usage(1_000_000, 1_000_000),
    costUsd: "1.76",
    source: "https://www.together.ai/pricing",
    checked: CHECKED,
  },
  {
    name: "fireworks account path id",
    model: "accounts/fireworks/models/deepseek-v3-0324",
    provider: "fireworks",
    usage: usage(1_000_000, 0),
    costUsd: "0.9",
    source: "https://fireworks.ai/pricing",
    checked: CHECKED,
  },
  {
    name: "azure falls back to OpenAI's list price",
    model: "gpt-4o",
    provider: "azure",
    usage: usage(1000, 1000),
    costUsd: "0.0125",
    source: "https://azure.microsoft.com/en-us/pricing/details/cognitive-services/openai-service/",
    checked: CHECKED,
  },
];

describe("estimateCost against hand-computed list prices", () => {
  it("has at least 40 cases, each with a source and a date", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    for (const testCase of CASES) {
      expect(testCase.source).toMatch(/^https:\/\//);
      expect(testCase.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it.each(CASES)("$name: $model costs $costUsd", ({ model, provider, usage: callUsage, at, costUsd }) => {
    const estimate = estimateCost({ model, provider, usage: callUsage, at });
    expect(estimate.priced).toBe(true);
    expect(estimate.costUsd).toBe(costUsd);
  });
});
