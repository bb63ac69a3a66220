// Issue #17, Azure deployment types: no official per-token figure for Data Zone or Regional Standard
// is stored, so the catalog has none (docs/pricing.md, "Azure OpenAI deployment types"). These pin
// what Azure calls cost today: Global Standard (OpenAI's list price, said in a note), and a call a
// caller tags with another deployment type unpriced, never at the Global price.
import { describe, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";

const pricing = createPricing();
const usage = { inputTokens: 1_000_000, outputTokens: 100_000 };

describe("Azure OpenAI deployment types", () => {
  it("prices an Azure call the catalog does not list at OpenAI's list price, which is Global Standard", () => {
    const estimate = pricing.estimateCost({ model: "gpt-4o", provider: "azure", usage });
    // 1M × $2.50 + 100k × $10 per million.
    expect(estimate).toMatchObject({
      priced: true,
      costUsd: "3.5",
      provider: "azure",
      note: "azure lists no price of its own; priced at openai's list price",
    });
  });

  it.each(["data_zone", "regional"])("leaves a call tagged %s unpriced, with the reason", (serviceTier) => {
    const estimate = pricing.estimateCost({ model: "gpt-4o", provider: "azure", usage, serviceTier });
    expect(estimate).toMatchObject({ priced: false, costUsd: "0" });
    expect(estimate.priced === false && estimate.reason).toBe(
      `unknown service tier "${serviceTier}" (known: standard, batch, flex, priority); not priced as standard`,
    );
  });
});
