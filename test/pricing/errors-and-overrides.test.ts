import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import { createPricing, createPricingFromEnv, estimateCost, validateUsage } from "../../src/pricing/index.js";

function thrown(action: () => unknown): { code: string; message: string } {
  try {
    action();
  } catch (error) {
    if (!isLedgerError(error)) throw error;
    return { code: error.code, message: error.message };
  }
  throw new Error("expected a LedgerError");
}

describe("usage validation", () => {
  it.each([
    [{ inputTokens: -1, outputTokens: 0 }, "usage.inputTokens must not be negative, got -1"],
    [{ inputTokens: Number.NaN, outputTokens: 0 }, "usage.inputTokens must be a number of tokens, got NaN"],
    [{ inputTokens: 1.5, outputTokens: 0 }, "usage.inputTokens must be a whole number of tokens, got 1.5"],
    [
      { inputTokens: 0, outputTokens: 1_000_000_001 },
      "usage.outputTokens must be at most 1000000000 tokens per call, got 1000000001",
    ],
    [{ inputTokens: 0, outputTokens: Infinity }, "usage.outputTokens must be finite, got Infinity"],
    [{ inputTokens: "12", outputTokens: 0 }, "usage.inputTokens must be a number of tokens, got string"],
    [{ inputTokens: 0, outputTokens: 0, cachedTokens: 5 }, "usage.cachedTokens is not a usage key"],
    [
      { inputTokens: 0, outputTokens: 10, reasoningTokens: 11 },
      "usage.reasoningTokens (11) exceeds usage.outputTokens (10)",
    ],
    [null, "usage must be an object of token counts, got null"],
  ])("%j is rejected: %s", (usage, message) => {
    const error = thrown(() => validateUsage(usage));
    expect(error.code).toBe("E_USAGE");
    expect(error.message).toContain(message);
  });

  it("treats undefined as absent", () => {
    expect(validateUsage({ inputTokens: undefined, outputTokens: 3, cacheReadTokens: undefined })).toEqual({
      input: 0,
      output: 3,
      cacheRead: 0,
      cacheWrite: 0,
      cacheWrite1h: 0,
      reasoning: 0,
      webSearch: 0,
      audioInput: 0,
      audioOutput: 0,
      imageOutput: 0,
      cacheReadAudio: 0,
    });
  });

  it("rejects bad usage in estimateCost too, never pricing it at zero", () => {
    expect(
      thrown(() => estimateCost({ model: "gpt-4o", usage: { inputTokens: -5, outputTokens: 0 } })).code,
    ).toBe("E_USAGE");
  });

  it("rejects an invalid time", () => {
    const error = thrown(() =>
      estimateCost({ model: "o3", usage: { inputTokens: 1, outputTokens: 1 }, at: "yesterday" }),
    );
    expect(error.code).toBe("E_PRICING_ARGUMENT");
  });
});

describe("unpriced outcomes", () => {
  it("an unknown model is priced: false with a reason, never $0 as a price", () => {
    const estimate = estimateCost({ model: "acme-llm-9000", usage: { inputTokens: 5, outputTokens: 5 } });
    expect(estimate).toMatchObject({
      priced: false,
      costUsd: "0",
      model: "acme-llm-9000",
      provider: "unknown",
    });
    expect(estimate.priced || estimate.reason).toMatch(/no catalog entry/);
  });

  it("a known provider without that model keeps the provider", () => {
    const estimate = estimateCost({
      model: "gpt-4o",
      provider: "groq",
      usage: { inputTokens: 5, outputTokens: 5 },
    });
    expect(estimate).toMatchObject({ priced: false, provider: "groq" });
  });

  it("a model without a published price says why", () => {
    const estimate = estimateCost({
      model: "meta-llama/llama-4-scout",
      usage: { inputTokens: 5, outputTokens: 5 },
    });
    expect(estimate).toMatchObject({
      priced: false,
      provider: "meta",
      model: "llama-4-scout-17b-16e-instruct-fp8",
    });
    expect(estimate.priced || estimate.reason).toMatch(/no published per-token price/);
  });

  it("a time before the first known price is not priced", () => {
    const pricing = createPricing({
      overrides: {
        models: [
          {
            provider: "openai",
            id: "ft:gpt-4o-mini:acme",
            prices: [{ from: "2025-01-01", input: "1", output: "2" }],
          },
        ],
      },
    });
    const estimate = pricing.estimateCost({
      model: "ft:gpt-4o-mini:acme",
      usage: { inputTokens: 1, outputTokens: 1 },
      at: new Date("2024-12-31T23:59:59Z"),
    });
    expect(estimate.priced).toBe(false);
  });
});

