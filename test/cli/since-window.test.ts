// "Last N days" in the CLI means what the dashboard means: today so far plus the N−1 UTC days before
// it; hours stay rolling.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseSince } from "../../src/cli/report-options.js";
import { runLedger } from "../support/cli.js";
import { describeServer, serverUrl, uniqueSchema } from "../support/databases.js";

const now = new Date("2026-12-03T10:15:00.000Z");

describe("parseSince", () => {
  it("counts days and weeks as calendar days ending today, hours as rolling hours", () => {
    expect(parseSince("1d", now).toISOString()).toBe("2026-12-03T00:00:00.000Z");
    expect(parseSince("7d", now).toISOString()).toBe("2026-11-27T00:00:00.000Z");
    expect(parseSince("30d", now).toISOString()).toBe("2026-11-04T00:00:00.000Z");
    expect(parseSince("2w", now).toISOString()).toBe("2026-11-20T00:00:00.000Z");
    expect(parseSince("12h", now).toISOString()).toBe("2026-12-02T22:15:00.000Z");
    expect(() => parseSince("0d", now)).toThrow(/--since must be a number followed by h, d or w/);
  });
});

describeServer("report --since 7d", () => {
  it("leaves out an event an hour before the 7-day window's first midnight", async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-since-"));
    try {
      const today = new Date();
      const todayStart = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
      const line = (repo: string, createdAt: number) =>
        JSON.stringify({
          eventId: randomUUID(),
          createdAt: new Date(createdAt).toISOString(),
          repo,
          taskType: "t",
          model: "gpt-4o-mini",
          provider: "openai",
          sdk: "raw",
          inputTokens: 1000,
          outputTokens: 0,
          estimatedCostUsd: "0.00015",
          costSource: "catalog",
          priced: true,
        });
      const file = path.join(directory, "events.jsonl");
      await writeFile(
        file,
        [line("inside", todayStart), line("edge", todayStart - 6 * 86_400_000 - 3_600_000)].join("\n"),
      );
      const flags = ["--database-url", serverUrl!, "--schema", uniqueSchema("since")];
      expect((await runLedger(["import", file, ...flags])).exitCode).toBe(0);
      const report = await runLedger(["report", "--since", "7d", "--by", "repo", "--json", ...flags]);
      const rows = (JSON.parse(report.stdout) as { rows: { repo: string }[] }).rows;
      expect(rows.map((row) => row.repo)).toEqual(["inside"]);
      const eight = await runLedger(["report", "--since", "8d", "--by", "repo", "--json", ...flags]);
      expect(
        (JSON.parse(eight.stdout) as { rows: { repo: string }[] }).rows.map((row) => row.repo).sort(),
      ).toEqual(["edge", "inside"]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
