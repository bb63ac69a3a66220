// Issue 15: importing the CSV that `export` writes printed a "not JSON" line per row; it now stops at
// the first line with one message saying import reads JSONL, exit 1, nothing imported.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLedger } from "../support/cli.js";
import { engineDatabase, serverUrl, uniqueSchema } from "../support/databases.js";

let directory = "";
const schema = uniqueSchema("import_csv");
beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-import-csv-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
  if (serverUrl) await (await engineDatabase("postgres")).exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
});

function event(index: number): Record<string, unknown> {
  return {
    eventId: randomUUID(),
    createdAt: new Date(Date.now() - (index + 1) * 60_000).toISOString(),
    repo: "api",
    taskType: "review",
    model: "claude-sonnet-4-5",
    provider: "anthropic",
    sdk: "raw",
    inputTokens: 100 + index,
    outputTokens: 10,
    estimatedCostUsd: "0.00045",
    priced: true,
  };
}

describe("import of a CSV export", () => {
  it("stops at the first line with one message, exit 1, and imports nothing", async () => {
    // On the Postgres server when there is one (a schema of its own), else an embedded directory.
    const target = serverUrl
      ? ["--database-url", serverUrl, "--schema", schema]
      : ["--database-url", `pglite:${path.join(directory, "db")}`];
    const jsonl = path.join(directory, "events.jsonl");
    await writeFile(jsonl, [0, 1, 2].map((index) => JSON.stringify(event(index))).join("\n") + "\n");
    expect((await runLedger(["import", jsonl, ...target])).exitCode).toBe(0);

    const exported = await runLedger(["export", "--format", "csv", ...target]);
    expect(exported.exitCode).toBe(0);
    const csv = path.join(directory, "events.csv");
    await writeFile(csv, exported.stdout);

    const run = await runLedger(["import", csv, "--json", ...target]);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("[E_IMPORT_FORMAT]");
    expect(run.stderr).toContain("events.csv is not JSONL");
    expect(run.stderr).toContain("it looks like CSV");

    // A JSONL file with a bad line in the middle still reports that line and keeps the others.
    const mixed = path.join(directory, "mixed.jsonl");
    await writeFile(
      mixed,
      [JSON.stringify(event(5)), "not json", JSON.stringify(event(6))].join("\n") + "\n",
    );
    const partial = await runLedger(["import", mixed, "--json", ...target]);
    expect(partial.exitCode).toBe(1);
    expect(partial.stderr).toMatch(/^mixed\.jsonl:2: not JSON/);
    expect(JSON.parse(partial.stdout)).toMatchObject({ inserted: 2, bad: 1 });
  });
});
