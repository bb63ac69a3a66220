// Negotiated rates (issue 17): percentage discounts in the overrides file, per provider, model pattern
// and project, applied after the list price, exact, with the list price kept beside the charged one.
// A bad discounts section is refused whole, each problem named by its JSON path.
import { describe, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import { chargesOf, createPricing, type CostEstimate, type PricedEstimate } from "../../src/pricing/index.js";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runLedger } from "../support/cli.js";
import { hostileValues, seededRandom } from "../support/hostile-text.js";

function priced(estimate: CostEstimate): PricedEstimate {
  if (!estimate.priced) throw new Error(`unpriced: ${estimate.reason}`);
  return estimate;
}

/** `value` (a canonical decimal) in 10^-12 dollars, parsed independently of the code under test. */
function pico(value: string): bigint {
  const [whole, fraction = ""] = value.split(".");
  return BigInt(whole! + fraction.padEnd(12, "0"));
}

/** list × (100 − percent) / 100 rounded half up to 10^-12, by the test's own arithmetic. */
function expectedCharge(listUsd: string, percent: string): bigint {
  const [whole, fraction = ""] = percent.split(".");
  const units = BigInt(whole! + fraction.padEnd(4, "0")); // percent × 10^4
  const list = pico(listUsd);
  const off = (list * units * 2n + 1_000_000n) / 2_000_000n; // half up
  return list - off;
}

const sonnet = { model: "claude-sonnet-4-5", provider: "anthropic" };

