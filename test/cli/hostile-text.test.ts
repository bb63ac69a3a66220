// The reporting commands with hostile dimension values: `--filter` reads `\,` and `\\` as HTTP does,
// and the CSV of report, top and export never hands a spreadsheet a formula. On the Postgres server
// (a schema per run) when TEST_DATABASE_URL is set; the short round on an embedded PGlite directory.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportFields } from "../../src/cli/commands/export.js";
import { joinFilterValues, metricNames, removeCsvPrefix } from "../../src/query/index.js";
import { runLedger } from "../support/cli.js";
import { csvRecords, startsFormula } from "../support/csv.js";
import { describeServer, engineDatabase, serverUrl, uniqueSchema } from "../support/databases.js";
import { expectStoredValues, hostileValues, seededRandom, storedForm } from "../support/hostile-text.js";

let directory = "";
beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-hostile-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Numbers in CSV: cells of these columns stay as they are. */
const numberColumns = new Set<string>([
  ...metricNames,
  "#",
  "cost USD",
  "share",
  "events",
  "errors",
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "cacheWrite1hTokens",
  "reasoningTokens",
  "estimatedCostUsd",
  "providerCostUsd",
  "durationMs",
]);

/** Every cell is either a plain number in a number column, or text no spreadsheet runs. */
function expectSafeCsv(text: string): Array<Record<string, string>> {
  const records = csvRecords(text);
  for (const record of records) {
    for (const [name, cell] of Object.entries(record)) {
      if (numberColumns.has(name) && /^-?\d+(\.\d+)?%?$/.test(cell)) continue;
      expect(startsFormula(cell), `${name}: ${JSON.stringify(cell)}`).toBe(false);
    }
  }
  return records;
}

/** Imports events for `repos` (repo i gets (i mod 4) + 1 events) and returns the flags to query them. */
async function seed(url: string, schema: string, repos: readonly string[]): Promise<string[]> {
  const flags = ["--database-url", url, "--schema", schema];
  const lines = repos.flatMap((repo, index) =>
    Array.from({ length: (index % 4) + 1 }, () =>
      JSON.stringify({
        eventId: randomUUID(),
        createdAt: new Date(Date.now() - 3_600_000).toISOString(),
        repo,
        taskType: repos[(index + 1) % repos.length],
        model: "gpt-4o-mini",
        resolvedModel: "gpt-4o-mini",
        provider: "openai",
        sdk: "ai",
        inputTokens: 1000 * (index + 1),
        outputTokens: 10,
        estimatedCostUsd: "0.0015",
        providerCostUsd: null,
        costSource: "catalog",
        priced: true,
        error: repo,
        metadata: { team: repo },
      }),
    ),
  );
  const file = path.join(directory, `${schema}.jsonl`);
  await writeFile(file, lines.join("\n") + "\n");
  const imported = await runLedger(["import", file, ...flags]);
  expect(imported.exitCode, imported.stderr).toBe(0);
  return flags;
}

interface Report {
  rows: Array<Record<string, string | number | null>>;
  totals: { events: number };
}

async function report(argv: string[]): Promise<Report> {
  const run = await runLedger(["report", "--json", ...argv]);
  expect(run.exitCode, `${argv.join(" ")}: ${run.stderr}`).toBe(0);
  return JSON.parse(run.stdout) as Report;
}

