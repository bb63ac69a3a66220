// The reporting commands end to end through the CLI: import/export round trip, report, top,
// reconcile, reprice and purge. On the Postgres server (a schema per run) when TEST_DATABASE_URL is
// set; the round trip also on an embedded PGlite directory.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryCosts } from "../../src/query/index.js";
import { runLedger } from "../support/cli.js";
import { describeServer, engineDatabase, serverUrl, uniqueSchema } from "../support/databases.js";

const hour = 3_600_000;
let directory = "";
beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-cli-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** An exported event line, `hoursAgo` before now. */
function eventLine(overrides: Record<string, unknown> = {}, hoursAgo = 1): Record<string, unknown> {
  return {
    eventId: randomUUID(),
    createdAt: new Date(Date.now() - hoursAgo * hour).toISOString(),
    repo: "api",
    taskType: "review",
    model: "claude-sonnet-4-5-20250929",
    resolvedModel: "claude-sonnet-4-5",
    provider: "anthropic",
    sdk: "ai",
    inputTokens: 1000,
    outputTokens: 200,
    estimatedCostUsd: "0.006",
    providerCostUsd: null,
    costSource: "catalog",
    priced: true,
    metadata: { team: "payments" },
    ...overrides,
  };
}

async function writeLines(name: string, lines: Array<string | Record<string, unknown>>): Promise<string> {
  const file = path.join(directory, name);
  await writeFile(
    file,
    lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n") + "\n",
  );
  return file;
}