describe("a discount off the list price", () => {
  it("charges list × (100 − percent) / 100 exactly, rounded half up to 10^-12, for random usage and percents", () => {
    const random = seededRandom(17);
    const plain = createPricing();
    for (let round = 0; round < 40; round++) {
      const percent =
        round % 3 === 0 ? String(Math.floor(random() * 100)) : (random() * 99.9999).toFixed(1 + (round % 4));
      const pricing = createPricing({ overrides: { discounts: [{ provider: "anthropic", percent }] } });
      for (let call = 0; call < 10; call++) {
        const usage = {
          inputTokens: Math.floor(random() * 2_000_000),
          outputTokens: Math.floor(random() * 50_000),
          cacheReadTokens: Math.floor(random() * 500_000),
          cacheWriteTokens: Math.floor(random() * 10_000),
          cacheWrite1hTokens: Math.floor(random() * 10_000),
        };
        const list = priced(plain.estimateCost({ ...sonnet, usage }));
        const estimate = priced(pricing.estimateCost({ ...sonnet, usage }));
        expect(estimate.listCostUsd).toBe(list.costUsd);
        expect(pico(estimate.costUsd), `${percent}% of ${list.costUsd}`).toBe(
          expectedCharge(list.costUsd, percent),
        );
        expect(pico(estimate.discount!.amountUsd) + pico(estimate.costUsd)).toBe(pico(estimate.listCostUsd));
        // The breakdown stays the list price; the rates' lines multiply out to it.
        expect(chargesOf(estimate.rates, usage).totalUsd).toBe(estimate.listCostUsd);
      }
    }
  });

  it("rounds half up at the 12th decimal place", () => {
    // One token at $1.25/M is $0.00000125: 0.0002% of it is 2.5 × 10^-12 → 3 × 10^-12 (half up, not
    // half even); 0.0001% is 1.25 × 10^-12 → 1 × 10^-12; 12.5% is 0.00000015625 exactly.
    const charge = (percent: string) =>
      priced(
        createPricing({
          overrides: {
            models: [{ provider: "openai", id: "ft:test", prices: [{ input: "1.25", output: "1.25" }] }],
            discounts: [{ provider: "openai", percent }],
          },
        }).estimateCost({ model: "ft:test", provider: "openai", usage: { inputTokens: 1, outputTokens: 0 } }),
      );
    expect(charge("0.0002")).toMatchObject({
      listCostUsd: "0.00000125",
      costUsd: "0.000001249997",
      discount: { amountUsd: "0.000000000003" },
    });
    expect(charge("0.0001").discount!.amountUsd).toBe("0.000000000001");
    expect(charge("12.5")).toMatchObject({
      costUsd: "0.00000109375",
      discount: { amountUsd: "0.00000015625" },
    });
    expect(charge("0")).toMatchObject({ costUsd: "0.00000125", discount: { amountUsd: "0", percent: "0" } });
    // 99.9999% of 1,250,000 × 10^-12 is 1,249,998.75 → 1,249,999 off: 10^-12 left.
    expect(charge("99.9999")).toMatchObject({ costUsd: "0.000000000001" });
  });

  it("applies to the fees a call billed too, and keeps costUsd = listCostUsd − amount", () => {
    const pricing = createPricing({ overrides: { discounts: [{ provider: "anthropic", percent: "10" }] } });
    const estimate = priced(
      pricing.estimateCost({
        ...sonnet,
        usage: { inputTokens: 1000, outputTokens: 100, webSearchRequests: 3 },
      }),
    );
    expect(estimate.breakdown.fees).toBe("0.03");
    expect(estimate.listCostUsd).toBe("0.0345");
    expect(estimate.costUsd).toBe("0.03105");
  });

  it("leaves estimates without a matching rule exactly as the catalog prices them (same rates, no discount key)", () => {
    const pricing = createPricing({ overrides: { discounts: [{ provider: "openai", percent: "20" }] } });
    const plain = createPricing();
    const usage = { inputTokens: 1234, outputTokens: 567 };
    const estimate = priced(pricing.estimateCost({ ...sonnet, usage }));
    const list = priced(plain.estimateCost({ ...sonnet, usage }));
    expect(estimate.discount).toBeUndefined();
    expect(estimate.costUsd).toBe(list.costUsd);
    expect(estimate.listCostUsd).toBe(list.costUsd);
    expect("discount" in estimate.rates).toBe(false);
    // The overrides hash is in the version, so the refs differ; the content but the version is equal.
    const { ref: _a, pricingVersion: _b, ...content } = estimate.rates;
    const { ref: _c, pricingVersion: _d, ...listContent } = list.rates;
    expect(content).toEqual(listContent);
  });

  it("keeps the discount in the rate set, with a ref of its own, shared by calls under the same rule", () => {
    const pricing = createPricing({
      overrides: {
        discounts: [{ provider: "anthropic", percent: "15", source: "MSA 2026-03", notes: "annual" }],
      },
    });
    const first = priced(pricing.estimateCost({ ...sonnet, usage: { inputTokens: 10, outputTokens: 1 } }));
    const second = priced(pricing.estimateCost({ ...sonnet, usage: { inputTokens: 99, outputTokens: 7 } }));
    expect(first.rates.discount).toEqual({
      percent: "15",
      provider: "anthropic",
      model: null,
      project: null,
      source: "MSA 2026-03",
      notes: "annual",
    });
    expect(second.rates).toBe(first.rates);
    expect(Object.isFrozen(first.rates)).toBe(true);
  });

  it("never discounts an unpriced call", () => {
    const pricing = createPricing({ overrides: { discounts: [{ provider: "anthropic", percent: "50" }] } });
    const unknown = pricing.estimateCost({
      model: "claude-sonnet-9-9",
      provider: "anthropic",
      usage: { inputTokens: 10, outputTokens: 1 },
    });
    expect(unknown).toMatchObject({ priced: false, costUsd: "0" });
    // A model the catalog knows, unpriced because a bucket has no rate (Claude takes no audio): it
    // reaches the discount step, which must leave it alone.
    const known = pricing.estimateCost({
      model: "claude-sonnet-4-5",
      provider: "anthropic",
      usage: { inputTokens: 10, outputTokens: 1, audioInputTokens: 5 },
    });
    expect(known).toMatchObject({ priced: false, model: "claude-sonnet-4-5" });
    expect(known).not.toHaveProperty("discount");
    expect(known).not.toHaveProperty("listCostUsd");
  });
});

