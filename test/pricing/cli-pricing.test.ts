import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CommandDefinition } from "../../src/cli/command.js";
import { pricingCommand } from "../../src/cli/commands/pricing.js";
import { runCli } from "../../src/cli/run-cli.js";

// A root holding only `pricing`, so this test does not depend on the command list.
const root: CommandDefinition = { name: "llm-ledger", summary: "test root", subcommands: [pricingCommand] };

async function ledger(argv: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const exitCode = await runCli(root, argv, {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env,
    cwd: process.cwd(),
  });
  return { exitCode, stdout, stderr };
}

describe("llm-ledger pricing", () => {
  it("estimates with --json", async () => {
    const run = await ledger([
      "pricing",
      "estimate",
      "--model",
      "claude-sonnet-4-5",
      "--input",
      "1000",
      "--output",
      "500",
      "--cache-read",
      "10000",
      "--json",
    ]);
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      priced: true,
      costUsd: "0.0135",
      model: "claude-sonnet-4-5",
      provider: "anthropic",
    });
  });

  it("prints a readable breakdown, and prices at --at", async () => {
    const run = await ledger([
      "pricing",
      "estimate",
      "--model",
      "o3",
      "--input",
      "1000000",
      "--at",
      "2025-06-01",
    ]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/model\s+o3 \(openai/);
    expect(run.stdout).toMatch(/total\s+1000000\s+10\n/);
  });

  it("exits 1 for a model it cannot price, 2 for bad flags", async () => {
    const unpriced = await ledger(["pricing", "estimate", "--model", "acme-9000", "--json"]);
    expect(unpriced.exitCode).toBe(1);
    expect(JSON.parse(unpriced.stdout)).toMatchObject({ priced: false, costUsd: "0" });
    const negative = await ledger(["pricing", "estimate", "--model", "gpt-4o", "--input=-5"]);
    expect(negative.exitCode).toBe(2);
    expect(negative.stderr).toContain("--input must be a whole number from 0 to 1000000000");
    const missing = await ledger(["pricing", "estimate", "--input", "5"]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain("--model is required");
    const provider = await ledger(["pricing", "estimate", "--model", "gpt-4o", "--provider", "nowhere"]);
    expect(provider.exitCode).toBe(2);
  });

  it("shows every price, tier and change with the source", async () => {
    const sonnet = await ledger(["pricing", "show", "claude-sonnet-4-20250514"]);
    expect(sonnet.exitCode).toBe(0);
    expect(sonnet.stdout).toContain("claude-sonnet-4-0");
    expect(sonnet.stdout).toMatch(/> 200000\s+6\s+22\.5/);
    expect(sonnet.stdout).toContain("docs.anthropic.com");
    const o3 = await ledger(["pricing", "show", "o3"]);
    expect(o3.stdout).toMatch(/2025-06-10\s+base\s+2\s+8/);
  });

  it("lists a provider's models", async () => {
    const run = await ledger(["pricing", "list", "--provider", "anthropic", "--format", "json"]);
    const models = JSON.parse(run.stdout) as { provider: string; id: string }[];
    expect(models.length).toBeGreaterThan(10);
    expect(models.every((model) => model.provider === "anthropic")).toBe(true);
  });

  it("checks the catalog and the overrides file", async () => {
    const run = await ledger(["pricing", "check", "--json"]);
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, stale: expect.any(Boolean) as boolean });

    const directory = mkdtempSync(join(tmpdir(), "llm-ledger-cli-pricing-"));
    const file = join(directory, "prices.json");
    writeFileSync(
      file,
      JSON.stringify({ models: [{ provider: "openai", id: "x", prices: [{ input: 1 }] }] }),
    );
    const bad = await ledger(["pricing", "check"], { LLM_LEDGER_PRICING_FILE: file });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain(`${file}: $.models[0].prices[0].input`);
  });
});
