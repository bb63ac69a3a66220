// Issue #17, "Charges beyond tokens": service tiers priced from per-tier prices or a provider's
// published multiplier, per-unit fees (web search) priced per unit, each hand-computed from the
// providers' pages (sources noted per case), and every tier or fee without a price flagged, never
// priced as standard or left out.
import { describe, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import { createPricing, normalizeServiceTier, validateProviderFile } from "../../src/pricing/index.js";
import { estimate, priced } from "./shipped-estimates.js";

const pricing = createPricing();
const ANTHROPIC_PRICING = "https://platform.claude.com/docs/en/docs/about-claude/pricing";

describe("service tiers", () => {
  it("prices Anthropic's batch at half of every bucket, and says the rule was used", () => {
    // Claude Sonnet 4.5 standard: input $3, output $15, cache read $0.30 per million; batch: 50%
    // (Anthropic's pricing page, "Batch processing"). 100k input × $1.50/M + 10k output × $7.50/M
    // + 50k cache reads × $0.15/M = 0.15 + 0.075 + 0.0075 (below the 200k long-context tier).
    const result = priced(
      estimate(
        "claude-sonnet-4-5",
        "anthropic",
        {
          inputTokens: 100_000,
          outputTokens: 10_000,
          cacheReadTokens: 50_000,
        },
        "batch",
      ),
    );
    expect(result.costUsd).toBe("0.2325");
    expect(result.serviceTier).toBe("batch");
    expect(result.breakdown).toMatchObject({ input: "0.15", output: "0.075", cacheRead: "0.0075" });
    expect(result.rules).toEqual([
      `batch = 0.5 × standard prices (Anthropic's published batch pricing, ${ANTHROPIC_PRICING})`,
    ]);
  });

  it("prices OpenAI priority from its published per-model prices", () => {
    // openai.com/api-priority-processing: GPT-5.4 priority $5 input, $0.50 cached, $30 output per
    // million. 100k × 5 + 10k × 0.5 + 20k × 30, per million = 0.5 + 0.005 + 0.6.
    const result = priced(
      estimate(
        "gpt-5.4",
        "openai",
        { inputTokens: 100_000, cacheReadTokens: 10_000, outputTokens: 20_000 },
        "priority",
      ),
    );
    expect(result).toMatchObject({ costUsd: "1.105", serviceTier: "priority", tier: "base" });
    expect(result.rules).toBeUndefined();
    // GPT-4o mini priority: $0.25 / $0.125 / $1.00. 1M input + 1M output = 1.25.
    expect(
      priced(
        estimate("gpt-4o-mini", "openai", { inputTokens: 1_000_000, outputTokens: 1_000_000 }, "priority"),
      ).costUsd,
    ).toBe("1.25");
  });

  it("keeps OpenAI priority to the context it is published for (it excludes long context)", () => {
    const result = estimate("gpt-5.4", "openai", { inputTokens: 300_000, outputTokens: 10 }, "priority");
    expect(result).toMatchObject({ priced: false, costUsd: "0" });
    if (!result.priced)
      expect(result.reason).toContain("no priority price for gpt-5.4 above 271999 input tokens");
  });

  it("prices OpenAI flex and batch at half, long-context prices included", () => {
    // GPT-5.4 standard: $2.50 input, $15 output; above 272k input: $5 / $22.50 (2× and 1.5× "for
    // standard, batch, and flex", the model page). Flex at 50%: 100k × 1.25 + 20k × 7.5 = 0.275;
    // 300k × 2.5 + 1k × 11.25 = 0.76125 (long-context tier).
    const short = { inputTokens: 100_000, outputTokens: 20_000 };
    const long = { inputTokens: 300_000, outputTokens: 1_000 };
    expect(priced(estimate("gpt-5.4", "openai", short, "flex")).costUsd).toBe("0.275");
    expect(priced(estimate("gpt-5.4", "openai", long, "flex"))).toMatchObject({
      costUsd: "0.76125",
      tier: "above-271999",
    });
    const batch = priced(estimate("gpt-5.4", "openai", long, "batch"));
    expect(batch.costUsd).toBe("0.76125");
    expect(batch.rules?.[0]).toMatch(/^batch = 0\.5 × standard prices \(OpenAI's published batch pricing/);
  });

  it("prices Gemini batch at half (ai.google.dev/gemini-api/docs/pricing)", () => {
    // Gemini 2.5 Pro: $1.25 input, $10 output per million; batch 50%: 100k × 0.625 + 10k × 5 = 0.1125.
    expect(
      priced(estimate("gemini-2.5-pro", "google", { inputTokens: 100_000, outputTokens: 10_000 }, "batch"))
        .costUsd,
    ).toBe("0.1125");
  });

  it("reads provider spellings of the standard tier as standard, at the list price", () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 100_000 };
    const standard = priced(estimate("gpt-5", "openai", usage));
    expect(standard.serviceTier).toBe("standard");
    for (const spelling of ["standard", "default", "DEFAULT", " auto "]) {
      expect(priced(estimate("gpt-5", "openai", usage, spelling))).toMatchObject({
        costUsd: standard.costUsd,
        serviceTier: "standard",
      });
    }
  });

  it("flags a tier without a published price or rule, never pricing it as standard", () => {
    for (const [model, provider, tier] of [
      ["claude-sonnet-4-5", "anthropic", "priority"],
      ["gpt-5.5", "openai", "priority"],
      ["gemini-2.5-flash", "google", "flex"],
      ["mistral-large-latest", "mistral", "batch"],
    ] as const) {
      const result = estimate(model, provider, { inputTokens: 1000, outputTokens: 10 }, tier);
      expect(result, `${provider}/${model} ${tier}`).toMatchObject({ priced: false, costUsd: "0" });
      if (!result.priced) expect(result.reason).toContain(`no ${tier} price for`);
    }
  });

  it("flags an unknown tier by name, and refuses a tier that is not text", () => {
    const result = estimate("gpt-5", "openai", { inputTokens: 10 }, "scale");
    expect(result.priced).toBe(false);
    if (!result.priced) {
      expect(result.reason).toBe(
        'unknown service tier "scale" (known: standard, batch, flex, priority); not priced as standard',
      );
    }
    try {
      pricing.estimateCost({
        model: "gpt-5",
        serviceTier: 5 as unknown as string,
        usage: { inputTokens: 1, outputTokens: 1 },
      });
      throw new Error("accepted a number");
    } catch (error) {
      expect(isLedgerError(error) && error.code).toBe("E_PRICING_ARGUMENT");
    }
  });

  it("normalizes spellings and refuses what is no tier name", () => {
    expect(normalizeServiceTier("Flex")).toBe("flex");
    expect(normalizeServiceTier("fast")).toBe("priority");
    expect(normalizeServiceTier("scale")).toBe("scale");
    for (const bad of ["", "  ", "flex tier", "x".repeat(33), "1flex", "flex\u0000", "ｆｌｅｘ"]) {
      expect(normalizeServiceTier(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it("prices batch for every model of the providers that publish a batch rule, never above standard", () => {
    const usage = { inputTokens: 123_457, outputTokens: 9_876, cacheReadTokens: 5_000 };
    let count = 0;
    for (const provider of ["anthropic", "openai", "google"] as const) {
      for (const { entry } of pricing.listModels(provider)) {
        const standard = estimate(entry.id, provider, usage);
        if (!standard.priced) continue;
        const batch = priced(estimate(entry.id, provider, usage, "batch"));
        expect(Number(batch.costUsd), `${provider}/${entry.id}`).toBeLessThanOrEqual(
          Number(standard.costUsd),
        );
        count++;
      }
    }
    expect(count).toBeGreaterThan(100);
  });
});

describe("per-unit fees", () => {
  it("prices Anthropic web searches at $10 per 1,000, as a fee beside the tokens", () => {
    // Anthropic's pricing page, "Web search tool": $10 per 1,000 searches. Sonnet 4.5: 10k input × $3/M
    // = 0.03, plus 3 searches × $0.01 = 0.03.
    const result = priced(
      estimate("claude-sonnet-4-5", "anthropic", { inputTokens: 10_000, webSearchRequests: 3 }),
    );
    expect(result.costUsd).toBe("0.06");
    expect(result.fees).toEqual([{ fee: "web_search", units: 3, unitPriceUsd: "0.01", costUsd: "0.03" }]);
    expect(result.breakdown).toMatchObject({ input: "0.03", fees: "0.03" });
  });

  it("prices OpenAI web search calls at $10 per 1,000, and Gemini grounding per model", () => {
    // OpenAI: web search tool $10 / 1k calls. Gemini 2.5: $35 per 1,000 grounded prompts; Gemini 3
    // models: $14 per 1,000 search queries (ai.google.dev/gemini-api/docs/pricing).
    expect(priced(estimate("gpt-5", "openai", { webSearchRequests: 7 })).costUsd).toBe("0.07");
    expect(priced(estimate("gemini-2.5-flash", "google", { webSearchRequests: 2 })).fees).toEqual([
      { fee: "web_search", units: 2, unitPriceUsd: "0.035", costUsd: "0.07" },
    ]);
    expect(priced(estimate("gemini-3.5-flash", "google", { webSearchRequests: 4 })).costUsd).toBe("0.056");
  });

  it("keeps fees at list price on a discounted tier, and stays exact at the largest count", () => {
    // Batch halves the tokens, not the search fee: 100k input × $1.50/M + 2 × $0.01.
    const batch = priced(
      estimate("claude-sonnet-4-5", "anthropic", { inputTokens: 100_000, webSearchRequests: 2 }, "batch"),
    );
    expect(batch.costUsd).toBe("0.17");
    const most = priced(estimate("claude-sonnet-4-5", "anthropic", { webSearchRequests: 1_000_000_000 }));
    expect(most.costUsd).toBe("10000000");
  });

  it("leaves a call unpriced when a fee it billed has no price, instead of leaving the fee out", () => {
    const result = estimate("gemini-1.5-pro", "google", { inputTokens: 10, webSearchRequests: 2 });
    expect(result).toMatchObject({ priced: false, costUsd: "0" });
    if (!result.priced) expect(result.reason).toContain("no web_search price for gemini-1.5-pro (2 billed)");
  });

  it("refuses a fee count that is not a whole number of requests", () => {
    for (const [value, message] of [
      [-1, "usage.webSearchRequests must not be negative, got -1"],
      [1.5, "usage.webSearchRequests must be a whole number of requests, got 1.5"],
      ["3", "usage.webSearchRequests must be a number of requests, got string"],
    ] as const) {
      try {
        pricing.estimateCost({
          model: "gpt-5",
          usage: { inputTokens: 1, outputTokens: 1, webSearchRequests: value as number },
        });
        throw new Error(`accepted ${value}`);
      } catch (error) {
        expect(isLedgerError(error) && error.message).toBe(message);
      }
    }
  });
});

describe("charges in catalog files", () => {
  const file = (extra: Record<string, unknown>, period: Record<string, unknown> = {}) => ({
    provider: "openai",
    name: "x",
    source: "https://example.com",
    checked: "2026-12-01",
    ...extra,
    models: [{ id: "m", prices: [{ input: "1", output: "2", ...period }] }],
  });
  const problems = (value: unknown): string => {
    try {
      validateProviderFile(value, "test.json");
      return "";
    } catch (error) {
      return isLedgerError(error) ? error.message : String(error);
    }
  };

  it("accepts per-model tier prices, multipliers and fees, and provider-wide charges", () => {
    expect(
      problems(
        file(
          {
            charges: {
              service_tiers: { batch: "0.5" },
              fees: { web_search: "0.01" },
              source: "https://example.com/pricing",
              checked: "2026-12-04",
            },
          },
          {
            service_tiers: { priority: { input: "2", output: "4" }, flex: "0.5" },
            fees: { web_search: "0.025" },
          },
        ),
      ),
    ).toBe("");
  });

  it("names each wrong charge precisely", () => {
    expect(problems(file({}, { service_tiers: { turbo: "0.5" } }))).toContain(
      "$.models[0].prices[0].service_tiers.turbo: not a service tier (expected batch, flex, priority)",
    );
    expect(problems(file({}, { service_tiers: { standard: "1" } }))).toContain(
      "service_tiers.standard: the period's own prices are the standard tier",
    );
    expect(problems(file({}, { service_tiers: { batch: "0" } }))).toContain(
      'service_tiers.batch: expected a multiplier such as "0.5" or prices',
    );
    expect(problems(file({}, { service_tiers: { priority: { output: "4" } } }))).toContain(
      "service_tiers.priority.input: missing",
    );
    expect(problems(file({}, { fees: { code_execution: "0.05" } }))).toContain(
      "fees.code_execution: not a fee (expected web_search)",
    );
    expect(problems(file({}, { fees: { web_search: 0.01 } }))).toContain(
      "fees.web_search: expected dollars per unit",
    );
    expect(problems(file({ charges: { service_tiers: { batch: "0.5" } } }))).toContain(
      "$.charges.source: expected the address the charges are published at",
    );
    expect(problems(file({ charges: { source: "s", checked: "2026-12-04", extra: 1 } }))).toContain(
      "$.charges.extra: unknown key",
    );
  });

  it("takes charges in overrides too: a negotiated priority price", () => {
    const custom = createPricing({
      overrides: {
        models: [
          {
            provider: "openai",
            id: "ft:gpt-4o-mini:acme",
            prices: [
              { input: "0.3", output: "1.2", service_tiers: { priority: { input: "0.6", output: "2.4" } } },
            ],
          },
        ],
      },
    });
    const result = custom.estimateCost({
      model: "ft:gpt-4o-mini:acme",
      provider: "openai",
      serviceTier: "priority",
      usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 },
    });
    expect(result).toMatchObject({ priced: true, costUsd: "3", serviceTier: "priority" });
    // The provider's batch rule reaches an override of that provider.
    expect(
      custom.estimateCost({
        model: "ft:gpt-4o-mini:acme",
        provider: "openai",
        serviceTier: "batch",
        usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 },
      }),
    ).toMatchObject({ priced: true, costUsd: "0.75" });
  });
});

describe("llm-ledger pricing estimate --service-tier --web-searches", () => {
  it("prints the tier, the rule and the fee line, and says why a tier is not priced", async () => {
    const { runLedger } = await import("../support/cli.js");
    const model = ["pricing", "estimate", "--model", "claude-sonnet-4-5", "--input", "100000"];
    const batch = await runLedger([
      ...model,
      "--output",
      "10000",
      "--service-tier",
      "batch",
      "--web-searches",
      "2",
    ]);
    expect(batch.exitCode, batch.stderr).toBe(0);
    expect(batch.stdout).toContain("service tier batch");
    expect(batch.stdout).toContain("rule     batch = 0.5 × standard prices");
    expect(batch.stdout).toMatch(/web_search\s+2 × \$0\.01\s+0\.02/);
    expect(batch.stdout).toMatch(/total\s+110000\s+0\.245/);
    const json = await runLedger([...model, "--web-searches", "1", "--format", "json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ costUsd: "0.31", breakdown: { fees: "0.01" } });
    const priority = await runLedger([...model, "--service-tier", "priority"]);
    expect(priority.exitCode).toBe(1);
    expect(priority.stdout).toContain("not priced: the catalog has no priority price for claude-sonnet-4-5");
  });
});
