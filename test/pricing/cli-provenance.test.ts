import { describe, expect, it } from "vitest";
import type { CommandDefinition } from "../../src/cli/command.js";
import { pricingCommand } from "../../src/cli/commands/pricing.js";
import { runCli } from "../../src/cli/run-cli.js";

// `pricing show` says where a price comes from without claiming a check nobody made, and
// `pricing estimate` names the published rule behind a derived price (issue 17, defects 3 and 4).

const root: CommandDefinition = { name: "llm-ledger", summary: "test root", subcommands: [pricingCommand] };

async function ledger(argv: string[]) {
  let stdout = "";
  const exitCode = await runCli(root, argv, {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: () => undefined, isTTY: false },
    env: {},
    cwd: process.cwd(),
  });
  return { exitCode, stdout };
}

describe("llm-ledger pricing and provenance", () => {
  it("shows an imported price as imported, with the package and its publish date", async () => {
    const run = await ledger([
      "pricing",
      "show",
      "global.anthropic.claude-sonnet-4-6-v1:0",
      "--provider",
      "bedrock",
    ]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/imported from @pydantic\/genai-prices \S+ \(published \d{4}-\d{2}-\d{2}\)/);
    expect(run.stdout).not.toContain("(checked )");
    const json = await ledger([
      "pricing",
      "show",
      "global.anthropic.claude-sonnet-4-6-v1:0",
      "--provider",
      "bedrock",
      "--format",
      "json",
    ]);
    const shown = JSON.parse(json.stdout) as { checked?: string; imported?: { package: string } };
    expect(shown.checked).toBeUndefined();
    expect(shown.imported?.package).toBe("@pydantic/genai-prices");
  });

  it("names the rule behind a derived 1-hour cache write", async () => {
    const flags = ["--model", "global.anthropic.claude-sonnet-4-6-v1:0", "--provider", "bedrock"];
    const derived = await ledger(["pricing", "estimate", ...flags, "--cache-write-1h", "1000"]);
    expect(derived.exitCode).toBe(0);
    expect(derived.stdout).toMatch(/rule\s+cache_write_1h = 2 × input/);
    expect(derived.stdout).not.toContain("billed at the input price");
    const plain = await ledger(["pricing", "estimate", ...flags, "--input", "1000"]);
    expect(plain.stdout).not.toMatch(/^rule/m);
  });
});