/** The checks; `every`: filter by each value one by one (many commands: on the server only). */
function hostileRound(
  target: () => { url: string; schema: string },
  repos: readonly string[],
  every: boolean,
) {
  // Lone surrogates cannot be stored: import refuses such lines (tested in import-hostile.test.ts).
  repos = repos.filter((value) => storedForm(value) === value);
  let seeded: Promise<{ flags: string[]; counts: Map<string, number> }> | undefined;
  /** Imports the events once for both tests; the events per stored repo, from a JSON report. */
  const stored = () =>
    (seeded ??= (async () => {
      const { url, schema } = target();
      const flags = await seed(url, schema, repos);
      const byRepo = await report(["--by", "repo", ...flags]);
      expectStoredValues(
        byRepo.rows.map((row) => String(row.repo)),
        repos,
      );
      return { flags, counts: new Map(byRepo.rows.map((row) => [String(row.repo), Number(row.events)])) };
    })());

  it("filters by values escaped with \\, and \\\\, a bare comma separating them, and refuses a stray backslash", async () => {
    const { flags, counts } = await stored();
    const checked = every ? [...counts.keys()] : ["acme,inc", "a\\,b", "=1+1"];
    for (const repo of checked) {
      const one = await report(["--filter", `repo=${joinFilterValues([repo])}`, ...flags]);
      expect(one.totals.events, JSON.stringify(repo)).toBe(counts.get(repo));
    }
    const listed = await report(["--filter", "repo=acme,inc", ...flags]);
    expect(listed.totals.events).toBe(counts.get("acme")! + counts.get("inc")!);
    const several = ["acme,inc", "a\\b", "\\"];
    const combined = await report(["--filter", `repo=${joinFilterValues(several)}`, ...flags]);
    expect(combined.totals.events).toBe(several.reduce((sum, repo) => sum + counts.get(repo)!, 0));

    const stray = await runLedger(["report", "--filter", "repo=a\\b", ...flags]);
    expect(stray.exitCode).toBe(2);
    expect(stray.stderr.trim().split("\n")).toHaveLength(1);
    expect(stray.stderr).toMatch(/--filter repo: a backslash in a filter value must be followed by ','/);
  });

  it("prints CSV from report, top and export that no spreadsheet runs, the values otherwise exact", async () => {
    const { flags, counts } = await stored();
    const csv = await runLedger([
      "report",
      "--by",
      "repo,task",
      "--grain",
      "day",
      "--format",
      "csv",
      ...flags,
    ]);
    const json = await report(["--by", "repo,task", "--grain", "day", ...flags]);
    const records = expectSafeCsv(csv.stdout);
    expect(records).toHaveLength(json.rows.length);
    for (const [index, record] of records.entries()) {
      for (const [name, cell] of Object.entries(record)) {
        const value = json.rows[index]![name];
        expect(removeCsvPrefix(cell), name).toBe(value === null ? "" : String(value));
      }
    }

    const top = await runLedger(["top", "--by", "repo", "--limit", "1000", "--format", "csv", ...flags]);
    const topRecords = expectSafeCsv(top.stdout);
    expect(new Set(topRecords.map((record) => removeCsvPrefix(record.repo!)))).toEqual(
      new Set(counts.keys()),
    );

    const exported = await runLedger(["export", "--format", "csv", ...flags]);
    const events = expectSafeCsv(exported.stdout);
    expect(Object.keys(events[0]!)).toEqual(exportFields);
    expect(events).toHaveLength([...counts.values()].reduce((sum, count) => sum + count, 0));
    for (const event of events) {
      expect(removeCsvPrefix(event.error!)).toBe(removeCsvPrefix(event.repo!));
      expect(counts.has(removeCsvPrefix(event.repo!))).toBe(true);
    }
  });
}

const fixed = ["acme", "inc", "acme,inc", "a\\b", "a\\,b", "\\", "=1+1", "@SUM(A1)", "+1", "-1", "\tx"];

describe("hostile text in the reporting commands [pglite]", () => {
  hostileRound(() => ({ url: `pglite:${path.join(directory, "db")}`, schema: "public" }), fixed, false);
});

describeServer("hostile text in the reporting commands", () => {
  const schema = uniqueSchema("cli");
  afterAll(async () => {
    const database = await engineDatabase("postgres");
    await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
  hostileRound(
    () => ({ url: serverUrl!, schema }),
    [...new Set([...fixed, ...hostileValues(seededRandom(2026), 40)])],
    true,
  );
});
