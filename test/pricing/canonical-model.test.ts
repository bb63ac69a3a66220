// The resolved model is the model's canonical id, never a host's catalog key: Bedrock's
// `regional.…`/`global.…` entries, OpenRouter's `vendor/…` and Vertex's spellings all name the model
// as its vendor does, while `catalogId` keeps the key that priced the call.
import { describe, expect, it } from "vitest";
import type { CommandDefinition } from "../../src/cli/command.js";
import { pricingCommand } from "../../src/cli/commands/pricing.js";
import { runCli } from "../../src/cli/run-cli.js";
import { createPricing, estimateCost, resolveModel } from "../../src/pricing/index.js";

const root: CommandDefinition = { name: "llm-ledger", summary: "test root", subcommands: [pricingCommand] };
const usage = { inputTokens: 1000, outputTokens: 100 };

async function ledger(argv: string[]) {
  let stdout = "";
  const exitCode = await runCli(root, argv, {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: () => true, isTTY: false },
    env: {},
    cwd: process.cwd(),
  });
  return { exitCode, stdout };
}

describe("canonical model ids", () => {
  const vendor = resolveModel("claude-sonnet-4-5", "anthropic")!;

  it.each([
    ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", undefined, "aws-bedrock"],
    ["anthropic.claude-sonnet-4-5-20250929-v1:0", "bedrock", "aws-bedrock"],
    ["global.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws-bedrock", "aws-bedrock"],
    ["claude-sonnet-4-5@20250929", "vertex", "google-vertex"],
    ["anthropic/claude-sonnet-4.5", "openrouter", "openrouter"],
  ] as const)("%s (provider %s) is the vendor's model at %s", (id, provider, host) => {
    const estimate = estimateCost({ model: id, provider, usage });
    expect(estimate).toMatchObject({ priced: true, model: vendor.model, provider: host });
    expect(resolveModel(id, provider)).toMatchObject({ model: vendor.model, provider: host });
  });

  it("keeps the catalog key apart, and regional and global Bedrock prices are one model", () => {
    const regional = estimateCost({ model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", usage });
    const global = estimateCost({ model: "global.anthropic.claude-sonnet-4-5-20250929-v1:0", usage });
    if (!regional.priced || !global.priced) throw new Error("both Bedrock profiles should be priced");
    expect(regional.catalogId).not.toBe(global.catalogId);
    expect(regional.costUsd).not.toBe(global.costUsd);
    expect(regional.model).toBe(global.model);
  });

  it("never names a hosted model by a catalog-only prefix, a path or a Bedrock API version", () => {
    const pricing = createPricing();
    let hosted = 0;
    for (const { provider, entry } of pricing.listModels()) {
      const resolved = pricing.resolveModel(entry.id, provider);
      if (!resolved || resolved.catalogId === resolved.model) continue;
      hosted++;
      expect(resolved.model, `${provider}/${entry.id}`).not.toMatch(/^(?:regional|global|us|eu|apac)\./);
      expect(resolved.model, `${provider}/${entry.id}`).not.toMatch(/\/|-v\d+:\d+$/);
      // A canonical id the vendor lists resolves to the vendor's own entry under that id.
      const own = pricing.resolveModel(resolved.model);
      if (own && own.catalogId === resolved.model) expect(own.model).toBe(resolved.model);
    }
    expect(hosted).toBeGreaterThan(100);
  });

  it("pricing estimate says the model, and the catalog entry that priced it", async () => {
    const id = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    const json = await ledger(["pricing", "estimate", "--model", id, "--input", "1000", "--json"]);
    expect(json.exitCode).toBe(0);
    const estimate = estimateCost({ model: id, usage: { inputTokens: 1000, outputTokens: 0 } });
    expect(JSON.parse(json.stdout)).toMatchObject({ model: vendor.model, provider: "aws-bedrock" });
    const table = await ledger(["pricing", "estimate", "--model", id, "--input", "1000"]);
    expect(table.stdout).toMatch(new RegExp(`^model +${vendor.model} \\(aws-bedrock`, "m"));
    if (estimate.priced) expect(table.stdout).toContain(`entry    ${estimate.catalogId}`);
  });
});
