import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CommandDefinition } from "../../src/cli/command.js";
import { pricingCommand } from "../../src/cli/commands/pricing.js";
import { runCli } from "../../src/cli/run-cli.js";
import { createPricing } from "../../src/pricing/index.js";

// Issue 17, defect 2: without `at`, the price in force now applies, never a period announced to
// start later (Gemini 3.6/3.7/3.8 Flash list a period from 2027-01-01 that doubles the price).

const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };

describe("the price in force now", () => {
  it("ignores a period that starts in the future when no instant is given", () => {
    const pricing = createPricing({
      overrides: {
        models: [
          {
            provider: "openai",
            id: "acme-announced",
            prices: [
              { input: "1", output: "2" },
              { from: "2000-01-01", input: "3", output: "4" },
              { from: "2999-01-01", input: "30", output: "40" },
            ],
          },
        ],
      },
    });
    const now = pricing.estimateCost({ model: "acme-announced", provider: "openai", usage, at: new Date() });
    const future = pricing.estimateCost({
      model: "acme-announced",
      provider: "openai",
      usage,
      at: "2999-06-01",
    });
    const implicit = pricing.estimateCost({ model: "acme-announced", provider: "openai", usage });
    expect(future.costUsd).not.toBe(now.costUsd);
    expect(implicit).toEqual(now);
  });

  it("says a model whose only price starts later has no price in force yet", () => {
    const pricing = createPricing({
      overrides: {
        models: [{ provider: "openai", id: "acme-later", prices: [{ from: "2999-01-01", input: "1" }] }],
      },
    });
    const estimate = pricing.estimateCost({ model: "acme-later", provider: "openai", usage });
    expect(estimate.priced).toBe(false);
    if (!estimate.priced) expect(estimate.reason).toContain("2999-01-01");
  });

  it("prices every catalog entry with a dated period at today's price", () => {
    const pricing = createPricing();
    const today = new Date();
    const dated = pricing
      .listModels()
      .filter(({ entry }) => entry.prices.some((period) => period.from !== undefined));
    expect(dated.length).toBeGreaterThan(0);
    for (const { provider, entry } of dated) {
      const implicit = pricing.estimateCost({ model: entry.id, provider, usage });
      const explicit = pricing.estimateCost({ model: entry.id, provider, usage, at: today });
      expect(implicit, `${provider}/${entry.id}`).toEqual(explicit);
    }
  });
});

describe("llm-ledger pricing estimate without --at", () => {
  const root: CommandDefinition = { name: "llm-ledger", summary: "test root", subcommands: [pricingCommand] };

  async function estimate(argv: string[], env: Record<string, string>) {
    let stdout = "";
    const exitCode = await runCli(root, ["pricing", "estimate", ...argv, "--json"], {
      stdout: { write: (text: string) => (stdout += text), isTTY: false },
      stderr: { write: () => undefined, isTTY: false },
      env,
      cwd: process.cwd(),
    });
    return { exitCode, estimate: JSON.parse(stdout) as { costUsd: string } };
  }

  it("uses the price in force today", async () => {
    const directory = mkdtempSync(join(tmpdir(), "llm-ledger-price-in-force-"));
    const file = join(directory, "prices.json");
    writeFileSync(
      file,
      JSON.stringify({
        models: [
          {
            provider: "openai",
            id: "acme-announced",
            prices: [{ input: "1" }, { from: "2999-01-01", input: "100" }],
          },
        ],
      }),
    );
    const env = { LLM_LEDGER_PRICING_FILE: file };
    const flags = ["--model", "acme-announced", "--provider", "openai", "--input", "1000000"];
    const implicit = await estimate(flags, env);
    const today = await estimate([...flags, "--at", new Date().toISOString()], env);
    const later = await estimate([...flags, "--at", "2999-02-01"], env);
    expect(implicit.exitCode).toBe(0);
    expect(implicit.estimate.costUsd).toBe(today.estimate.costUsd);
    expect(implicit.estimate.costUsd).not.toBe(later.estimate.costUsd);
  });
});
