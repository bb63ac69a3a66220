import { describe, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import { createPricing, validateProviderFile, type Provider } from "../../src/pricing/index.js";

// Issue 17, defect 3: Bedrock, Vertex and OpenRouter list a 5-minute cache write for most Claude
// models and no 1-hour one, so a 1-hour write was billed at the input price (Sonnet 4.6: $3 instead
// of $6 per million). Where the host publishes no 1-hour price, Anthropic's published rule prices
// it, and the estimate says the rule was used.

const pricing = createPricing();
const HOSTS: readonly Provider[] = ["aws-bedrock", "google-vertex", "openrouter"];
const MILLION = 1_000_000;

function cost(model: string, provider: Provider, usage: Record<string, number>) {
  return pricing.estimateCost({ model, provider, usage: { inputTokens: 0, outputTokens: 0, ...usage } });
}

describe("1-hour cache writes of Claude on its hosts", () => {
  const claude = pricing
    .listModels()
    .filter(({ provider, entry }) => HOSTS.includes(provider) && /claude/i.test(entry.id))
    .filter(({ entry }) => entry.prices.some((period) => period.cache_write !== undefined));

  it("are never billed at the input price where the host bills 5-minute writes", () => {
    expect(claude.length).toBeGreaterThan(50);
    for (const { provider, entry } of claude) {
      const estimate = cost(entry.id, provider, { cacheWrite1hTokens: MILLION });
      expect(estimate.priced, `${provider}/${entry.id}`).toBe(true);
      if (!estimate.priced) continue;
      expect(estimate.breakdown.billedAsInput, `${provider}/${entry.id}`).not.toContain("cacheWrite1h");
    }
  });

  it("cost twice the input price by Anthropic's rule where the host lists none, and say so", () => {
    let derived = 0;
    for (const { provider, entry } of claude) {
      const period = entry.prices.at(-1)!;
      if (period.derived?.cache_write_1h === undefined) continue;
      derived++;
      const write = cost(entry.id, provider, { cacheWrite1hTokens: MILLION });
      const input = cost(entry.id, provider, { inputTokens: MILLION });
      if (!write.priced || !input.priced) throw new Error(`${provider}/${entry.id} is not priced`);
      expect(Number(write.costUsd), `${provider}/${entry.id}`).toBe(2 * Number(input.costUsd));
      expect(write.rules, `${provider}/${entry.id}`).toEqual([period.derived.cache_write_1h]);
      expect(write.rules?.[0]).toMatch(/2 × input.*Anthropic/);
      // A call that writes no 1-hour cache used no rule.
      expect(input.rules).toBeUndefined();
    }
    expect(derived).toBeGreaterThan(50);
  });

  it("prices Sonnet 4.6 on Bedrock at twice its input, not at its input", () => {
    const model = "global.anthropic.claude-sonnet-4-6-v1:0";
    const write = cost(model, "aws-bedrock", { cacheWrite1hTokens: MILLION });
    const input = cost(model, "aws-bedrock", { inputTokens: MILLION });
    expect(Number(write.costUsd)).toBe(2 * Number(input.costUsd));
  });

  it("names no rule for a price the provider publishes itself", () => {
    const estimate = cost("claude-sonnet-4-6", "anthropic", { cacheWrite1hTokens: MILLION });
    expect(estimate.priced).toBe(true);
    if (estimate.priced) expect(estimate.rules).toBeUndefined();
  });
});

describe("the derived marker in catalog files", () => {
  const file = (period: Record<string, unknown>) => ({
    provider: "openrouter",
    name: "x",
    source: "https://example.com",
    checked: "2026-12-01",
    models: [{ id: "m", prices: [period] }],
  });

  it("is refused on a bucket the period does not price, or without the rule in words", () => {
    for (const period of [
      { input: "1", derived: { cache_write_1h: "2 × input" } },
      { input: "1", cache_write_1h: "2", derived: { cache_write_1h: "" } },
      { input: "1", cache_write_1h: "2", derived: { cached: "2 × input" } },
    ]) {
      try {
        validateProviderFile(file(period), "test.json");
        throw new Error(`accepted ${JSON.stringify(period)}`);
      } catch (error) {
        expect(isLedgerError(error) && error.message).toContain("derived");
      }
    }
    expect(() =>
      validateProviderFile(
        file({ input: "1", cache_write_1h: "2", derived: { cache_write_1h: "2 × input" } }),
        "t",
      ),
    ).not.toThrow();
  });
});