/** Export lines without the ingest time (new on every import), sorted, for comparison. */
function comparable(jsonl: string): unknown[] {
  return jsonl
    .trim()
    .split("\n")
    .map((line) => {
      const { ingestedAt: _ingested, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return rest;
    })
    .sort((a, b) => String(a.eventId).localeCompare(String(b.eventId)));
}

/** `full`: also the second (idempotent) import and a report; each command opens PGlite afresh, so it runs fewer there. */
function roundTrip(target: () => { url: string; schema: string; other: string }, full: boolean) {
  it("imports JSONL idempotently, reports bad lines by number, and round-trips through export", async () => {
    const { url, schema, other } = target();
    const flags = (name: string) => ["--database-url", url, "--schema", name];
    const events = [
      eventLine({ repo: "api" }, 2),
      eventLine(
        { repo: "web", metadata: null, error: "boom", usedFallback: true, fallbackReason: "429" },
        30,
      ),
      eventLine(
        { model: "mystery", resolvedModel: null, priced: false, estimatedCostUsd: "0", costSource: "none" },
        50,
      ),
    ];
    const file = await writeLines("events.jsonl", [
      events[0]!,
      "{not json",
      events[1]!,
      { ...eventLine(), inputTokens: -5 },
      "",
      events[2]!,
    ]);
    const first = await runLedger(["import", file, ...flags(schema)]);
    expect(first.exitCode).toBe(1);
    expect(first.stdout).toBe("imported 3 event(s); 0 already stored; 2 bad line(s) of 5\n");
    expect(first.stderr).toMatch(/^events\.jsonl:2: not JSON/m);
    // The reason the tracker and HTTP ingest give for the same count (one parser behind all three).
    expect(first.stderr).toMatch(/^events\.jsonl:4: inputTokens must not be negative, got -5$/m);

    if (full) {
      const again = await runLedger(["import", file, ...flags(schema), "--json"]);
      expect(JSON.parse(again.stdout)).toEqual({ lines: 5, inserted: 0, duplicates: 3, bad: 2 });
    }

    const exported = await runLedger(["export", ...flags(schema)]);
    expect(exported.exitCode).toBe(0);
    expect(exported.stdout.trim().split("\n")).toHaveLength(3);
    const copy = await writeLines("copy.jsonl", exported.stdout.trim().split("\n"));
    const imported = await runLedger(["import", copy, ...flags(other)]);
    expect(imported).toMatchObject({
      exitCode: 0,
      stdout: "imported 3 event(s); 0 already stored; 0 bad line(s) of 3\n",
    });
    const reexported = await runLedger(["export", ...flags(other)]);
    expect(comparable(reexported.stdout)).toEqual(comparable(exported.stdout));

    if (full) {
      const report = await runLedger(["report", "--by", "repo", "--json", ...flags(other)]);
      expect(JSON.parse(report.stdout)).toMatchObject({
        totals: { costUsd: "0.012", events: 3, errors: 1, fallbacks: 1, unpriced: 1 },
      });
    }
  });
}

describe("query commands [pglite]", () => {
  roundTrip(() => ({ url: `pglite:${path.join(directory, "db")}`, schema: "public", other: "copy" }), false);
});

describeServer("query commands", () => {
  const schema = uniqueSchema("cli");
  const other = uniqueSchema("cli");
  const flags = ["--database-url", serverUrl ?? "", "--schema", schema];
  afterAll(async () => {
    const database = await engineDatabase("postgres");
    await database.exec(
      `DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${other}" CASCADE`,
    );
  });

  roundTrip(() => ({ url: serverUrl!, schema, other }), true);

  it("prints reports as JSON exactly as queryCosts returns them, as CSV, and as a table with totals", async () => {
    const file = await writeLines("more.jsonl", [
      eventLine(
        { repo: "etl", taskType: "triage", estimatedCostUsd: "1.000000000001", providerCostUsd: "1.1" },
        5,
      ),
      eventLine(
        {
          repo: "etl",
          taskType: "triage",
          estimatedCostUsd: "2",
          model: "gpt-4o-2024-08-06",
          resolvedModel: "gpt-4o",
          provider: "openai",
        },
        6,
      ),
      eventLine({ repo: "old", estimatedCostUsd: "100" }, 24 * 40),
    ]);
    expect((await runLedger(["import", file, ...flags])).exitCode).toBe(0);

    const json = await runLedger(["report", "--since", "30d", "--by", "model,task", "--json", ...flags]);
    const printed = JSON.parse(json.stdout) as { rows: unknown[]; source: string };
    const database = await engineDatabase("postgres");
    // --since 30d: today so far and the 29 UTC days before it, whole days, so the rollups answer.
    const today = new Date();
    const from = new Date(
      Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) - 29 * 24 * hour,
    );
    const expected = await queryCosts({ database, schema }, { from, groupBy: ["model", "taskType"] });
    expect(printed.rows).toEqual(expected.rows);
    expect(printed.source).toBe("rollup");

    const csv = await runLedger(["report", "--by", "repo", "--format", "csv", ...flags]);
    const lines = csv.stdout.trim().split("\n");
    expect(lines[0]).toBe(
      "repo,costUsd,providerCostUsd,inputTokens,outputTokens,cacheReadTokens,cacheWriteTokens,cacheWrite1hTokens,reasoningTokens,events,fallbacks,errors,unpriced",
    );
    expect(lines).toContain("etl,3.000000000001,1.1,2000,400,0,0,0,0,2,0,0,0");

    const table = await runLedger([
      "report",
      "--by",
      "repo",
      "--grain",
      "day",
      "--from",
      "2000-01-01",
      ...flags,
    ]);
    expect(table.stdout).toMatch(/^repo\s+period\s+cost\s+events/);
    // The totals row: every event of the schema (the round trip above added some).
    expect(table.stdout).toMatch(/^total\s+-\s+\$103\.0\d*\s+\d+ /m);

    const top = await runLedger(["top", "--by", "task", "--since", "7d", "--limit", "1", "--json", ...flags]);
    const topReport = JSON.parse(top.stdout) as {
      rows: Array<Record<string, unknown>>;
      totals: Record<string, unknown>;
    };
    expect(topReport.rows).toHaveLength(1);
    expect(topReport.rows[0]).toMatchObject({ taskType: "triage", costUsd: "3.000000000001" });
    expect(topReport.totals).toMatchObject({ events: 5 });

    const reconcile = await runLedger(["reconcile", "--json", ...flags]);
    expect((JSON.parse(reconcile.stdout) as { rows: unknown[] }).rows[0]).toEqual({
      model: "claude-sonnet-4-5",
      events: 3,
      reportedEvents: 1,
      estimatedCostUsd: "1.000000000001",
      providerCostUsd: "1.1",
      differenceUsd: "0.099999999999",
      estimatedTotalUsd: "1.012000000001",
    });
  });

  it("exits 2 with one line naming the flag for bad usage", async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ["report", "--since", "30x"],
        /--since must be a number followed by h, d or w \(e\.g\. 30d\), got '30x'/,
      ],
      [["report", "--since", "3d", "--from", "2024-01-01"], /--since and --from cannot be used together/],
      [["report", "--from", "yesterday"], /--from must be an ISO date or time/],
      [["report", "--from", "2024-02-01", "--to", "2024-01-01"], /--from must be before --to/],
      [["report", "--by", "team"], /--by accepts repo, task-type \(task, taskType\), model/],
      [["report", "--grain", "year"], /--grain must be one of hour, day, week, month, got 'year'/],
      [["report", "--time-zone", "Mars/Base"], /--time-zone: unknown time zone "Mars\/Base"/],
      [["report", "--filter", "repo"], /--filter must be DIMENSION=VALUE/],
      [["top", "--limit", "0"], /--limit must be a whole number from 1/],
      [["purge"], /--older-than-days is required/],
      [["purge", "--older-than-days", "1.5"], /--older-than-days must be a whole number/],
      [["export", "--format", "xml"], /--format must be one of jsonl, csv, got 'xml'/],
      [["import"], /'import' needs FILE/],
      [["reprice", "--since", "soon"], /--since must be an ISO date or time/],
    ];
    for (const [argv, message] of cases) {
      const run = await runLedger([...argv, ...flags]);
      expect(run.exitCode, argv.join(" ")).toBe(2);
      expect(run.stderr.trim().split("\n"), argv.join(" ")).toHaveLength(1);
      expect(run.stderr, argv.join(" ")).toMatch(message);
    }
  });

  it("reprices stored events and purges raw events while reports keep the rollups", async () => {
    const wrong = await writeLines("wrong.jsonl", [
      eventLine({ repo: "wrong", estimatedCostUsd: "999" }, 3),
      eventLine(
        {
          repo: "wrong",
          model: "claude-haiku-4-5",
          resolvedModel: null,
          priced: false,
          estimatedCostUsd: "0",
          costSource: "none",
        },
        3,
      ),
    ]);
    expect((await runLedger(["import", wrong, ...flags])).exitCode).toBe(0);
    const unpriced = await runLedger(["reprice", "--only-unpriced", "--json", ...flags]);
    expect(JSON.parse(unpriced.stdout)).toMatchObject({ updated: 1 });
    const all = await runLedger(["reprice", "--since", "1d", ...flags]);
    expect(all.stdout).toMatch(/^examined \d+ event\(s\), updated \d+; 0 still unpriced \(catalog /);
    const repriced = await runLedger(["report", "--filter", "repo=wrong", "--json", ...flags]);
    expect(
      Number((JSON.parse(repriced.stdout) as { totals: { costUsd: string } }).totals.costUsd),
    ).toBeLessThan(1);

    const window = [
      "--from",
      "2000-01-01T00:00:00Z",
      "--to",
      new Date(Math.floor(Date.now() / hour) * hour - 48 * hour).toISOString(),
    ];
    const before = await runLedger(["report", "--by", "repo", "--json", ...window, ...flags]);
    const dryRun = await runLedger(["purge", "--older-than-days", "2", "--dry-run", ...flags]);
    expect(dryRun.stdout).toMatch(
      /^would delete 2 event\(s\) created before .* \(dry run; nothing deleted\)/,
    );
    const purge = await runLedger(["purge", "--older-than-days", "2", ...flags]);
    expect(purge.stdout).toBe("deleted 2 event(s) older than 2 day(s); hourly rollups kept\n");
    const after = await runLedger(["report", "--by", "repo", "--json", ...window, ...flags]);
    expect(JSON.parse(after.stdout)).toEqual(JSON.parse(before.stdout));
    expect((JSON.parse(after.stdout) as { totals: { events: number } }).totals.events).toBe(2);
    await runLedger(["purge", "--older-than-days", "2", "--include-rollups", ...flags]);
    const gone = await runLedger(["report", "--json", ...window, ...flags]);
    expect((JSON.parse(gone.stdout) as { totals: { events: number } }).totals.events).toBe(0);
  });
});
