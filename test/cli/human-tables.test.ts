// Issue 15: tables a person reads. Money with a dollar sign and one number of decimals per column,
// counts with thousands separators, dates for day/week/month grains, no totals row repeating the one
// row of an ungrouped report, the source only with --verbose, the window said (top's 7-day default
// too), unpriced figures marked in top as in report, and no trailing spaces. JSON stays exact.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatMoney, groupThousands, moneyDecimals, periodLabel } from "../../src/cli/human-figures.js";
import { runLedger } from "../support/cli.js";
import { engineDatabase, serverUrl, uniqueSchema } from "../support/databases.js";

describe("human figures", () => {
  it("rounds money half up on its digits, with a dollar sign and separators", () => {
    expect(formatMoney("1234.565", 2)).toBe("$1,234.57");
    expect(formatMoney("0.0042", 2)).toBe("$0.00");
    expect(formatMoney("0.0042", 6)).toBe("$0.004200");
    expect(formatMoney("999.995", 2)).toBe("$1,000.00");
    expect(formatMoney("-0.001", 2)).toBe("$0.00");
    expect(formatMoney("-12.5", 2)).toBe("-$12.50");
    expect(formatMoney("7", 4)).toBe("$7.0000");
  });

  it("chooses one number of decimals per column, enough for its smallest amount", () => {
    expect(moneyDecimals(["1234.5", "3", "0"])).toBe(2);
    expect(moneyDecimals(["1234.5", "0.05"])).toBe(4);
    expect(moneyDecimals(["1234.5", "0.0042"])).toBe(6);
    expect(moneyDecimals([])).toBe(2);
  });

  it("groups thousands and shows periods as dates", () => {
    expect(groupThousands("1234567")).toBe("1,234,567");
    expect(groupThousands(999)).toBe("999");
    expect(periodLabel("2026-11-30T00:00:00+01:00", "week")).toBe("2026-11-30");
    expect(periodLabel("2026-11-30T13:00:00+00:00", "hour")).toBe("2026-11-30 13:00");
    expect(periodLabel("total", "day")).toBe("total");
  });
});

const hour = 3_600_000;
let directory = "";
const schema = uniqueSchema("tables");
beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-tables-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
  if (serverUrl) await (await engineDatabase("postgres")).exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
});

function event(overrides: Record<string, unknown>, hoursAgo: number): string {
  return JSON.stringify({
    eventId: randomUUID(),
    createdAt: new Date(Date.now() - hoursAgo * hour).toISOString(),
    repo: "api",
    taskType: "review",
    model: "claude-sonnet-4-5",
    provider: "anthropic",
    sdk: "ai",
    inputTokens: 12_000,
    outputTokens: 800,
    estimatedCostUsd: "1234.56789",
    priced: true,
    ...overrides,
  });
}

/** Lines of a table's output; every line is checked for trailing spaces. */
function lines(stdout: string): string[] {
  const all = stdout.trimEnd().split("\n");
  for (const line of all) expect(line, JSON.stringify(line)).toBe(line.trimEnd());
  return all;
}

describe("report and top tables", () => {
  it("print figures for a person, say their window, and mark unpriced spend", async () => {
    // On the Postgres server when there is one (a schema of its own), else an embedded directory.
    const target = serverUrl
      ? ["--database-url", serverUrl, "--schema", schema]
      : ["--database-url", `pglite:${path.join(directory, "db")}`];
    const file = path.join(directory, "events.jsonl");
    const events = [
      event({}, 1),
      event({ repo: "web", estimatedCostUsd: "0.0042" }, 30),
      event({ model: "my-private-model", estimatedCostUsd: "0", priced: false }, 2),
      event({ repo: "etl", estimatedCostUsd: "12.5" }, 80),
    ];
    await writeFile(file, events.join("\n") + "\n");
    expect((await runLedger(["import", file, ...target])).exitCode).toBe(0);
    const json = JSON.parse((await runLedger(["report", "--json", ...target])).stdout) as {
      totals: { costUsd: string; inputTokens: string; events: number };
    };

    // No --by: one row, the total, not repeated by a totals row; no source unless --verbose.
    const plain = lines((await runLedger(["report", ...target])).stdout);
    expect(plain).toHaveLength(4); // header, rule, the row, the window
    const figures = plain[2]!.trim().split(/\s{2,}/);
    expect(figures[0]).toBe(formatMoney(json.totals.costUsd, moneyDecimals([json.totals.costUsd])));
    expect(figures[2]).toBe(groupThousands(json.totals.inputTokens));
    expect(plain[3]).toMatch(
      /^window: the last 30 days, from \d{4}-\d\d-\d\d \d\d:\d\d UTC to now \(the default/,
    );
    expect(plain.join("\n")).not.toContain("source");
    const verbose = await runLedger(["report", "--verbose", ...target]);
    expect(verbose.stdout).toMatch(/^source: (rollup|raw|mixed): /m);

    // By repo and day: periods are dates, one number of decimals in the whole cost column.
    const byDay = lines((await runLedger(["report", "--by", "repo", "--grain", "day", ...target])).stdout);
    const rows = byDay.slice(2).filter((line) => /^(api|web|etl|total) /.test(line));
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const decimals = new Set<number>();
    for (const row of rows) {
      const [, period, cost] = row.split(/\s{2,}/);
      if (!row.startsWith("total")) expect(period).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(cost).toMatch(/^\$\d{1,3}(,\d{3})*\.\d+$/);
      decimals.add(cost!.split(".")[1]!.length);
    }
    expect(decimals.size).toBe(1);

    // top: the default window is said in help and output; the unpriced model's cost is marked.
    expect((await runLedger(["top", "--help"])).stdout).toContain("last 7 days");
    const top = lines((await runLedger(["top", ...target])).stdout);
    const unpriced = top.find((line) => line.includes("my-private-model"));
    expect(unpriced).toMatch(/\$0\.00\*/);
    expect(top.find((line) => line.includes("claude-sonnet-4-5"))).not.toMatch(/\*/);
    expect(top).toContainEqual(expect.stringMatching(/^\* leaves out 1 unpriced event/));
    expect(top.at(-1)).toMatch(/^window: the last 7 days, from .+ to now \(the default/);

    // JSON stays exact.
    const topJson = JSON.parse((await runLedger(["top", "--json", ...target])).stdout) as {
      rows: Array<{ model: string; costUsd: string; unpriced: number }>;
    };
    expect(topJson.rows.find((row) => row.model === "my-private-model")).toMatchObject({
      costUsd: "0",
      unpriced: 1,
    });
  });
});
