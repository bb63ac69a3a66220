import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { addDecimalStrings, decimalToPico } from "../../src/pricing/decimal.js";
import {
  createPricing,
  estimateCost,
  PROVIDERS,
  validateProviderFile,
  type CostEstimate,
  type PricedEstimate,
  type Usage,
} from "../../src/pricing/index.js";

// A small seeded generator so failures reproduce.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const next = random(42);
const MODELS = [
  ["claude-sonnet-4-5", undefined],
  ["claude-opus-4-1", undefined],
  ["gpt-4o", undefined],
  ["o3", undefined],
  ["gemini-2.5-pro", undefined],
  ["gemini-1.5-pro", undefined],
  ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", undefined],
  ["deepseek-flash", undefined],
  ["anthropic/claude-sonnet-4.5", "openrouter"],
] as const;

function randomUsage(max: number): Usage {
  const count = () => Math.floor(next() * max);
  const output = count();
  return {
    inputTokens: count(),
    outputTokens: output,
    cacheReadTokens: count(),
    cacheWriteTokens: count(),
    cacheWrite1hTokens: count(),
    reasoningTokens: Math.floor(output / 2),
  };
}

function priced(estimate: CostEstimate): PricedEstimate {
  if (!estimate.priced) throw new Error(`unpriced: ${estimate.reason}`);
  return estimate;
}

const BUCKETS = [
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "cacheWrite1hTokens",
] as const;

describe("cost properties", () => {
  it("costUsd is the exact sum of the breakdown", () => {
    for (let round = 0; round < 2000; round++) {
      const [model, provider] = MODELS[round % MODELS.length]!;
      const estimate = priced(
        estimateCost({ model, provider, usage: randomUsage(round % 2 ? 400_000 : 1_000_000_000) }),
      );
      const { input, output, cacheRead, cacheWrite, cacheWrite1h } = estimate.breakdown;
      expect(addDecimalStrings([input, output, cacheRead, cacheWrite, cacheWrite1h])).toBe(estimate.costUsd);
    }
  });

  it("is additive across requests within one tier", () => {
    for (let round = 0; round < 1000; round++) {
      const [model, provider] = MODELS[round % MODELS.length]!;
      // Each request stays under 40k input in all, their sum under 80k: both within the base tier.
      const first = randomUsage(10_000);
      const second = randomUsage(10_000);
      const sum = Object.fromEntries(
        BUCKETS.map((key) => [key, (first[key] ?? 0) + (second[key] ?? 0)]),
      ) as unknown as Usage;
      const cost = (usage: Usage) => decimalToPico(priced(estimateCost({ model, provider, usage })).costUsd);
      expect(cost(sum)).toBe(cost(first) + cost(second));
    }
  });

  it("never decreases when any bucket grows", () => {
    for (let round = 0; round < 1000; round++) {
      const [model, provider] = MODELS[round % MODELS.length]!;
      const usage = randomUsage(300_000);
      const before = decimalToPico(priced(estimateCost({ model, provider, usage })).costUsd);
      for (const key of BUCKETS) {
        const grown = { ...usage, [key]: (usage[key] ?? 0) + 1 + Math.floor(next() * 100_000) };
        const after = decimalToPico(priced(estimateCost({ model, provider, usage: grown })).costUsd);
        expect(after >= before).toBe(true);
      }
    }
  });

  it("writes money in canonical form", () => {
    for (let round = 0; round < 500; round++) {
      const [model, provider] = MODELS[round % MODELS.length]!;
      const estimate = priced(estimateCost({ model, provider, usage: randomUsage(1_000_000) }));
      for (const value of [
        estimate.costUsd,
        ...Object.values(estimate.breakdown).filter((v) => typeof v === "string"),
      ]) {
        expect(value).toMatch(/^(0|[1-9]\d*)(\.\d*[1-9])?$|^0\.\d*[1-9]$/);
      }
    }
  });

  it("bills a bucket without a price at the input price and says so", () => {
    const estimate = priced(
      estimateCost({ model: "gpt-4o", usage: { inputTokens: 0, outputTokens: 0, cacheWriteTokens: 10 } }),
    );
    expect(estimate.breakdown.cacheWrite).toBe("0.000025");
    expect(estimate.breakdown.billedAsInput).toEqual(["cacheWrite"]);
    const none = priced(estimateCost({ model: "gpt-4o", usage: { inputTokens: 10, outputTokens: 0 } }));
    expect(none.breakdown.billedAsInput).toEqual([]);
  });

  it("reports the tier and pricing version", () => {
    const estimate = priced(
      estimateCost({ model: "claude-sonnet-4-5", usage: { inputTokens: 200_001, outputTokens: 0 } }),
    );
    expect(estimate.tier).toBe("above-200000");
    expect(estimate.pricingVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe("the catalog", () => {
  const directory = new URL("../../data/pricing/", import.meta.url);
  const files = readdirSync(directory).filter(
    (name) => name.endsWith(".json") && !["catalog.json", "corrections.json"].includes(name),
  );

  it("has every provider file valid, with at least 300 models over at least 15 providers", () => {
    let models = 0;
    const providers = new Set<string>();
    for (const name of files) {
      const file = validateProviderFile(JSON.parse(readFileSync(new URL(name, directory), "utf8")), name);
      models += file.models.length;
      if (file.models.length > 0) providers.add(file.provider);
    }
    expect(models).toBeGreaterThanOrEqual(300);
    expect(providers.size).toBeGreaterThanOrEqual(15);
    for (const required of PROVIDERS.filter((provider) => provider !== "unknown"))
      expect(providers).toContain(required);
  });

  it("has no two entries of one provider claiming the same spelling", () => {
    for (const name of files) {
      const file = JSON.parse(readFileSync(new URL(name, directory), "utf8")) as {
        models: { id: string; aliases?: string[] }[];
      };
      const spellings = file.models.flatMap((model) =>
        [model.id, ...(model.aliases ?? [])].map((s) => s.toLowerCase()),
      );
      expect(new Set(spellings).size, name).toBe(spellings.length);
    }
  });

  it("prices every priced entry at its latest price, unless the provider retired it", () => {
    const pricing = createPricing();
    const today = new Date().toISOString().slice(0, 10);
    let checked = 0;
    for (const { provider, entry } of pricing.listModels()) {
      const estimate = pricing.estimateCost({
        model: entry.id,
        provider,
        usage: { inputTokens: 1000, outputTokens: 1000 },
      });
      const retired = entry.retired !== undefined && entry.retired <= today;
      expect(estimate.priced, `${provider}/${entry.id}`).toBe(entry.prices.length > 0 && !retired);
      if (estimate.priced) expect(estimate.catalogId, `${provider}/${entry.id}`).toBe(entry.id);
      checked++;
    }
    expect(checked).toBeGreaterThan(300);
  });

  it("loads and compiles in under 50 ms", async () => {
    const { loadCatalogData } = await import("../../src/pricing/load-catalog.js");
    // The best of five runs: test files run in parallel on shared machines (bench/pricing.bench.ts reports the median).
    const times: number[] = [];
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      loadCatalogData();
      createPricing();
      times.push(performance.now() - started);
    }
    expect(Math.min(...times)).toBeLessThan(50);
  });
});
