import { describe, expect, it } from "vitest";
import { estimateCost, resolveModel, type Usage } from "../../src/pricing/index.js";

// The entries the 2026-12-04 catalog review added or corrected (docs/catalog-review.md), priced by
// hand from the providers' pages: cost = Σ tokens × price per million / 1,000,000.

interface Case {
  name: string;
  model: string;
  provider?: string;
  usage: Usage;
  at: string;
  costUsd: string;
  tier?: string;
}

const usage = (inputTokens: number, outputTokens: number, extra: Partial<Usage> = {}): Usage => ({
  inputTokens,
  outputTokens,
  ...extra,
});

const CASES: Case[] = [
  // Sonnet 5.5: $2 in, $10 out, $2.50 5m write, $4 1h write; cache reads $0.20, $0.10 from 2026-10-07.
  {
    name: "sonnet 5.5 cache read before the cut",
    model: "claude-sonnet-5-5",
    usage: usage(0, 0, { cacheReadTokens: 1_000_000 }),
    at: "2026-10-01T12:00:00Z",
    costUsd: "0.2",
  },
  {
    name: "sonnet 5.5 every bucket after the cut",
    model: "claude-sonnet-5-5-20260928",
    provider: "anthropic",
    usage: usage(1000, 1000, { cacheReadTokens: 10_000, cacheWriteTokens: 1000, cacheWrite1hTokens: 1000 }),
    at: "2026-11-01T12:00:00Z",
    costUsd: "0.0195", // 0.002 + 0.01 + 0.001 + 0.0025 + 0.004
  },
  // Haiku 5.5: $0.10 / $0.50 up to 100,000 prompt tokens; $0.50 / $2.50 on every token above.
  {
    name: "haiku 5.5 at exactly 100k prompt tokens",
    model: "claude-haiku-5-5",
    usage: usage(100_000, 10_000),
    at: "2026-11-01T12:00:00Z",
    costUsd: "0.015", // 0.01 + 0.005
    tier: "base",
  },
  {
    name: "haiku 5.5 above 100k counting cache reads",
    model: "claude-haiku-5-5",
    usage: usage(50_000, 10_000, { cacheReadTokens: 60_000 }),
    at: "2026-11-01T12:00:00Z",
    costUsd: "0.053", // 0.025 + 0.025 + 0.003
    tier: "above-100000",
  },
  // Haiku 5.5 on Bedrock's regional endpoints: 10% above Anthropic's list price, tier included.
  {
    name: "haiku 5.5 on a regional Bedrock endpoint above 100k",
    model: "us.anthropic.claude-haiku-5-5",
    provider: "bedrock",
    usage: usage(150_000, 10_000),
    at: "2026-11-01T12:00:00Z",
    costUsd: "0.11", // 150,000 × 0.55 + 10,000 × 2.75 = 0.0825 + 0.0275
    tier: "above-100000",
  },
  // Fable 5.2: $8 / $40, cache read $0.20.
  {
    name: "fable 5.2",
    model: "claude-fable-5-2",
    usage: usage(1_000_000, 100_000, { cacheReadTokens: 1_000_000 }),
    at: "2026-11-20T12:00:00Z",
    costUsd: "12.2", // 8 + 4 + 0.2
  },
  // GPT-6 Astra: exactly 272,000 input tokens is still the short-context rate ($10); above it, $20.
  {
    name: "gpt-6 astra at 272k",
    model: "gpt-6-astra",
    usage: usage(272_000, 0),
    at: "2026-11-01T12:00:00Z",
    costUsd: "2.72",
    tier: "base",
  },
  {
    name: "gpt-6 astra above 272k",
    model: "gpt-6-astra",
    usage: usage(272_001, 0),
    at: "2026-11-01T12:00:00Z",
    costUsd: "5.44002",
    tier: "above-272000",
  },
  // GPT-6.1 Sol: $2 / $10, cached input $0.10.
  {
    name: "gpt-6.1 sol",
    model: "gpt-6.1-sol-2026-09-29",
    provider: "openai",
    usage: usage(100_000, 10_000, { cacheReadTokens: 100_000 }),
    at: "2026-11-01T12:00:00Z",
    costUsd: "0.31", // 0.2 + 0.1 + 0.01 (200,000 prompt tokens: short context)
  },
  // Grok 4.5: cached input $0.50 (the imported data had $0.30).
  {
    name: "grok 4.5 cached input",
    model: "grok-4.5",
    usage: usage(0, 0, { cacheReadTokens: 100_000 }),
    at: "2026-11-01T12:00:00Z",
    costUsd: "0.05",
  },
  // DeepSeek: the retired deepseek-v4-flash id bills at deepseek-flash's (V4.1) off-peak price from 2026-09-10.
  {
    name: "deepseek-v4-flash after V4.1",
    model: "deepseek-v4-flash",
    provider: "deepseek",
    usage: usage(1_000_000, 1_000_000, { cacheReadTokens: 1_000_000 }),
    at: "2026-11-01T12:00:00Z",
    costUsd: "0.753", // 0.15 + 0.6 + 0.003
  },
  // deepseek-chat followed DeepSeek's models: V3.2-Exp from 2025-09-29 (0.28 / 0.42 / 0.028), then an
  // alias of V4 Flash from 2026-04-24 (0.14 / 0.28 / 0.0028).
  {
    name: "deepseek-chat as V3.2",
    model: "deepseek-chat",
    provider: "deepseek",
    usage: usage(1_000_000, 1_000_000, { cacheReadTokens: 1_000_000 }),
    at: "2025-12-01T12:00:00Z",
    costUsd: "0.728", // 0.28 + 0.42 + 0.028
  },
  {
    name: "deepseek-reasoner as an alias of V4 Flash",
    model: "deepseek-reasoner",
    provider: "deepseek",
    usage: usage(1_000_000, 1_000_000, { cacheReadTokens: 1_000_000 }),
    at: "2026-06-01T12:00:00Z",
    costUsd: "0.4228", // 0.14 + 0.28 + 0.0028
  },
  {
    name: "deepseek-flash",
    model: "deepseek-flash",
    provider: "deepseek",
    usage: usage(1_000_000, 1_000_000),
    at: "2026-11-01T12:00:00Z",
    costUsd: "0.75",
  },
];

