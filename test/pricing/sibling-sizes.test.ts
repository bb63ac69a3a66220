import { describe, expect, it } from "vitest";
import { createPricing, estimateCost, resolveModel, type Provider } from "../../src/pricing/index.js";
import { sizesOf } from "../../src/pricing/model-version.js";

// Issue 17, defect 1, as the second-source comparison found it (docs/second-source-report.md): a
// size variant is another model. `gemini-1.5-flash-8b` matched the pattern `gemini-1\.5-flash` and
// was charged Flash's price, twice its own. And a host's pattern may name another version: Vertex's
// `claude-4-opus` listed `claude-opus-4-1`, so Opus 4.1 was reported as Opus 4.

// Below Gemini 1.5's 128k-token prompt tier.
const usage = { inputTokens: 100_000, outputTokens: 100_000 };
// While Google served Flash-8B (retired 2025-09-24: later calls are flagged, see retired-models.test.ts).
const at = "2025-06-01";

describe("a parameter size the entry does not name", () => {
  it.each([
    ["gemini-1.5-flash-8b", "google"],
    ["gemini-1.5-flash-8b", undefined],
    ["models/gemini-1.5-flash-8b", undefined],
    ["models/gemini-1.5-flash-8b", "google"],
    ["gemini-1.5-flash-8b-001", "google"],
    ["gemini-1.5-flash-8b-latest", "google"],
  ] as const)(
    "%s (provider %s) is priced as Gemini 1.5 Flash-8B, at half Flash's price",
    (model, provider) => {
      expect(resolveModel(model, provider)?.model).toBe("gemini-1.5-flash-8b");
      const estimate = estimateCost({ model, provider, usage, at });
      expect(estimate.priced).toBe(true);
      if (!estimate.priced) return;
      expect(estimate.costUsd).toBe("0.01875");
      // Flash itself keeps its own price.
      expect(estimateCost({ model: "gemini-1.5-flash", provider, usage, at })).toMatchObject({
        costUsd: "0.0375",
      });
    },
  );

  it.each([
    // [id, provider, the entry a pattern matched]
    ["gemini-1.5-flash-8b", "google-vertex", "gemini-1.5-flash"],
    ["gemini-1.5-pro-8b", "google", "gemini-1.5-pro"],
    ["deepseek-r1-distill-qwen-7b", undefined, "deepseek-reasoner"],
    ["deepseek/deepseek-r1-distill-llama-70b", undefined, "deepseek-reasoner"],
  ] as const)("%s (provider %s) is unpriced, naming %s", (model, provider, nearest) => {
    expect(resolveModel(model, provider)).toBeUndefined();
    const estimate = estimateCost({ model, provider, usage });
    expect(estimate.priced).toBe(false);
    if (estimate.priced) return;
    expect(estimate.reason).toContain(nearest);
    expect(estimate.nearest?.model).toBe(nearest);
  });

  it("still prices the sizes a family's row names, and keeps each size's own name", () => {
    for (const size of ["1b", "4b", "12b", "27b"]) {
      expect(resolveModel(`gemma-3-${size}-it`, "google")?.catalogId).toBe("gemma-3");
    }
    for (const size of ["4b", "12b", "27b"]) {
      expect(resolveModel(`google/gemma-3-${size}-it`, "openrouter")?.model).toBe(`gemma-3-${size}-it`);
    }
    // A host listing the exact id still prices it when no provider is named.
    expect(resolveModel("deepseek-r1-distill-llama-70b")?.provider).toBe("groq");
    expect(resolveModel("deepseek-r1-distill-llama-70b", "groq")?.catalogId).toBe(
      "deepseek-r1-distill-llama-70b",
    );
  });

  it("never prices an invented size of a model that names none", () => {
    const pricing = createPricing();
    const listed = new Set<string>();
    for (const { provider, entry } of pricing.listModels()) {
      for (const spelling of [entry.id, ...(entry.aliases ?? [])])
        listed.add(`${provider} ${spelling.toLowerCase()}`);
    }
    const wrong: string[] = [];
    let invented = 0;
    for (const { provider, entry } of pricing.listModels()) {
      const spellings = [entry.id, ...(entry.aliases ?? []), ...(entry.patterns ?? [])];
      if (spellings.some((spelling) => sizesOf(spelling.toLowerCase()).size > 0)) continue;
      const candidate = `${entry.id}-8b`;
      if (listed.has(`${provider} ${candidate.toLowerCase()}`)) continue;
      invented++;
      for (const asked of [provider, undefined] as (Provider | undefined)[]) {
        if (pricing.resolveModel(candidate, asked)?.entry === entry)
          wrong.push(`${candidate} (${asked ?? "none"})`);
      }
    }
    expect(invented).toBeGreaterThan(500);
    expect(wrong).toEqual([]);
  });
});

describe("sizesOf", () => {
  it.each([
    ["gemini-1.5-flash-8b", ["8b"]],
    ["models/gemini-1.5-flash-8b-001", ["8b"]],
    ["meta-llama/llama-3.1-70b-instruct", ["70b"]],
    ["deepseek-r1-distill-qwen-1.5b", ["1.5b"]],
    ["mistralai/mixtral-8x7b-instruct", ["8x7b"]],
    ["qwen3-30b-a3b", ["30b"]],
    ["llama-4-maverick-17b-128e-instruct-fp8", ["17b"]],
    ["gemma-3n-e4b-it", []],
    ["gpt-4o", []],
    ["gemini-1.5-flash", []],
  ])("%s → %j", (id, sizes) => {
    expect([...sizesOf(id)]).toEqual(sizes);
  });
});

describe("a host's pattern naming another version", () => {
  it.each(["google-vertex", "vertex", undefined])(
    "claude-opus-4-1@20250805 (provider %s) is Claude Opus 4.1, not Opus 4",
    (provider) => {
      const resolved = resolveModel("claude-opus-4-1@20250805", provider);
      expect(resolved?.provider).toBe("google-vertex");
      expect(resolved?.catalogId).toBe("claude-opus-4-1");
      expect(resolved?.model).toBe("claude-opus-4-1");
      expect(estimateCost({ model: "claude-opus-4-1@20250805", provider, usage })).toMatchObject({
        priced: true,
        costUsd: "9",
      });
    },
  );

  it("leaves Opus 4 on Vertex where it was", () => {
    expect(resolveModel("claude-opus-4@20250514", "google-vertex")?.catalogId).toBe("claude-4-opus");
    expect(resolveModel("claude-opus-4-1@20250805", "google-vertex")?.entry.patterns).not.toContain(
      "claude-opus-4-1",
    );
  });
});
