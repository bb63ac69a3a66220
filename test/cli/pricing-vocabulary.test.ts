// Issue 15: one vocabulary across the pricing subcommands: `show` takes `--model` as `estimate` does,
// and `estimate` and `show` take `--format table|json|csv` as the data commands do.
import { describe, expect, it } from "vitest";
import { runLedger } from "../support/cli.js";

describe("pricing subcommands share flags", () => {
  it("show takes --model as estimate does, and the positional MODEL still", async () => {
    const byFlag = await runLedger(["pricing", "show", "--model", "claude-sonnet-4-5", "--json"]);
    const byArgument = await runLedger(["pricing", "show", "claude-sonnet-4-5", "--format", "json"]);
    expect(byFlag.exitCode, byFlag.stderr).toBe(0);
    expect(JSON.parse(byFlag.stdout)).toEqual(JSON.parse(byArgument.stdout));

    const neither = await runLedger(["pricing", "show"]);
    expect(neither.exitCode).toBe(2);
    expect(neither.stderr).toContain("'show' needs MODEL (or --model MODEL)");
    const both = await runLedger(["pricing", "show", "gpt-4o", "--model", "claude-sonnet-4-5"]);
    expect(both.exitCode).toBe(2);
  });

  it("estimate prints CSV with --format csv: one row per bucket and the total, same figures as JSON", async () => {
    const flags = [
      "--model",
      "claude-sonnet-4-5",
      "--input",
      "1200",
      "--output",
      "300",
      "--cache-read",
      "5000",
    ];
    const csv = await runLedger(["pricing", "estimate", ...flags, "--format", "csv"]);
    expect(csv.exitCode, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split(/\r?\n/);
    expect(lines[0]).toBe("bucket,tokens,cost USD");
    const json = JSON.parse((await runLedger(["pricing", "estimate", ...flags, "--json"])).stdout) as {
      costUsd: string;
      breakdown: Record<string, string>;
    };
    expect(lines).toContain(`input,1200,${json.breakdown.input}`);
    expect(lines.at(-1)).toBe(`total,6500,${json.costUsd}`);

    const unpriced = await runLedger(["pricing", "estimate", "--model", "no-such-model", "--format", "csv"]);
    expect(unpriced.exitCode).toBe(1);
    expect(unpriced.stdout).toBe("");
    expect(unpriced.stderr).toContain("not priced");
  });

  it("show prints its price rows as CSV with --format csv", async () => {
    const csv = await runLedger(["pricing", "show", "--model", "gpt-4o", "--format", "csv"]);
    expect(csv.exitCode, csv.stderr).toBe(0);
    expect(csv.stdout.split(/\r?\n/)[0]).toMatch(/^from,tier,input,/);
  });
});