describe("overrides", () => {
  const directory = mkdtempSync(join(tmpdir(), "llm-ledger-pricing-"));
  const write = (name: string, content: unknown) => {
    const path = join(directory, name);
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
    return path;
  };

  it("adds a self-hosted model at $0 and a fine-tune, and replaces a negotiated price", () => {
    const file = write("good.json", {
      models: [
        {
          provider: "unknown",
          id: "local-llama",
          aliases: ["llama-local"],
          prices: [{ input: "0", output: "0" }],
        },
        {
          provider: "openai",
          id: "ft:gpt-4o-mini:acme",
          patterns: ["^ft:gpt-4o-mini:acme:"],
          prices: [{ input: "0.3", output: "1.2" }],
        },
        { provider: "anthropic", id: "claude-sonnet-4-5", prices: [{ input: "2.4", output: "12" }] },
      ],
    });
    const pricing = createPricing({ overridesFile: file });
    expect(pricing.version).toMatch(/^\d{4}-\d{2}-\d{2}\+overrides\.[0-9a-f]{12}$/);
    expect(
      pricing.estimateCost({ model: "llama-local", usage: { inputTokens: 1000, outputTokens: 1000 } }),
    ).toMatchObject({
      priced: true,
      costUsd: "0",
      model: "local-llama",
      provider: "unknown",
    });
    expect(
      pricing.estimateCost({
        model: "ft:gpt-4o-mini:acme:abc123",
        usage: { inputTokens: 1_000_000, outputTokens: 0 },
      }).costUsd,
    ).toBe("0.3");
    expect(
      pricing.estimateCost({ model: "claude-sonnet-4-5", usage: { inputTokens: 100_000, outputTokens: 0 } })
        .costUsd,
    ).toBe("0.24");
    // The root functions stay on the built-in catalog.
    expect(
      estimateCost({ model: "claude-sonnet-4-5", usage: { inputTokens: 100_000, outputTokens: 0 } }).costUsd,
    ).toBe("0.3");
  });

  it("names the file, the JSON path and the problem", () => {
    const file = write("bad.json", {
      models: [
        { provider: "openai", id: "x", prices: [{ input: "0.0000001", output: "1" }] },
        { provider: "nowhere", id: "y", prices: [{ input: "1" }] },
        { provider: "openai", id: "z", prices: [{ input: "1", outptu: "2" }] },
        { provider: "openai", id: "w", prices: [{ input: "1" }, { input: "2" }] },
      ],
    });
    const error = thrown(() => createPricing({ overridesFile: file }));
    expect(error.code).toBe("E_PRICING_OVERRIDES");
    expect(error.message).toContain(`${file}: $.models[0].prices[0].input: expected a decimal string`);
    expect(error.message).toContain(`${file}: $.models[1].provider: expected a provider slug, got "nowhere"`);
    expect(error.message).toContain(`${file}: $.models[2].prices[0].outptu: unknown key`);
    expect(error.message).toContain(`${file}: $.models[3].prices[1].from: missing`);
  });

  it("rejects a number where a price string belongs, and duplicate spellings", () => {
    const error = thrown(() =>
      createPricing({
        overrides: {
          models: [
            { provider: "openai", id: "a", prices: [{ input: 1 }] },
            { provider: "openai", id: "b", aliases: ["A"], prices: [{ input: "1" }] },
          ],
        },
      }),
    );
    expect(error.message).toContain("overrides: $.models[0].prices[0].input: expected a decimal string");
    expect(error.message).toContain(
      'overrides: $.models[1].aliases[0]: "A" is already claimed by $.models[0] (a)',
    );
  });

  it("reports unreadable and malformed files", () => {
    expect(thrown(() => createPricing({ overridesFile: join(directory, "missing.json") })).message).toMatch(
      /missing\.json: cannot read/,
    );
    expect(thrown(() => createPricing({ overridesFile: write("broken.json", "{ nope") })).message).toMatch(
      /broken\.json: invalid JSON/,
    );
  });

  it("reads LLM_LEDGER_PRICING_FILE from the environment object it is given", () => {
    const file = write("env.json", {
      models: [{ provider: "unknown", id: "env-model", prices: [{ input: "1", output: "1" }] }],
    });
    expect(createPricingFromEnv({ LLM_LEDGER_PRICING_FILE: file }).resolveModel("env-model")?.model).toBe(
      "env-model",
    );
    expect(createPricingFromEnv({}).resolveModel("env-model")).toBeUndefined();
  });
});
