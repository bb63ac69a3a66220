import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  bundleCatalog,
  compareCatalogVersions,
  createPricing,
  loadCatalogData,
  validateCatalogBundle,
  type CatalogBundle,
} from "../../src/pricing/index.js";

const usage = { inputTokens: 1200, outputTokens: 300, cacheReadTokens: 5000 };

/** The shipped catalog as a bundle, dated and edited as a test needs. */
function shippedBundle(): CatalogBundle {
  return structuredClone(bundleCatalog(loadCatalogData()));
}

describe("createPricing({ catalog })", () => {
  it("prices from a bundle of the shipped catalog exactly as from the built-in one", () => {
    const shipped = createPricing();
    const bundled = createPricing({ catalog: shippedBundle() });
    for (const model of ["claude-sonnet-4-5", "gpt-4o-mini", "gemini-2.5-pro"]) {
      expect(bundled.estimateCost({ model, usage })).toEqual(shipped.estimateCost({ model, usage }));
    }
    expect(bundled.catalogDate).toBe(shipped.catalogDate);
  });

  it("uses the bundle's prices, date and revision instead of the shipped ones", () => {
    const bundle = shippedBundle();
    bundle.date = "2099-01-02";
    bundle.revision = 3;
    const anthropic = bundle.providers.find((file) => file.provider === "anthropic")!;
    const entry = anthropic.models.find((model) => model.id === "claude-sonnet-4-5")!;
    const doubled = String(Number(entry.prices.at(-1)!.input) * 2);
    entry.prices = [{ ...entry.prices.at(-1)!, input: doubled }];
    delete entry.prices[0]!.from;
    const pricing = createPricing({ catalog: bundle });
    const estimate = pricing.estimateCost({
      model: "claude-sonnet-4-5",
      usage: { inputTokens: 1_000_000, outputTokens: 0 },
    });
    expect(estimate).toMatchObject({ priced: true, costUsd: doubled, pricingVersion: "2099-01-02.3" });
    expect(pricing.catalogDate).toBe("2099-01-02");
  });

  it("reads a bundle file given by path, and keeps overrides on top of it", () => {
    const directory = mkdtempSync(join(tmpdir(), "llm-ledger-bundle-"));
    const file = join(directory, "catalog.json");
    const bundle = shippedBundle();
    bundle.date = "2099-01-02";
    writeFileSync(file, JSON.stringify(bundle));
    const pricing = createPricing({
      catalog: file,
      overrides: { models: [{ provider: "openai", id: "my-model", prices: [{ input: "1", output: "1" }] }] },
    });
    expect(pricing.version).toMatch(/^2099-01-02\+overrides\./);
    expect(pricing.estimateCost({ model: "my-model", provider: "openai", usage }).priced).toBe(true);
  });

  it("leaves providers the bundle does not list unpriced", () => {
    const bundle = shippedBundle();
    bundle.providers = bundle.providers.filter((file) => file.provider === "openai");
    const pricing = createPricing({ catalog: bundle });
    expect(pricing.estimateCost({ model: "gpt-4o-mini", usage }).priced).toBe(true);
    expect(pricing.estimateCost({ model: "claude-sonnet-4-5", provider: "anthropic", usage }).priced).toBe(
      false,
    );
  });

  it("refuses a bundle whose price fails the shipped data's validation, naming where", () => {
    const bundle = shippedBundle();
    const index = bundle.providers.findIndex((file) => file.provider === "openai");
    (bundle.providers[index]!.models[0]!.prices[0] as { input: unknown }).input = "-1";
    let thrown: unknown;
    try {
      createPricing({ catalog: bundle });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "E_PRICING_DATA" });
    expect((thrown as Error).message).toContain(`$.providers[${index}]: $.models[0].prices[0].input`);
  });

  it("refuses a wrong format, a bad date or revision, no providers, a provider listed twice", () => {
    const cases: Array<[string, (bundle: Record<string, unknown>) => void, RegExp]> = [
      ["format", (bundle) => (bundle.format = "other"), /\$\.format/],
      ["date", (bundle) => (bundle.date = "2026-02-30"), /\$\.date/],
      ["revision", (bundle) => (bundle.revision = -1), /\$\.revision/],
      ["providers", (bundle) => (bundle.providers = []), /\$\.providers/],
      [
        "twice",
        (bundle) =>
          (bundle.providers = [...(bundle.providers as unknown[]), (bundle.providers as unknown[])[0]]),
        /listed twice/,
      ],
      ["unknown key", (bundle) => (bundle.extra = 1), /\$\.extra: unknown key/],
    ];
    for (const [name, spoil, message] of cases) {
      const bundle = shippedBundle() as unknown as Record<string, unknown>;
      spoil(bundle);
      expect(() => validateCatalogBundle(bundle, "update.json"), name).toThrow(message);
    }
  });
});

describe("compareCatalogVersions", () => {
  it("orders by date, then revision", () => {
    expect(compareCatalogVersions({ date: "2026-01-02" }, { date: "2026-01-03" })).toBeLessThan(0);
    expect(
      compareCatalogVersions({ date: "2026-01-03" }, { date: "2026-01-02", revision: 9 }),
    ).toBeGreaterThan(0);
    expect(
      compareCatalogVersions({ date: "2026-01-03", revision: 1 }, { date: "2026-01-03" }),
    ).toBeGreaterThan(0);
    expect(compareCatalogVersions({ date: "2026-01-03", revision: 0 }, { date: "2026-01-03" })).toBe(0);
  });
});