describe("which discount applies", () => {
  const pricing = createPricing({
    overrides: {
      discounts: [
        { provider: "anthropic", percent: "10" },
        { provider: "anthropic", model: "^claude-sonnet-", percent: "12.5" },
        { provider: "anthropic", model: "^claude-", percent: "11" },
        { provider: "anthropic", project: "alpha", percent: "20" },
        { provider: "anthropic", project: "alpha", model: "^claude-haiku-", percent: "30" },
        { provider: "anthropic", project: "beta", model: "^claude-opus-", percent: "0" },
        { provider: "aws-bedrock", model: "^claude-sonnet-4-5$", percent: "5" },
      ],
    },
  });
  const percentOf = (model: string, provider: string, project?: string) =>
    priced(pricing.estimateCost({ model, provider, project, usage: { inputTokens: 1000, outputTokens: 10 } }))
      .discount?.percent;

  it.each([
    // [model, provider, project, percent]: the most specific rule wins
    ["claude-sonnet-4-5", "anthropic", undefined, "12.5"], // model beats provider-wide
    ["claude-haiku-4-5", "anthropic", undefined, "11"], // the first of two matching model rules of a rank
    ["gpt-4o", "openai", undefined, undefined], // no rule for the provider
    ["claude-sonnet-4-5", "anthropic", "alpha", "20"], // a project's own terms beat any global rule
    ["claude-haiku-4-5", "anthropic", "alpha", "30"], // project + model beats project alone
    ["claude-opus-4-1", "anthropic", "beta", "0"], // a 0% rule exempts a model from the broader ones
    ["claude-sonnet-4-5", "anthropic", "beta", "12.5"], // beta's rule names another model: global rules
    ["claude-sonnet-4-5", "anthropic", "gamma", "12.5"], // a project without rules: global rules
    // The host that bills decides, matched on the canonical id whatever the spelling
    ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws-bedrock", undefined, "5"],
    ["us.anthropic.claude-haiku-4-5-20251001-v1:0", "aws-bedrock", undefined, undefined],
  ] as const)("%s on %s, project %s: %s%", (model, provider, project, percent) => {
    expect(percentOf(model, provider, project)).toBe(percent);
  });

  it("matches model patterns case-insensitively, against the canonical id", () => {
    expect(percentOf("CLAUDE-SONNET-4-5-20250929", "anthropic")).toBe("12.5");
    expect(percentOf("anthropic/claude-sonnet-4.5", "anthropic")).toBe("12.5");
  });

  it("changes the charged figure and pricingVersion when the file's discounts change", () => {
    const other = createPricing({ overrides: { discounts: [{ provider: "anthropic", percent: "11" }] } });
    const usage = { inputTokens: 1000, outputTokens: 10 };
    expect(other.version).not.toBe(pricing.version);
    expect(priced(other.estimateCost({ ...sonnet, usage })).costUsd).not.toBe(
      priced(pricing.estimateCost({ ...sonnet, usage })).costUsd,
    );
  });
});

