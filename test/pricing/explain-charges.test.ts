// The pure half of "explain": the rates an estimate keeps, multiplied back by the usage, give every
// bucket's amount and the total the pricer charged, exactly, for every combination of buckets, on
// entries with missing buckets, context tiers, derived prices and the BigInt path.
import { describe, expect, it } from "vitest";
import {
  canonicalDecimal,
  chargesOf,
  createPricing,
  type PricedEstimate,
  type Usage,
} from "../../src/pricing/index.js";
import { seededRandom } from "../support/hostile-text.js";

const pricing = createPricing();
const BUCKETS = [
  ["inputTokens", "input"],
  ["outputTokens", "output"],
  ["cacheReadTokens", "cacheRead"],
  ["cacheWriteTokens", "cacheWrite"],
  ["cacheWrite1hTokens", "cacheWrite1h"],
] as const;

// One of each kind of entry: plain, context tiers (Gemini 2.5 Pro above 200k), a host without its own
// 1-hour price (Bedrock: derived by rule), no cache prices at all (billed as input), a dotted id.
const MODELS: readonly [string, string | undefined][] = [
  ["claude-sonnet-4-5", undefined],
  ["gemini-2.5-pro", undefined],
  ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws-bedrock"],
  ["anthropic/claude-sonnet-4.5", "openrouter"],
  ["gpt-4o", undefined],
  ["deepseek-flash", undefined],
];

function priced(model: string, provider: string | undefined, usage: Usage): PricedEstimate {
  const estimate = pricing.estimateCost({ model, provider, usage });
  if (!estimate.priced) throw new Error(`${model} is not priced: ${estimate.reason}`);
  return estimate;
}

describe("chargesOf(rates, usage)", () => {
  it("adds up to the estimate exactly, line by line, for every bucket combination", () => {
    const random = seededRandom(17);
    for (const [model, provider] of MODELS) {
      for (let mask = 0; mask < 32; mask++) {
        // Small, large (past the tier) and huge counts (the BigInt path).
        for (const max of [1_000, 400_000, 900_000_000]) {
          const usage: Usage = { inputTokens: 0, outputTokens: 0 };
          BUCKETS.forEach(([field], index) => {
            if (mask & (1 << index)) usage[field] = 1 + Math.floor(random() * max);
          });
          const estimate = priced(model, provider, usage);
          const charges = chargesOf(estimate.rates, usage as unknown as Record<string, unknown>);
          const label = `${model} mask ${mask} max ${max}`;
          expect(charges.totalUsd, label).toBe(estimate.costUsd);
          for (const [field, key] of BUCKETS) {
            const line = charges.lines.find((candidate) => candidate.usage === field)!;
            expect(line.amountUsd, `${label} ${field}`).toBe(estimate.breakdown[key]);
            expect(line.units).toBe(usage[field] ?? 0);
          }
          expect(estimate.rates.tier).toBe(estimate.tier);
        }
      }
    }
  });

  it("names buckets without a price of their own and the rules that priced derived ones", () => {
    const usage = { inputTokens: 10, outputTokens: 0, cacheWrite1hTokens: 1_000 };
    const bedrock = priced("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws-bedrock", usage);
    const hour = bedrock.rates.lines.find((line) => line.bucket === "cache_write_1h")!;
    expect(bedrock.rules).toHaveLength(1);
    expect(hour.rule).toBe(bedrock.rules![0]);
    const deepseek = priced("deepseek-flash", undefined, {
      inputTokens: 1,
      outputTokens: 1,
      cacheWriteTokens: 5,
    });
    const write = deepseek.rates.lines.find((line) => line.bucket === "cache_write")!;
    expect(deepseek.breakdown.billedAsInput).toContain("cacheWrite");
    expect(write).toMatchObject({ billedAs: "input", price: deepseek.rates.lines[0]!.price });
    expect(deepseek.rates.lines.find((line) => line.bucket === "output")!.billedAs).toBeUndefined();
  });

  it("keeps one rate set per resolution, period and tier, with a ref that names its content", () => {
    const usage = { inputTokens: 100, outputTokens: 10 };
    const first = priced("claude-sonnet-4-5", undefined, usage);
    const again = priced("claude-sonnet-4-5", undefined, { inputTokens: 5, outputTokens: 7 });
    expect(again.rates).toBe(first.rates);
    expect(Object.isFrozen(first.rates)).toBe(true);
    expect(first.rates.ref).toMatch(/^[0-9a-f]{32}$/);
    // Another instance of the same catalog keeps the same ref: it names the content, not the process.
    expect(createPricing().estimateCost({ model: "claude-sonnet-4-5", usage })).toMatchObject({
      rates: { ref: first.rates.ref },
    });
    const tiered = priced("gemini-2.5-pro", undefined, { inputTokens: 300_000, outputTokens: 1 });
    const base = priced("gemini-2.5-pro", undefined, { inputTokens: 1_000, outputTokens: 1 });
    expect(tiered.rates.ref).not.toBe(base.rates.ref);
    expect(tiered.rates.tier).not.toBe("base");
    // Another spelling matched another way: its own set (how the id matched is part of it).
    const dated = priced("claude-sonnet-4-5-20250929", undefined, usage);
    expect(dated.rates.matchedBy).toEqual(dated.matchedBy);
    expect(dated.rates.ref).not.toBe(first.rates.ref);
  });

  it("changes the ref when an override changes a price, and says the entry is an override", () => {
    const overridden = createPricing({
      overrides: {
        models: [{ provider: "anthropic", id: "claude-sonnet-4-5", prices: [{ input: "1", output: "2" }] }],
      },
    });
    const estimate = overridden.estimateCost({
      model: "claude-sonnet-4-5",
      usage: { inputTokens: 1, outputTokens: 1 },
    });
    expect(estimate.priced && estimate.rates).toMatchObject({ override: true, source: null });
    const shipped = priced("claude-sonnet-4-5", undefined, { inputTokens: 1, outputTokens: 1 });
    expect(shipped.rates.override).toBe(false);
    expect(shipped.rates.source).toMatch(/^https:/);
    expect(estimate.priced && estimate.rates.ref).not.toBe(shipped.rates.ref);
  });

  it("treats absent counters as 0 and refuses a kept rate that is not a price", () => {
    const estimate = priced("claude-sonnet-4-5", undefined, { inputTokens: 3, outputTokens: 0 });
    expect(
      chargesOf(estimate.rates, { inputTokens: 3, outputTokens: "9", cacheReadTokens: -4 }).totalUsd,
    ).toBe(estimate.costUsd);
    const bad = {
      lines: [
        { kind: "tokens" as const, bucket: "input", usage: "inputTokens", price: "1e3", per: 1_000_000 },
      ],
    };
    expect(() => chargesOf(bad, { inputTokens: 1 })).toThrow(/not a price/);
    const badUnit = { lines: [{ ...bad.lines[0]!, price: "1", per: 7 }] };
    expect(() => chargesOf(badUnit, { inputTokens: 1 })).toThrow(/power of ten/);
    expect(canonicalDecimal("0.012300000000")).toBe("0.0123");
    expect(canonicalDecimal("5.000000000000")).toBe("5");
  });
});
