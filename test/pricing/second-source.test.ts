import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { Provider, ProviderFile } from "../../src/pricing/index.js";
import { compareWithSecondSource, parseSecondSource } from "../../scripts/second-source.js";
import { hostileValues, seededRandom } from "../support/hostile-text.js";

// Issue 17: the refresh "also reads a second public source …, reports every disagreement between
// sources with both values, and never silently prefers one".

const ROOT = new URL("../../", import.meta.url);
const FIXTURES = "test/fixtures/pricing";

const catalog = new Map<Provider, ProviderFile>([
  [
    "anthropic",
    {
      provider: "anthropic",
      name: "Anthropic",
      source: "https://example.test/anthropic",
      models: [
        {
          id: "claude-sonnet-4-5",
          aliases: ["claude-sonnet-4-5-20250929"],
          prices: [
            { input: "3.5", output: "15" },
            { from: "2026-01-01", input: "3", output: "15", cache_read: "0.3" },
            { from: "2027-01-01", input: "9", output: "99" },
          ],
        },
      ],
    },
  ],
]);

describe("comparing the catalog with a second source", () => {
  it("reports each bucket the sources price differently, with both values", () => {
    const second = parseSecondSource(
      {
        source: "other 1.0",
        models: [
          { provider: "anthropic", model: "claude-sonnet-4-5", input: 3, output: "16", cache_write: "3.75" },
        ],
      },
      "second.json",
    );
    const { disagreements, onlyTheirs } = compareWithSecondSource(catalog, second, "2026-12-04");
    expect(disagreements).toEqual([
      { provider: "anthropic", model: "claude-sonnet-4-5", bucket: "output", ours: "15", theirs: "16" },
      {
        provider: "anthropic",
        model: "claude-sonnet-4-5",
        bucket: "cache_write",
        ours: undefined,
        theirs: "3.75",
      },
    ]);
    expect(onlyTheirs).toEqual([]);
  });

  it("compares the price in force on the catalog date, by id or alias, as exact decimals", () => {
    const second = parseSecondSource(
      {
        source: "other 1.0",
        models: [
          { provider: "anthropic", model: "CLAUDE-SONNET-4-5-20250929", input: "3.000", cache_read: 0.3 },
        ],
      },
      "second.json",
    );
    expect(compareWithSecondSource(catalog, second, "2026-12-04").disagreements).toEqual([]);
    // Before 2026-01-01 the first period was in force.
    expect(compareWithSecondSource(catalog, second, "2025-12-31").disagreements.map((d) => d.bucket)).toEqual(
      ["input", "cache_read"],
    );
  });

  it("lists models only the second source prices, apart from the disagreements", () => {
    const second = parseSecondSource(
      { source: "other 1.0", models: [{ provider: "anthropic", model: "claude-sonnet-9", input: "1" }] },
      "second.json",
    );
    expect(compareWithSecondSource(catalog, second, "2026-12-04")).toEqual({
      disagreements: [],
      onlyTheirs: ["anthropic/claude-sonnet-9"],
    });
  });

  it.each([
    [null, "second.json: expected an object"],
    [{ models: [] }, "second.json.source: expected the source's name and version"],
    [{ source: "x", models: {} }, "second.json.models: expected an array"],
    [
      { source: "x", models: [{ provider: "acme", model: "m", input: "1" }] },
      "second.json.models[0].provider",
    ],
    [{ source: "x", models: [{ provider: "openai", model: "", input: "1" }] }, "second.json.models[0].model"],
    [{ source: "x", models: [{ provider: "openai", model: "m" }] }, "second.json.models[0]: no price"],
    [{ source: "x", models: [{ provider: "openai", model: "m", input: 0.1234567 }] }, "models[0].input"],
    [{ source: "x", models: [{ provider: "openai", model: "m", input: -1 }] }, "models[0].input"],
    [{ source: "x", models: [{ provider: "openai", model: "m", input: "1e3" }] }, "models[0].input"],
  ])("refuses %j with a precise reason", (value, reason) => {
    expect(() => parseSecondSource(value, "second.json")).toThrow(reason);
  });

  it("refuses hostile text where a price or provider belongs", () => {
    // A hostile value that happens to be a plain decimal ("0.5") is a valid price, so it is left out.
    const texts = hostileValues(seededRandom(17), 200).filter((text) => !/^\d+(\.\d+)?$/.test(text));
    for (const text of texts) {
      expect(() =>
        parseSecondSource({ source: "x", models: [{ provider: "openai", model: "m", input: text }] }, "f"),
      ).toThrow("f.models[0].input");
      expect(() =>
        parseSecondSource({ source: "x", models: [{ provider: text, model: "m", input: "1" }] }, "f"),
      ).toThrow("f.models[0].provider");
    }
  });
});

describe("scripts/refresh-pricing.ts --second-source", () => {
  const refresh = (fixture: string) =>
    spawnSync(
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
        "--second-source",
        `${FIXTURES}/${fixture}`,
      ],
      { cwd: ROOT, encoding: "utf8" },
    );

  it("prints every disagreement with both values and exits 3", () => {
    const run = refresh("second-source-disagrees.json");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(3);
    expect(run.stdout).toContain("## Disagreements with fixture-prices 1.0.0");
    expect(run.stdout).toContain(
      "anthropic/claude-sonnet-4-5 cache_read: 0.3 in @pydantic/genai-prices 0.1.8 + corrections, 0.25 in fixture-prices 1.0.0",
    );
    expect(run.stdout).toContain("xai/grok-4.5 cache_read: 0.5 in");
    expect(run.stdout).toContain(", 0.3 in fixture-prices 1.0.0");
    expect(run.stdout).not.toContain("openai/gpt-4o");
    expect(run.stdout).toMatch(
      /## Priced by fixture-prices 1\.0\.0 only \(1\)\n {2}mistral\/mistral-invented-9/,
    );
  }, 60_000);

  it("exits 0 when the sources agree", () => {
    const run = refresh("second-source-agrees.json");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      "## Disagreements with fixture-prices 1.0.1 (the catalog keeps its value; check both by hand) (0)",
    );
  }, 60_000);

  it("stops before building the catalog when the second source is unreadable", () => {
    const run = refresh("missing.json");
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("missing.json");
    expect(run.stdout).not.toContain("models over");
  }, 60_000);
});
