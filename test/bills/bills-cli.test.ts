// `llm-ledger bills import` end to end on the Postgres server (a schema per run): the API through the
// fake provider server, files, and the failures a person sees (exit 1, one message, nothing written).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { listBillLines } from "../../src/bills/index.js";
import { runLedger } from "../support/cli.js";
import { describeServer, engineDatabase, serverUrl, uniqueSchema } from "../support/databases.js";
import { fakeKeys, startFakeBillingServer, type FakeBillingServer } from "../support/fake-billing-server.js";
import { anthropicLines, openaiLines } from "./support/expected-lines.js";

describeServer("bills import (CLI)", () => {
  const schema = uniqueSchema("bills");
  const flags = () => ["--database-url", serverUrl!, "--schema", schema];
  const env = { OPENAI_ADMIN_KEY: fakeKeys.openai, ANTHROPIC_ADMIN_KEY: fakeKeys.anthropic };
  let fake: FakeBillingServer;
  let directory = "";
  beforeAll(async () => {
    fake = await startFakeBillingServer();
    directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-bills-"));
  });
  afterAll(async () => {
    await fake.close();
    await rm(directory, { recursive: true, force: true });
    await (await engineDatabase("postgres")).exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
  const stored = async (provider: string) =>
    listBillLines(await engineDatabase("postgres"), schema, { provider });

  it("imports both providers through --api-base (allowed on loopback because it was typed), idempotently", async () => {
    for (const provider of ["openai", "anthropic"]) {
      const run = await runLedger(
        ["bills", "import", "--provider", provider, "--api-base", fake.url, "--since", "90d", ...flags()],
        { env },
      );
      expect(run.stderr).toBe("");
      expect(run.exitCode).toBe(0);
    }
    expect(await stored("openai")).toEqual(openaiLines);
    expect(await stored("anthropic")).toEqual(anthropicLines);
    const again = await runLedger(
      ["bills", "import", "--provider", "openai", "--api-base", fake.url, "--json", ...flags()],
      { env },
    );
    expect(JSON.parse(again.stdout)).toEqual({
      provider: "openai",
      pages: 2,
      days: 3,
      lines: 5,
      removed: 5,
      source: "api",
    });
    expect(await stored("openai")).toEqual(openaiLines);
  });

  it("a missing or wrong admin key: exit 1, the variable named, the key never printed, nothing written", async () => {
    const missing = await runLedger(
      ["bills", "import", "--provider", "anthropic", "--api-base", fake.url, ...flags()],
      { env: {} },
    );
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(
      /\[E_BILLS_KEY\]: ANTHROPIC_ADMIN_KEY is not set: importing anthropic's bill needs an Admin API key/,
    );
    const wrong = await runLedger(
      ["bills", "import", "--provider", "openai", "--api-base", fake.url, ...flags()],
      {
        env: { OPENAI_ADMIN_KEY: "sk-admin-leak-me-not" },
      },
    );
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toMatch(
      /OPENAI_ADMIN_KEY was refused by http:\/\/127\.0\.0\.1:\d+\/v1\/organization\/costs \(HTTP 401/,
    );
    expect(wrong.stderr + wrong.stdout).not.toContain("leak-me-not");
    expect(await stored("openai")).toEqual(openaiLines);
  });

  it("imports a bill file; a file with a bad row imports nothing and names the line", async () => {
    const good = path.join(directory, "bedrock.csv");
    await writeFile(
      good,
      "date,line_item,model,amount,currency\n2026-11-01,Claude input,claude-sonnet-4-5,12.5,USD\n",
    );
    const run = await runLedger(["bills", "import", "--provider", "bedrock", "--file", good, ...flags()]);
    expect(run.stdout).toBe(
      "imported aws-bedrock's bill (file): 1 line(s) over 1 day(s); 0 line(s) stored before for those days replaced\n",
    );
    const bad = path.join(directory, "bad.csv");
    await writeFile(bad, "date,line_item,amount,currency\n2026-11-03,fine,1,USD\n2026-11-04,bad,one,USD\n");
    const refused = await runLedger(["bills", "import", "--provider", "bedrock", "--file", bad, ...flags()]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("bad.csv:3: amount must be a plain decimal");
    expect((await stored("aws-bedrock")).map((line) => line.day)).toEqual(["2026-11-01"]);
  });

  it("bad usage exits 2 with one line", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["bills", "import"], /--provider is required/],
      [["bills", "import", "--provider", "nope"], /--provider 'nope' is not a known provider/],
      [
        ["bills", "import", "--provider", "google"],
        /bills are read from the APIs of openai and anthropic; import others with --file/,
      ],
      [
        ["bills", "import", "--provider", "openai", "--api-base", "ftp://x"],
        /--api-base must be an http\(s\) URL/,
      ],
      [
        ["bills", "import", "--provider", "bedrock", "--file", "x.csv", "--until", "2026-11-01"],
        /--file imports the days in the file: --until applies to the API only/,
      ],
    ];
    for (const [argv, message] of cases) {
      const run = await runLedger([...argv, ...flags()], { env });
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });
});
