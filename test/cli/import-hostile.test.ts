// `llm-ledger import` under hostile lines: invalid UTF-8, lone surrogates, dates Date.parse would
// guess at, an out-of-range count. Each bad line is named; every good line is stored.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runLedger } from "../support/cli.js";
import { describeServer, serverUrl, uniqueSchema } from "../support/databases.js";

let directory = "";
beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-import-"));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const line = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    eventId: randomUUID(),
    createdAt: "2026-11-30T10:00:00.000Z",
    repo: "api",
    taskType: "review",
    model: "gpt-4o-mini",
    resolvedModel: "gpt-4o-mini",
    provider: "openai",
    sdk: "raw",
    inputTokens: 1000,
    outputTokens: 200,
    estimatedCostUsd: "0.00027",
    costSource: "catalog",
    priced: true,
    ...overrides,
  });

describeServer("import of hostile lines", () => {
  it("names each line that cannot be stored as given, and stores the others exactly", async () => {
    const schema = uniqueSchema("imp");
    const flags = ["--database-url", serverUrl!, "--schema", schema];
    const marker = "PLACEHOLDER";
    const lines = [
      Buffer.from(line({ repo: "=HYPERLINK(1)" })),
      Buffer.from(line({ repo: `acme/${marker}` })).toString("latin1"),
      Buffer.from(line({ metadata: { note: "\uD800" } })),
      Buffer.from(line({ createdAt: "March 7" })),
      Buffer.from(line({ createdAt: "2026-02-30T00:00:00Z" })),
      Buffer.from(line({ taskType: "two\nlines", metadata: { "😀": "ok" } })),
      Buffer.from(line({ inputTokens: 1e12 + 1 })),
      // Free error text is kept, cleaned, as the tracker keeps it.
      Buffer.from(line({ repo: "errors", error: "bad\uD800 end" })),
    ].map((item) => {
      if (typeof item !== "string") return item;
      // Raw invalid UTF-8 (a lone continuation byte) where the marker stood.
      const at = item.indexOf(marker);
      return Buffer.concat([
        Buffer.from(item.slice(0, at), "latin1"),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(item.slice(at + marker.length), "latin1"),
      ]);
    });
    const file = path.join(directory, "hostile.jsonl");
    await writeFile(file, Buffer.concat(lines.flatMap((bytes) => [bytes, Buffer.from("\r\n")])));
    const run = await runLedger(["import", file, ...flags, "--json"]);
    expect(run.exitCode).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ lines: 8, inserted: 3, bad: 5 });
    expect(run.stderr).toMatch(/^hostile\.jsonl:2: repo is not valid Unicode/m);
    expect(run.stderr).toMatch(/^hostile\.jsonl:3: metadata\.note is not valid Unicode/m);
    expect(run.stderr).toMatch(/^hostile\.jsonl:4: createdAt must be an ISO 8601 time/m);
    expect(run.stderr).toMatch(/^hostile\.jsonl:5: createdAt "2026-02-30T00:00:00Z" is not a date/m);
    expect(run.stderr).toMatch(/^hostile\.jsonl:7: inputTokens must be a whole number/m);
    const exported = await runLedger(["export", ...flags]);
    const repos = exported.stdout
      .trim()
      .split("\n")
      .map(
        (text) =>
          (JSON.parse(text) as { repo: string; taskType: string }).taskType +
          "|" +
          (JSON.parse(text) as { repo: string }).repo,
      )
      .sort();
    expect(repos).toEqual(["review|=HYPERLINK(1)", "review|errors", "two\nlines|api"]);
    const errors = exported.stdout
      .trim()
      .split("\n")
      .map((text) => (JSON.parse(text) as { error?: string | null }).error)
      .filter(Boolean);
    expect(errors).toEqual(["bad\uFFFD end"]);
  });
});