describe("a bad discounts section", () => {
  function problemsOf(overrides: unknown): string {
    try {
      createPricing({ overrides });
    } catch (error) {
      expect(isLedgerError(error) && error.code).toBe("E_PRICING_OVERRIDES");
      return (error as Error).message;
    }
    throw new Error("accepted");
  }

  it.each([
    [{ discounts: {} }, "overrides: $.discounts: expected an array, got a object"],
    [
      { discounts: [1] },
      `overrides: $.discounts[0]: expected an object with "provider" and "percent", got number 1`,
    ],
    [
      { discounts: [{ provider: "anthropic", percent: 12.5 }] },
      "$.discounts[0].percent: expected a decimal string",
    ],
    [{ discounts: [{ provider: "anthropic", percent: "100" }] }, `got "100"`],
    [{ discounts: [{ provider: "anthropic", percent: "-5" }] }, `$.discounts[0].percent`],
    [{ discounts: [{ provider: "anthropic", percent: "12.34567" }] }, `got "12.34567"`],
    [{ discounts: [{ provider: "anthropic", percent: "1e1" }] }, `got "1e1"`],
    [{ discounts: [{ provider: "anthropic", percent: "05" }] }, `got "05"`],
    [{ discounts: [{ provider: "anthropic", percent: " 5" }] }, `got " 5"`],
    [
      { discounts: [{ provider: "anthropics", percent: "5" }] },
      `$.discounts[0].provider: expected a provider slug, got "anthropics"`,
    ],
    [{ discounts: [{ percent: "5" }] }, "$.discounts[0].provider: expected a provider slug, got nothing"],
    [
      { discounts: [{ provider: "anthropic", percent: "5", model: "([" }] },
      "$.discounts[0].model: invalid regular expression",
    ],
    [
      { discounts: [{ provider: "anthropic", percent: "5", model: "" }] },
      "$.discounts[0].model: expected a non-empty string",
    ],
    [
      { discounts: [{ provider: "anthropic", percent: "5", project: "Alpha" }] },
      `$.discounts[0].project: expected a project slug`,
    ],
    [
      { discounts: [{ provider: "anthropic", percent: "5", percentage: "5" }] },
      "$.discounts[0].percentage: unknown key",
    ],
    [
      { discounts: [{ provider: "anthropic", percent: "5", notes: 3 }] },
      "$.discounts[0].notes: expected a non-empty string",
    ],
    [
      {
        discounts: [
          { provider: "anthropic", percent: "5" },
          { provider: "anthropic", percent: "6" },
        ],
      },
      "$.discounts[1]: the same provider, model and project as $.discounts[0]",
    ],
    [{ discount: [] }, "$.discount: unknown key"],
  ])("%j → %s", (overrides, message) => {
    expect(problemsOf(overrides)).toContain(message);
  });

  it("lists every problem at once, and accepts a file of discounts alone", () => {
    const message = problemsOf({
      discounts: [{ provider: "nope", percent: "100", extra: true }],
    });
    expect(message.split("\n")).toHaveLength(3);
    expect(() =>
      createPricing({ overrides: { discounts: [{ provider: "openai", percent: "0" }] } }),
    ).not.toThrow();
  });

  it("refuses hostile text in every field with a message naming the field, never applying part of the file", () => {
    const values = [...hostileValues(seededRandom(3), 60), "5\u0000", "alpha\n", "\uD800"];
    for (const value of values) {
      for (const field of ["provider", "percent", "project"] as const) {
        const rule: Record<string, unknown> = { provider: "anthropic", percent: "5", [field]: value };
        if (field === "percent" && typeof value === "string" && /^(0|[1-9]\d?)(\.\d{1,4})?$/.test(value))
          continue;
        if (field === "project" && typeof value === "string" && /^[a-z0-9][a-z0-9_-]{0,62}$/.test(value))
          continue;
        expect(problemsOf({ discounts: [rule] }), JSON.stringify(value)).toContain(`$.discounts[0].${field}`);
      }
    }
  });
});

describe("llm-ledger pricing estimate with discounts", () => {
  it("prints the list price, the discount of the call's project and the charged total", async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-discounts-"));
    try {
      const file = path.join(directory, "prices.json");
      await writeFile(
        file,
        JSON.stringify({
          discounts: [
            { provider: "anthropic", percent: "12.5" },
            { provider: "anthropic", project: "alpha", percent: "20" },
          ],
        }),
      );
      const env = { LLM_LEDGER_PRICING_FILE: file };
      const args = [
        "pricing",
        "estimate",
        "--model",
        "claude-sonnet-4-5",
        "--input",
        "1000",
        "--output",
        "100",
      ];
      const alpha = await runLedger([...args, "--project", "alpha"], { env });
      expect(alpha.exitCode, alpha.stderr).toBe(0);
      expect(alpha.stdout).toMatch(/list price\s+0\.0045\n/);
      expect(alpha.stdout).toMatch(/discount 20%\s+-0\.0009\n/);
      expect(alpha.stdout).toMatch(/total\s+1100\s+0\.0036\n/);
      const json = JSON.parse((await runLedger([...args, "--json"], { env })).stdout) as PricedEstimate;
      expect(json).toMatchObject({
        costUsd: "0.0039375",
        listCostUsd: "0.0045",
        discount: { percent: "12.5" },
      });
      // A bad file stops the command with the problem's JSON path.
      await writeFile(file, JSON.stringify({ discounts: [{ provider: "anthropic", percent: "100" }] }));
      const refused = await runLedger(args, { env });
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toContain(`${file}: $.discounts[0].percent`);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