describe("the 2026-12 catalog review", () => {
  it.each(CASES)("$name costs $costUsd", ({ model, provider, usage: callUsage, at, costUsd, tier }) => {
    const estimate = estimateCost({ model, provider, usage: callUsage, at });
    expect(estimate.priced).toBe(true);
    if (!estimate.priced) return;
    expect(estimate.costUsd).toBe(costUsd);
    if (tier) expect(estimate.tier).toBe(tier);
  });

  it.each([
    ["claude-sonnet-5-5", undefined, "claude-sonnet-5-5"],
    ["claude-sonnet-5.5", undefined, "claude-sonnet-5-5"],
    ["claude-sonnet-5", undefined, "claude-sonnet-5"],
    ["claude-haiku-5-5", undefined, "claude-haiku-5-5"],
    ["claude-fable-5-2", undefined, "claude-fable-5-2"],
    ["claude-fable-5-1", undefined, "claude-fable-5-1"],
    ["gpt-6.2-sol", undefined, "gpt-6.2-sol"],
    ["gpt-6-sol", undefined, "gpt-6-sol"],
    ["global.anthropic.claude-sonnet-5-5", "bedrock", "global.anthropic.claude-sonnet-5-5"],
    ["global.anthropic.claude-sonnet-5-v1:0", "bedrock", "global.anthropic.claude-sonnet-5-v1:0"],
    ["us.anthropic.claude-haiku-5-5", "bedrock", "regional.anthropic.claude-haiku-5-5"],
    ["eu.anthropic.claude-sonnet-5-5-v1:0", "bedrock", "regional.anthropic.claude-sonnet-5-5"],
    ["claude-haiku-5-5@20261007", "vertex", "claude-haiku-5-5"],
    ["claude-sonnet-5-5", "google-vertex", "claude-sonnet-5-5"],
  ] as const)("%s (provider %s) resolves to its own entry %s, never a sibling", (spelling, provider, id) => {
    expect(resolveModel(spelling, provider)?.entry.id).toBe(id);
  });

  it("prices a 1-hour cache write on a host that lists none by Anthropic's rule, and says so", () => {
    const estimate = estimateCost({
      model: "claude-haiku-5-5@20261007",
      provider: "vertex",
      usage: usage(0, 0, { cacheWrite1hTokens: 10_000 }),
      at: "2026-11-01T12:00:00Z",
    });
    expect(estimate.priced).toBe(true);
    if (!estimate.priced) return;
    expect(estimate.provider).toBe("google-vertex");
    expect(estimate.costUsd).toBe("0.002"); // 10,000 × 0.20 (2 × input)
    expect(estimate.rules?.join(" ")).toContain("2 × input");
  });

  it("bills GPT-6.2 Astra cache writes at the input rate and says so, since no cache-write price was found", () => {
    const estimate = estimateCost({
      model: "gpt-6.2-astra",
      usage: usage(0, 0, { cacheWriteTokens: 100_000 }),
      at: "2026-11-20T12:00:00Z",
    });
    expect(estimate.priced).toBe(true);
    if (!estimate.priced) return;
    expect(estimate.costUsd).toBe("0.8");
    expect(estimate.breakdown.billedAsInput).toEqual(["cacheWrite"]);
  });

  // OpenAI's GPT-6.2 Sol model page (stored copy, compared 2026-12-04) lists cache writes at $2.50,
  // doubled with the other input rates above 272,000 input tokens.
  it("bills GPT-6.2 Sol cache writes at the $2.50 its model page lists, doubled above 272,000 tokens", () => {
    const short = estimateCost({
      model: "gpt-6.2-sol",
      usage: usage(0, 0, { cacheWriteTokens: 100_000 }),
      at: "2026-11-20T12:00:00Z",
    });
    expect(short).toMatchObject({ priced: true, costUsd: "0.25" });
    expect(short.priced && short.breakdown.billedAsInput).toEqual([]);
    const long = estimateCost({
      model: "gpt-6.2-sol",
      usage: usage(0, 0, { cacheWriteTokens: 300_000 }),
      at: "2026-11-20T12:00:00Z",
    });
    expect(long).toMatchObject({ priced: true, costUsd: "1.5" }); // 300,000 × $5
  });
});
